#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "sys.h"

/* Every file here is opened relative to the directory descriptors, never following a symlink:
 * the state directory must be the caller's own, and nothing in it is trusted further. */

const char *state_base(void)
{
    static char base[200];
    const char *env = getenv("HUTCH_STATE_DIR");
    if (env && *env)
        snprintf(base, sizeof base, "%s", env);
    else if (geteuid() == 0)
        snprintf(base, sizeof base, "/run/hutch");
    else if ((env = getenv("XDG_RUNTIME_DIR")) && *env)
        snprintf(base, sizeof base, "%s/hutch", env);
    else
        snprintf(base, sizeof base, "/tmp/hutch-%u", (unsigned)geteuid());
    return base;
}

/* The base directory, made when CREATE (0700), and checked: a directory (not a symlink to one)
 * of the caller's that nobody else may write, and for an ordinary user nobody else may enter
 * (another user who could would plant a symlink there). -ENOENT (no message) when it is not
 * there and not to be made. */
static int open_base(bool create)
{
    const char *base = state_base();
    if (create) {
        char parent[256];
        snprintf(parent, sizeof parent, "%s", base);
        char *slash = strrchr(parent, '/');
        if (slash && slash != parent) {
            *slash = '\0';
            int r = sys_make_dirs(parent, 0755);
            if (r < 0)
                return err_set(-r, "state directory %s (set HUTCH_STATE_DIR to a writable place)",
                               base);
        }
        if (mkdir(base, 0700) < 0 && errno != EEXIST)
            return err_set(errno, "state directory %s (set HUTCH_STATE_DIR to a writable place)",
                           base);
    }
    int fd SYS_AUTO_CLOSE = open(base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT && !create)
            return -ENOENT;
        if (errno == ELOOP || errno == ENOTDIR)
            return err_setx(ENOTDIR, "state directory %s is a symlink or not a directory: refused "
                                     "(remove it, or set HUTCH_STATE_DIR)", base);
        return err_set(errno, "state directory %s", base);
    }
    struct stat st;
    if (fstat(fd, &st) < 0)
        return err_set(errno, "state directory %s", base);
    uid_t me = geteuid();
    if (st.st_uid != me)
        return err_setx(EPERM, "state directory %s belongs to uid %u, not to you (uid %u): "
                               "refused (remove it, or set HUTCH_STATE_DIR)", base,
                        (unsigned)st.st_uid, (unsigned)me);
    mode_t others = me == 0 ? 022 : 077;
    if (st.st_mode & others)
        return err_setx(EPERM, "state directory %s has mode %03o: others may %s it (chmod 700 "
                               "it)", base, (unsigned)(st.st_mode & 0777),
                        st.st_mode & 022 ? "write" : "enter");
    return sys_take_fd(&fd);
}

