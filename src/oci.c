#include "oci.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "caps.h"
#include "cgroup.h"
#include "channel.h"
#include "cli.h"
#include "command.h"
#include "err.h"
#include "json.h"
#include "oci_config.h"
#include "run.h"
#include "scmp.h"
#include "sys.h"
#include "userns.h"

#ifndef HUTCH_VERSION
#define HUTCH_VERSION "0.1"
#endif
#define OCI_SPEC_VERSION "1.0.2"

/* ---- the global options ---- */

static struct {
    const char *root;
    const char *log;
    int log_fd;      /* opened once, by the caller's path, before any namespace is joined */
    bool json;
    bool debug;
} g = {OCI_ROOT_DEFAULT, NULL, -1, false, false};

/* Now as RFC 3339 in UTC with nanoseconds (no strftime: it pulls the time zone code in). */
static void now_rfc3339(char *buf, size_t len)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec);
}

static void log_line(const char *level, const char *msg)
{
    if (g.log_fd < 0)
        return;
    char when[64];
    now_rfc3339(when, sizeof when);
    char *line = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&line, &len);
    if (!f)
        return;
    if (g.json) {
        fputs("{\"level\":", f);
        json_put_string(f, level);
        fputs(",\"msg\":", f);
        json_put_string(f, msg);
        fprintf(f, ",\"time\":\"%s\"}\n", when);
    } else {
        fprintf(f, "time=\"%s\" level=%s msg=", when, level);
        json_put_string(f, msg);
        fputc('\n', f);
    }
    fclose(f);
    ssize_t w = write(g.log_fd, line, len); /* one write: a whole line, appended */
    (void)w;
    free(line);
}

int oci_report(const char *msg)
{
    const char *m = msg && *msg ? msg : "failed";
    fprintf(stderr, "hutch-oci: %s\n", m);
    log_line("error", m);
    return 1;
}

static void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warn(const char *fmt, ...)
{
    char buf[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(stderr, "hutch-oci: warning: %s\n", buf);
    log_line("warning", buf);
}

/* ---- options: runc's style, --flag value and --flag=value, -f value ---- */

enum opt_kind { OPT_FLAG, OPT_STRING, OPT_LIST };
struct opt {
    const char *name;
    char letter;
    enum opt_kind kind;
    void *dst;          /* bool *, const char **, struct strlist * */
};
struct strlist {
    const char *v[64];
    size_t n;
};

/* Options up to the first argument that is none (or "--"). Returns the index of the first
 * positional argument, or a negative errno with a message. */
static int parse_opts(const char *cmd, int argc, char **argv, int i, const struct opt *opts)
{
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0)
            return i + 1;
        if (a[0] != '-' || !a[1])
            return i;
        const char *name = a + 1 + (a[1] == '-'), *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const struct opt *o = NULL;
        for (const struct opt *k = opts; k->name; k++)
            if (a[1] == '-' ? strlen(k->name) == len && strncmp(k->name, name, len) == 0
                            : len == 1 && k->letter == name[0])
                o = k;
        if (!o)
            return err_setx(EINVAL, "%s: unknown option %s (see runc's command line)", cmd, a);
        const char *value = eq ? eq + 1 : NULL;
        if (o->kind == OPT_FLAG) {
            bool v = !value || strcmp(value, "true") == 0;
            if (value && !v && strcmp(value, "false") != 0)
                return err_setx(EINVAL, "%s: %s takes true or false", cmd, a);
            *(bool *)o->dst = v;
            continue;
        }
        if (!value) {
            if (i + 1 >= argc)
                return err_setx(EINVAL, "%s: %s needs a value", cmd, a);
            value = argv[++i];
        }
        if (o->kind == OPT_STRING) {
            *(const char **)o->dst = value;
        } else {
            struct strlist *l = o->dst;
            if (l->n == sizeof l->v / sizeof *l->v)
                return err_setx(E2BIG, "%s: too many %s", cmd, a);
            l->v[l->n++] = value;
        }
    }
    return i;
}

static int number(const char *what, const char *s, unsigned long max, unsigned long *v)
{
    char *end;
    errno = 0;
    unsigned long x = strtoul(s, &end, 10);
    if (!*s || *end || errno || x > max || s[0] == '-')
        return err_setx(EINVAL, "%s %s: not a number from 0 to %lu", what, s, max);
    *v = x;
    return 0;
}

/* ---- the state: ROOT/ID/ holds state.json, config.json (a copy) and exec.fifo ---- */

static bool id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > 200 || id[0] == '.')
        return false;
    for (const char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              strchr("_.+-", *p)))
            return false;
    return true;
}

static int check_id(const char *id)
{
    if (!id)
        return err_setx(EINVAL, "container id missing");
    if (!id_ok(id))
        return err_setx(EINVAL, "invalid container id %s: letters, digits, '_', '.', '+', '-', "
                                "at most 200, not starting with '.'", id);
    return 0;
}

/* The root directory: made when CREATE (0700), a directory of the caller's that nobody else
 * may write, never through a symlink. */
static int open_root(bool create)
{
    if (create) {
        char parent[PATH_MAX];
        snprintf(parent, sizeof parent, "%s", g.root);
        char *slash = strrchr(parent, '/');
        if (slash && slash != parent) {
            *slash = '\0';
            int r = sys_make_dirs(parent, 0755);
            if (r < 0)
                return err_set(-r, "--root %s", g.root);
        }
        if (mkdir(g.root, 0700) < 0 && errno != EEXIST)
            return err_set(errno, "--root %s", g.root);
    }
    int fd = open(g.root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return -ENOENT;
        return err_set(errno, "--root %s", g.root);
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022)) {
        close(fd);
        return err_setx(EPERM, "--root %s: not the caller's, or others may write it: refused",
                        g.root);
    }
    return fd;
}

struct rec {
    char id[256];
    pid_t pid;
    unsigned long long start;
    char bundle[PATH_MAX];
    char rootfs[PATH_MAX];
    char created[64];
    char cgroup[256];
    char *annotations;       /* raw JSON */
    int dir;                 /* ROOT/ID */
};

static void rec_free(struct rec *r)
{
    free(r->annotations);
    r->annotations = NULL;
    if (r->dir >= 0)
        close(r->dir);
    r->dir = -1;
}

static void put_rec(FILE *f, const struct rec *r)
{
    fputs("{\"id\":", f);
    json_put_string(f, r->id);
    fprintf(f, ",\"pid\":%d,\"start\":%llu,\"bundle\":", (int)r->pid, r->start);
    json_put_string(f, r->bundle);
    fputs(",\"rootfs\":", f);
    json_put_string(f, r->rootfs);
    fputs(",\"created\":", f);
    json_put_string(f, r->created);
    fputs(",\"cgroup\":", f);
    json_put_string(f, r->cgroup);
    fprintf(f, ",\"annotations\":%s}\n", r->annotations ? r->annotations : "{}");
}

/* Write NAME in DIR atomically: a new file renamed over the old. */
static int write_atomic(int dir, const char *name, const char *text, size_t len)
{
    char tmp[300];
    snprintf(tmp, sizeof tmp, ".%s.new", name);
    unlinkat(dir, tmp, 0);
    int fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    ssize_t n = write(fd, text, len);
    int e = n < 0 ? errno : (size_t)n != len ? EIO : 0;
    if (close(fd) < 0 && !e)
        e = errno;
    if (!e && renameat(dir, tmp, dir, name) < 0)
        e = errno;
    if (e)
        unlinkat(dir, tmp, 0);
    return -e;
}

static int save_rec(const struct rec *r)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return err_set(ENOMEM, "state");
    put_rec(f, r);
    fclose(f);
    int e = write_atomic(r->dir, "state.json", text, len);
    free(text);
    return e < 0 ? err_set(-e, "state of %s", r->id) : 0;
}

static int copy_field(const struct json *j, const char *key, char *buf, size_t len)
{
    char *s;
    int i = json_get(j, 0, key);
    if (json_string(j, i, &s) < 0)
        return -EINVAL;
    snprintf(buf, len, "%s", s);
    free(s);
    return 0;
}

static int load_rec_q(const char *id, struct rec *r, bool quiet);

/* Container ID's state, its directory held in R->dir. -ENOENT with "does not exist". */
static int load_rec(const char *id, struct rec *r)
{
    return load_rec_q(id, r, false);
}

/* QUIET: no message (list passes over what it cannot read). */
#define QUIET(e, call) (quiet ? -(e) : (call))

