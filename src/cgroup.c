#include "cgroup.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "devices.h"
#include "err.h"
#include "sys.h"

/* The controllers hutch uses, in the order of the CG_ bits; v2 has no devices controller (a
 * BPF program takes its place), so only the first N_V2_CONTROLLERS are asked of it. */
static const struct {
    const char *name, *option, *config;
} controllers[N_CONTROLLERS] = {
    {"memory", "--memory", "CONFIG_MEMCG"},
    {"pids", "--pids", "CONFIG_CGROUP_PIDS"},
    {"cpu", "--cpus", "CONFIG_CGROUP_SCHED and CONFIG_CFS_BANDWIDTH"},
    {"cpuset", "--cpuset", "CONFIG_CPUSETS"},
    {"devices", "--device", "CONFIG_CGROUP_DEVICE, or CONFIG_CGROUP_BPF on cgroup v2"},
};
#define N_V2_CONTROLLERS 4

void cgroup_parse_mounts(const char *mounts, struct cgroup_layout *l)
{
    memset(l, 0, sizeof *l);
    const char *line = mounts;
    while (line && *line) {
        const char *next = strchr(line, '\n');
        size_t len = next ? (size_t)(next - line) : strlen(line);
        char buf[1024], dev[256], mnt[256], type[64], opts[512];
        if (len < sizeof buf) {
            memcpy(buf, line, len);
            buf[len] = '\0';
            if (sscanf(buf, "%255s %255s %63s %511s", dev, mnt, type, opts) == 4) {
                if (strcmp(type, "cgroup2") == 0 && !l->v2[0])
                    snprintf(l->v2, sizeof l->v2, "%s", mnt);
                if (strcmp(type, "cgroup") == 0) {
                    char *save, *opt;
                    for (opt = strtok_r(opts, ",", &save); opt; opt = strtok_r(NULL, ",", &save))
                        for (int i = 0; i < N_CONTROLLERS; i++)
                            if (strcmp(opt, controllers[i].name) == 0 && !l->v1[i][0])
                                snprintf(l->v1[i], sizeof l->v1[i], "%s", mnt);
                }
            }
        }
        line = next ? next + 1 : NULL;
    }
}

bool cgroup_valid_cpuset(const char *list)
{
    /* N or N-M, separated by commas */
    const char *p = list;
    if (!*p)
        return false;
    for (;;) {
        if (!isdigit((unsigned char)*p))
            return false;
        char *end;
        unsigned long a = strtoul(p, &end, 10), b = a;
        p = end;
        if (*p == '-') {
            if (!isdigit((unsigned char)p[1]))
                return false;
            b = strtoul(p + 1, &end, 10);
            p = end;
        }
        if (b < a || b > 4095)
            return false;
        if (*p == '\0')
            return true;
        if (*p++ != ',')
            return false;
    }
}

/* The layout of this mount namespace; -errno, no message. */
static int load_layout(struct cgroup_layout *l)
{
    int r;
    char *mounts = sys_read_all("/proc/self/mounts", &r);
    if (!mounts)
        return r;
    cgroup_parse_mounts(mounts, l);
    free(mounts);
    return 0;
}

static int read_layout(struct cgroup_layout *l)
{
    int r = load_layout(l);
    return r < 0 ? err_set(-r, "read /proc/self/mounts") : 0;
}

