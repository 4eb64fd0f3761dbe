/* cli: the command line (and config files) into plain option structs. No side effects. */
#ifndef HUTCH_CLI_H
#define HUTCH_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "addr.h"
#include "userns.h"

#define HUTCH_NAME_MAX 63

enum net_mode { NET_NONE, NET_HOST, NET_VETH };

struct bind_spec {
    const char *src;
    const char *dst;
    bool ro;
};

/* --net veth: a veth pair, its host end in hutch's network namespace, eth0 inside. Addresses are
 * kept per family: [0] IPv4, [1] IPv6 (see addr_slot); family 0 when not given. */
struct veth_opts {
    const char *host_name;        /* --veth; NULL: derived from the container's name */
    const char *bridge;           /* --bridge: attach the host end to it */
    struct ip_addr ip[2];         /* --ip: eth0's addresses */
    struct ip_addr host_ip[2];    /* --host-ip: the host end's addresses */
    struct ip_addr gateway[2];    /* --gateway, or the host end's address */
    unsigned mtu;                 /* --mtu; 0: the kernel's default */
};

#define IFNAME_MAX 15 /* IFNAMSIZ - 1 */

/* Limits (cgroups) and hardening. */
struct limit_opts {
    uint64_t memory;      /* --memory, bytes; 0: none */
    uint64_t pids;        /* --pids; 0: none */
    uint64_t cpu_quota_us; /* --cpus X as X * 100000 us per 100000 us; 0: none */
    const char *cpuset;   /* --cpuset */
};

static inline bool limits_given(const struct limit_opts *l)
{
    return l->memory || l->pids || l->cpu_quota_us || l->cpuset;
}

enum restart_policy { RESTART_NO, RESTART_ON_FAILURE, RESTART_ALWAYS };

struct device_spec;

struct run_opts {
    const char *name;        /* NULL: run picks one */
    const char *hostname;    /* NULL: the name */
    const char *image;       /* image file or directory */
    char **argv;             /* the command, NULL-terminated */
    const char **env;        /* K=V, in order given */
    size_t n_env;
    struct bind_spec *binds;
    size_t n_binds;
    struct device_spec *devices; /* --device */
    size_t n_devices;
    const char *workdir;     /* NULL: / */
    const char *user;        /* UID[:GID] or NAME[:GROUP]; NULL: root */
    bool ro;
    bool no_init;
    bool tty;                /* -t: the command gets a pseudo-terminal of the container's */
    enum net_mode net;
    bool net_given;          /* --net was on the command line */
    struct veth_opts veth;
    struct limit_opts limits;
    uint64_t caps;           /* the capabilities kept: the default set, --cap-add, --cap-drop */
    bool privileged;         /* --privileged: no hardening at all */
    bool caps_all;           /* --cap-add ALL or --privileged: every capability hutch itself has */
    bool seccomp_off;        /* --seccomp unconfined */
    bool userns;             /* --userns (always when run without root) */
    struct idmap uidmap, gidmap; /* --uidmap, --gidmap; count 0: the default */
    bool detach;             /* -d: return once the command runs; a monitor stays */
    const char *pidfile;     /* --pidfile: the pid of the hutch that owns the container */
    const char *log;         /* --log: the container's output, appended */
    uint64_t log_max;        /* --log-max: rotate past this size; 0: the default */
    enum restart_policy restart;
    unsigned restart_max;    /* on-failure:N; 0: no limit */
    const char *config;      /* --config FILE */
    char **owned;            /* strings read from the config file, freed with the options */
    size_t n_owned;
};

/* `hutch exec [OPTIONS] NAME COMMAND...` */
struct exec_opts {
    const char *name;
    char **argv;
    const char **env;
    size_t n_env;
    const char *workdir;
    const char *user;
    bool tty;
};

/* The small commands: list [-q], kill NAME [SIGNAL], stop [-t S] NAME, wait NAME, inspect NAME,
 * start NAME. */
struct ctl_opts {
    const char *name;
    int signal;              /* kill: default SIGKILL */
    unsigned timeout;        /* stop: seconds before SIGKILL, default 10 */
    bool quiet;              /* list: names only */
};

/* Parse `hutch run` arguments (ARGV[0] is the first one after "run"). Returns 0, 1 when
 * help was asked for (printed to OUT), or a negative errno with a message recorded. */
int cli_parse_run(int argc, char **argv, struct run_opts *o, FILE *out);
void run_opts_free(struct run_opts *o);

int cli_parse_exec(int argc, char **argv, struct exec_opts *e, FILE *out);
void exec_opts_free(struct exec_opts *e);
int cli_parse_ctl(const char *cmd, int argc, char **argv, struct ctl_opts *c, FILE *out);

/* "TERM", "SIGTERM", "term" or "15" to 15; -EINVAL with a message. */
int cli_parse_signal(const char *s);
/* Pure: split a config file's command value into words: spaces separate, '...' and "..."
 * quote, backslash escapes. *ARGV is NULL-terminated and malloc'd (one block). */
int cli_split_words(const char *s, char ***argv);

/* Pure: the trees of the host that the container can write, into OUT (room for N_BINDS + 1):
 * its read-write bind sources, and DIR_ROOT (a writable directory root) when not NULL. Paths
 * of the host below them are resolved inside them (resolve_host). */
size_t cli_writable_trees(const struct bind_spec *binds, size_t n_binds, const char *dir_root,
                          const char **out);
/* Pure: whether NAME is a container name (letters, digits, '_', '.', '-'; 1 to 63). */
bool cli_name_ok(const char *name);
/* Checks shared with other commands; 0 or -EINVAL with a message. */
int cli_check_name(const char *what, const char *name);
int cli_check_ifname(const char *what, const char *name);

/* Pure value parsers, exposed for the unit tests. */
int cli_parse_bind(const char *spec, struct bind_spec *b);

void cli_usage(FILE *out);

#endif