static int load_rec_q(const char *id, struct rec *r, bool quiet)
{
    memset(r, 0, sizeof *r);
    r->dir = -1;
    int e = quiet ? (id_ok(id) ? 0 : -EINVAL) : check_id(id);
    if (e < 0)
        return e;
    int root SYS_AUTO_CLOSE = open_root(false);
    if (root == -ENOENT)
        return QUIET(ENOENT, err_setx(ENOENT, "container %s does not exist", id));
    if (root < 0)
        return root;
    r->dir = openat(root, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (r->dir < 0)
        return QUIET(errno, errno == ENOENT ? err_setx(ENOENT, "container %s does not exist", id)
                                            : err_set(errno, "state of %s", id));
    char name[64];
    snprintf(name, sizeof name, "state.json");
    int fd = openat(r->dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        int en = errno;
        rec_free(r);
        return QUIET(en, en == ENOENT ? err_setx(ENOENT, "container %s does not exist (it is "
                                                         "being created or deleted)", id)
                                      : err_set(en, "state of %s", id));
    }
    struct stat st;
    char *buf = fstat(fd, &st) == 0 && st.st_size > 0 && st.st_size <= (off_t)JSON_MAX_BYTES
                    ? malloc((size_t)st.st_size + 1)
                    : NULL;
    ssize_t n = buf ? read(fd, buf, (size_t)st.st_size) : -1;
    close(fd);
    if (n != (buf ? st.st_size : -2)) {
        free(buf);
        rec_free(r);
        return QUIET(EIO, err_setx(EIO, "state of %s: unreadable", id));
    }
    buf[n] = '\0';
    struct json j;
    if ((e = json_parse(&j, buf, (size_t)n, "state.json")) < 0) {
        free(buf);
        rec_free(r);
        return e;
    }
    uint64_t v;
    e = copy_field(&j, "id", r->id, sizeof r->id);
    if (e == 0 && (e = json_u64(&j, json_get(&j, 0, "pid"), &v)) == 0)
        r->pid = (pid_t)v;
    if (e == 0 && (e = json_u64(&j, json_get(&j, 0, "start"), &v)) == 0)
        r->start = v;
    if (e == 0)
        e = copy_field(&j, "bundle", r->bundle, sizeof r->bundle);
    if (e == 0)
        e = copy_field(&j, "rootfs", r->rootfs, sizeof r->rootfs);
    if (e == 0)
        e = copy_field(&j, "created", r->created, sizeof r->created);
    if (e == 0)
        e = copy_field(&j, "cgroup", r->cgroup, sizeof r->cgroup);
    size_t alen;
    const char *a = json_raw(&j, json_get(&j, 0, "annotations"), &alen);
    if (e == 0 && !(r->annotations = strndup(alen ? a : "{}", alen ? alen : 2)))
        e = -ENOMEM;
    json_free(&j);
    free(buf);
    if (e < 0) {
        rec_free(r);
        return QUIET(EIO, err_setx(EIO, "state of %s: damaged", id));
    }
    return 0;
}

enum status { ST_CREATING, ST_CREATED, ST_RUNNING, ST_PAUSED, ST_STOPPED };
static const char *const status_names[] = {"creating", "created", "running", "paused", "stopped"};

static bool alive(const struct rec *r)
{
    char st;
    return r->pid > 0 && sys_start_time(r->pid, &st) == r->start && st != 'Z' && st != 'X';
}

static enum status status_of(const struct rec *r)
{
    if (r->pid == 0) {
        /* No process recorded yet: being created, unless its create is gone (then stopped). */
        int fd = openat(r->dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        bool held = fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
        if (fd >= 0)
            close(fd);
        return held ? ST_CREATING : ST_STOPPED;
    }
    if (!alive(r))
        return ST_STOPPED;
    if (faccessat(r->dir, "exec.fifo", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
        return ST_CREATED;
    if (r->cgroup[0] && cgroup_frozen_path(r->cgroup) == 1)
        return ST_PAUSED;
    return ST_RUNNING;
}

static void put_state(FILE *f, const struct rec *r, enum status s)
{
    fprintf(f, "{\"ociVersion\":\"%s\",\"id\":", OCI_SPEC_VERSION);
    json_put_string(f, r->id);
    fprintf(f, ",\"pid\":%d,\"status\":\"%s\",\"bundle\":",
            s == ST_STOPPED ? 0 : (int)r->pid, status_names[s]);
    json_put_string(f, r->bundle);
    fputs(",\"rootfs\":", f);
    json_put_string(f, r->rootfs);
    fputs(",\"created\":", f);
    json_put_string(f, r->created);
    fprintf(f, ",\"owner\":\"\",\"annotations\":%s}", r->annotations ? r->annotations : "{}");
}

static int lock_rec(const struct rec *r)
{
    if (flock(r->dir, LOCK_EX) < 0)
        return err_set(errno, "lock the state of %s", r->id);
    return 0;
}

/* ---- hooks ---- */

static char *state_text(const struct rec *r, enum status s)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    put_state(f, r, s);
    fclose(f);
    return text;
}

/* The namespaces of PID joined (for createContainer and startContainer hooks, and exec):
 * each that differs from this process's, the user one first. */
static const struct {
    const char *name;
    int type;
} ns_order[] = {
    {"user", CLONE_NEWUSER}, {"mnt", CLONE_NEWNS}, {"uts", CLONE_NEWUTS}, {"ipc", CLONE_NEWIPC},
    {"net", CLONE_NEWNET}, {"cgroup", CLONE_NEWCGROUP}, {"pid", CLONE_NEWPID},
};
#define N_NS_ORDER (sizeof ns_order / sizeof *ns_order)

static int join_container(const struct rec *r, bool *joined_user, bool mount_ns)
{
    int fds[N_NS_ORDER], e = 0;
    *joined_user = false;
    for (size_t i = 0; i < N_NS_ORDER; i++) {
        char path[64], mine[64];
        struct stat a, b;
        fds[i] = -1;
        if (!mount_ns && ns_order[i].type == CLONE_NEWNS)
            continue;
        snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)r->pid, ns_order[i].name);
        snprintf(mine, sizeof mine, "/proc/self/ns/%s", ns_order[i].name);
        if (stat(path, &a) == 0 && stat(mine, &b) == 0 && a.st_ino == b.st_ino &&
            a.st_dev == b.st_dev)
            continue;
        if ((fds[i] = open(path, O_RDONLY | O_CLOEXEC)) < 0 && !e)
            e = err_set(errno, "container %s: its %s namespace", r->id, ns_order[i].name);
    }
    /* They are the container's only if the pid still is its process. */
    if (!e && !alive(r))
        e = err_setx(ESRCH, "container %s: container not running", r->id);
    for (size_t i = 0; i < N_NS_ORDER; i++) {
        if (fds[i] < 0)
            continue;
        if (!e && sys_setns(fds[i], ns_order[i].type) < 0)
            e = err_set(errno, "join the %s namespace of container %s", ns_order[i].name, r->id);
        else if (!e && ns_order[i].type == CLONE_NEWUSER)
            *joined_user = true;
        close(fds[i]);
    }
    return e;
}

/* Where a hook runs. The spec puts prestart, createRuntime, poststart and poststop in the
 * runtime's namespaces; createContainer in the container's, its path resolved in the runtime's:
 * hutch runs it after pivot_root, so in every namespace of the container's but the mount one (the
 * host's files: neither its path nor a script's interpreter is the image's); startContainer in the
 * container, its path resolved there, so with the container process's own capabilities, user,
 * seccomp filter and cgroups (what the image ships runs as the container would). */
enum hook_place { HOOK_HOST, HOOK_NAMESPACES, HOOK_INSIDE };

static int run_hooks(const struct run_opts *o, enum hook_kind kind, const struct rec *r,
                     enum status s, enum hook_place where, bool fatal,
                     const struct sock_filter *filter, size_t n_filter)
{
    static const char *const names[N_HOOKS] = {"prestart", "createRuntime", "createContainer",
                                               "startContainer", "poststart", "poststop"};
    for (size_t i = 0; i < o->more.n_hooks[kind]; i++) {
        const struct hook_spec *h = &o->more.hooks[kind][i];
        char *text = state_text(r, s);
        int in[2];
        if (!text || pipe2(in, O_CLOEXEC) < 0) {
            free(text);
            if (!fatal)
                continue;
            return err_set(ENOMEM, "hook %s", h->path);
        }
        pid_t pid = fork();
        if (pid == 0) {
            bool user;
            static char *empty[] = {NULL};
            char *argv0[] = {(char *)h->path, NULL};
            char **argv = h->argv && h->argv[0] ? h->argv : argv0;
            if (dup2(in[0], 0) < 0 || sys_undumpable() < 0)
                _exit(127);
            if (where == HOOK_INSIDE && r->cgroup[0] && cgroup_join_path(r->cgroup, getpid()) < 0)
                _exit(126);
            if (where != HOOK_HOST && join_container(r, &user, where == HOOK_INSIDE) < 0)
                _exit(126);
            sys_close_fds_except(-1);
            if (where != HOOK_HOST) {
                /* A process of the container's PID namespace: a child, joined at birth. Killed
                 * with this one (the timeout). */
                pid_t inner = fork();
                if (inner < 0)
                    _exit(126);
                if (inner > 0) {
                    int st;
                    while (waitpid(inner, &st, 0) < 0 && errno == EINTR)
                        ;
                    _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
                }
                prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
                if (getppid() == 1)
                    _exit(126);
            }
            if (where == HOOK_INSIDE) {
                if ((user && userns_become_root() < 0) || chdir("/") < 0)
                    _exit(126);
                struct command cmd = {.argv = argv, .file = h->path,
                                      .envp = h->env ? h->env : empty, .chan = -1, .tty = -1};
                command_exec_described(&cmd, &o->more, filter, n_filter, 0);
            }
            execve(h->path, argv, h->env ? h->env : empty);
            _exit(127);
        }
        close(in[0]);
        int e = pid < 0 ? errno : 0;
        if (pid > 0) {
            signal(SIGPIPE, SIG_IGN);
            ssize_t w = write(in[1], text, strlen(text));
            (void)w;
        }
        close(in[1]);
        free(text);
        int status = 0, waited = 0;
        if (pid > 0) {
            int pfd SYS_AUTO_CLOSE = sys_pidfd_open(pid, 0);
            struct pollfd p = {.fd = pfd, .events = POLLIN};
            if (h->timeout && pfd >= 0 && poll(&p, 1, h->timeout * 1000) == 0) {
                kill(pid, SIGKILL);
                waited = -1;
            }
            waitpid(pid, &status, 0);
        }
        const char *why = e ? strerror(e)
                          : waited < 0 ? "timed out"
                          : WIFEXITED(status) && WEXITSTATUS(status) == 0 ? NULL
                                                                           : "failed";
        if (!why)
            continue;
        char msg[600];
        snprintf(msg, sizeof msg, "%s hook %s: %s (exit status %d)", names[kind], h->path, why,
                 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        if (fatal)
            return err_setx(EIO, "%s", msg);
        warn("%s", msg);
    }
    return 0;
}

/* ---- reading a bundle ---- */

static int read_file(int dir, const char *name, const char *shown, char **text, size_t *len)
{
    int fd = openat(dir, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(errno, "%s", shown);
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)JSON_MAX_BYTES) {
        close(fd);
        return err_setx(EINVAL, "%s: not a regular file of at most %u bytes", shown,
                        JSON_MAX_BYTES);
    }
    *text = malloc((size_t)st.st_size + 1);
    ssize_t n = *text ? read(fd, *text, (size_t)st.st_size) : -1;
    close(fd);
    if (n != st.st_size) {
        free(*text);
        return err_set(EIO, "read %s", shown);
    }
    (*text)[n] = '\0';
    *len = (size_t)n;
    return 0;
}

static bool apparmor_on(void)
{
    char buf[8] = "";
    return sys_read_text("/sys/module/apparmor/parameters/enabled", buf, sizeof buf) > 0 &&
           buf[0] == 'Y';
}

/* The container's description from its config (TEXT), for BUNDLE. */
static int describe(const char *text, size_t len, const char *bundle, struct run_opts *o,
                    struct oci_extra *x)
{
    struct oci_host host = {bundle, caps_own(), apparmor_on()};
    return oci_config_parse(text, len, &host, o, x);
}

static int compile_filter(const struct run_opts *o, struct sock_filter **f, size_t *n)
{
    *f = NULL;
    *n = 0;
    if (!o->more.seccomp)
        return 0;
    int r = scmp_compile(o->more.seccomp, f, n);
    if (r == -E2BIG)
        return err_setx(E2BIG, "linux.seccomp: the filter is larger than the kernel takes "
                               "(4096 instructions)");
    return r < 0 ? err_set(-r, "linux.seccomp: compile the filter") : 0;
}

/* A connected --console-socket. */
static int console_connect(const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof a.sun_path)
        return err_setx(ENAMETOOLONG, "--console-socket %s: path too long", path);
    strcpy(a.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return err_set(e, "--console-socket %s", path);
    }
    return fd;
}

