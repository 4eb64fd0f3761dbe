/* cgroup: the container's control groups on cgroup v2 (unified), v1, and the hybrid layout (v1
 * controllers beside a v2 mount), for containers with limits. One directory hutch/NAME per
 * hierarchy used: the v2 one when there is a v2 mount, and the v1 ones whose controllers carry
 * a limit. Each directory is held
 * with a lock for the container's life, so that a later hutch can tell stale ones and remove
 * them. */
#ifndef HUTCH_CGROUP_H
#define HUTCH_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct device_spec;

struct cgroup_limits {
    uint64_t memory;       /* bytes, 0: none */
    uint64_t pids;         /* 0: none */
    uint64_t cpu_quota_us; /* per CGROUP_CPU_PERIOD_US, 0: none */
    const char *cpuset;    /* "0-1,3", NULL: none */
    bool device_policy;    /* only the default device nodes and DEVICES may be used */
    const struct device_spec *devices; /* --device */
    size_t n_devices;
    char image_type;       /* the image's loop device, which the container's first process
                              mounts: 'b' with its numbers, or 0 */
    unsigned image_major, image_minor;
    bool image_writable;
    /* Beyond hutch run's limits (an OCI config's resources); zero: none. */
    uint64_t memory_swap;  /* memory and swap together; 0: no swap, UINT64_MAX: no limit */
    uint64_t cpu_shares;   /* v1 cpu.shares, v2 cpu.weight from it */
    uint64_t cpu_period_us; /* the period of cpu_quota_us; 0: CGROUP_CPU_PERIOD_US */
    const char *cpu_mems;  /* cpuset.mems */
    const char *const *unified; /* KEY, VALUE pairs written into the v2 directory */
    size_t n_unified;
    const struct device_rule *rules; /* the device policy's allow rules, replacing the default */
    size_t n_rules;
};

#define CGROUP_CPU_PERIOD_US 100000
#define CGROUP_MAX_DIRS 16

struct cgroup {
    int n;
    struct {
        char path[256];
        int fd;          /* the directory, locked */
        bool v2;
        unsigned controllers; /* the limits it carries: CG_MEMORY ... */
    } dir[CGROUP_MAX_DIRS];
    uint64_t oom_kills_before;
};

enum { CG_MEMORY = 1, CG_PIDS = 2, CG_CPU = 4, CG_CPUSET = 8, CG_DEVICES = 16 };
#define N_CONTROLLERS 5

/* Pure: the cgroup layout from /proc/self/mounts text. Exposed for the unit tests. */
struct cgroup_layout {
    char v2[256];                 /* mount point of cgroup2, "" if none */
    char v1[N_CONTROLLERS][256];  /* mount point of the v1 hierarchy of memory, pids, cpu,
                                     cpuset, devices */
};
void cgroup_parse_mounts(const char *mounts, struct cgroup_layout *l);
/* Pure: "0-3,5" style CPU lists. */
bool cgroup_valid_cpuset(const char *list);

/* Make the container's cgroups and apply LIM: its limits, and the device policy (v1 devices
 * where that hierarchy is mounted, else a BPF program on the v2 directory; skipped where the
 * kernel has neither, unless a --device asks for less than rwm). On failure nothing is left. */
int cgroup_create(const char *name, const struct cgroup_limits *lim, struct cgroup *cg);
/* Move PID into every one of them. */
int cgroup_add(const struct cgroup *cg, pid_t pid);
/* Whether the memory limit killed a process since cgroup_create. */
bool cgroup_oom_killed(const struct cgroup *cg);
/* Remove the cgroups (waiting briefly for the last processes to be gone) and drop the locks. */
void cgroup_release(struct cgroup *cg);
/* Move this process into the cgroups of container NAME (hutch/NAME in each hierarchy). */
int cgroup_join(const char *name);
/* An OCI container's cgroups: PATH (relative to each hierarchy's root, as an engine names it)
 * in every hierarchy mounted (v2, and each v1 one), made with their parents, LIM applied. No
 * lock: the container's state owns them, and cgroup_remove_path ends them. On failure nothing
 * made is left. */
int cgroup_create_path(const char *path, const struct cgroup_limits *lim, struct cgroup *cg);
/* Close the descriptors of CG (the directories stay). */
void cgroup_close(struct cgroup *cg);
/* Remove PATH from every hierarchy (waiting briefly for the last processes to be gone). 0, or
 * -EBUSY with a message when processes are still in it. */
int cgroup_remove_path(const char *path);
/* Move PID into PATH of every hierarchy where it exists. */
int cgroup_join_path(const char *path, pid_t pid);
/* Freeze (or thaw) PATH: the v1 freezer where it is mounted, else v2's cgroup.freeze. */
int cgroup_freeze_path(const char *path, bool freeze);
/* Whether PATH is frozen (1), not (0), or a negative errno. */
int cgroup_frozen_path(const char *path);
/* The pids in PATH (its cgroup.procs), into OUT (room MAX); the count, or a negative errno (no
 * message). */
int cgroup_pids_path(const char *path, pid_t *out, size_t max);
/* For the container's /sys/fs/cgroup: each hierarchy's directory PATH (DIRS) and where it is
 * shown below the cgroup mount point (NAMES: "memory", "unified"; "" for a v2-only host). The
 * count, or a negative errno. */
int cgroup_dirs_path(const char *path, char (*dirs)[512], char (*names)[64], int max);
/* Apply LIM to the existing PATH (`update`). */
int cgroup_update_path(const char *path, const struct cgroup_limits *lim);

/* Remove hutch/ cgroups whose owner is gone (no lock on them, no process in them). */
void cgroup_clean_stale(void);

#endif
