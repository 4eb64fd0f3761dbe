/* spec: the description of a container, plain data with no code: what every front end (hutch
 * run's options, --config files, an OCI bundle's config.json) turns its input into, and what the
 * engine (run, child, rootfs, net, cgroup, command) runs. */
#ifndef HUTCH_SPEC_H
#define HUTCH_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "addr.h"
#include "userns.h"

#define HUTCH_NAME_MAX 63

/* NET_MACVLAN, NET_IPVLAN: eth0 is a new link over a parent of hutch's namespace (the board's
 * LAN); NET_DEV: an existing interface moved in as eth0, and back with its name at the end. */
enum net_mode { NET_NONE, NET_HOST, NET_VETH, NET_MACVLAN, NET_IPVLAN, NET_DEV };

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
    const char *parent;           /* macvlan:PARENT, ipvlan:PARENT, dev:IFACE */
    int lan_mode;                 /* MACVLAN_MODE_* or IPVLAN_MODE_* (linux/if_link.h) */
};

/* --add-host NAME:ADDR */
struct host_entry {
    const char *name;
    struct ip_addr addr;          /* prefix -1 */
};

/* -p, --publish [HOSTADDR:]HOSTPORT:PORT[/tcp|udp] */
struct publish_spec {
    struct ip_addr host;          /* family 0: every address (0.0.0.0) */
    uint16_t host_port, port;
    int proto;                    /* IPPROTO_TCP or IPPROTO_UDP */
};

/* --tmpfs DST[:OPTS] */
struct tmpfs_spec {
    const char *dst;
    const char *data;          /* "mode=1777,size=N" */
    bool exec;                 /* else noexec */
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

/* A mount the description asks for (an OCI config's mounts[]): a filesystem of TYPE, or a bind
 * of SOURCE (a host path) when BIND. */
struct mount_spec {
    const char *type;          /* "proc", "sysfs", "tmpfs", "devpts", "mqueue", "cgroup", ... */
    const char *source;
    const char *dst;           /* inside the root */
    unsigned long flags;       /* MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, atime ones */
    unsigned long propagation; /* MS_PRIVATE, MS_SLAVE, MS_SHARED, MS_UNBINDABLE (| MS_REC); 0 */
    const char *data;          /* the filesystem's options ("mode=755,size=65536k"), or NULL */
    bool bind;
};

/* A namespace joined instead of made (an OCI namespace with a path). */
struct ns_join {
    int type;                  /* CLONE_NEWNET, ... */
    const char *path;
};

struct rlimit_spec {
    int resource;              /* RLIMIT_NOFILE, ... */
    uint64_t soft, hard;
};

struct sysctl_spec {
    const char *key, *value;   /* "net.ipv4.ip_forward", "1" */
};

/* A program hutch runs at a point of the life of an OCI container (the spec's hooks). */
struct hook_spec {
    const char *path;
    char **argv;               /* NULL-terminated; NULL: PATH alone */
    char **env;                /* NULL-terminated; NULL: empty */
    int timeout;               /* seconds, 0: none */
};
enum hook_kind {
    HOOK_PRESTART, HOOK_CREATE_RUNTIME, HOOK_CREATE_CONTAINER, HOOK_START_CONTAINER,
    HOOK_POSTSTART, HOOK_POSTSTOP, N_HOOKS
};

/* The five capability sets, when the description gives each (OCI); else caps is all four. */
enum { CAPSET_BOUNDING, CAPSET_EFFECTIVE, CAPSET_INHERITABLE, CAPSET_PERMITTED, CAPSET_AMBIENT,
       N_CAPSETS };

struct scmp_profile;
struct device_rule;

/* What an OCI config says beyond hutch run's options; all zero for hutch run, where the
 * defaults (hutch's /proc, /sys, /dev, masks, namespaces, caps) apply. */
struct spec_more {
    bool given;                /* the fields below are the description, not the defaults */
    struct mount_spec *mounts; /* in order, replacing hutch's /proc, /sys and /dev */
    size_t n_mounts;
    const char **masked;       /* paths covered (a file: /dev/null; a directory: empty tmpfs) */
    size_t n_masked;
    const char **readonly;     /* paths made read-only */
    size_t n_readonly;
    unsigned long root_propagation; /* of the root once pivoted: MS_SHARED..., 0: private */
    unsigned long namespaces;  /* CLONE_NEW* made */
    struct ns_join *joins;
    size_t n_joins;
    bool ids_given;            /* uid, gid and groups stand for user */
    uid_t uid;
    gid_t gid;
    gid_t *groups;
    size_t n_groups;
    int umask;                 /* -1: the default (022) */
    uint64_t capsets[N_CAPSETS];
    bool no_new_privs;
    bool oom_given;
    int oom_score_adj;
    struct rlimit_spec *rlimits;
    size_t n_rlimits;
    struct sysctl_spec *sysctls;
    size_t n_sysctls;
    const char *domainname;
    struct scmp_profile *seccomp; /* NULL: no filter (the config has none) */
    const char *cgroup_path;   /* relative to each hierarchy's root; NULL: none */
    uint64_t memory_swap;      /* memory and swap together (OCI memory.swap); 0: no swap,
                                  UINT64_MAX: no limit */
    uint64_t cpu_shares, cpu_period; /* 0: none */
    const char *cpu_mems;
    const char **unified;      /* KEY=VALUE pairs for cgroup v2 files */
    size_t n_unified;
    struct device_rule *device_rules; /* the device policy as given (allow rules), or NULL */
    size_t n_device_rules;
    bool device_policy;        /* a policy is given (deny all, then DEVICE_RULES) */
    struct hook_spec *hooks[N_HOOKS];
    size_t n_hooks[N_HOOKS];
    unsigned console_rows, console_cols;
};

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
    const char *entrypoint;  /* --entrypoint: replaces the image's ("": none); NULL: the image's */
    const char *overlay;     /* --overlay: "tmpfs" or a directory for upper/ and work/; NULL */
    struct tmpfs_spec *tmpfs; /* --tmpfs */
    size_t n_tmpfs;
    const char *verity;      /* --verity ROOTHASH / --verity-file FILE, the root hash, 64 hex */
    const char *verity_file; /* --verity-file: the file that holds the root hash */
    const char *workdir;     /* NULL: / */
    const char *user;        /* UID[:GID] or NAME[:GROUP]; NULL: root */
    bool ro;
    bool no_init;
    bool tty;                /* -t: the command gets a pseudo-terminal of the container's */
    enum net_mode net;
    bool net_given;          /* --net was on the command line */
    struct veth_opts veth;
    struct ip_addr *dns;     /* --dns: name servers of the container's /etc/resolv.conf */
    size_t n_dns;
    const char **dns_search; /* --dns-search */
    size_t n_dns_search;
    struct host_entry *add_hosts; /* --add-host */
    size_t n_add_hosts;
    struct publish_spec *publish; /* -p, --publish */
    size_t n_publish;
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
    struct spec_more more;   /* the OCI front end's (oci_config.h): zero from hutch run */
};

#endif