/* The directory of a --pid-file, opened (before a namespace of the container's is joined), and
 * its name in it. */
static int pid_dir(const char *path, const char **name)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    *name = slash ? path + (slash - dir) + 1 : path;
    if (slash)
        slash[slash == dir] = '\0';
    int d = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return d < 0 ? err_set(errno, "--pid-file %s", path) : d;
}

static int put_pid(int dir, const char *name, const char *path, pid_t pid)
{
    char text[32];
    int n = snprintf(text, sizeof text, "%d", (int)pid);
    int e = write_atomic(dir, name, text, (size_t)n);
    return e < 0 ? err_set(-e, "--pid-file %s", path) : 0;
}

static int write_pid_file(const char *path, pid_t pid)
{
    if (!path)
        return 0;
    const char *name;
    int d SYS_AUTO_CLOSE = pid_dir(path, &name);
    return d < 0 ? d : put_pid(d, name, path, pid);
}


/* ---- create ---- */

struct create_ctx {
    struct rec *rec;
    const struct run_opts *o;
    const char *pid_file;
};

static int on_created(pid_t pid, void *arg)
{
    struct create_ctx *c = arg;
    struct rec *r = c->rec;
    r->pid = pid;
    r->start = sys_start_time(pid, NULL);
    if (!r->start)
        return err_setx(EIO, "the container's process: no start time in /proc/%d/stat", (int)pid);
    int e;
    if ((e = save_rec(r)) < 0)
        return e;
    /* The spec's order: prestart and createRuntime in the runtime's namespaces, then
     * createContainer in the container's, each failure ending the create. */
    if ((e = run_hooks(c->o, HOOK_PRESTART, r, ST_CREATED, HOOK_HOST, true, NULL, 0)) < 0 ||
        (e = run_hooks(c->o, HOOK_CREATE_RUNTIME, r, ST_CREATED, HOOK_HOST, true, NULL, 0)) < 0 ||
        (e = run_hooks(c->o, HOOK_CREATE_CONTAINER, r, ST_CREATED, HOOK_NAMESPACES, true, NULL,
                       0)) < 0)
        return e;
    return write_pid_file(c->pid_file, pid);
}

/* Remove a container's state directory (what create made in it): a second pass where the first
 * could not empty it, a failed unlink not the end of the rest. A negative errno (recorded) when
 * the directory is still there. */
static int unmake(int root, const char *id, int dir)
{
    static const char *const files[] = {"exec.fifo", "config.json", "state.json",
                                         ".state.json.new", ".config.json.new"};
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
            unlinkat(dir, files[i], 0);
        if (unlinkat(root, id, AT_REMOVEDIR) == 0 || errno == ENOENT)
            return 0;
    }
    return err_set(errno, "remove the state of %s (%s/%s)", id, g.root, id);
}

struct create_args {
    const char *bundle, *pid_file, *console, *preserve;
    bool no_pivot, no_new_keyring;
    bool detach; /* run */
    bool keep;   /* run --keep */
};

static const struct opt create_opts[] = {
    {"bundle", 'b', OPT_STRING, NULL}, {"pid-file", 0, OPT_STRING, NULL},
    {"console-socket", 0, OPT_STRING, NULL}, {"no-pivot", 0, OPT_FLAG, NULL},
    {"no-new-keyring", 0, OPT_FLAG, NULL}, {"preserve-fds", 0, OPT_STRING, NULL},
    {"detach", 'd', OPT_FLAG, NULL}, {"keep", 0, OPT_FLAG, NULL}, {NULL, 0, 0, NULL},
};