/* The controllers that the v2 hierarchy at MNT offers. */
static unsigned v2_controllers(const char *mnt)
{
    char path[300], buf[512];
    unsigned have = 0;
    snprintf(path, sizeof path, "%s/cgroup.controllers", mnt);
    if (sys_read_text(path, buf, sizeof buf) < 0)
        return 0;
    char *save, *tok;
    for (tok = strtok_r(buf, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
        for (int i = 0; i < N_V2_CONTROLLERS; i++)
            if (strcmp(tok, controllers[i].name) == 0)
                have |= 1u << i;
    return have;
}

/* The count after "oom_kill " in the memory controller's events file, 0 when unknown. */
static uint64_t oom_kills(const struct cgroup *cg)
{
    for (int i = 0; i < cg->n; i++) {
        if (!(cg->dir[i].controllers & CG_MEMORY))
            continue;
        char path[300], buf[1024];
        snprintf(path, sizeof path, "%s/%s", cg->dir[i].path,
                 cg->dir[i].v2 ? "memory.events" : "memory.oom_control");
        if (sys_read_text(path, buf, sizeof buf) < 0)
            return 0;
        const char *p = strstr(buf, "oom_kill ");
        return p ? strtoull(p + 9, NULL, 10) : 0;
    }
    return 0;
}

/* Prepare MNT/hutch, the parent of every container's cgroup in that hierarchy. */
static int prepare_parent(const char *mnt, bool v2, unsigned controls)
{
    char path[300];
    snprintf(path, sizeof path, "%s/hutch", mnt);
    if (mkdir(path, 0755) < 0 && errno != EEXIST)
        return err_set(errno, "cgroup %s", path);
    if (v2) {
        /* Controllers are handed down: the root's subtree_control, then hutch/'s. */
        for (int i = 0; i < N_V2_CONTROLLERS; i++) {
            if (!(controls & (1u << i)))
                continue;
            char word[32], sub[320];
            snprintf(word, sizeof word, "+%s", controllers[i].name);
            snprintf(sub, sizeof sub, "%s/cgroup.subtree_control", mnt);
            int r = sys_write_text(AT_FDCWD, sub, word);
            snprintf(sub, sizeof sub, "%s/hutch/cgroup.subtree_control", mnt);
            if (r == 0)
                r = sys_write_text(AT_FDCWD, sub, word);
            if (r < 0)
                return err_set(-r, "%s: enable the %s controller in %s", controllers[i].option,
                               controllers[i].name, sub);
        }
    } else if (controls & CG_CPUSET) {
        /* A v1 cpuset takes no task until its cpus and mems are set: copy the root's. */
        const char *files[] = {"cpuset.cpus", "cpuset.mems"};
        for (int i = 0; i < 2; i++) {
            char from[320], to[320], value[256];
            snprintf(from, sizeof from, "%s/%s", mnt, files[i]);
            snprintf(to, sizeof to, "%s/hutch/%s", mnt, files[i]);
            if (sys_read_text(to, value, sizeof value) > 1)
                continue;
            if (sys_read_text(from, value, sizeof value) < 0 || sys_write_text(AT_FDCWD, to, value) < 0)
                return err_set(errno, "cgroup %s", to);
        }
    }
    return 0;
}

/* Take the directory PATH: lock it, or find it is someone else's. -EBUSY when in use. */
static int lock_dir(const char *path, int *fd_out)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    /* Another hutch's sweep of stale cgroups holds each directory for a moment (a start beside
     * 50 others once failed on it); an owner holds it for the container's life. Only a lock
     * still held after 20 ms is an owner's. */
    int tries = 0;
    while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        if ((errno != EWOULDBLOCK && errno != EINTR) || ++tries > 10) {
            close(fd);
            return -EBUSY;
        }
        sys_sleep_ms(2);
    }
    /* A cleaner may have removed it between mkdir and the lock. */
    if (faccessat(fd, "cgroup.procs", F_OK, 0) < 0) {
        close(fd);
        return -ENOENT;
    }
    *fd_out = fd;
    return 0;
}

static int make_dir(struct cgroup *cg, const char *mnt, bool v2, unsigned controls,
                    const char *name)
{
    int r = prepare_parent(mnt, v2, controls);
    if (r < 0)
        return r;
    char path[256];
    if (snprintf(path, sizeof path, "%s/hutch/%s", mnt, name) >= (int)sizeof path)
        return err_setx(ENAMETOOLONG, "cgroup path for %s is too long", name);
    for (int attempt = 0; attempt < 10; attempt++) {
        if (mkdir(path, 0755) < 0) {
            if (errno == ENOENT) { /* hutch/ was just removed by another container's end */
                if ((r = prepare_parent(mnt, v2, controls)) < 0)
                    return r;
                continue;
            }
            if (errno != EEXIST)
                return err_set(errno, "cgroup %s", path);
            /* There already: stale (remove it and try again) or in use. */
            int fd;
            if (lock_dir(path, &fd) == -EBUSY)
                return err_setx(EBUSY, "container name %s is in use (cgroup %s)", name, path);
            if (rmdir(path) < 0 && errno != ENOENT) {
                int e = errno;
                close(fd);
                return err_set(e, "remove stale cgroup %s", path);
            }
            close(fd);
            continue;
        }
        int idx = cg->n;
        r = lock_dir(path, &cg->dir[idx].fd);
        if (r == -ENOENT)
            continue;
        if (r < 0) {
            rmdir(path);
            return err_set(-r, "cgroup %s", path);
        }
        snprintf(cg->dir[idx].path, sizeof cg->dir[idx].path, "%s", path);
        cg->dir[idx].v2 = v2;
        cg->dir[idx].controllers = controls;
        cg->n++;
        return 0;
    }
    return err_setx(EAGAIN, "cgroup %s: could not create it", path);
}