/* NAME's directory in BASE, never through a symlink. */
static int open_dir(int base, const char *name)
{
    int fd = openat(base, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

/* Remove the regular files of DIR (all but KEEP), then, with BASE, the directory NAME. */
static void empty_dir(int dir, const char *keep)
{
    int d = fcntl(dir, F_DUPFD_CLOEXEC, 3);
    DIR *ds = d >= 0 ? fdopendir(d) : NULL;
    if (!ds) {
        if (d >= 0)
            close(d);
        return;
    }
    /* The copy shares the offset of DIR, which an earlier pass may have left at the end. */
    rewinddir(ds);
    struct dirent *e;
    while ((e = readdir(ds)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
            (!keep || strcmp(e->d_name, keep) != 0))
            unlinkat(dir, e->d_name, 0); /* removes a symlink itself, follows none */
    closedir(ds);
}

/* Remove NAME's directory DIR (in BASE) while holding its lock: every file but the lock (twice:
 * a failed unlink, readdir or allocation in the first pass must not leave it), then the lock
 * (again if that failed: it is still ours then), then the directory. Once the lock file is gone
 * another hutch may claim the name with a new one, so nothing is removed after it but the
 * directory, which rmdir leaves when that claimer has put files in it. */
static void remove_locked(int base, const char *name, int dir)
{
    empty_dir(dir, "lock");
    empty_dir(dir, "lock");
    if (unlinkat(dir, "lock", 0) < 0 && errno != ENOENT)
        unlinkat(dir, "lock", 0);
    /* rmdir may be tried again: it takes nothing of a claimer's (a directory with its files is
     * not empty; one that lost its directory first finds it gone, and makes it again). */
    if (unlinkat(base, name, AT_REMOVEDIR) < 0 && errno != ENOENT && errno != ENOTEMPTY)
        unlinkat(base, name, AT_REMOVEDIR);
}

/* Take NAME's lock file in DIR. The fd holding it, -EBUSY when someone else holds it, or
 * -ENOENT (the directory was removed meanwhile). */
static int try_lock(int dir, bool create)
{
    int fd = openat(dir, "lock", O_RDWR | O_NOFOLLOW | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
    if (fd < 0)
        return errno == ELOOP ? -ENOENT : -errno;
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        close(fd);
        return errno == EWOULDBLOCK ? -EBUSY : -errno;
    }
    /* A directory removed between open and lock is not ours to use. */
    struct stat st;
    if (fstat(dir, &st) < 0 || st.st_nlink == 0) {
        close(fd);
        return -ENOENT;
    }
    return fd;
}

static bool check_live(int base, const char *name);

int state_claim(const char *name, struct state *st)
{
    state_none(name, st);
    if (snprintf(st->dir, sizeof st->dir, "%s/%s", state_base(), name) >= (int)sizeof st->dir)
        return err_setx(ENAMETOOLONG, "state directory for %s: path too long", name);
    int base SYS_AUTO_CLOSE = open_base(true);
    if (base < 0)
        return base;
    for (int attempt = 0; attempt < 5; attempt++) {
        if (mkdirat(base, name, 0700) < 0 && errno != EEXIST)
            return err_set(errno, "state directory %s", st->dir);
        int dir SYS_AUTO_CLOSE = open_dir(base, name);
        if (dir == -ENOENT)
            continue;
        if (dir == -ELOOP || dir == -ENOTDIR)
            return err_setx(ENOTDIR, "state directory %s is not a directory: refused (remove it)",
                            st->dir);
        /* From here on a failure takes back the directory it may have made, unless somebody
         * else holds it (check_live removes only what nobody holds). */
        if (dir < 0) {
            int r = err_set(-dir, "state directory %s", st->dir);
            check_live(base, name);
            return r;
        }
        int fd = try_lock(dir, true);
        if (fd == -EBUSY)
            return err_setx(EBUSY, "container name %s is in use (hutch list shows it; choose "
                                   "another --name)", name);
        if (fd == -ENOENT)
            continue; /* someone removed a stale one under us: again */
        if (fd < 0) {
            int r = err_set(-fd, "lock %s/lock", st->dir);
            check_live(base, name);
            return r;
        }
        /* Whatever an earlier, killed owner left here is stale. */
        empty_dir(dir, "lock");
        if (ftruncate(fd, 0) < 0) {
            int r = err_set(errno, "lock %s/lock", st->dir);
            remove_locked(base, name, dir); /* before the lock goes: nobody claims it between */
            close(fd);
            return r;
        }
        st->lock_fd = fd;
        st->dir_fd = sys_take_fd(&dir);
        st->base_fd = sys_take_fd(&base);
        st->claimed = true;
        return 0;
    }
    return err_setx(EAGAIN, "container name %s: its state keeps changing; try again", name);
}

static int write_file(int dir, const char *key, const void *data, size_t len)
{
    char tmp[80];
    snprintf(tmp, sizeof tmp, ".%s.new", key);
    int fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    ssize_t n = write(fd, data, len);
    int e = n == (ssize_t)len ? 0 : n < 0 ? errno : EIO;
    close(fd);
    if (e == 0 && renameat(dir, tmp, dir, key) < 0)
        e = errno;
    if (e)
        unlinkat(dir, tmp, 0);
    return -e;
}

/* The fields live in memory as records "KEY LEN\nVALUE\n" (VALUE may hold NULs: argv fields),
 * and go to the one file `state` on state_commit. */
static int set_field(struct state *st, const char *key, const char *data, size_t len)
{
    if (!st->claimed)
        return 0; /* a container that keeps no state */
    size_t klen = strlen(key);
    /* The old record of KEY goes; the new one is appended. */
    size_t old_at = 0, old_len = 0;
    for (size_t at = 0; at < st->rec_len;) {
        const char *r = st->rec + at;
        size_t n = st->rec_len - at, k = strcspn(r, " ");
        unsigned long v = strtoul(r + k + 1, NULL, 10);
        size_t head = (size_t)((const char *)memchr(r, '\n', n) - r) + 1;
        size_t whole = head + v + 1;
        if (k == klen && memcmp(r, key, klen) == 0) {
            old_at = at;
            old_len = whole;
            break;
        }
        at += whole;
    }
    size_t need = st->rec_len - old_len + klen + 24 + len;
    /* Checked before the old record goes: a value refused leaves the one committed before. */
    if (need > STATE_MAX)
        return err_setx(E2BIG, "state %s/%s: too big", st->dir, key);
    if (old_len) {
        memmove(st->rec + old_at, st->rec + old_at + old_len, st->rec_len - old_at - old_len);
        st->rec_len -= old_len;
    }
    if (need > st->rec_cap) {
        char *grown = realloc(st->rec, need + 256);
        if (!grown)
            return err_set(ENOMEM, "state %s/%s", st->dir, key);
        st->rec = grown;
        st->rec_cap = need + 256;
    }
    st->rec_len += (size_t)sprintf(st->rec + st->rec_len, "%s %zu\n", key, len);
    memcpy(st->rec + st->rec_len, data, len);
    st->rec_len += len;
    st->rec[st->rec_len++] = '\n';
    return 0;
}

int state_commit(struct state *st)
{
    if (!st->claimed)
        return 0;
    int r = write_file(st->dir_fd, "state", st->rec, st->rec_len);
    return r < 0 ? err_set(-r, "state %s/state", st->dir) : 0;
}

int state_put(struct state *st, const char *key, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return err_setx(EINVAL, "state %s", key);
    if ((size_t)n >= sizeof buf)
        n = sizeof buf - 1;
    return set_field(st, key, buf, (size_t)n);
}

int state_put_argv(struct state *st, const char *key, int argc, char **argv)
{
    size_t len = 0;
    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *buf = malloc(len + 1);
    if (!buf)
        return err_set(ENOMEM, "state %s", key);
    char *p = buf;
    for (int i = 0; i < argc; i++) {
        size_t n = strlen(argv[i]) + 1;
        memcpy(p, argv[i], n);
        p += n;
    }
    int r = set_field(st, key, buf, len);
    free(buf);
    return r;
}

static unsigned long long start_time(pid_t pid)
{
    return sys_start_time(pid, NULL);
}

int state_put_pid(struct state *st, const char *key, pid_t pid)
{
    /* Without its start time a pid cannot be told from a later process with the same number:
     * such a state would be refused by everyone who reads it. */
    unsigned long long t = st->claimed ? start_time(pid) : 1;
    if (!t)
        return err_setx(EIO, "state %s/%s: no start time in /proc/%d/stat", st->dir, key,
                        (int)pid);
    return state_put(st, key, "%d %llu", (int)pid, t);
}

void state_none(const char *name, struct state *st)
{
    *st = (struct state){.lock_fd = -1, .dir_fd = -1, .base_fd = -1};
    snprintf(st->name, sizeof st->name, "%s", name);
}

void state_leave(struct state *st)
{
    int *fds[] = {&st->lock_fd, &st->dir_fd, &st->base_fd};
    for (size_t i = 0; i < 3; i++) {
        if (*fds[i] >= 0)
            close(*fds[i]);
        *fds[i] = -1;
    }
    free(st->rec);
    st->rec = NULL;
    st->rec_len = st->rec_cap = 0;
    st->claimed = false;
}

/* Whether a `hutch wait` waits: each one holds a read lock (an open file description lock,
 * which flock's lock does not touch) on the lock file's first byte. */
static bool has_waiters(int lock_fd)
{
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
    return fcntl(lock_fd, F_OFD_GETLK, &fl) < 0 || fl.l_type != F_UNLCK;
}

void state_release(struct state *st, int exit_code)
{
    if (st->lock_fd < 0) {
        state_leave(st);
        return;
    }
    /* For `hutch wait`, only when one waits (a board's flash is spared the write otherwise):
     * they hold the lock file open and read it once the lock is free. The lock file is unlinked
     * first, and only then is it asked whether one waits: a waiter that took its read lock while
     * the file was still there is seen, and reads the code through the inode it holds; one that
     * came later finds an unlinked file and no code, as if it came after the end (state_wait:
     * -ENOENT). Tested before the unlink, a waiter that took its lock between the test and the
     * unlink lost the code of a container it had found running. */
    remove_locked(st->base_fd, st->name, st->dir_fd);
    char code[32];
    int n = snprintf(code, sizeof code, "%d\n", exit_code);
    if (exit_code >= 0 && has_waiters(st->lock_fd) && pwrite(st->lock_fd, code, (size_t)n, 0) < 0) {
        /* nothing more to do: wait reports an unknown end */
    }
    state_leave(st);
}

/* Remove NAME's state when nobody holds it. Returns true when NAME is live. */
static bool check_live(int base, const char *name)
{
    int dir SYS_AUTO_CLOSE = open_dir(base, name);
    if (dir < 0)
        return false;
    int fd = try_lock(dir, false);
    if (fd == -EBUSY)
        return true;
    if (fd >= 0) {
        remove_locked(base, name, dir);
        close(fd);
    } else if (fd == -ENOENT) {
        unlinkat(base, name, AT_REMOVEDIR); /* an empty directory left by a claim half-way */
    }
    return false;
}

static int no_container(const char *name)
{
    return err_setx(ENOENT, "no container named %s (hutch list shows the running ones)", name);
}

/* An open file KEY of the live container NAME (a regular file, never through a symlink), or
 * -ENOENT (no message). */
static int open_field(const char *name, const char *key)
{
    if (cli_check_name("container name", name) < 0)
        return -EINVAL;
    int base SYS_AUTO_CLOSE = open_base(false);
    if (base < 0)
        return base;
    int dir SYS_AUTO_CLOSE = open_dir(base, name);
    int fd SYS_AUTO_CLOSE = dir < 0 ? -1
                            : openat(dir, key, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !check_live(base, name))
        return -ENOENT;
    return sys_take_fd(&fd);
}

bool state_live(const char *name)
{
    int fd SYS_AUTO_CLOSE = open_field(name, "lock");
    return fd >= 0;
}

int state_field(const char *recs, size_t n, const char *key, const char **value, size_t *len)
{
    size_t klen = strlen(key);
    for (size_t at = 0; at < n;) {
        const char *r = recs + at, *nl = memchr(r, '\n', n - at);
        if (!nl)
            return -EINVAL;
        const char *sp = memchr(r, ' ', (size_t)(nl - r));
        if (!sp || sp == r)
            return -EINVAL;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(sp + 1, &end, 10);
        if (errno || end != nl || sp[1] < '0' || sp[1] > '9')
            return -EINVAL;
        size_t head = (size_t)(nl - r) + 1, left = n - at;
        /* a record that runs past the end, or lacks its newline, is a bad state */
        if (v > left || head > left - v || head + v >= left || r[head + v] != '\n')
            return -EINVAL;
        if ((size_t)(sp - r) == klen && memcmp(r, key, klen) == 0) {
            *value = r + head;
            *len = (size_t)v;
            return 0;
        }
        at += head + (size_t)v + 1;
    }
    return -ENOENT;
}

int state_peek(const char *name, const char *key, char *buf, size_t len)
{
    int fd SYS_AUTO_CLOSE = open_field(name, "state");
    if (fd < 0)
        return fd;
    char *recs = malloc(STATE_MAX);
    if (!recs)
        return err_set(ENOMEM, "read the state of %s", name);
    ssize_t n = read(fd, recs, STATE_MAX);
    int r = n < 0 ? err_set(errno, "read the state of %s", name) : 0;
    const char *v = NULL;
    size_t vlen = 0;
    if (r == 0) {
        r = state_field(recs, (size_t)n, key, &v, &vlen);
        if (r == -EINVAL)
            r = err_setx(EINVAL, "container %s: its state file is damaged: refused", name);
    }
    if (r == 0) {
        if (vlen > len - 1)
            vlen = len - 1;
        memcpy(buf, v, vlen);
        buf[vlen] = '\0';
        r = (int)vlen;
    }
    free(recs);
    return r;
}

int state_get(const char *name, const char *key, char *buf, size_t len)
{
    int r = state_peek(name, key, buf, len);
    return r == -ENOENT ? no_container(name) : r;
}

/* PID and its start time from a pid field: "PID START". */
static int parse_pid(const char *buf, pid_t *pid, unsigned long long *start)
{
    char *end;
    errno = 0;
    long p = strtol(buf, &end, 10);
    if (errno || end == buf || *end != ' ' || p <= 1 || p > 4194304)
        return -1;
    unsigned long long t = strtoull(end + 1, &end, 10);
    if (errno || *end || t == 0)
        return -1;
    *pid = (pid_t)p;
    *start = t;
    return 0;
}

int state_pid(const char *name, const char *key, pid_t *pid)
{
    char buf[64];
    int r = state_peek(name, key, buf, sizeof buf);
    if (r < 0)
        return r;
    if (strcmp(buf, "-") == 0)
        return -EAGAIN;
    unsigned long long start;
    if (parse_pid(buf, pid, &start) < 0)
        return -EINVAL;
    return start_time(*pid) == start ? 0 : -ESRCH;
}

int state_get_pid(const char *name, const char *key, pid_t *pid)
{
    int r = state_pid(name, key, pid);
    switch (-r) {
    case 0:
        return 0;
    case ENOENT:
        return no_container(name);
    case EAGAIN:
        return err_setx(EAGAIN, "container %s is not running now (it is being restarted)", name);
    case EINVAL:
        return err_setx(EINVAL, "container %s: its state has a bad %s: refused", name, key);
    case ESRCH:
        return err_setx(ESRCH, "container %s: its %s %d is not the process it was (it ended)",
                        name, key, (int)*pid);
    default:
        return err_set(-r, "container %s: %s", name, key);
    }
}

int state_check_pid(const char *name, const char *key, pid_t pid)
{
    pid_t now;
    int r = state_get_pid(name, key, &now);
    if (r == 0 && now != pid)
        return err_setx(ESRCH, "container %s: its %s changed (it was restarted)", name, key);
    return r;
}

int state_peek_pid(const char *name, const char *key, char *buf, size_t len)
{
    int r = state_peek(name, key, buf, len);
    if (r > 0)
        buf[strcspn(buf, " ")] = '\0';
    return r;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int state_each(void (*fn)(const char *name, void *arg), void *arg)
{
    int base SYS_AUTO_CLOSE = open_base(false);
    if (base == -ENOENT)
        return 0;
    if (base < 0)
        return base;
    int d = fcntl(base, F_DUPFD_CLOEXEC, 3);
    DIR *ds = d >= 0 ? fdopendir(d) : NULL;
    if (!ds) {
        if (d >= 0)
            close(d);
        return err_set(errno, "state directory %s", state_base());
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(ds))) {
        if (!cli_name_ok(e->d_name))
            continue; /* not a container's name: not ours */
        char **grown = realloc(names, (n + 1) * sizeof *names);
        if (!grown)
            break;
        names = grown;
        names[n++] = strdup(e->d_name);
    }
    closedir(ds);
    qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        if (names[i] && check_live(base, names[i]))
            fn(names[i], arg);
        free(names[i]);
    }
    free(names);
    return 0;
}

int state_wait(const char *name, int timeout_ms)
{
    int fd SYS_AUTO_CLOSE = open_field(name, "lock");
    if (fd < 0)
        return fd; /* -ENOENT: it is gone (or never was), no message */
    /* Say that we wait, so that the owner writes the exit code (has_waiters). */
    struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
    /* EINVAL: a kernel before 3.15, without open file description locks; its owner's test
     * fails the same way and counts as a waiter (has_waiters), so the code is always written. */
    while (fcntl(fd, F_OFD_SETLKW, &fl) < 0 && errno != EINVAL)
        if (errno != EINTR)
            return err_set(errno, "wait for %s", name);
    for (int waited = 0;;) {
        if (flock(fd, LOCK_SH | (timeout_ms >= 0 ? LOCK_NB : 0)) == 0)
            break;
        if (errno == EINTR)
            continue;
        if (errno == EWOULDBLOCK && waited < timeout_ms) {
            nanosleep(&(struct timespec){0, 20000000}, NULL);
            waited += 20;
            continue;
        }
        return errno == EWOULDBLOCK ? -ETIMEDOUT : err_set(errno, "wait for %s", name);
    }
    char buf[32];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    struct stat st;
    /* No code in a lock file that was removed: its owner ended before we said that we wait
     * (it had ended, as for a wait that came a moment later). One still there: killed. */
    if (n <= 0 && fstat(fd, &st) == 0 && st.st_nlink == 0)
        return -ENOENT;
    if (n <= 0)
        return err_setx(EIO, "container %s ended without an exit code (its hutch was killed)",
                        name);
    buf[n] = '\0';
    return atoi(buf);
}
