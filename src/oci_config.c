#include "oci_config.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "caps.h"
#include "devices.h"
#include "err.h"
#include "scmp.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x80
#endif

struct parse {
    const struct json *j;
    struct run_opts *o;
    const struct oci_host *host;
};

/* ---- memory: everything hangs off O's owned list, freed with it ---- */

static void *keep(struct run_opts *o, void *ptr)
{
    if (!ptr)
        return NULL;
    char **grown = realloc(o->owned, (o->n_owned + 1) * sizeof *grown);
    if (!grown) {
        free(ptr);
        return NULL;
    }
    o->owned = grown;
    o->owned[o->n_owned++] = ptr;
    return ptr;
}

static void *array(struct parse *p, size_t n, size_t size)
{
    return keep(p->o, calloc(n + 1, size));
}

static int nomem(void)
{
    return err_set(ENOMEM, "config.json");
}

static int bad(const char *field, const char *why)
{
    return err_setx(EINVAL, "config.json: %s: %s", field, why);
}

/* The string at I into *S (kept), or an error naming FIELD. */
static int string(struct parse *p, int i, const char *field, const char **s)
{
    char *v;
    int r = json_string(p->j, i, &v);
    if (r == -ENOMEM || (r == 0 && !keep(p->o, v)))
        return nomem();
    if (r < 0)
        return bad(field, "not a string (or it holds a NUL)");
    *s = v;
    return 0;
}

static int u64(struct parse *p, int i, const char *field, uint64_t *v)
{
    int r = json_u64(p->j, i, v);
    if (r == -ERANGE)
        return bad(field, "out of range (at most 2^64-1)");
    return r < 0 ? bad(field, "not a whole number >= 0") : 0;
}

static int i64(struct parse *p, int i, const char *field, int64_t *v)
{
    int r = json_i64(p->j, i, v);
    if (r == -ERANGE)
        return bad(field, "out of range");
    return r < 0 ? bad(field, "not a whole number") : 0;
}

static int u32(struct parse *p, int i, const char *field, uint32_t *v)
{
    uint64_t x;
    int r = u64(p, i, field, &x);
    if (r == 0 && x > UINT32_MAX)
        return bad(field, "out of range (at most 4294967295)");
    *v = (uint32_t)x;
    return r;
}

static int boolean(struct parse *p, int i, const char *field, bool *v)
{
    return json_bool(p->j, i, v) < 0 ? bad(field, "not true or false") : 0;
}

/* An array of strings into a NULL-terminated, kept array. */
static int strings(struct parse *p, int i, const char *field, char ***out, size_t *n)
{
    if (json_type(p->j, i) != JSON_ARRAY)
        return bad(field, "not an array of strings");
    size_t count = (size_t)json_count(p->j, i);
    char **v = array(p, count, sizeof *v);
    if (!v)
        return nomem();
    int k = json_first(p->j, i);
    for (size_t c = 0; c < count; c++, k = json_skip(p->j, k)) {
        int r = string(p, k, field, (const char **)&v[c]);
        if (r < 0)
            return r;
    }
    *out = v;
    if (n)
        *n = count;
    return 0;
}

/* A field hutch knows but cannot honour: an error when it says anything. */
static int refuse(struct parse *p, int obj, const char *key, const char *field)
{
    int i = json_get(p->j, obj, key);
    if (i < 0 || json_null(p->j, i))
        return 0;
    if ((json_type(p->j, i) == JSON_OBJECT || json_type(p->j, i) == JSON_ARRAY) &&
        json_count(p->j, i) == 0)
        return 0;
    if (json_eq(p->j, i, ""))
        return 0;
    return err_setx(EOPNOTSUPP, "config.json: %s: not supported by hutch (remove it from the "
                                "config)", field);
}

static bool absolute(const char *path)
{
    return path[0] == '/';
}

/* ---- process ---- */