static int limit_error(int r, int ctl, const char *file, const char *value)
{
    if (r == -ENOENT)
        return err_setx(ENOENT, "%s: the kernel cannot apply it (no %s; needs %s)",
                        controllers[ctl].option, file, controllers[ctl].config);
    return err_set(-r, "%s %s: write %s", controllers[ctl].option, value, file);
}

static int apply_limits(const struct cgroup *cg, const struct cgroup_limits *lim)
{
    char v[64];
    for (int i = 0; i < cg->n; i++) {
        int fd = cg->dir[i].fd, r;
        bool v2 = cg->dir[i].v2;
        unsigned c = cg->dir[i].controllers;
        if (c & CG_MEMORY) {
            snprintf(v, sizeof v, "%" PRIu64, lim->memory);
            const char *f = v2 ? "memory.max" : "memory.limit_in_bytes";
            if ((r = sys_write_text(fd, f, v)) < 0)
                return limit_error(r, 0, f, v);
            /* No swap beyond the limit: --memory is what the container gets; or, as a
             * description says, memory and swap together up to MEMORY_SWAP (-1: any). */
            char sw[64];
            if (lim->memory_swap == UINT64_MAX)
                snprintf(sw, sizeof sw, "%s", v2 ? "max" : "-1");
            else if (lim->memory_swap > lim->memory)
                snprintf(sw, sizeof sw, "%" PRIu64, v2 ? lim->memory_swap - lim->memory
                                                       : lim->memory_swap);
            else
                snprintf(sw, sizeof sw, "%s", v2 ? "0" : v);
            if (v2)
                sys_write_text(fd, "memory.swap.max", sw);
            else
                sys_write_text(fd, "memory.memsw.limit_in_bytes", sw);
        }
        if (c & CG_PIDS) {
            snprintf(v, sizeof v, "%" PRIu64, lim->pids);
            if ((r = sys_write_text(fd, "pids.max", v)) < 0)
                return limit_error(r, 1, "pids.max", v);
        }
        if (c & CG_CPU) {
            uint64_t period = lim->cpu_period_us ? lim->cpu_period_us : CGROUP_CPU_PERIOD_US;
            if (v2 && (lim->cpu_quota_us || lim->cpu_period_us)) {
                if (lim->cpu_quota_us)
                    snprintf(v, sizeof v, "%" PRIu64 " %" PRIu64, lim->cpu_quota_us, period);
                else
                    snprintf(v, sizeof v, "max %" PRIu64, period);
                if ((r = sys_write_text(fd, "cpu.max", v)) < 0)
                    return limit_error(r, 2, "cpu.max", v);
            } else if (lim->cpu_quota_us || lim->cpu_period_us) {
                snprintf(v, sizeof v, "%" PRIu64, period);
                if ((r = sys_write_text(fd, "cpu.cfs_period_us", v)) < 0)
                    return limit_error(r, 2, "cpu.cfs_period_us", v);
                if (lim->cpu_quota_us)
                    snprintf(v, sizeof v, "%" PRIu64, lim->cpu_quota_us);
                else
                    snprintf(v, sizeof v, "-1");
                if ((r = sys_write_text(fd, "cpu.cfs_quota_us", v)) < 0)
                    return limit_error(r, 2, "cpu.cfs_quota_us", v);
            }
            if (lim->cpu_shares) {
                /* v2's weight (1 to 10000) from v1's shares (2 to 262144), as runc maps them. */
                uint64_t w = 1 + ((lim->cpu_shares - 2) * 9999) / 262142;
                snprintf(v, sizeof v, "%" PRIu64, v2 ? w : lim->cpu_shares);
                const char *f = v2 ? "cpu.weight" : "cpu.shares";
                if ((r = sys_write_text(fd, f, v)) < 0)
                    return limit_error(r, 2, f, v);
            }
        }
        if (c & CG_CPUSET) {
            if (lim->cpu_mems && (r = sys_write_text(fd, "cpuset.mems", lim->cpu_mems)) < 0)
                return limit_error(r, 3, "cpuset.mems", lim->cpu_mems);
            if (!v2 && !lim->cpu_mems) {
                char mems[256], parent[300];
                snprintf(parent, sizeof parent, "%s/../cpuset.mems", cg->dir[i].path);
                if (sys_read_text(parent, mems, sizeof mems) < 0 || sys_write_text(fd, "cpuset.mems", mems) < 0)
                    return err_set(errno, "--cpuset: cpuset.mems");
            }
            if (lim->cpuset && (r = sys_write_text(fd, "cpuset.cpus", lim->cpuset)) < 0) {
                char have[256] = "?", path[300];
                snprintf(path, sizeof path, "%s/../cpuset.%scpus", cg->dir[i].path,
                         v2 ? "effective_" : "");
                sys_read_text(path, have, sizeof have);
                have[strcspn(have, "\n")] = '\0';
                if (r == -EINVAL || r == -ERANGE)
                    return err_setx(EINVAL, "--cpuset %s: not CPUs of this machine (it has %s)",
                                    lim->cpuset, have);
                return limit_error(r, 3, "cpuset.cpus", lim->cpuset);
            }
        }
        for (size_t k = 0; v2 && k < lim->n_unified; k++)
            if ((r = sys_write_text(fd, lim->unified[2 * k], lim->unified[2 * k + 1])) < 0)
                return err_set(-r, "cgroup %s: write %s", cg->dir[i].path, lim->unified[2 * k]);
    }
    return 0;
}

