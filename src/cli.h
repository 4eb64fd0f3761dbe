/* cli: hutch's own command line (and config files) into the description of a container
 * (spec.h), and the small commands' options. No side effects. */
#ifndef HUTCH_CLI_H
#define HUTCH_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "spec.h"

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
/* --net macvlan:PARENT[:MODE], ipvlan:PARENT[:l2|l3|l3s], dev:IFACE: the mode, and the parent
 * (allocated: the caller's to free) and link mode in V. */
int cli_parse_lan(const char *spec, enum net_mode *mode, struct veth_opts *v);
/* -p, --publish [HOSTADDR:]HOSTPORT:PORT[/tcp|udp]; an IPv6 HOSTADDR in brackets. */
int cli_parse_publish(const char *spec, struct publish_spec *p);
/* --add-host NAME:ADDR; NAME is allocated (freed with the options). */
int cli_parse_add_host(const char *spec, struct host_entry *h);
/* DST[:size=N,mode=OCTAL,exec]: T's strings malloc'd (the tmpfs's mount data in T->data). */
int cli_parse_tmpfs(const char *spec, struct tmpfs_spec *t);
/* Pure, for the config-file syntax (--config, the image's config): S without the spaces around
 * it; V without one outer pair of matching quotes (nothing inside is unescaped). In place. */
char *cli_trim(char *s);
char *cli_unquote(char *v);
/* UID[:GID] or NAME[:GROUP]; WHAT names it in the message. 0 or -EINVAL (recorded). */
int cli_check_user(const char *what, const char *u);

void cli_usage(FILE *out);

#endif