static int parse_create(const char *cmd, int argc, char **argv, struct create_args *a,
                        const char **id)
{
    struct opt opts[sizeof create_opts / sizeof *create_opts];
    memcpy(opts, create_opts, sizeof opts);
    void *dst[] = {&a->bundle, &a->pid_file, &a->console, &a->no_pivot, &a->no_new_keyring,
                   &a->preserve, &a->detach, &a->keep};
    size_t n = sizeof opts / sizeof *opts - 1;
    if (strcmp(cmd, "run") != 0)
        n -= 2; /* --detach and --keep are run's */
    for (size_t i = 0; i < n; i++)
        opts[i].dst = dst[i];
    opts[n] = (struct opt){NULL, 0, 0, NULL};
    int i = parse_opts(cmd, argc, argv, 1, opts);
    if (i < 0)
        return i;
    if (i != argc - 1)
        return err_setx(EINVAL, "%s: exactly one container id expected (%s [OPTIONS] ID)", cmd,
                        cmd);
    *id = argv[i];
    return check_id(*id);
}

static int create(const char *id, const struct create_args *a, bool foreground, pid_t *pid_out)
{
    char bundle[PATH_MAX];
    if (!realpath(a->bundle ? a->bundle : ".", bundle))
        return err_set(errno, "--bundle %s", a->bundle ? a->bundle : ".");
    unsigned long preserve = 0;
    int e;
    if (a->preserve && (e = number("--preserve-fds", a->preserve, 1024, &preserve)) < 0)
        return e;
    int bdir SYS_AUTO_CLOSE = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (bdir < 0)
        return err_set(errno, "--bundle %s", bundle);
    char *text;
    size_t len;
    if ((e = read_file(bdir, "config.json", "config.json of the bundle", &text, &len)) < 0)
        return e;
    struct run_opts o;
    struct oci_extra x;
    e = describe(text, len, bundle, &o, &x);
    struct sock_filter *filter = NULL;
    size_t n_filter = 0;
    if (e == 0)
        e = compile_filter(&o, &filter, &n_filter);
    if (e == 0 && o.tty && !a->console)
        e = err_setx(EINVAL, "process.terminal needs --console-socket (hutch-oci passes the "
                             "terminal's master there)");
    int root SYS_AUTO_CLOSE = e == 0 ? open_root(true) : -1;
    if (e == 0 && root < 0)
        e = root;
    int console SYS_AUTO_CLOSE = -1;
    if (e == 0 && a->console && (console = console_connect(a->console)) < 0)
        e = console;
    struct rec r = {.dir = -1, .annotations = x.annotations};
    x.annotations = NULL;
    if (e == 0 && mkdirat(root, id, 0700) < 0)
        e = errno == EEXIST ? err_setx(EEXIST, "container with id exists: %s", id)
                            : err_set(errno, "state of %s", id);
    bool made = e == 0;
    if (e == 0 && (r.dir = openat(root, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        e = err_set(errno, "state of %s", id);
    if (e == 0)
        e = lock_rec(&r);
    if (e == 0 && (e = write_atomic(r.dir, "config.json", text, len)) < 0)
        e = err_set(-e, "state of %s: config.json", id);
    if (e == 0 && mkfifoat(r.dir, "exec.fifo", 0600) < 0)
        e = err_set(errno, "state of %s: exec.fifo", id);
    if (e == 0) {
        snprintf(r.id, sizeof r.id, "%s", id);
        snprintf(r.bundle, sizeof r.bundle, "%s", bundle);
        snprintf(r.rootfs, sizeof r.rootfs, "%s", o.image);
        snprintf(r.cgroup, sizeof r.cgroup, "%s", o.more.cgroup_path ? o.more.cgroup_path : "");
        now_rfc3339(r.created, sizeof r.created);
        /* A state from the start (no process yet): a hutch-oci killed half-way leaves what
         * delete can find and remove, cgroups too. */
        e = save_rec(&r);
    }
    if (e == 0) {
        char fifo[PATH_MAX + 300];
        snprintf(fifo, sizeof fifo, "%s/%s/exec.fifo", g.root, id);
        struct create_ctx ctx = {&r, &o, a->pid_file};
        struct run_create cr = {.fifo = fifo, .console = console, .preserve_fds = (int)preserve,
                                .filter = filter, .n_filter = n_filter, .created = on_created,
                                .arg = &ctx};
        if (!foreground) {
            /* The caller (a shim, conmon) reaps the process: it becomes theirs once hutch-oci
             * ends. */
        }
        e = run_create(&o, id, &cr);
        if (e == 0 && pid_out)
            *pid_out = cr.pid;
    }
    if (e < 0 && made && r.dir >= 0)
        (void)unmake(root, id, r.dir); /* the create's own failure is the one to report */
    else if (e < 0 && made)
        unlinkat(root, id, AT_REMOVEDIR);
    rec_free(&r);
    free(filter);
    oci_config_free(&o, &x);
    free(text);
    return e;
}

static int cmd_create(int argc, char **argv)
{
    struct create_args a = {0};
    const char *id;
    int e = parse_create("create", argc, argv, &a, &id);
    return e < 0 ? e : create(id, &a, false, NULL);
}

/* ---- start, state, kill, delete ---- */

static int signal_container(const struct rec *r, int sig, bool all);

static int start(struct rec *r)
{
    if (r->pid == 0)
        return err_setx(EINVAL, "container %s: its create did not finish (delete it)", r->id);
    enum status s = status_of(r);
    if (s != ST_CREATED)
        return err_setx(EINVAL, s == ST_STOPPED ? "cannot start a container that has stopped"
                                                : "cannot start an already running container");
    char *text;
    size_t len;
    struct run_opts o;
    struct oci_extra x;
    int e = read_file(r->dir, "config.json", "the container's config.json", &text, &len);
    if (e < 0)
        return e;
    e = describe(text, len, r->bundle, &o, &x);
    free(text);
    /* A failing startContainer hook stops the container, as the spec orders; delete follows. */
    struct sock_filter *filter = NULL;
    size_t n_filter = 0;
    if (e == 0 && o.more.n_hooks[HOOK_START_CONTAINER])
        e = compile_filter(&o, &filter, &n_filter);
    if (e == 0 && (e = run_hooks(&o, HOOK_START_CONTAINER, r, ST_CREATED, HOOK_INSIDE, true,
                                 filter, n_filter)) < 0)
        signal_container(r, SIGKILL, true);
    free(filter);
    int fifo = e < 0 ? -1 : openat(r->dir, "exec.fifo", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (e == 0 && fifo < 0)
        e = errno == ENXIO ? err_setx(ESRCH, "container %s: container not running (its process "
                                             "is gone)", r->id)
                           : err_set(errno, "container %s: exec.fifo", r->id);
    if (e == 0 && write(fifo, "0", 1) != 1)
        e = err_set(errno, "container %s: start", r->id);
    if (fifo >= 0)
        close(fifo);
    if (e == 0) {
        unlinkat(r->dir, "exec.fifo", 0);
        run_hooks(&o, HOOK_POSTSTART, r, ST_RUNNING, HOOK_HOST, false, NULL, 0);
    }
    oci_config_free(&o, &x);
    return e;
}

static int one_id(const char *cmd, int argc, char **argv, const struct opt *opts,
                  const char **id)
{
    int i = opts ? parse_opts(cmd, argc, argv, 1, opts) : 1;
    if (i < 0)
        return i;
    if (i != argc - 1)
        return err_setx(EINVAL, "%s: exactly one container id expected", cmd);
    *id = argv[i];
    return 0;
}

static int cmd_start(int argc, char **argv)
{
    const char *id;
    struct rec r;
    int e = one_id("start", argc, argv, NULL, &id);
    if (e == 0 && (e = load_rec(id, &r)) == 0) {
        if ((e = lock_rec(&r)) == 0)
            e = start(&r);
        rec_free(&r);
    }
    return e;
}

static int cmd_state(int argc, char **argv)
{
    const char *id;
    struct rec r;
    int e = one_id("state", argc, argv, NULL, &id);
    if (e == 0 && (e = load_rec(id, &r)) == 0) {
        put_state(stdout, &r, status_of(&r));
        fputc('\n', stdout);
        rec_free(&r);
    }
    return e;
}

/* Signal SIG to the container's process (and with ALL to every process of its cgroup). */
static int signal_container(const struct rec *r, int sig, bool all)
{
    int pfd SYS_AUTO_CLOSE = sys_pidfd_open(r->pid, 0);
    /* The pidfd names the process for good: checked once, it cannot be another one later.
     * Kernels before 5.3 have none: the pid, checked just before. */
    if ((pfd < 0 && errno != ENOSYS) || !alive(r))
        return -ESRCH; /* no message: the caller says what that means */
    if (all && r->cgroup[0]) {
        pid_t pids[4096];
        int n = cgroup_pids_path(r->cgroup, pids, sizeof pids / sizeof *pids);
        for (int i = 0; i < n; i++)
            if (pids[i] != r->pid)
                kill(pids[i], sig);
    }
    if ((pfd >= 0 ? sys_pidfd_send_signal(pfd, sig) : kill(r->pid, sig)) < 0 && errno != ESRCH)
        return err_set(errno, "signal the container %s", r->id);
    return 0;
}

static int cmd_kill(int argc, char **argv)
{
    bool all = false;
    const struct opt opts[] = {{"all", 'a', OPT_FLAG, &all}, {NULL, 0, 0, NULL}};
    int i = parse_opts("kill", argc, argv, 1, opts);
    if (i < 0)
        return i;
    if (i >= argc || argc - i > 2)
        return err_setx(EINVAL, "kill: kill [--all] ID [SIGNAL]");
    int sig = SIGTERM;
    if (argc - i == 2 && (sig = cli_parse_signal(argv[i + 1])) < 0)
        return sig;
    struct rec r;
    int e = load_rec(argv[i], &r);
    if (e < 0)
        return e;
    e = status_of(&r) == ST_STOPPED ? -ESRCH : signal_container(&r, sig, all);
    if (e == -ESRCH)
        e = err_setx(ESRCH, "container %s: container not running", r.id);
    rec_free(&r);
    return e;
}

/* Until the container's process is gone (a zombie counts: its reaper is the caller's). */
static int wait_gone(const struct rec *r, int ms)
{
    for (int t = 0; t < ms && alive(r); t++)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    return alive(r) ? err_setx(EBUSY, "container %s: its process did not end", r->id) : 0;
}

static int destroy(struct rec *r, bool force)
{
    /* The caller holds the lock: a state without a process is one whose create ended. */
    enum status s = r->pid == 0 ? ST_STOPPED : status_of(r);
    int e = 0;
    /* A created container's process never ran the user's program: delete ends it, as runc's
     * (containerd's shim deletes it so, without --force). */
    if (s != ST_STOPPED && s != ST_CREATED && !force)
        return err_setx(EBUSY, "cannot delete container %s that is not stopped: %s (use "
                               "--force)", r->id, status_names[s]);
    if (s != ST_STOPPED) {
        if ((e = signal_container(r, SIGKILL, true)) < 0 && e != -ESRCH)
            return e;
        if (s == ST_PAUSED && (e = cgroup_freeze_path(r->cgroup, false)) < 0)
            return e;
        if ((e = wait_gone(r, 10000)) < 0)
            return e;
    }
    if (r->cgroup[0]) {
        pid_t left[256];
        int n = cgroup_pids_path(r->cgroup, left, 256);
        for (int i = 0; i < n; i++)
            kill(left[i], SIGKILL);
        if ((e = cgroup_remove_path(r->cgroup)) < 0)
            return e;
    }
    char *text;
    size_t len;
    if (read_file(r->dir, "config.json", "config.json", &text, &len) == 0) {
        struct run_opts o;
        struct oci_extra x;
        if (describe(text, len, r->bundle, &o, &x) == 0)
            run_hooks(&o, HOOK_POSTSTOP, r, ST_STOPPED, HOOK_HOST, false, NULL, 0);
        oci_config_free(&o, &x);
        free(text);
    }
    int root SYS_AUTO_CLOSE = open_root(false);
    if (root == -ENOENT)
        return 0; /* somebody removed all of --root meanwhile */
    return root < 0 ? root : unmake(root, r->id, r->dir);
}

static int cmd_delete(int argc, char **argv)
{
    bool force = false;
    const struct opt opts[] = {{"force", 'f', OPT_FLAG, &force}, {NULL, 0, 0, NULL}};
    const char *id;
    struct rec r;
    int e = one_id("delete", argc, argv, opts, &id);
    if (e == 0 && (e = load_rec(id, &r)) == 0) {
        if ((e = lock_rec(&r)) == 0)
            e = destroy(&r, force);
        rec_free(&r);
    }
    return e;
}

/* ---- pause, resume, ps, update ---- */

static int cmd_freeze(int argc, char **argv, bool freeze)
{
    const char *id;
    struct rec r;
    int e = one_id(argv[0], argc, argv, NULL, &id);
    if (e < 0 || (e = load_rec(id, &r)) < 0)
        return e;
    enum status s = status_of(&r);
    if (!r.cgroup[0])
        e = err_setx(EOPNOTSUPP, "container %s has no cgroup (linux.cgroupsPath) to freeze", id);
    else if (freeze && s != ST_RUNNING)
        e = err_setx(EINVAL, "container %s: container not running", id);
    else if (!freeze && s != ST_PAUSED)
        e = err_setx(EINVAL, "container %s: container not paused", id);
    else
        e = cgroup_freeze_path(r.cgroup, freeze);
    rec_free(&r);
    return e;
}

static int cmd_ps(int argc, char **argv)
{
    const char *format = "table", *id;
    const struct opt opts[] = {{"format", 'f', OPT_STRING, &format}, {NULL, 0, 0, NULL}};
    int i = parse_opts("ps", argc, argv, 1, opts);
    if (i < 0)
        return i;
    if (i >= argc)
        return err_setx(EINVAL, "ps: ps [--format table|json] ID");
    id = argv[i];
    if (strcmp(format, "table") && strcmp(format, "json"))
        return err_setx(EINVAL, "ps: --format %s: table or json", format);
    struct rec r;
    int e = load_rec(id, &r);
    if (e < 0)
        return e;
    static pid_t pids[65536];
    int n = 0;
    if (status_of(&r) == ST_STOPPED)
        n = 0;
    else if (r.cgroup[0])
        n = cgroup_pids_path(r.cgroup, pids, sizeof pids / sizeof *pids);
    else
        pids[n++] = r.pid;
    if (n < 0)
        n = 0;
    if (strcmp(format, "json") == 0) {
        fputc('[', stdout);
        for (int k = 0; k < n; k++)
            printf("%s%d", k ? "," : "", (int)pids[k]);
        fputs("]\n", stdout);
    } else {
        printf("%-8s %s\n", "PID", "CMD");
        for (int k = 0; k < n; k++) {
            char path[64], comm[64] = "?";
            snprintf(path, sizeof path, "/proc/%d/comm", (int)pids[k]);
            if (sys_read_text(path, comm, sizeof comm) > 0)
                comm[strcspn(comm, "\n")] = '\0';
            printf("%-8d %s\n", (int)pids[k], comm);
        }
    }
    rec_free(&r);
    return 0;
}

static int cmd_update(int argc, char **argv)
{
    const char *resources = NULL, *id;
    const struct opt opts[] = {{"resources", 'r', OPT_STRING, &resources}, {NULL, 0, 0, NULL}};
    int e = one_id("update", argc, argv, opts, &id);
    if (e < 0)
        return e;
    if (!resources)
        return err_setx(EINVAL, "update: --resources FILE (or - for stdin) is what hutch-oci "
                                "takes");
    char *text = NULL;
    size_t len = 0;
    if (strcmp(resources, "-") == 0) {
        FILE *m = open_memstream(&text, &len);
        char buf[4096];
        size_t n;
        while (m && (n = fread(buf, 1, sizeof buf, stdin)) > 0 && len < JSON_MAX_BYTES)
            fwrite(buf, 1, n, m);
        if (m)
            fclose(m);
        if (!text)
            return err_set(ENOMEM, "update");
    } else if ((e = read_file(AT_FDCWD, resources, resources, &text, &len)) < 0) {
        return e;
    }
    struct rec r;
    struct run_opts o = {0};
    if ((e = load_rec(id, &r)) == 0) {
        if (!r.cgroup[0])
            e = err_setx(EOPNOTSUPP, "container %s has no cgroup (linux.cgroupsPath)", id);
        else if ((e = oci_resources_parse(text, len, &o)) == 0) {
            struct cgroup_limits lim = {
                .memory = o.limits.memory, .pids = o.limits.pids,
                .cpu_quota_us = o.limits.cpu_quota_us, .cpuset = o.limits.cpuset,
                .cpu_shares = o.more.cpu_shares, .cpu_period_us = o.more.cpu_period,
                .memory_swap = o.more.memory_swap,
                .cpu_mems = o.more.cpu_mems, .unified = o.more.unified,
                .n_unified = o.more.n_unified};
            e = cgroup_update_path(r.cgroup, &lim);
        }
        rec_free(&r);
    }
    struct oci_extra x = {0};
    oci_config_free(&o, &x);
    free(text);
    return e;
}

/* ---- exec ---- */

static int cmd_exec(int argc, char **argv)
{
    const char *process = NULL, *pid_file = NULL, *console = NULL, *cwd = NULL, *user = NULL,
               *preserve = NULL;
    bool detach = false, tty = false, nnp = false, ignore_paused = false;
    struct strlist env = {0}, caps = {0}, gids = {0};
    const char *label = NULL, *apparmor = NULL;
    const struct opt opts[] = {
        {"process", 'p', OPT_STRING, &process}, {"pid-file", 0, OPT_STRING, &pid_file},
        {"console-socket", 0, OPT_STRING, &console}, {"detach", 'd', OPT_FLAG, &detach},
        {"tty", 't', OPT_FLAG, &tty}, {"cwd", 0, OPT_STRING, &cwd},
        {"env", 'e', OPT_LIST, &env}, {"user", 'u', OPT_STRING, &user},
        {"cap", 'c', OPT_LIST, &caps}, {"additional-gids", 'g', OPT_LIST, &gids},
        {"no-new-privs", 0, OPT_FLAG, &nnp}, {"preserve-fds", 0, OPT_STRING, &preserve},
        {"process-label", 0, OPT_STRING, &label}, {"apparmor", 0, OPT_STRING, &apparmor},
        {"ignore-paused", 0, OPT_FLAG, &ignore_paused}, {NULL, 0, 0, NULL}};
    int i = parse_opts("exec", argc, argv, 1, opts), e;
    if (i < 0)
        return i;
    if (i >= argc)
        return err_setx(EINVAL, "exec: exec [OPTIONS] ID [COMMAND ARG...]");
    const char *id = argv[i++];
    if (!process && i >= argc)
        return err_setx(EINVAL, "exec: a command, or --process FILE");
    if ((label && *label) || (apparmor && *apparmor && apparmor_on()))
        return err_setx(EOPNOTSUPP, "exec: SELinux labels and AppArmor profiles are not "
                                    "supported by hutch");
    unsigned long n_preserve = 0;
    if (preserve && (e = number("--preserve-fds", preserve, 1024, &n_preserve)) < 0)
        return e;
    struct rec r;
    if ((e = load_rec(id, &r)) < 0)
        return e;
    enum status s = status_of(&r);
    char *text = NULL;
    size_t len;
    struct run_opts o = {0};
    struct oci_extra x = {0};
    struct sock_filter *filter = NULL;
    size_t n_filter = 0;
    int cons SYS_AUTO_CLOSE = -1, chan[2] = {-1, -1};
    if (s == ST_STOPPED)
        e = err_setx(ESRCH, "container %s: container not running (cannot exec in a stopped "
                            "container)", id);
    else if (s == ST_PAUSED && !ignore_paused)
        e = err_setx(EBUSY, "container %s is paused: cannot exec in a paused container", id);
    if (e == 0 && (e = read_file(r.dir, "config.json", "the container's config.json", &text, &len)) == 0)
        e = describe(text, len, r.bundle, &o, &x);
    if (e == 0 && process) {
        char *ptext;
        size_t plen;
        struct oci_host host = {r.bundle, caps_own(), apparmor_on()};
        if ((e = read_file(AT_FDCWD, process, process, &ptext, &plen)) == 0) {
            e = oci_process_parse(ptext, plen, &host, &o);
            free(ptext);
        }
    } else if (e == 0) {
        o.argv = argv + i;
        o.tty = tty;
        if (cwd)
            o.workdir = cwd;
        const char **all = malloc((o.n_env + env.n + 1) * sizeof *all);
        if (!all) {
            e = err_set(ENOMEM, "exec");
        } else {
            memcpy(all, o.env, o.n_env * sizeof *all);
            for (size_t k = 0; k < env.n; k++) {
                const char *eq = strchr(env.v[k], '=');
                if (!eq) {
                    e = err_setx(EINVAL, "exec: --env %s is not KEY=VALUE", env.v[k]);
                    continue;
                }
                size_t q, key = (size_t)(eq - env.v[k]) + 1;
                for (q = 0; q < o.n_env && strncmp(all[q], env.v[k], key) != 0; q++)
                    ;
                all[q] = env.v[k]; /* the later one of a key wins */
                if (q == o.n_env)
                    o.n_env++;
            }
            all[o.n_env] = NULL;
            free(o.env);
            o.env = all;
        }
        if (e == 0 && user) {
            unsigned long uid, gid = 0;
            char u[64];
            snprintf(u, sizeof u, "%s", user);
            char *colon = strchr(u, ':');
            if (colon)
                *colon++ = '\0';
            if (command_parse_id(u, &uid) < 0 || (colon && command_parse_id(colon, &gid) < 0))
                e = err_setx(EINVAL, "exec: --user %s: UID[:GID], in numbers", user);
            o.more.uid = (uid_t)uid;
            o.more.gid = (gid_t)gid;
            o.more.n_groups = 0;
        }
        for (size_t k = 0; e == 0 && k < caps.n; k++) {
            int cap = caps_from_name(caps.v[k]);
            if (cap < 0)
                e = err_setx(EINVAL, "exec: --cap %s: unknown capability", caps.v[k]);
            else
                for (int set = 0; set < N_CAPSETS; set++)
                    if (set != CAPSET_AMBIENT)
                        o.more.capsets[set] |= CAPS_BIT(cap) & caps_own();
        }
        if (gids.n) {
            static gid_t groups[64];
            for (size_t k = 0; e == 0 && k < gids.n; k++) {
                unsigned long gid;
                if (command_parse_id(gids.v[k], &gid) < 0)
                    e = err_setx(EINVAL, "exec: --additional-gids %s", gids.v[k]);
                groups[k] = (gid_t)gid;
            }
            o.more.groups = groups;
            o.more.n_groups = gids.n;
        }
        if (nnp)
            o.more.no_new_privs = true;
    }
    if (e == 0 && o.tty && !console)
        e = err_setx(EINVAL, "exec: a terminal needs --console-socket");
    if (e == 0)
        e = compile_filter(&o, &filter, &n_filter);
    /* Nothing of the caller's but stdin, stdout, stderr (and what it preserves) once in the
     * container's namespaces (CVE-2016-9962); nothing inside may trace this process. */
    if (e == 0) {
        sys_close_fds_from(3 + (int)n_preserve, g.log_fd);
        r.dir = -1;
    }
    if (e == 0)
        e = sys_undumpable();
    if (e == 0 && console && (cons = console_connect(console)) < 0)
        e = cons;
    const char *pid_name = NULL;
    int pdir SYS_AUTO_CLOSE = -1;
    if (e == 0 && pid_file && (pdir = pid_dir(pid_file, &pid_name)) < 0)
        e = pdir;
    if (e == 0 && r.cgroup[0])
        e = cgroup_join_path(r.cgroup, getpid());
    bool in_userns = false;
    if (e == 0)
        e = join_container(&r, &in_userns, true);
    if (e == 0)
        e = chan_pair(chan);
    pid_t pid = -1;
    if (e == 0 && (pid = fork()) < 0)
        e = err_set(errno, "fork");
    if (pid == 0) {
        close(chan[0]);
        if (cons >= 0)
            close(cons);
        if (pdir >= 0)
            close(pdir);
        if (in_userns && userns_become_root() < 0)
            chan_fail(chan[1], 125);
        if (o.tty)
            setsid();
        struct command cmd;
        struct command_spec spec = {.argv = o.argv, .workdir = o.workdir, .hostname = "",
                                    .chan = chan[1], .tty = o.tty};
        if (command_prepare(&cmd, &spec) < 0)
            chan_fail(chan[1], 125);
        free(cmd.envp);
        static char *no_env[] = {NULL};
        cmd.envp = o.env ? (char **)o.env : no_env;
        int f = command_find(o.argv[0], cmd.envp);
        if (f < 0) {
            if (f == -ENOENT)
                err_setx(ENOENT, "exec: \"%s\": executable file not found in $PATH", o.argv[0]);
            else
                err_setx(EACCES, "exec: \"%s\": permission denied", o.argv[0]);
            chan_fail(chan[1], f == -ENOENT ? 127 : 126);
        }
        /* The channel closes (close-on-exec) once it runs; a failure before comes over it. */
        command_exec_described(&cmd, &o.more, filter, n_filter, (int)n_preserve);
    }
    if (chan[1] >= 0)
        close(chan[1]);
    /* Its messages: the terminal's master (to the console socket), a failure, or end of file
     * once it runs. */
    while (e == 0) {
        struct chan_msg m;
        int fd = -1, got = chan_recv(chan[0], &m, true, &fd);
        if (got <= 0)
            break;
        if (m.kind == CHAN_TTY && fd >= 0 && cons >= 0)
            e = chan_send(cons, CHAN_TTY, 0, "", fd) < 0 ? err_set(EIO, "--console-socket") : 0;
        if (fd >= 0)
            close(fd);
        if (m.kind == CHAN_ERROR) {
            m.text[sizeof m.text - 1] = '\0';
            e = err_setx(m.code == 127 ? ENOENT : EIO, "%s", m.text);
        }
    }
    if (chan[0] >= 0)
        close(chan[0]);
    int status = 0;
    if (e == 0 && pid_file)
        e = put_pid(pdir, pid_name, pid_file, pid);
    if (e < 0 && pid > 0) {
        kill(pid, SIGKILL); /* reported as failed: nothing of it goes on */
        waitpid(pid, NULL, 0);
    }
    if (e == 0 && !detach) {
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        e = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    free(filter);
    oci_config_free(&o, &x);
    free(text);
    rec_free(&r);
    return e;
}

/* ---- run, list, spec, features ---- */

static int cmd_run(int argc, char **argv)
{
    struct create_args a = {0};
    const char *id;
    pid_t pid;
    int e = parse_create("run", argc, argv, &a, &id);
    if (e < 0 || (e = create(id, &a, true, &pid)) < 0)
        return e;
    struct rec r;
    if ((e = load_rec(id, &r)) < 0)
        return e;
    e = start(&r);
    if (e == 0 && a.detach) {
        rec_free(&r);
        return 0;
    }
    int status = 0;
    if (e == 0)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (!a.keep) {
        int d = destroy(&r, true);
        if (e == 0 && d < 0)
            e = d;
    }
    rec_free(&r);
    return e < 0 ? e : code;
}

static int cmd_list(int argc, char **argv)
{
    const char *format = "table";
    bool quiet = false;
    const struct opt opts[] = {{"format", 'f', OPT_STRING, &format}, {"quiet", 'q', OPT_FLAG, &quiet},
                               {NULL, 0, 0, NULL}};
    int i = parse_opts("list", argc, argv, 1, opts);
    if (i < 0)
        return i;
    bool json = strcmp(format, "json") == 0;
    int root = open_root(false);
    if (root == -ENOENT) {
        if (json)
            puts("null");
        else if (!quiet)
            puts("ID          PID         STATUS      BUNDLE      CREATED     OWNER");
        return 0;
    }
    if (root < 0)
        return root;
    DIR *d = fdopendir(root);
    if (!d) {
        close(root);
        return err_set(errno, "--root %s", g.root);
    }
    if (json)
        fputc('[', stdout);
    else if (!quiet)
        printf("%-12s%-12s%-12s%-40s%-32s%s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED",
               "OWNER");
    struct dirent *ent;
    int n = 0;
    while ((ent = readdir(d))) {
        struct rec r;
        if (!id_ok(ent->d_name) || load_rec_q(ent->d_name, &r, true) < 0)
            continue;
        enum status s = status_of(&r);
        if (json) {
            if (n++)
                fputc(',', stdout);
            put_state(stdout, &r, s);
        } else if (quiet) {
            puts(r.id);
        } else {
            printf("%-12s%-12d%-12s%-40s%-32s%s\n", r.id, s == ST_STOPPED ? 0 : (int)r.pid,
                   status_names[s], r.bundle, r.created, "root");
        }
        rec_free(&r);
    }
    closedir(d);
    if (json)
        puts("]");
    return 0;
}

static const char spec_template[] =
    "{\n"
    "  \"ociVersion\": \"" OCI_SPEC_VERSION "\",\n"
    "  \"process\": {\n"
    "    \"terminal\": false,\n"
    "    \"user\": {\"uid\": 0, \"gid\": 0},\n"
    "    \"args\": [\"sh\"],\n"
    "    \"env\": [\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\", "
    "\"TERM=xterm\"],\n"
    "    \"cwd\": \"/\",\n"
    "    \"capabilities\": {\n"
    "      \"bounding\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
    "      \"effective\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
    "      \"permitted\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]\n"
    "    },\n"
    "    \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024}],\n"
    "    \"noNewPrivileges\": true\n"
    "  },\n"
    "  \"root\": {\"path\": \"rootfs\", \"readonly\": true},\n"
    "  \"hostname\": \"hutch\",\n"
    "  \"mounts\": [\n"
    "    {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
    "    {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": "
    "[\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},\n"
    "    {\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\", "
    "\"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\"%s]},\n"
    "    {\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\", \"options\": "
    "[\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]},\n"
    "    {\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\", "
    "\"options\": [\"nosuid\", \"noexec\", \"nodev\"]},\n"
    "    {\"destination\": \"/sys\", %s, \"options\": "
    "[\"nosuid\", \"noexec\", \"nodev\", \"ro\"%s]}%s\n"
    "  ],\n"
    "  \"linux\": {\n"
    "%s"
    "    \"maskedPaths\": [\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\", "
    "\"/proc/latency_stats\", \"/proc/timer_list\", \"/proc/timer_stats\", "
    "\"/proc/sched_debug\", \"/sys/firmware\", \"/proc/scsi\"],\n"
    "    \"readonlyPaths\": [\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", "
    "\"/proc/sysrq-trigger\"],\n"
    "    \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"}, "
    "{\"type\": \"uts\"}, {\"type\": \"mount\"}, {\"type\": \"cgroup\"}%s]\n"
    "  }\n"
    "}\n";

static int cmd_spec(int argc, char **argv)
{
    const char *bundle = ".";
    bool rootless = false;
    const struct opt opts[] = {{"bundle", 'b', OPT_STRING, &bundle}, {"rootless", 0, OPT_FLAG, &rootless},
                               {NULL, 0, 0, NULL}};
    int i = parse_opts("spec", argc, argv, 1, opts);
    if (i < 0)
        return i;
    if (i != argc)
        return err_setx(EINVAL, "spec: spec [--rootless] [--bundle DIR]");
    int dir SYS_AUTO_CLOSE = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return err_set(errno, "--bundle %s", bundle);
    char maps[256] = "";
    if (rootless)
        snprintf(maps, sizeof maps,
                 "    \"uidMappings\": [{\"containerID\": 0, \"hostID\": %u, \"size\": 1}],\n"
                 "    \"gidMappings\": [{\"containerID\": 0, \"hostID\": %u, \"size\": 1}],\n",
                 (unsigned)geteuid(), (unsigned)getegid());
    else
        snprintf(maps, sizeof maps, "    \"resources\": {\"devices\": [{\"allow\": false, "
                                    "\"access\": \"rwm\"}]},\n");
    char *text;
    int n = asprintf(&text, spec_template, rootless ? "" : ", \"gid=5\"",
                     rootless ? "\"type\": \"bind\", \"source\": \"/sys\""
                              : "\"type\": \"sysfs\", \"source\": \"sysfs\"",
                     rootless ? ", \"rbind\"" : "",
                     rootless ? "" : ",\n    {\"destination\": \"/sys/fs/cgroup\", \"type\": "
                                     "\"cgroup\", \"source\": \"cgroup\", \"options\": "
                                     "[\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"]}",
                     maps, rootless ? ", {\"type\": \"user\"}" : "");
    if (n < 0)
        return err_set(ENOMEM, "spec");
    int fd = openat(dir, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        free(text);
        return errno == EEXIST ? err_setx(EEXIST, "File config.json exists. Remove it first")
                               : err_set(errno, "config.json");
    }
    ssize_t w = write(fd, text, (size_t)n);
    close(fd);
    free(text);
    return w == n ? 0 : err_set(EIO, "write config.json");
}

static int cmd_features(void)
{
    printf("{\"ociVersionMin\":\"1.0.0\",\"ociVersionMax\":\"1.1.0\","
           "\"hooks\":[\"prestart\",\"createRuntime\",\"createContainer\",\"startContainer\","
           "\"poststart\",\"poststop\"],\"mountOptions\":[");
    const char *mo[] = {"defaults", "rw", "ro", "suid", "nosuid", "dev", "nodev", "exec",
                        "noexec", "sync", "async", "dirsync", "mand", "nomand", "atime",
                        "noatime", "diratime", "nodiratime", "relatime", "norelatime",
                        "strictatime", "nostrictatime", "bind", "rbind", "private", "rprivate",
                        "shared", "rshared", "slave", "rslave", "unbindable", "runbindable"};
    for (size_t i = 0; i < sizeof mo / sizeof *mo; i++)
        printf("%s\"%s\"", i ? "," : "", mo[i]);
    printf("],\"linux\":{\"namespaces\":[\"cgroup\",\"ipc\",\"mount\",\"network\",\"pid\","
           "\"user\",\"uts\"],\"capabilities\":[");
    int k = 0;
    for (int cap = 0; caps_name(cap); cap++)
        printf("%s\"CAP_%s\"", k++ ? "," : "", caps_name(cap));
    printf("],\"cgroup\":{\"v1\":true,\"v2\":true,\"systemd\":false,\"systemdUser\":false},"
           "\"seccomp\":{\"enabled\":true,\"actions\":[\"SCMP_ACT_ALLOW\",\"SCMP_ACT_ERRNO\","
           "\"SCMP_ACT_KILL\",\"SCMP_ACT_KILL_PROCESS\",\"SCMP_ACT_KILL_THREAD\","
           "\"SCMP_ACT_LOG\",\"SCMP_ACT_TRACE\",\"SCMP_ACT_TRAP\"],\"operators\":["
           "\"SCMP_CMP_EQ\",\"SCMP_CMP_GE\",\"SCMP_CMP_GT\",\"SCMP_CMP_LE\",\"SCMP_CMP_LT\","
           "\"SCMP_CMP_MASKED_EQ\",\"SCMP_CMP_NE\"],\"archs\":[\"%s\"]},"
           "\"apparmor\":{\"enabled\":false},\"selinux\":{\"enabled\":false}},"
           "\"annotations\":{\"org.hutch.version\":\"%s\"}}\n",
#if defined(__x86_64__)
           "SCMP_ARCH_X86_64",
#elif defined(__aarch64__)
           "SCMP_ARCH_AARCH64",
#elif defined(__arm__)
           "SCMP_ARCH_ARM",
#else
           "SCMP_ARCH_NATIVE",
#endif
           HUTCH_VERSION);
    return 0;
}

static void usage(FILE *out)
{
    fputs("Usage: hutch-oci [GLOBAL OPTIONS] COMMAND [OPTIONS] ID\n"
          "hutch as an OCI runtime, with runc's command line (for containerd, podman, CRI-O).\n\n"
          "Global options:\n"
          "  --root DIR          the containers' state (default " OCI_ROOT_DEFAULT ")\n"
          "  --log FILE          errors (and warnings) appended to FILE too\n"
          "  --log-format F      text (default) or json: one object a line, level, msg, time\n"
          "  --debug             debug lines in the log\n"
          "  --systemd-cgroup    refused: hutch manages cgroups itself (cgroupfs)\n"
          "  --rootless B        true, false or auto: accepted; hutch decides by its user\n\n"
          "Commands:\n"
          "  create --bundle DIR [--pid-file F] [--console-socket S] [--preserve-fds N] ID\n"
          "  start ID            run the created container's process\n"
          "  state ID            its state, as the runtime-spec's JSON\n"
          "  kill [--all] ID [SIGNAL]   default SIGTERM\n"
          "  delete [--force] ID\n"
          "  exec [--process F | OPTIONS] ID [COMMAND ARG...]\n"
          "  ps [--format table|json] ID\n"
          "  pause ID, resume ID\n"
          "  update --resources F|- ID\n"
          "  run [--bundle DIR] [--detach] ID   create and start, and wait (foreground)\n"
          "  list [--format table|json] [-q]\n"
          "  spec [--rootless] [--bundle DIR]   write a config.json for a BusyBox bundle\n"
          "  features            what the runtime supports, as JSON\n",
          out);
}

int oci_main(int argc, char **argv)
{
    const struct opt global[] = {
        {"root", 0, OPT_STRING, &g.root}, {"log", 0, OPT_STRING, &g.log},
        {"log-format", 0, OPT_STRING, NULL}, {"debug", 0, OPT_FLAG, &g.debug},
        {"systemd-cgroup", 0, OPT_FLAG, NULL}, {"rootless", 0, OPT_STRING, NULL},
        {"criu", 0, OPT_STRING, NULL}, {"help", 'h', OPT_FLAG, NULL},
        {"version", 'v', OPT_FLAG, NULL}, {NULL, 0, 0, NULL}};
    const char *format = "text", *rootless = NULL, *criu = NULL;
    bool systemd = false, help = false, version = false;
    struct opt opts[sizeof global / sizeof *global];
    memcpy(opts, global, sizeof opts);
    opts[2].dst = &format;
    opts[4].dst = &systemd;
    opts[5].dst = &rootless;
    opts[6].dst = &criu;
    opts[7].dst = &help;
    opts[8].dst = &version;
    int i = parse_opts("hutch-oci", argc, argv, 1, opts);
    g.json = strcmp(format, "json") == 0;
    if (i < 0)
        return i;
    if (strcmp(format, "text") && strcmp(format, "json"))
        return err_setx(EINVAL, "--log-format %s: text or json", format);
    if (g.root[0] != '/')
        return err_setx(EINVAL, "--root %s: an absolute path expected", g.root);
    /* Non-blocking: a FIFO there must not hold hutch-oci up. */
    if (g.log)
        g.log_fd = open(g.log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK,
                        0600);
    if (version || (i < argc && strcmp(argv[i], "version") == 0)) {
        printf("hutch-oci version %s\nspec: %s\n", HUTCH_VERSION, OCI_SPEC_VERSION);
        return 0;
    }
    if (help || i >= argc || strcmp(argv[i], "help") == 0) {
        usage(stdout);
        return i >= argc && !help ? err_setx(EINVAL, "a command expected") : 0;
    }
    if (systemd)
        return err_setx(EOPNOTSUPP, "--systemd-cgroup is not supported: hutch manages cgroups "
                                    "itself (set the engine's cgroup manager to cgroupfs)");
    if (rootless && strcmp(rootless, "true") && strcmp(rootless, "false") && strcmp(rootless, "auto"))
        return err_setx(EINVAL, "--rootless %s: true, false or auto", rootless);
    if (g.debug) {
        char line[512] = "";
        for (int k = i; k < argc; k++) {
            size_t l = strlen(line);
            snprintf(line + l, sizeof line - l, "%s%s", k > i ? " " : "", argv[k]);
        }
        log_line("debug", line);
    }
    const char *cmd = argv[i];
    argc -= i;
    argv += i;
    if (strcmp(cmd, "create") == 0)
        return cmd_create(argc, argv);
    if (strcmp(cmd, "start") == 0)
        return cmd_start(argc, argv);
    if (strcmp(cmd, "state") == 0)
        return cmd_state(argc, argv);
    if (strcmp(cmd, "kill") == 0)
        return cmd_kill(argc, argv);
    if (strcmp(cmd, "delete") == 0)
        return cmd_delete(argc, argv);
    if (strcmp(cmd, "exec") == 0)
        return cmd_exec(argc, argv);
    if (strcmp(cmd, "ps") == 0)
        return cmd_ps(argc, argv);
    if (strcmp(cmd, "pause") == 0)
        return cmd_freeze(argc, argv, true);
    if (strcmp(cmd, "resume") == 0)
        return cmd_freeze(argc, argv, false);
    if (strcmp(cmd, "update") == 0)
        return cmd_update(argc, argv);
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc, argv);
    if (strcmp(cmd, "list") == 0)
        return cmd_list(argc, argv);
    if (strcmp(cmd, "spec") == 0)
        return cmd_spec(argc, argv);
    if (strcmp(cmd, "features") == 0)
        return cmd_features();
    return err_setx(EINVAL, "unknown command %s (hutch-oci --help lists them)", cmd);
}