/* The device policy: what a container may open besides nothing. */
static int device_policy(const struct cgroup *cg, const struct cgroup_limits *lim, bool bpf)
{
    struct device_rule rules[64];
    size_t room = sizeof rules / sizeof *rules - 1; /* one for the image's loop device */
    /* The default nodes and the --device (or linux.devices) ones, then a description's own
     * allow rules (an OCI config's). */
    int n = devices_rules(lim->devices, lim->n_devices, rules, room);
    if (n >= 0 && lim->n_rules > room - (size_t)n)
        n = -ENOSPC;
    if (n >= 0 && lim->n_rules) {
        memcpy(rules + n, lim->rules, lim->n_rules * sizeof *rules);
        n += (int)lim->n_rules;
    }
    if (n == -ENOSPC)
        return err_setx(E2BIG, "--device: at most %d of them",
                        (int)room - devices_rules(NULL, 0, rules, room));
    if (n < 0)
        return err_setx(-n, "--device: a node not looked at (internal)");
    if (lim->image_type) /* mounted by the container's first process, from inside the cgroup */
        rules[n++] = (struct device_rule){'b', (int)lim->image_major, (int)lim->image_minor,
                                          DEV_READ | (lim->image_writable ? DEV_WRITE : 0)};
    bool required = false; /* a --device that asks for less than rwm needs the policy */
    for (size_t i = 0; i < lim->n_devices; i++)
        required = required || lim->devices[i].access != DEV_ALL;
    for (int i = 0; i < cg->n; i++) {
        int r = 0;
        if (cg->dir[i].controllers & CG_DEVICES)
            r = devices_apply_v1(cg->dir[i].fd, rules, (size_t)n);
        else if (bpf && cg->dir[i].v2)
            r = devices_apply_v2(cg->dir[i].fd, rules, (size_t)n, required);
        if (r < 0) {
            err_context("device policy of %s", cg->dir[i].path);
            return r;
        }
    }
    return 0;
}

int cgroup_create(const char *name, const struct cgroup_limits *lim, struct cgroup *cg)
{
    memset(cg, 0, sizeof *cg);
    struct cgroup_layout l;
    int r = read_layout(&l);
    if (r < 0)
        return r;
    unsigned want = (lim->memory ? CG_MEMORY : 0) | (lim->pids ? CG_PIDS : 0) |
                    (lim->cpu_quota_us ? CG_CPU : 0) | (lim->cpuset ? CG_CPUSET : 0);
    /* The device policy: v1's devices controller where it is mounted, else a BPF program on the
     * v2 directory. */
    bool v1_devices = lim->device_policy && l.v1[4][0];
    bool bpf_devices = lim->device_policy && !v1_devices && l.v2[0];
    if (v1_devices)
        want |= CG_DEVICES;
    for (size_t i = 0; lim->device_policy && !v1_devices && !bpf_devices && i < lim->n_devices; i++)
        if (lim->devices[i].access != DEV_ALL)
            return err_setx(ENODEV, "--device %s: the kernel has no device cgroup controller to "
                                    "limit it to less than rwm (needs %s)", lim->devices[i].host,
                            controllers[4].config);
    unsigned on_v2 = l.v2[0] ? v2_controllers(l.v2) & want : 0;
    /* Each wanted controller from v2 when it has it, else from its v1 hierarchy. */
    for (int i = 0; i < N_CONTROLLERS; i++) {
        unsigned bit = 1u << i;
        if ((want & bit) && !(on_v2 & bit) && !l.v1[i][0])
            return err_setx(ENODEV, "%s: the kernel has no %s cgroup controller (needs %s)",
                            controllers[i].option, controllers[i].name, controllers[i].config);
    }
    if (l.v2[0])
        r = make_dir(cg, l.v2, true, on_v2, name);
    for (int i = 0; r == 0 && i < N_CONTROLLERS; i++) {
        unsigned bit = 1u << i;
        if (!(want & bit) || (on_v2 & bit))
            continue;
        /* Controllers mounted together (cpu,cpuacct) share one directory. */
        int same = -1;
        for (int k = 0; k < cg->n; k++)
            if (!cg->dir[k].v2 && strncmp(cg->dir[k].path, l.v1[i], strlen(l.v1[i])) == 0 &&
                cg->dir[k].path[strlen(l.v1[i])] == '/')
                same = k;
        if (same >= 0)
            cg->dir[same].controllers |= bit;
        else
            r = make_dir(cg, l.v1[i], false, bit, name);
    }
    if (r == 0)
        r = apply_limits(cg, lim);
    if (r == 0 && lim->device_policy)
        r = device_policy(cg, lim, bpf_devices);
    if (r < 0) {
        cgroup_release(cg);
        return r;
    }
    cg->oom_kills_before = oom_kills(cg);
    return 0;
}