static const struct {
    const char *name;
    int resource;
} rlimits[] = {
    {"RLIMIT_AS", RLIMIT_AS}, {"RLIMIT_CORE", RLIMIT_CORE}, {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA}, {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS}, {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE}, {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS}, {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME}, {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

static int parse_rlimits(struct parse *p, int a)
{
    struct spec_more *m = &p->o->more;
    if (json_type(p->j, a) != JSON_ARRAY)
        return bad("process.rlimits", "not an array");
    size_t n = (size_t)json_count(p->j, a);
    m->rlimits = array(p, n, sizeof *m->rlimits);
    if (!m->rlimits)
        return nomem();
    int k = json_first(p->j, a);
    for (size_t c = 0; c < n; c++, k = json_skip(p->j, k)) {
        const char *type;
        int r = string(p, json_get(p->j, k, "type"), "process.rlimits[].type", &type);
        if (r < 0)
            return r;
        size_t i;
        for (i = 0; i < sizeof rlimits / sizeof *rlimits; i++)
            if (strcmp(rlimits[i].name, type) == 0)
                break;
        if (i == sizeof rlimits / sizeof *rlimits)
            return err_setx(EINVAL, "config.json: process.rlimits: unknown type %s", type);
        struct rlimit_spec *l = &m->rlimits[m->n_rlimits++];
        l->resource = rlimits[i].resource;
        if ((r = u64(p, json_get(p->j, k, "soft"), "process.rlimits[].soft", &l->soft)) < 0 ||
            (r = u64(p, json_get(p->j, k, "hard"), "process.rlimits[].hard", &l->hard)) < 0)
            return r;
        if (l->soft > l->hard)
            return err_setx(EINVAL, "config.json: process.rlimits: %s: soft above hard", type);
    }
    return 0;
}

static const char *const capset_keys[N_CAPSETS] = {"bounding", "effective", "inheritable",
                                                   "permitted", "ambient"};

static int parse_caps(struct parse *p, int obj)
{
    struct spec_more *m = &p->o->more;
    for (int s = 0; s < N_CAPSETS; s++) {
        int a = json_get(p->j, obj, capset_keys[s]);
        m->capsets[s] = 0;
        if (a < 0 || json_null(p->j, a))
            continue;
        char field[64], **names;
        size_t n;
        snprintf(field, sizeof field, "process.capabilities.%s", capset_keys[s]);
        int r = strings(p, a, field, &names, &n);
        if (r < 0)
            return r;
        for (size_t i = 0; i < n; i++) {
            int cap = caps_from_name(names[i]);
            if (cap < 0)
                return err_setx(EINVAL, "config.json: %s: unknown capability %s", field,
                                names[i]);
            m->capsets[s] |= CAPS_BIT(cap);
        }
        /* What hutch itself lacks it cannot hand on (an init may have dropped some). */
        m->capsets[s] &= p->host->caps_own;
    }
    p->o->caps = m->capsets[CAPSET_BOUNDING];
    return 0;
}

static int parse_user(struct parse *p, int u)
{
    struct spec_more *m = &p->o->more;
    uint32_t v;
    int r, i;
    if (json_type(p->j, u) != JSON_OBJECT)
        return bad("process.user", "not an object");
    if ((r = u32(p, json_get(p->j, u, "uid"), "process.user.uid", &v)) < 0)
        return r;
    m->uid = v;
    if ((r = u32(p, json_get(p->j, u, "gid"), "process.user.gid", &v)) < 0)
        return r;
    m->gid = v;
    m->ids_given = true;
    m->umask = -1;
    if ((i = json_get(p->j, u, "umask")) >= 0 && !json_null(p->j, i)) {
        if ((r = u32(p, i, "process.user.umask", &v)) < 0)
            return r;
        if (v > 0777)
            return bad("process.user.umask", "above 0777");
        m->umask = (int)v;
    }
    if ((i = json_get(p->j, u, "additionalGids")) >= 0 && !json_null(p->j, i)) {
        if (json_type(p->j, i) != JSON_ARRAY)
            return bad("process.user.additionalGids", "not an array");
        size_t n = (size_t)json_count(p->j, i);
        if (n > 65536)
            return bad("process.user.additionalGids", "more than 65536");
        m->groups = array(p, n, sizeof *m->groups);
        if (!m->groups)
            return nomem();
        int k = json_first(p->j, i);
        for (size_t c = 0; c < n; c++, k = json_skip(p->j, k)) {
            if ((r = u32(p, k, "process.user.additionalGids[]", &v)) < 0)
                return r;
            m->groups[c] = v;
        }
        m->n_groups = n;
    }
    return 0;
}

static int parse_process(struct parse *p, int proc, bool exec)
{
    struct run_opts *o = p->o;
    struct spec_more *m = &o->more;
    int r, i;
    if (json_type(p->j, proc) != JSON_OBJECT)
        return bad("process", exec ? "not an object" : "missing (the command to run)");
    if ((i = json_get(p->j, proc, "args")) < 0)
        return bad("process.args", "missing");
    size_t n;
    if ((r = strings(p, i, "process.args", &o->argv, &n)) < 0)
        return r;
    if (n == 0)
        return bad("process.args", "empty (the command to run)");
    if ((i = json_get(p->j, proc, "env")) >= 0 && !json_null(p->j, i)) {
        char **env;
        if ((r = strings(p, i, "process.env", &env, &n)) < 0)
            return r;
        for (size_t k = 0; k < n; k++)
            if (!strchr(env[k], '=') || env[k][0] == '=')
                return err_setx(EINVAL, "config.json: process.env: %s is not KEY=VALUE", env[k]);
        /* O's env is freed whole by run_opts_free: a copy of the kept pointers. */
        o->env = malloc((n + 1) * sizeof *o->env);
        if (!o->env)
            return nomem();
        memcpy(o->env, env, (n + 1) * sizeof *env);
        o->n_env = n;
    }
    if ((i = json_get(p->j, proc, "cwd")) < 0)
        return bad("process.cwd", "missing");
    if ((r = string(p, i, "process.cwd", &o->workdir)) < 0)
        return r;
    if (!absolute(o->workdir))
        return bad("process.cwd", "not an absolute path");
    if ((i = json_get(p->j, proc, "terminal")) >= 0 && (r = boolean(p, i, "process.terminal", &o->tty)) < 0)
        return r;
    if ((i = json_get(p->j, proc, "consoleSize")) >= 0 && !json_null(p->j, i)) {
        uint32_t h = 0, w = 0;
        if ((r = u32(p, json_get(p->j, i, "height"), "process.consoleSize.height", &h)) < 0 ||
            (r = u32(p, json_get(p->j, i, "width"), "process.consoleSize.width", &w)) < 0)
            return r;
        if (h > 65535 || w > 65535)
            return bad("process.consoleSize", "above 65535");
        m->console_rows = h;
        m->console_cols = w;
    }
    if ((i = json_get(p->j, proc, "user")) >= 0 && (r = parse_user(p, i)) < 0)
        return r;
    if (i < 0) {
        m->ids_given = true; /* uid 0, gid 0 */
        m->uid = 0;
        m->gid = 0;
        m->n_groups = 0;
        m->umask = -1;
    }
    if ((i = json_get(p->j, proc, "capabilities")) >= 0 && !json_null(p->j, i)) {
        if ((r = parse_caps(p, i)) < 0)
            return r;
    } else {
        memset(m->capsets, 0, sizeof m->capsets);
        o->caps = 0;
    }
    if ((i = json_get(p->j, proc, "rlimits")) >= 0 && !json_null(p->j, i) &&
        (r = parse_rlimits(p, i)) < 0)
        return r;
    if ((i = json_get(p->j, proc, "noNewPrivileges")) >= 0 &&
        (r = boolean(p, i, "process.noNewPrivileges", &m->no_new_privs)) < 0)
        return r;
    if ((i = json_get(p->j, proc, "oomScoreAdj")) >= 0 && !json_null(p->j, i)) {
        int64_t v;
        if ((r = i64(p, i, "process.oomScoreAdj", &v)) < 0)
            return r;
        if (v < -1000 || v > 1000)
            return bad("process.oomScoreAdj", "not between -1000 and 1000");
        m->oom_given = true;
        m->oom_score_adj = (int)v;
    }
    if ((r = refuse(p, proc, "selinuxLabel", "process.selinuxLabel")) < 0 ||
        (r = refuse(p, proc, "ioPriority", "process.ioPriority")) < 0 ||
        (r = refuse(p, proc, "scheduler", "process.scheduler")) < 0 ||
        (r = refuse(p, proc, "execCPUAffinity", "process.execCPUAffinity")) < 0)
        return r;
    /* An AppArmor profile where AppArmor is off confines nothing, as with runc. */
    if (p->host->apparmor && (r = refuse(p, proc, "apparmorProfile", "process.apparmorProfile")) < 0)
        return r;
    return 0;
}

/* ---- mounts ---- */

static const struct {
    const char *name;
    unsigned long set, clear;
    unsigned long propagation;
    bool bind;
} mount_options[] = {
    {"defaults", 0, 0, 0, false}, {"rw", 0, MS_RDONLY, 0, false}, {"ro", MS_RDONLY, 0, 0, false},
    {"suid", 0, MS_NOSUID, 0, false}, {"nosuid", MS_NOSUID, 0, 0, false},
    {"dev", 0, MS_NODEV, 0, false}, {"nodev", MS_NODEV, 0, 0, false},
    {"exec", 0, MS_NOEXEC, 0, false}, {"noexec", MS_NOEXEC, 0, 0, false},
    {"sync", MS_SYNCHRONOUS, 0, 0, false}, {"async", 0, MS_SYNCHRONOUS, 0, false},
    {"dirsync", MS_DIRSYNC, 0, 0, false}, {"mand", MS_MANDLOCK, 0, 0, false},
    {"nomand", 0, MS_MANDLOCK, 0, false},
    {"atime", 0, MS_NOATIME, 0, false}, {"noatime", MS_NOATIME, 0, 0, false},
    {"diratime", 0, MS_NODIRATIME, 0, false}, {"nodiratime", MS_NODIRATIME, 0, 0, false},
    {"relatime", MS_RELATIME, 0, 0, false}, {"norelatime", 0, MS_RELATIME, 0, false},
    {"strictatime", MS_STRICTATIME, 0, 0, false}, {"nostrictatime", 0, MS_STRICTATIME, 0, false},
    {"bind", MS_BIND, 0, 0, true}, {"rbind", MS_BIND | MS_REC, 0, 0, true},
    {"private", 0, 0, MS_PRIVATE, false}, {"rprivate", 0, 0, MS_PRIVATE | MS_REC, false},
    {"shared", 0, 0, MS_SHARED, false}, {"rshared", 0, 0, MS_SHARED | MS_REC, false},
    {"slave", 0, 0, MS_SLAVE, false}, {"rslave", 0, 0, MS_SLAVE | MS_REC, false},
    {"unbindable", 0, 0, MS_UNBINDABLE, false},
    {"runbindable", 0, 0, MS_UNBINDABLE | MS_REC, false},
};

int oci_mount_option(const char *opt, unsigned long *flags, unsigned long *propagation,
                     bool *bind, char *data, size_t len)
{
    for (size_t i = 0; i < sizeof mount_options / sizeof *mount_options; i++) {
        if (strcmp(opt, mount_options[i].name) != 0)
            continue;
        *flags = (*flags & ~mount_options[i].clear) | mount_options[i].set;
        if (mount_options[i].propagation)
            *propagation = mount_options[i].propagation;
        *bind = *bind || mount_options[i].bind;
        return 0;
    }
    if (strncmp(opt, "x-", 2) == 0)
        return 0; /* for programs in userspace (mount helpers, engines), not the kernel */
    if (strcmp(opt, "tmpcopyup") == 0 || strcmp(opt, "idmap") == 0 ||
        strcmp(opt, "ridmap") == 0 || strcmp(opt, "remount") == 0 || strcmp(opt, "move") == 0 ||
        strncmp(opt, "recursive", 9) == 0 || strchr(opt, ','))
        return -EINVAL;
    size_t have = strlen(data);
    if (have + strlen(opt) + 2 > len)
        return -E2BIG;
    snprintf(data + have, len - have, "%s%s", have ? "," : "", opt);
    return 0;
}

static int parse_mounts(struct parse *p, int a)
{
    struct spec_more *m = &p->o->more;
    if (json_type(p->j, a) != JSON_ARRAY)
        return bad("mounts", "not an array");
    size_t n = (size_t)json_count(p->j, a);
    m->mounts = array(p, n, sizeof *m->mounts);
    if (!m->mounts)
        return nomem();
    int k = json_first(p->j, a);
    for (size_t c = 0; c < n; c++, k = json_skip(p->j, k)) {
        struct mount_spec *ms = &m->mounts[c];
        int r, i;
        if ((r = string(p, json_get(p->j, k, "destination"), "mounts[].destination", &ms->dst)) < 0)
            return r;
        if (!absolute(ms->dst))
            return err_setx(EINVAL, "config.json: mounts: destination %s is not an absolute "
                                    "path", ms->dst);
        ms->type = "";
        if ((i = json_get(p->j, k, "type")) >= 0 && (r = string(p, i, "mounts[].type", &ms->type)) < 0)
            return r;
        ms->source = "";
        if ((i = json_get(p->j, k, "source")) >= 0 &&
            (r = string(p, i, "mounts[].source", &ms->source)) < 0)
            return r;
        char data[1024] = "", **opts = NULL;
        size_t n_opts = 0;
        if ((i = json_get(p->j, k, "options")) >= 0 && !json_null(p->j, i) &&
            (r = strings(p, i, "mounts[].options", &opts, &n_opts)) < 0)
            return r;
        for (size_t o = 0; o < n_opts; o++) {
            r = oci_mount_option(opts[o], &ms->flags, &ms->propagation, &ms->bind, data,
                                 sizeof data);
            if (r < 0)
                return err_setx(r == -E2BIG ? E2BIG : EOPNOTSUPP,
                                "config.json: mounts: %s: option %s %s", ms->dst, opts[o],
                                r == -E2BIG ? "makes the options too long"
                                            : "is not supported by hutch");
        }
        if (strcmp(ms->type, "bind") == 0)
            ms->bind = true;
        if (ms->bind) {
            ms->flags |= MS_BIND;
            if (!absolute(ms->source))
                return err_setx(EINVAL, "config.json: mounts: %s: the bind source %s is not an "
                                        "absolute path", ms->dst, ms->source);
            if (data[0])
                return err_setx(EOPNOTSUPP, "config.json: mounts: %s: options %s on a bind",
                                ms->dst, data);
        } else {
            static const char *const types[] = {"proc", "sysfs", "tmpfs", "devpts", "mqueue",
                                                "cgroup", "cgroup2", "ramfs", "securityfs",
                                                "debugfs", "tracefs", "fusectl", "hugetlbfs"};
            bool known = false;
            for (size_t t = 0; t < sizeof types / sizeof *types; t++)
                known = known || strcmp(ms->type, types[t]) == 0;
            if (!known)
                return err_setx(EOPNOTSUPP, "config.json: mounts: %s: type \"%s\" is not "
                                            "supported by hutch (proc, sysfs, tmpfs, devpts, "
                                            "mqueue, cgroup, bind)", ms->dst, ms->type);
            if (data[0] && !(ms->data = keep(p->o, strdup(data))))
                return nomem();
        }
        m->n_mounts++;
    }
    return 0;
}

/* ---- linux ---- */

static const struct {
    const char *name;
    int flag;
} namespace_types[] = {
    {"pid", CLONE_NEWPID}, {"network", CLONE_NEWNET}, {"mount", CLONE_NEWNS},
    {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS}, {"user", CLONE_NEWUSER},
    {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
};

static int parse_namespaces(struct parse *p, int a, struct oci_extra *x)
{
    struct spec_more *m = &p->o->more;
    if (json_type(p->j, a) != JSON_ARRAY)
        return bad("linux.namespaces", "not an array");
    size_t n = (size_t)json_count(p->j, a);
    m->joins = array(p, n, sizeof *m->joins);
    if (!m->joins)
        return nomem();
    int k = json_first(p->j, a);
    for (size_t c = 0; c < n; c++, k = json_skip(p->j, k)) {
        const char *type, *path = NULL;
        int r = string(p, json_get(p->j, k, "type"), "linux.namespaces[].type", &type), i;
        if (r < 0)
            return r;
        size_t t;
        for (t = 0; t < sizeof namespace_types / sizeof *namespace_types; t++)
            if (strcmp(type, namespace_types[t].name) == 0)
                break;
        if (t == sizeof namespace_types / sizeof *namespace_types)
            return err_setx(EINVAL, "config.json: linux.namespaces: unknown type %s", type);
        int flag = namespace_types[t].flag;
        if (m->namespaces & (unsigned long)flag)
            return err_setx(EINVAL, "config.json: linux.namespaces: %s twice", type);
        for (size_t q = 0; q < m->n_joins; q++)
            if (m->joins[q].type == flag)
                return err_setx(EINVAL, "config.json: linux.namespaces: %s twice", type);
        i = json_get(p->j, k, "path");
        if (i >= 0 && !json_eq(p->j, i, "") && (r = string(p, i, "linux.namespaces[].path", &path)) < 0)
            return r;
        if (!path) {
            m->namespaces |= (unsigned long)flag;
            continue;
        }
        if (!absolute(path))
            return err_setx(EINVAL, "config.json: linux.namespaces: %s: path %s is not "
                                    "absolute", type, path);
        if (flag == CLONE_NEWTIME && !path)
            return err_setx(EOPNOTSUPP, "config.json: linux.namespaces: a time namespace is not "
                                        "supported by hutch");
        if (flag == CLONE_NEWNS || flag == CLONE_NEWUSER || flag == CLONE_NEWTIME)
            return err_setx(EOPNOTSUPP, "config.json: linux.namespaces: joining a %s namespace "
                                        "(%s) is not supported by hutch", type, path);
        m->joins[m->n_joins++] = (struct ns_join){flag, path};
    }
    if (!(m->namespaces & CLONE_NEWNS))
        return bad("linux.namespaces", "no new mount namespace: hutch always makes one for the "
                                       "container's root");
    x->userns_new = (m->namespaces & CLONE_NEWUSER) != 0;
    return 0;
}

static int parse_idmap(struct parse *p, int a, const char *field, struct idmap *map)
{
    if (json_type(p->j, a) != JSON_ARRAY)
        return bad(field, "not an array");
    if (json_count(p->j, a) != 1)
        return err_setx(EOPNOTSUPP, "config.json: %s: hutch takes exactly one range", field);
    int k = json_first(p->j, a), r;
    uint32_t in, out, size;
    if ((r = u32(p, json_get(p->j, k, "containerID"), field, &in)) < 0 ||
        (r = u32(p, json_get(p->j, k, "hostID"), field, &out)) < 0 ||
        (r = u32(p, json_get(p->j, k, "size"), field, &size)) < 0)
        return r;
    if (size == 0 || (uint64_t)in + size > 4294967296ULL || (uint64_t)out + size > 4294967296ULL)
        return bad(field, "a range past 2^32 or of size 0");
    *map = (struct idmap){in, out, size};
    return 0;
}

static int parse_devices(struct parse *p, int a)
{
    /* Nodes made in /dev: kept as mounts of type "dev" would be confusing; they go to the
     * device list the rootfs makes with mknod (or binds from the host in a user namespace). */
    struct run_opts *o = p->o;
    if (json_type(p->j, a) != JSON_ARRAY)
        return bad("linux.devices", "not an array");
    size_t n = (size_t)json_count(p->j, a);
    o->devices = calloc(n + 1, sizeof *o->devices);
    if (!o->devices)
        return nomem();
    int k = json_first(p->j, a);
    for (size_t c = 0; c < n; c++, k = json_skip(p->j, k)) {
        const char *path, *type;
        int r;
        uint32_t major, minor;
        if ((r = string(p, json_get(p->j, k, "path"), "linux.devices[].path", &path)) < 0 ||
            (r = string(p, json_get(p->j, k, "type"), "linux.devices[].type", &type)) < 0 ||
            (r = u32(p, json_get(p->j, k, "major"), "linux.devices[].major", &major)) < 0 ||
            (r = u32(p, json_get(p->j, k, "minor"), "linux.devices[].minor", &minor)) < 0)
            return r;
        if (!absolute(path) || strncmp(path, "/dev/", 5) != 0 || strstr(path, "/..") ||
            path[strlen(path) - 1] == '/')
            return err_setx(EINVAL, "config.json: linux.devices: %s is not a path in /dev", path);
        uint32_t mode = 0666, uid = 0, gid = 0;
        int f;
        if ((f = json_get(p->j, k, "fileMode")) >= 0 && !json_null(p->j, f) &&
            (r = u32(p, f, "linux.devices[].fileMode", &mode)) < 0)
            return r;
        if ((f = json_get(p->j, k, "uid")) >= 0 && !json_null(p->j, f) &&
            (r = u32(p, f, "linux.devices[].uid", &uid)) < 0)
            return r;
        if ((f = json_get(p->j, k, "gid")) >= 0 && !json_null(p->j, f) &&
            (r = u32(p, f, "linux.devices[].gid", &gid)) < 0)
            return r;
        if (mode > 07777 || uid == UINT32_MAX || gid == UINT32_MAX)
            return err_setx(EINVAL, "config.json: linux.devices: %s: fileMode, uid or gid out "
                                    "of range", path);
        if (strcmp(type, "c") != 0 && strcmp(type, "b") != 0 && strcmp(type, "u") != 0)
            return err_setx(EOPNOTSUPP, "config.json: linux.devices: %s: type %s (hutch makes "
                                        "c, u and b nodes)", path, type);
        struct device_spec *d = &o->devices[o->n_devices++];
        d->host = strdup(path);
        d->path = strdup(path);
        if (!d->host || !d->path)
            return nomem();
        d->access = DEV_ALL;
        d->type = type[0] == 'b' ? 'b' : 'c';
        d->major = major;
        d->minor = minor;
        d->made = true;
        d->mode = mode & 07777;
        d->uid = uid;
        d->gid = gid;
    }
    return 0;
}

static int parse_device_rules(struct parse *p, int a)
{
    struct spec_more *m = &p->o->more;
    if (json_type(p->j, a) != JSON_ARRAY)
        return bad("linux.resources.devices", "not an array");
    size_t n = (size_t)json_count(p->j, a);
    m->device_rules = array(p, n, sizeof *m->device_rules);
    if (!m->device_rules)
        return nomem();
    int k = json_first(p->j, a);
    for (size_t c = 0; c < n; c++, k = json_skip(p->j, k)) {
        bool allow;
        int r = boolean(p, json_get(p->j, k, "allow"), "linux.resources.devices[].allow", &allow), i;
        if (r < 0)
            return r;
        const char *type = "a", *access = "rwm";
        int64_t major = DEV_ANY, minor = DEV_ANY;
        if ((i = json_get(p->j, k, "type")) >= 0 && !json_null(p->j, i) &&
            (r = string(p, i, "linux.resources.devices[].type", &type)) < 0)
            return r;
        if ((i = json_get(p->j, k, "access")) >= 0 && !json_null(p->j, i) &&
            (r = string(p, i, "linux.resources.devices[].access", &access)) < 0)
            return r;
        if ((i = json_get(p->j, k, "major")) >= 0 && !json_null(p->j, i) &&
            (r = i64(p, i, "linux.resources.devices[].major", &major)) < 0)
            return r;
        if ((i = json_get(p->j, k, "minor")) >= 0 && !json_null(p->j, i) &&
            (r = i64(p, i, "linux.resources.devices[].minor", &minor)) < 0)
            return r;
        if (strcmp(type, "a") && strcmp(type, "c") && strcmp(type, "b"))
            return err_setx(EINVAL, "config.json: linux.resources.devices: type %s", type);
        unsigned acc = 0;
        for (const char *s = access; *s; s++) {
            unsigned bit = *s == 'r' ? DEV_READ : *s == 'w' ? DEV_WRITE : *s == 'm' ? DEV_MKNOD : 0;
            if (!bit || (acc & bit))
                return err_setx(EINVAL, "config.json: linux.resources.devices: access %s", access);
            acc |= bit;
        }
        if (major < DEV_ANY || major > 0xfff || minor < DEV_ANY || minor > 0xfffff)
            return bad("linux.resources.devices", "a device number out of range");
        if (!allow) {
            /* hutch's policy is an allow list over "deny everything": a deny rule may only be
             * that, and only first. */
            if (c != 0 || strcmp(type, "a") || major != DEV_ANY || minor != DEV_ANY || acc != DEV_ALL)
                return err_setx(EOPNOTSUPP, "config.json: linux.resources.devices: hutch takes "
                                            "one deny rule, of everything (a, rwm), first");
            m->device_policy = true;
            continue;
        }
        if (!m->device_policy)
            return err_setx(EOPNOTSUPP, "config.json: linux.resources.devices: an allow rule "
                                        "without a deny of everything before it");
        m->device_rules[m->n_device_rules++] = (struct device_rule){type[0], (int)major,
                                                                    (int)minor, acc};
    }
    return 0;
}

static int parse_resources(struct parse *p, int res)
{
    struct run_opts *o = p->o;
    struct spec_more *m = &o->more;
    int r, i, s;
    if (json_type(p->j, res) != JSON_OBJECT)
        return bad("linux.resources", "not an object");
    if ((i = json_get(p->j, res, "devices")) >= 0 && !json_null(p->j, i) &&
        (r = parse_device_rules(p, i)) < 0)
        return r;
    if ((s = json_get(p->j, res, "memory")) >= 0 && !json_null(p->j, s)) {
        int64_t v;
        if ((i = json_get(p->j, s, "limit")) >= 0 && !json_null(p->j, i)) {
            if ((r = i64(p, i, "linux.resources.memory.limit", &v)) < 0)
                return r;
            if (v == 0 || v < -1)
                return bad("linux.resources.memory.limit", "not a size in bytes, or -1");
            o->limits.memory = v > 0 ? (uint64_t)v : 0;
        }
        if ((i = json_get(p->j, s, "swap")) >= 0 && !json_null(p->j, i)) {
            if ((r = i64(p, i, "linux.resources.memory.swap", &v)) < 0)
                return r;
            if (v < -1 || (v > 0 && o->limits.memory && (uint64_t)v < o->limits.memory))
                return bad("linux.resources.memory.swap", "below the memory limit");
            m->memory_swap = v == -1 ? UINT64_MAX : (uint64_t)v;
        }
        static const char *const unsupported[] = {"reservation", "kernel", "kernelTCP",
                                                  "swappiness", "disableOOMKiller",
                                                  "useHierarchy", "checkBeforeUpdate"};
        for (size_t u = 0; u < sizeof unsupported / sizeof *unsupported; u++) {
            char field[64];
            snprintf(field, sizeof field, "linux.resources.memory.%s", unsupported[u]);
            int f = json_get(p->j, s, unsupported[u]);
            bool off = false;
            if (f >= 0 && json_bool(p->j, f, &off) == 0 && !off)
                continue;
            if ((r = refuse(p, s, unsupported[u], field)) < 0)
                return r;
        }
    }
    if ((s = json_get(p->j, res, "cpu")) >= 0 && !json_null(p->j, s)) {
        uint64_t v;
        int64_t q;
        if ((i = json_get(p->j, s, "shares")) >= 0 && !json_null(p->j, i)) {
            if ((r = u64(p, i, "linux.resources.cpu.shares", &v)) < 0)
                return r;
            if (v && (v < 2 || v > 262144))
                return bad("linux.resources.cpu.shares", "not between 2 and 262144");
            m->cpu_shares = v;
        }
        if ((i = json_get(p->j, s, "period")) >= 0 && !json_null(p->j, i)) {
            if ((r = u64(p, i, "linux.resources.cpu.period", &v)) < 0)
                return r;
            if (v && (v < 1000 || v > 1000000))
                return bad("linux.resources.cpu.period", "not between 1000 and 1000000 us");
            m->cpu_period = v;
        }
        if ((i = json_get(p->j, s, "quota")) >= 0 && !json_null(p->j, i)) {
            if ((r = i64(p, i, "linux.resources.cpu.quota", &q)) < 0)
                return r;
            if (q > 0 && q < 1000)
                return bad("linux.resources.cpu.quota", "below 1000 us");
            o->limits.cpu_quota_us = q > 0 ? (uint64_t)q : 0;
        }
        if ((i = json_get(p->j, s, "cpus")) >= 0 && !json_eq(p->j, i, "") &&
            (r = string(p, i, "linux.resources.cpu.cpus", &o->limits.cpuset)) < 0)
            return r;
        if ((i = json_get(p->j, s, "mems")) >= 0 && !json_eq(p->j, i, "") &&
            (r = string(p, i, "linux.resources.cpu.mems", &m->cpu_mems)) < 0)
            return r;
        if ((r = refuse(p, s, "realtimeRuntime", "linux.resources.cpu.realtimeRuntime")) < 0 ||
            (r = refuse(p, s, "realtimePeriod", "linux.resources.cpu.realtimePeriod")) < 0 ||
            (r = refuse(p, s, "idle", "linux.resources.cpu.idle")) < 0)
            return r;
    }
    if ((s = json_get(p->j, res, "pids")) >= 0 && !json_null(p->j, s)) {
        int64_t v;
        if ((r = i64(p, json_get(p->j, s, "limit"), "linux.resources.pids.limit", &v)) < 0)
            return r;
        o->limits.pids = v > 0 ? (uint64_t)v : 0;
    }
    if ((s = json_get(p->j, res, "unified")) >= 0 && !json_null(p->j, s)) {
        if (json_type(p->j, s) != JSON_OBJECT)
            return bad("linux.resources.unified", "not an object");
        size_t n = (size_t)json_count(p->j, s);
        m->unified = array(p, 2 * n, sizeof *m->unified);
        if (!m->unified)
            return nomem();
        int k = json_first(p->j, s);
        for (size_t c = 0; c < n; c++, k = json_skip(p->j, k)) {
            const char *key, *value;
            if ((r = string(p, k, "linux.resources.unified", &key)) < 0 ||
                (r = string(p, json_value(k), "linux.resources.unified", &value)) < 0)
                return r;
            if (!key[0] || strchr(key, '/') || key[0] == '.' || !strchr(key, '.'))
                return err_setx(EINVAL, "config.json: linux.resources.unified: %s is not a "
                                        "cgroup file name", key);
            m->unified[m->n_unified++] = key;
            m->unified[m->n_unified++] = value;
        }
        m->n_unified /= 2;
    }
    if ((r = refuse(p, res, "blockIO", "linux.resources.blockIO")) < 0 ||
        (r = refuse(p, res, "hugepageLimits", "linux.resources.hugepageLimits")) < 0 ||
        (r = refuse(p, res, "network", "linux.resources.network")) < 0 ||
        (r = refuse(p, res, "rdma", "linux.resources.rdma")) < 0)
        return r;
    return 0;
}

/* linux.seccomp.syscalls into *RULES (malloc'd, *N of them; the caller frees it on failure). */
static int seccomp_rules(struct parse *p, int a, struct scmp_rule **out, size_t *out_n)
{
    int r, i;
    const char *name;
    size_t n_rules = 0, cap = 0;
    struct scmp_rule *rules = NULL;
    if (a >= 0 && !json_null(p->j, a)) {
        if (json_type(p->j, a) != JSON_ARRAY)
            return bad("linux.seccomp.syscalls", "not an array");
        int k = json_first(p->j, a);
        for (int c = 0; c < json_count(p->j, a); c++, k = json_skip(p->j, k)) {
            char **names;
            size_t n_names;
            if ((r = strings(p, json_get(p->j, k, "names"), "linux.seccomp.syscalls[].names",
                             &names, &n_names)) < 0)
                return r;
            uint32_t eret = EPERM;
            bool has = false;
            if ((i = json_get(p->j, k, "errnoRet")) >= 0 && !json_null(p->j, i)) {
                if ((r = u32(p, i, "linux.seccomp.syscalls[].errnoRet", &eret)) < 0)
                    return r;
                has = true;
            }
            uint32_t action;
            if ((r = string(p, json_get(p->j, k, "action"), "linux.seccomp.syscalls[].action",
                            &name)) < 0)
                return r;
            if ((r = scmp_action(name, eret, has, &action)) < 0)
                return err_setx(-r, "config.json: linux.seccomp.syscalls: action %s %s", name,
                                r == -EOPNOTSUPP ? "is not supported by hutch" : "is unknown");
            struct scmp_arg *args = NULL;
            size_t n_args = 0;
            int g = json_get(p->j, k, "args");
            if (g >= 0 && !json_null(p->j, g)) {
                if (json_type(p->j, g) != JSON_ARRAY || json_count(p->j, g) > 6)
                    return bad("linux.seccomp.syscalls[].args", "not an array of at most 6");
                args = array(p, (size_t)json_count(p->j, g), sizeof *args);
                if (!args)
                    return nomem();
                int q = json_first(p->j, g);
                for (int d = 0; d < json_count(p->j, g); d++, q = json_skip(p->j, q)) {
                    struct scmp_arg *arg = &args[n_args++];
                    uint32_t index;
                    const char *op;
                    if ((r = u32(p, json_get(p->j, q, "index"), "linux.seccomp.syscalls[].args[].index", &index)) < 0 ||
                        (r = u64(p, json_get(p->j, q, "value"), "linux.seccomp.syscalls[].args[].value", &arg->value)) < 0 ||
                        (r = string(p, json_get(p->j, q, "op"), "linux.seccomp.syscalls[].args[].op", &op)) < 0)
                        return r;
                    if (index > 5)
                        return bad("linux.seccomp.syscalls[].args[].index", "above 5");
                    arg->index = index;
                    if ((i = json_get(p->j, q, "valueTwo")) >= 0 &&
                        (r = u64(p, i, "linux.seccomp.syscalls[].args[].valueTwo", &arg->value2)) < 0)
                        return r;
                    if (scmp_op(op, &arg->op) < 0)
                        return err_setx(EINVAL, "config.json: linux.seccomp: unknown op %s", op);
                }
            }
            for (size_t nm = 0; nm < n_names; nm++) {
                int nr = scmp_syscall_nr(names[nm]);
                if (nr < 0)
                    continue; /* a call this architecture does not have, as runc and crun */
                if (n_rules == cap) {
                    cap = cap ? 2 * cap : 64;
                    struct scmp_rule *grown = realloc(rules, cap * sizeof *rules);
                    if (!grown)
                        return nomem();
                    rules = *out = grown;
                }
                rules[n_rules++] = (struct scmp_rule){nr, action, args, n_args};
            }
        }
    }
    *out = rules;
    *out_n = n_rules;
    return 0;
}

static int parse_seccomp(struct parse *p, int s)
{
    struct spec_more *m = &p->o->more;
    int r, i;
    if (json_type(p->j, s) != JSON_OBJECT)
        return bad("linux.seccomp", "not an object");
    struct scmp_profile *prof = array(p, 1, sizeof *prof);
    if (!prof)
        return nomem();
    const char *name;
    uint32_t errno_ret = EPERM;
    bool has_errno = false;
    if ((i = json_get(p->j, s, "defaultErrnoRet")) >= 0 && !json_null(p->j, i)) {
        if ((r = u32(p, i, "linux.seccomp.defaultErrnoRet", &errno_ret)) < 0)
            return r;
        has_errno = true;
    }
    if ((r = string(p, json_get(p->j, s, "defaultAction"), "linux.seccomp.defaultAction", &name)) < 0)
        return r;
    if ((r = scmp_action(name, errno_ret, has_errno, &prof->default_action)) < 0)
        return err_setx(-r, "config.json: linux.seccomp.defaultAction: %s %s", name,
                        r == -EOPNOTSUPP ? "is not supported by hutch" : "is unknown");
    if ((r = refuse(p, s, "listenerPath", "linux.seccomp.listenerPath")) < 0)
        return r;
    if ((i = json_get(p->j, s, "flags")) >= 0 && !json_null(p->j, i)) {
        char **flags;
        size_t n;
        if ((r = strings(p, i, "linux.seccomp.flags", &flags, &n)) < 0)
            return r;
        for (size_t f = 0; f < n; f++)
            if (strcmp(flags[f], "SECCOMP_FILTER_FLAG_SPEC_ALLOW") != 0)
                return err_setx(EOPNOTSUPP, "config.json: linux.seccomp.flags: %s is not "
                                            "supported by hutch", flags[f]);
    }
    /* Architectures: the filter is this architecture's; calls of any other ABI are killed,
     * which is stricter than a list of several and the same for the native one. */
    int a = json_get(p->j, s, "syscalls");
    size_t n_rules = 0;
    struct scmp_rule *rules = NULL;
    if ((r = seccomp_rules(p, a, &rules, &n_rules)) < 0) {
        free(rules);
        return r;
    }
    if (rules && !keep(p->o, rules))
        return nomem();
    prof->rules = rules;
    prof->n_rules = n_rules;
    m->seccomp = prof;
    return 0;
}

static int parse_hooks(struct parse *p, int h)
{
    static const char *const names[N_HOOKS] = {"prestart", "createRuntime", "createContainer",
                                               "startContainer", "poststart", "poststop"};
    struct spec_more *m = &p->o->more;
    if (json_type(p->j, h) != JSON_OBJECT)
        return bad("hooks", "not an object");
    for (int kind = 0; kind < N_HOOKS; kind++) {
        int a = json_get(p->j, h, names[kind]), r, i;
        if (a < 0 || json_null(p->j, a))
            continue;
        if (json_type(p->j, a) != JSON_ARRAY)
            return err_setx(EINVAL, "config.json: hooks.%s: not an array", names[kind]);
        size_t n = (size_t)json_count(p->j, a);
        m->hooks[kind] = array(p, n, sizeof *m->hooks[kind]);
        if (!m->hooks[kind])
            return nomem();
        int k = json_first(p->j, a);
        for (size_t c = 0; c < n; c++, k = json_skip(p->j, k)) {
            struct hook_spec *hk = &m->hooks[kind][c];
            if ((r = string(p, json_get(p->j, k, "path"), "hooks[].path", &hk->path)) < 0)
                return r;
            if (!absolute(hk->path))
                return err_setx(EINVAL, "config.json: hooks.%s: %s is not an absolute path",
                                names[kind], hk->path);
            if ((i = json_get(p->j, k, "args")) >= 0 && !json_null(p->j, i) &&
                (r = strings(p, i, "hooks[].args", &hk->argv, NULL)) < 0)
                return r;
            if ((i = json_get(p->j, k, "env")) >= 0 && !json_null(p->j, i) &&
                (r = strings(p, i, "hooks[].env", &hk->env, NULL)) < 0)
                return r;
            if ((i = json_get(p->j, k, "timeout")) >= 0 && !json_null(p->j, i)) {
                uint32_t t;
                if ((r = u32(p, i, "hooks[].timeout", &t)) < 0)
                    return r;
                if (t == 0 || t > 86400)
                    return bad("hooks[].timeout", "not between 1 and 86400 seconds");
                hk->timeout = (int)t;
            }
            m->n_hooks[kind]++;
        }
    }
    return 0;
}

static int parse_paths(struct parse *p, int a, const char *field, const char ***out, size_t *n)
{
    char **v;
    int r = strings(p, a, field, &v, n);
    if (r < 0)
        return r;
    for (size_t k = 0; k < *n; k++)
        if (!absolute(v[k]))
            return err_setx(EINVAL, "config.json: %s: %s is not an absolute path", field, v[k]);
    *out = (const char **)v;
    return 0;
}

static int parse_linux(struct parse *p, int l, struct oci_extra *x)
{
    struct run_opts *o = p->o;
    struct spec_more *m = &o->more;
    int r, i;
    if (json_type(p->j, l) != JSON_OBJECT)
        return bad("linux", "missing (hutch runs Linux containers)");
    if ((i = json_get(p->j, l, "namespaces")) < 0)
        return bad("linux.namespaces", "missing");
    if ((r = parse_namespaces(p, i, x)) < 0)
        return r;
    if ((i = json_get(p->j, l, "uidMappings")) >= 0 && !json_null(p->j, i) && json_count(p->j, i) &&
        (r = parse_idmap(p, i, "linux.uidMappings", &o->uidmap)) < 0)
        return r;
    if ((i = json_get(p->j, l, "gidMappings")) >= 0 && !json_null(p->j, i) && json_count(p->j, i) &&
        (r = parse_idmap(p, i, "linux.gidMappings", &o->gidmap)) < 0)
        return r;
    if (x->userns_new && (!o->uidmap.count || !o->gidmap.count))
        return bad("linux.uidMappings", "a new user namespace needs uidMappings and gidMappings");
    if ((i = json_get(p->j, l, "devices")) >= 0 && !json_null(p->j, i) && (r = parse_devices(p, i)) < 0)
        return r;
    if ((i = json_get(p->j, l, "cgroupsPath")) >= 0 && !json_eq(p->j, i, "")) {
        if ((r = string(p, i, "linux.cgroupsPath", &m->cgroup_path)) < 0)
            return r;
        if (strstr(m->cgroup_path, "..") || strchr(m->cgroup_path, ':'))
            return err_setx(EINVAL, "config.json: linux.cgroupsPath %s: a path of the cgroup "
                                    "tree expected (no \"..\"; the systemd form slice:prefix:name "
                                    "needs --systemd-cgroup, which hutch does not support)",
                            m->cgroup_path);
    }
    if ((i = json_get(p->j, l, "resources")) >= 0 && !json_null(p->j, i) &&
        (r = parse_resources(p, i)) < 0)
        return r;
    if ((i = json_get(p->j, l, "maskedPaths")) >= 0 && !json_null(p->j, i) &&
        (r = parse_paths(p, i, "linux.maskedPaths", &m->masked, &m->n_masked)) < 0)
        return r;
    if ((i = json_get(p->j, l, "readonlyPaths")) >= 0 && !json_null(p->j, i) &&
        (r = parse_paths(p, i, "linux.readonlyPaths", &m->readonly, &m->n_readonly)) < 0)
        return r;
    if ((i = json_get(p->j, l, "rootfsPropagation")) >= 0 && !json_eq(p->j, i, "")) {
        const char *prop;
        bool bind = false;
        unsigned long flags = 0;
        char data[8] = "";
        if ((r = string(p, i, "linux.rootfsPropagation", &prop)) < 0)
            return r;
        if (oci_mount_option(prop, &flags, &m->root_propagation, &bind, data, sizeof data) < 0 ||
            !m->root_propagation)
            return err_setx(EINVAL, "config.json: linux.rootfsPropagation: %s is not a "
                                    "propagation (private, slave, shared, unbindable, r...)", prop);
    }
    if ((i = json_get(p->j, l, "sysctl")) >= 0 && !json_null(p->j, i)) {
        if (json_type(p->j, i) != JSON_OBJECT)
            return bad("linux.sysctl", "not an object");
        size_t n = (size_t)json_count(p->j, i);
        m->sysctls = array(p, n, sizeof *m->sysctls);
        if (!m->sysctls)
            return nomem();
        int k = json_first(p->j, i);
        for (size_t c = 0; c < n; c++, k = json_skip(p->j, k)) {
            struct sysctl_spec *sc = &m->sysctls[m->n_sysctls++];
            if ((r = string(p, k, "linux.sysctl", &sc->key)) < 0 ||
                (r = string(p, json_value(k), "linux.sysctl", &sc->value)) < 0)
                return r;
            if (!sc->key[0] || strstr(sc->key, "..") || sc->key[0] == '.' || strchr(sc->key, '/'))
                return err_setx(EINVAL, "config.json: linux.sysctl: %s is not a setting name",
                                sc->key);
            if ((r = oci_sysctl_allowed(sc->key, m->namespaces, m->joins, m->n_joins)) < 0)
                return r;
        }
    }
    if ((i = json_get(p->j, l, "seccomp")) >= 0 && !json_null(p->j, i) && (r = parse_seccomp(p, i)) < 0)
        return r;
    if ((r = refuse(p, l, "intelRdt", "linux.intelRdt")) < 0 ||
        (r = refuse(p, l, "mountLabel", "linux.mountLabel")) < 0 ||
        (r = refuse(p, l, "timeOffsets", "linux.timeOffsets")) < 0 ||
        (r = refuse(p, l, "memoryPolicy", "linux.memoryPolicy")) < 0 ||
        (r = refuse(p, l, "netDevices", "linux.netDevices")) < 0)
        return r;
    if ((i = json_get(p->j, l, "personality")) >= 0 && !json_null(p->j, i)) {
        int d = json_get(p->j, i, "domain");
        if (!json_eq(p->j, d, "LINUX") || json_get(p->j, i, "flags") >= 0)
            return err_setx(EOPNOTSUPP, "config.json: linux.personality: only LINUX, without "
                                        "flags, is supported by hutch");
    }
    return 0;
}

/* Only settings of a namespace the container has of its own, as runc's validator: else the
 * write would change the host's. */
int oci_sysctl_allowed(const char *key, unsigned long namespaces, const struct ns_join *joins,
                       size_t n_joins)
{
    static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
                                      "kernel.sem", "kernel.shmall", "kernel.shmmax",
                                      "kernel.shmmni", "kernel.shm_rmid_forced"};
    bool net_joined = false;
    for (size_t i = 0; i < n_joins; i++)
        net_joined = net_joined || joins[i].type == CLONE_NEWNET;
    const char *needs = NULL;
    bool ok = false;
    if (strncmp(key, "net.", 4) == 0) {
        needs = "network";
        ok = (namespaces & CLONE_NEWNET) || net_joined; /* a joined one: checked when joined */
    } else if (strncmp(key, "fs.mqueue.", 10) == 0) {
        needs = "ipc";
        ok = namespaces & CLONE_NEWIPC;
    } else if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0) {
        needs = "uts";
        ok = namespaces & CLONE_NEWUTS;
    } else {
        for (size_t i = 0; i < sizeof ipc / sizeof *ipc; i++)
            if (strcmp(key, ipc[i]) == 0)
                needs = "ipc";
        ok = needs && (namespaces & CLONE_NEWIPC);
    }
    if (!needs)
        return err_setx(EPERM, "config.json: linux.sysctl %s: not a setting of a namespace of the "
                               "container's own (it would change the host's): refused", key);
    if (!ok)
        return err_setx(EPERM, "config.json: linux.sysctl %s: needs a %s namespace of the "
                               "container's own", key, needs);
    return 0;
}

/* ---- the whole ---- */

static int parse_all(struct parse *p, struct oci_extra *x)
{
    const struct json *j = p->j;
    struct run_opts *o = p->o;
    int r, i;
    o->more.given = true;
    o->more.umask = -1;
    o->no_init = true;
    if ((i = json_get(j, 0, "ociVersion")) < 0 || json_type(j, i) != JSON_STRING)
        return bad("ociVersion", "missing");
    const char *version;
    if ((r = string(p, i, "ociVersion", &version)) < 0)
        return r;
    if (strncmp(version, "1.", 2) != 0)
        return err_setx(EINVAL, "config.json: ociVersion %s: hutch reads runtime-spec 1.x",
                        version);
    int root = json_get(j, 0, "root");
    if (json_type(j, root) != JSON_OBJECT)
        return bad("root", "missing");
    const char *path;
    if ((r = string(p, json_get(j, root, "path"), "root.path", &path)) < 0)
        return r;
    if (!path[0])
        return bad("root.path", "empty");
    for (const char *c = path; c; c = strchr(c, '/') ? strchr(c, '/') + 1 : NULL)
        if (strncmp(c, "..", 2) == 0 && (c[2] == '/' || !c[2]))
            return err_setx(EINVAL, "config.json: root.path %s: a \"..\" in it (a relative "
                                    "root is a path inside the bundle; give an absolute one "
                                    "for a root elsewhere)", path);
    if (absolute(path)) {
        o->image = path;
    } else {
        char *full;
        if (asprintf(&full, "%s/%s", p->host->bundle, path) < 0 || !keep(o, full))
            return nomem();
        o->image = full;
    }
    if ((i = json_get(j, root, "readonly")) >= 0 && (r = boolean(p, i, "root.readonly", &o->ro)) < 0)
        return r;
    if ((r = parse_process(p, json_get(j, 0, "process"), false)) < 0)
        return r;
    if ((i = json_get(j, 0, "hostname")) >= 0 && !json_eq(j, i, "") &&
        (r = string(p, i, "hostname", &o->hostname)) < 0)
        return r;
    if ((i = json_get(j, 0, "domainname")) >= 0 && !json_eq(j, i, "") &&
        (r = string(p, i, "domainname", &o->more.domainname)) < 0)
        return r;
    if ((i = json_get(j, 0, "mounts")) >= 0 && !json_null(j, i) && (r = parse_mounts(p, i)) < 0)
        return r;
    if ((i = json_get(j, 0, "hooks")) >= 0 && !json_null(j, i) && (r = parse_hooks(p, i)) < 0)
        return r;
    if ((r = parse_linux(p, json_get(j, 0, "linux"), x)) < 0)
        return r;
    if ((o->hostname || o->more.domainname) && !(o->more.namespaces & CLONE_NEWUTS))
        return bad("hostname", "set without a new uts namespace");
    /* The description in hutch's terms. */
    o->userns = x->userns_new;
    o->net = (o->more.namespaces & CLONE_NEWNET) ? NET_NONE : NET_HOST;
    for (size_t k = 0; k < o->more.n_joins; k++)
        if (o->more.joins[k].type == CLONE_NEWNET)
            o->net = NET_HOST; /* the joined one, as it is */
    o->privileged = false;
    i = json_get(j, 0, "annotations");
    size_t len;
    const char *raw = json_raw(j, i, &len);
    if (i < 0 || json_type(j, i) != JSON_OBJECT) {
        raw = "{}";
        len = 2;
    }
    if (!(x->annotations = strndup(raw, len)))
        return nomem();
    return 0;
}

int oci_config_parse(const char *text, size_t len, const struct oci_host *host,
                     struct run_opts *o, struct oci_extra *x)
{
    memset(o, 0, sizeof *o);
    memset(x, 0, sizeof *x);
    struct json j;
    int r = json_parse(&j, text, len, "config.json");
    if (r < 0)
        return r;
    struct parse p = {&j, o, host};
    r = json_type(&j, 0) == JSON_OBJECT ? parse_all(&p, x) : bad("(top)", "not an object");
    json_free(&j);
    return r;
}

int oci_process_parse(const char *text, size_t len, const struct oci_host *host,
                      struct run_opts *o)
{
    struct json j;
    int r = json_parse(&j, text, len, "process.json");
    if (r < 0)
        return r;
    struct parse p = {&j, o, host};
    free(o->env);
    o->env = NULL;
    o->n_env = 0;
    o->more.n_rlimits = 0;
    o->more.n_groups = 0;
    r = parse_process(&p, 0, true);
    json_free(&j);
    return r;
}

void oci_config_free(struct run_opts *o, struct oci_extra *x)
{
    free(x->annotations);
    x->annotations = NULL;
    for (size_t i = 0; i < o->n_devices; i++) {
        free((char *)o->devices[i].host);
        free((char *)o->devices[i].path);
    }
    free(o->devices);
    o->devices = NULL;
    o->n_devices = 0;
    for (size_t i = 0; i < o->n_owned; i++)
        free(o->owned[i]);
    free(o->owned);
    free(o->env);
    memset(o, 0, sizeof *o);
}

int oci_resources_parse(const char *text, size_t len, struct run_opts *o)
{
    struct json j;
    int r = json_parse(&j, text, len, "resources");
    if (r < 0)
        return r;
    struct parse p = {&j, o, NULL};
    r = parse_resources(&p, 0);
    json_free(&j);
    return r;
}