int cgroup_add(const struct cgroup *cg, pid_t pid)
{
    char v[32];
    snprintf(v, sizeof v, "%d", (int)pid);
    for (int i = 0; i < cg->n; i++) {
        int r = sys_write_text(cg->dir[i].fd, "cgroup.procs", v);
        if (r < 0)
            return err_set(-r, "join cgroup %s", cg->dir[i].path);
    }
    return 0;
}

bool cgroup_oom_killed(const struct cgroup *cg)
{
    return oom_kills(cg) > cg->oom_kills_before;
}

void cgroup_release(struct cgroup *cg)
{
    for (int i = 0; i < cg->n; i++) {
        /* The container's last processes may still be on their way out. */
        for (int tries = 0; rmdir(cg->dir[i].path) < 0 && errno == EBUSY && tries < 5000; tries++)
            nanosleep(&(struct timespec){0, 1000000}, NULL);
        close(cg->dir[i].fd); /* drops the lock */
        char *slash = strrchr(cg->dir[i].path, '/');
        if (slash) {
            *slash = '\0';
            rmdir(cg->dir[i].path); /* hutch/ itself, when no other container uses it */
        }
    }
    cg->n = 0;
}

static void clean_hierarchy(const char *mnt)
{
    char path[300];
    snprintf(path, sizeof path, "%s/hutch", mnt);
    int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return;
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_type != DT_DIR || e->d_name[0] == '.')
            continue;
        int fd = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            continue;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            unlinkat(dfd, e->d_name, AT_REMOVEDIR); /* fails while processes are in it */
        close(fd);
    }
    closedir(d);
    rmdir(path);
}

void cgroup_clean_stale(void)
{
    struct cgroup_layout l;
    if (load_layout(&l) < 0)
        return; /* nothing to clean that can be found */
    if (l.v2[0])
        clean_hierarchy(l.v2);
    for (int i = 0; i < N_CONTROLLERS; i++) {
        bool seen = false;
        for (int k = 0; k < i; k++)
            seen = seen || strcmp(l.v1[k], l.v1[i]) == 0;
        if (l.v1[i][0] && !seen)
            clean_hierarchy(l.v1[i]);
    }
}

int cgroup_join(const char *name)
{
    int r;
    char *mounts = sys_read_all("/proc/self/mounts", &r);
    if (!mounts)
        return err_set(-r, "read /proc/self/mounts");
    char pid[32];
    snprintf(pid, sizeof pid, "%d", (int)getpid());
    char *save, *line;
    for (line = strtok_r(mounts, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char dev[256], mnt[256], type[64], path[600];
        if (sscanf(line, "%255s %255s %63s", dev, mnt, type) != 3 || strncmp(type, "cgroup", 6) != 0)
            continue;
        snprintf(path, sizeof path, "%s/hutch/%s/cgroup.procs", mnt, name);
        if (access(path, F_OK) == 0 && (r = sys_write_text(AT_FDCWD, path, pid)) < 0) {
            free(mounts);
            return err_set(-r, "join cgroup %s", path);
        }
    }
    free(mounts);
    return 0;
}

/* ---- cgroups at a path an engine names (OCI) ---- */

/* Every cgroup hierarchy mounted: its mount point, whether v2, and the controllers of ours it
 * has (CG_ bits; freezer apart). Named hierarchies (name=systemd) are left alone. */
struct hierarchy {
    char mnt[256];
    bool v2, freezer;
    unsigned controllers;
};

static int hierarchies(struct hierarchy *h, int max)
{
    int r, n = 0;
    char *mounts = sys_read_all("/proc/self/mounts", &r);
    if (!mounts)
        return err_set(-r, "read /proc/self/mounts");
    char *save, *line;
    for (line = strtok_r(mounts, "\n", &save); line && n < max; line = strtok_r(NULL, "\n", &save)) {
        char dev[256], mnt[256], type[64], opts[512];
        if (sscanf(line, "%255s %255s %63s %511s", dev, mnt, type, opts) != 4)
            continue;
        bool v2 = strcmp(type, "cgroup2") == 0;
        if (!v2 && strcmp(type, "cgroup") != 0)
            continue;
        struct hierarchy x = {.v2 = v2};
        snprintf(x.mnt, sizeof x.mnt, "%s", mnt);
        bool real = v2;
        char *s2, *opt;
        for (opt = strtok_r(opts, ",", &s2); !v2 && opt; opt = strtok_r(NULL, ",", &s2)) {
            for (int i = 0; i < N_CONTROLLERS; i++)
                if (strcmp(opt, controllers[i].name) == 0)
                    x.controllers |= 1u << i;
            if (strcmp(opt, "freezer") == 0)
                x.freezer = true;
            real = real || (strcmp(opt, "rw") && strcmp(opt, "ro") && strncmp(opt, "name=", 5) &&
                            strcmp(opt, "relatime") && strcmp(opt, "noatime") &&
                            strcmp(opt, "nosuid") && strcmp(opt, "nodev") && strcmp(opt, "noexec"));
        }
        if (v2)
            x.controllers = v2_controllers(mnt);
        bool seen = false;
        for (int k = 0; k < n; k++)
            seen = seen || strcmp(h[k].mnt, x.mnt) == 0;
        if (real && !seen)
            h[n++] = x;
    }
    free(mounts);
    return n;
}

static bool path_ok(const char *path)
{
    return path[0] && !strstr(path, "..") && strlen(path) < 200;
}

/* MNT/PATH/FILE (FILE may be ""): false when it does not fit. */
static bool cg_file(char *buf, size_t len, const char *mnt, const char *path, const char *file)
{
    int n = snprintf(buf, len, "%s/%s%s%s", mnt, path, *file ? "/" : "", file);
    return n >= 0 && (size_t)n < len;
}

/* MNT/PATH with its parents; v2: the controllers in WANT handed down along it; v1 cpuset: each
 * new level's cpus and mems from its parent. */
static int make_path(const struct hierarchy *h, const char *path, unsigned want)
{
    char full[512];
    size_t base = (size_t)snprintf(full, sizeof full, "%s", h->mnt);
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        size_t len = strcspn(p, "/");
        if (h->v2) {
            for (int i = 0; i < N_V2_CONTROLLERS; i++) {
                if (!(want & h->controllers & (1u << i)))
                    continue;
                char word[32], sub[540];
                snprintf(word, sizeof word, "+%s", controllers[i].name);
                snprintf(sub, sizeof sub, "%s/cgroup.subtree_control", full);
                int r = sys_write_text(AT_FDCWD, sub, word);
                if (r < 0)
                    return err_set(-r, "cgroup %s: enable the %s controller", sub,
                                   controllers[i].name);
            }
        }
        snprintf(full + base, sizeof full - base, "/%.*s", (int)len, p);
        base = strlen(full);
        p += len;
        if (mkdir(full, 0755) < 0) {
            if (errno != EEXIST)
                return err_set(errno, "cgroup %s", full);
            continue;
        }
        if (!h->v2 && (h->controllers & CG_CPUSET)) {
            const char *files[] = {"cpuset.cpus", "cpuset.mems"};
            for (int i = 0; i < 2; i++) {
                char from[540], to[540], value[256];
                snprintf(to, sizeof to, "%s/%s", full, files[i]);
                snprintf(from, sizeof from, "%s/../%s", full, files[i]);
                if (sys_read_text(from, value, sizeof value) < 0 ||
                    sys_write_text(AT_FDCWD, to, value) < 0)
                    return err_set(errno, "cgroup %s", to);
            }
        }
    }
    return 0;
}

void cgroup_close(struct cgroup *cg)
{
    for (int i = 0; i < cg->n; i++)
        close(cg->dir[i].fd);
    cg->n = 0;
}

static unsigned wanted(const struct cgroup_limits *lim)
{
    return (lim->memory ? CG_MEMORY : 0) | (lim->pids ? CG_PIDS : 0) |
           (lim->cpu_quota_us || lim->cpu_shares || lim->cpu_period_us ? CG_CPU : 0) |
           (lim->cpuset || lim->cpu_mems ? CG_CPUSET : 0) | (lim->device_policy ? CG_DEVICES : 0);
}

static int open_path(const char *path, bool make, const struct cgroup_limits *lim,
                     struct cgroup *cg)
{
    memset(cg, 0, sizeof *cg);
    if (!path_ok(path))
        return err_setx(EINVAL, "cgroup path %s: not a path of the cgroup tree", path);
    struct hierarchy h[CGROUP_MAX_DIRS];
    int n = hierarchies(h, CGROUP_MAX_DIRS), r = 0;
    if (n < 0)
        return n;
    unsigned want = wanted(lim);
    /* A controller is used in v2 when v2 has it, else in its v1 hierarchy. */
    unsigned on_v2 = 0, on_v1 = 0;
    for (int i = 0; i < n; i++)
        if (h[i].v2)
            on_v2 |= h[i].controllers & want & ~(unsigned)CG_DEVICES;
    for (int i = 0; i < n; i++)
        if (!h[i].v2)
            on_v1 |= h[i].controllers;
    for (int c = 0; c < N_CONTROLLERS; c++) {
        unsigned bit = 1u << c;
        if ((want & bit) && !(on_v2 & bit) && !(on_v1 & bit) && bit != CG_DEVICES)
            return err_setx(ENODEV, "the kernel has no %s cgroup controller for the container's "
                                    "resources (needs %s)", controllers[c].name,
                            controllers[c].config);
    }
    for (int i = 0; r == 0 && i < n; i++) {
        if (make && (r = make_path(&h[i], path, want)) < 0)
            break;
        int k = cg->n;
        if (snprintf(cg->dir[k].path, sizeof cg->dir[k].path, "%s/%s", h[i].mnt, path) >=
            (int)sizeof cg->dir[k].path) {
            r = err_setx(ENAMETOOLONG, "cgroup path %s is too long", path);
            break;
        }
        cg->dir[k].fd = open(cg->dir[k].path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (cg->dir[k].fd < 0) {
            if (!make && errno == ENOENT)
                continue;
            r = err_set(errno, "cgroup %s", cg->dir[k].path);
            break;
        }
        cg->dir[k].v2 = h[i].v2;
        cg->dir[k].controllers = h[i].v2 ? on_v2 : h[i].controllers & want & ~on_v2;
        cg->n++;
    }
    if (r == 0)
        r = apply_limits(cg, lim);
    bool bpf = true;
    for (int i = 0; i < cg->n; i++)
        bpf = bpf && !(cg->dir[i].controllers & CG_DEVICES);
    if (r == 0 && lim->device_policy)
        r = device_policy(cg, lim, bpf && !(on_v1 & CG_DEVICES));
    return r;
}

int cgroup_create_path(const char *path, const struct cgroup_limits *lim, struct cgroup *cg)
{
    int r = open_path(path, true, lim, cg);
    if (r < 0) {
        cgroup_close(cg);
        cgroup_remove_path(path);
        return r;
    }
    cg->oom_kills_before = oom_kills(cg);
    return 0;
}

int cgroup_update_path(const char *path, const struct cgroup_limits *lim)
{
    struct cgroup cg;
    int r = open_path(path, false, lim, &cg);
    cgroup_close(&cg);
    return r;
}

int cgroup_remove_path(const char *path)
{
    if (!path_ok(path))
        return 0;
    struct hierarchy h[CGROUP_MAX_DIRS];
    int n = hierarchies(h, CGROUP_MAX_DIRS), r = 0;
    for (int i = 0; i < n; i++) {
        char full[512];
        if (!cg_file(full, sizeof full, h[i].mnt, path, ""))
            continue;
        int tries = 0;
        while (rmdir(full) < 0 && errno == EBUSY && tries++ < 2000)
            nanosleep(&(struct timespec){0, 1000000}, NULL);
        if (tries > 2000 && r == 0)
            r = err_setx(EBUSY, "cgroup %s: processes are still in it", full);
    }
    return r;
}

int cgroup_join_path(const char *path, pid_t pid)
{
    if (!path_ok(path))
        return err_setx(EINVAL, "cgroup path %s: not a path of the cgroup tree", path);
    struct hierarchy h[CGROUP_MAX_DIRS];
    int n = hierarchies(h, CGROUP_MAX_DIRS);
    char v[32];
    snprintf(v, sizeof v, "%d", (int)pid);
    for (int i = 0; i < n; i++) {
        char full[540];
        if (!cg_file(full, sizeof full, h[i].mnt, path, "cgroup.procs"))
            continue;
        int r = sys_write_text(AT_FDCWD, full, v);
        if (r < 0 && r != -ENOENT)
            return err_set(-r, "join cgroup %s", full);
    }
    return n < 0 ? n : 0;
}

/* The hierarchy that freezes: v1's freezer, else v2. -ENODEV, recorded unless QUIET. */
static int freezer(const char *path, char *file, size_t len, bool *v2, bool quiet)
{
    struct hierarchy h[CGROUP_MAX_DIRS];
    int n = hierarchies(h, CGROUP_MAX_DIRS);
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < n; i++)
            if (pass == 0 ? h[i].freezer : h[i].v2) {
                *v2 = pass == 1;
                if (cg_file(file, len, h[i].mnt, path,
                            pass == 0 ? "freezer.state" : "cgroup.freeze") &&
                    access(file, F_OK) == 0)
                    return 0;
            }
    if (quiet)
        return -ENODEV;
    return err_setx(ENODEV, "no freezer for cgroup %s (needs CONFIG_CGROUP_FREEZER, or cgroup v2 "
                            "with the container in it)", path);
}

int cgroup_frozen_path(const char *path)
{
    char file[600], buf[64];
    bool v2;
    if (!path_ok(path) || freezer(path, file, sizeof file, &v2, true) < 0)
        return -ENODEV;
    if (sys_read_text(file, buf, sizeof buf) < 0)
        return -errno;
    return v2 ? buf[0] == '1' : strncmp(buf, "FROZEN", 6) == 0;
}

int cgroup_freeze_path(const char *path, bool freeze)
{
    char file[600], buf[64];
    bool v2;
    int r;
    if ((r = freezer(path, file, sizeof file, &v2, false)) < 0)
        return r;
    const char *word = v2 ? (freeze ? "1" : "0") : (freeze ? "FROZEN" : "THAWED");
    if ((r = sys_write_text(AT_FDCWD, file, word)) < 0)
        return err_set(-r, "write %s to %s", word, file);
    /* v1 passes through FREEZING; wait until it is done (a few seconds at most). */
    for (int tries = 0; !v2 && freeze && tries < 5000; tries++) {
        if (sys_read_text(file, buf, sizeof buf) > 0 && strncmp(buf, "FROZEN", 6) == 0)
            return 0;
        sys_write_text(AT_FDCWD, file, word);
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    if (!v2 && freeze)
        return err_setx(EBUSY, "cgroup %s: could not freeze it", path);
    return 0;
}

int cgroup_pids_path(const char *path, pid_t *out, size_t max)
{
    if (!path_ok(path))
        return -EINVAL;
    struct hierarchy h[CGROUP_MAX_DIRS];
    int n = hierarchies(h, CGROUP_MAX_DIRS);
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < n; i++) {
            /* v1's pids or memory hierarchy first (the engine's processes are all in it), then
             * any. */
            if (pass == 0 && (h[i].v2 || !(h[i].controllers & (CG_PIDS | CG_MEMORY))))
                continue;
            char full[540];
            if (!cg_file(full, sizeof full, h[i].mnt, path, "cgroup.procs"))
                continue;
            int r;
            char *text = sys_read_all(full, &r);
            if (!text)
                continue;
            size_t k = 0;
            char *save, *tok;
            for (tok = strtok_r(text, "\n", &save); tok && k < max; tok = strtok_r(NULL, "\n", &save))
                out[k++] = (pid_t)atoi(tok);
            free(text);
            return (int)k;
        }
    return -ENOENT;
}

int cgroup_dirs_path(const char *path, char (*dirs)[512], char (*names)[64], int max)
{
    struct hierarchy h[CGROUP_MAX_DIRS];
    int n = hierarchies(h, CGROUP_MAX_DIRS), k = 0;
    for (int i = 0; i < n && k < max; i++) {
        if (!cg_file(dirs[k], sizeof dirs[k], h[i].mnt, path_ok(path) ? path : "", ""))
            continue;
        const char *slash = strrchr(h[i].mnt, '/');
        bool top = strcmp(h[i].mnt, "/sys/fs/cgroup") == 0;
        snprintf(names[k], sizeof names[k], "%s", top || !slash ? "" : slash + 1);
        k++;
    }
    return n < 0 ? n : k;
}
