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

/* Remove every file of a state directory, then the directory. */
static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)))
            if (e->d_name[0] != '.' || (e->d_name[1] && strcmp(e->d_name, "..") != 0))
                unlinkat(dirfd(d), e->d_name, 0);
        closedir(d);
    }
    rmdir(dir);
}

/* Open NAME's lock file and try to take it. Returns the fd holding the lock, -EBUSY when
 * someone else holds it, or -ENOENT. */
static int try_lock(const char *dir, bool create)
{
    char path[300];
    snprintf(path, sizeof path, "%s/lock", dir);
    int fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0644);
    if (fd < 0)
        return -errno;
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        close(fd);
        return errno == EWOULDBLOCK ? -EBUSY : -errno;
    }
    /* A directory removed between open and lock is not ours to use. */
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_nlink == 0) {
        close(fd);
        return -ENOENT;
    }
    return fd;
}

int state_claim(const char *name, struct state *st)
{
    st->lock_fd = -1;
    if (snprintf(st->dir, sizeof st->dir, "%s/%s", state_base(), name) >= (int)sizeof st->dir)
        return err_setx(ENAMETOOLONG, "state directory for %s: path too long", name);
    for (int attempt = 0; attempt < 5; attempt++) {
        int r = sys_make_dirs(st->dir, 0755);
        if (r < 0)
            return err_set(-r, "state directory %s (set HUTCH_STATE_DIR to a writable place)",
                           st->dir);
        int fd = try_lock(st->dir, true);
        if (fd == -EBUSY)
            return err_setx(EBUSY, "container name %s is in use (hutch list shows it; choose "
                                   "another --name)", name);
        if (fd == -ENOENT)
            continue; /* someone removed a stale one under us: again */
        if (fd < 0)
            return err_set(-fd, "lock %s/lock", st->dir);
        /* Whatever an earlier, killed owner left here is stale. */
        DIR *d = opendir(st->dir);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d)))
                if (e->d_name[0] != '.' && strcmp(e->d_name, "lock") != 0)
                    unlinkat(dirfd(d), e->d_name, 0);
            closedir(d);
        }
        if (ftruncate(fd, 0) < 0) {
            close(fd);
            return err_set(errno, "lock %s/lock", st->dir);
        }
        st->lock_fd = fd;
        return 0;
    }
    return err_setx(EAGAIN, "container name %s: its state keeps changing; try again", name);
}

static int write_file(const char *dir, const char *key, const void *data, size_t len)
{
    char tmp[320], path[320];
    snprintf(tmp, sizeof tmp, "%s/.%s.new", dir, key);
    snprintf(path, sizeof path, "%s/%s", dir, key);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    ssize_t n = write(fd, data, len);
    int e = n == (ssize_t)len ? 0 : n < 0 ? errno : EIO;
    close(fd);
    if (e == 0 && rename(tmp, path) < 0)
        e = errno;
    if (e)
        unlink(tmp);
    return -e;
}

int state_put(const struct state *st, const char *key, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return err_setx(EINVAL, "state %s", key);
    if ((size_t)n > sizeof buf - 2)
        n = sizeof buf - 2;
    buf[n++] = '\n';
    int r = write_file(st->dir, key, buf, (size_t)n);
    return r < 0 ? err_set(-r, "state %s/%s", st->dir, key) : 0;
}

int state_put_argv(const struct state *st, const char *key, int argc, char **argv)
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
    int r = write_file(st->dir, key, buf, len);
    free(buf);
    return r < 0 ? err_set(-r, "state %s/%s", st->dir, key) : 0;
}

void state_release(struct state *st, int exit_code)
{
    if (st->lock_fd < 0)
        return;
    /* For `hutch wait`: they hold the lock file open and read it once the lock is free. */
    char code[32];
    int n = snprintf(code, sizeof code, "%d\n", exit_code);
    if (exit_code >= 0 && pwrite(st->lock_fd, code, (size_t)n, 0) < 0) {
        /* nothing more to do: wait reports an unknown end */
    }
    remove_dir(st->dir);
    close(st->lock_fd);
    st->lock_fd = -1;
}

/* Remove NAME's state when nobody holds it. Returns true when NAME is live. */
static bool check_live(const char *name)
{
    char dir[256];
    snprintf(dir, sizeof dir, "%s/%s", state_base(), name);
    int fd = try_lock(dir, false);
    if (fd == -EBUSY)
        return true;
    if (fd >= 0) {
        remove_dir(dir);
        close(fd);
    } else if (fd == -ENOENT) {
        rmdir(dir); /* an empty directory left by a claim that failed half-way */
    }
    return false;
}

int state_get(const char *name, const char *key, char *buf, size_t len)
{
    if (cli_check_name("container name", name) < 0)
        return -EINVAL;
    char path[320];
    snprintf(path, sizeof path, "%s/%s/%s", state_base(), name, key);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || !check_live(name)) {
        if (fd >= 0)
            close(fd);
        return err_setx(ENOENT, "no container named %s (hutch list shows the running ones)", name);
    }
    ssize_t n = read(fd, buf, len - 1);
    close(fd);
    if (n < 0)
        return err_set(errno, "read %s", path);
    buf[n] = '\0';
    while (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    return (int)n;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int state_each(void (*fn)(const char *name, void *arg), void *arg)
{
    DIR *d = opendir(state_base());
    if (!d)
        return errno == ENOENT ? 0 : err_set(errno, "state directory %s", state_base());
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || cli_check_name("name", e->d_name) < 0)
            continue;
        char **grown = realloc(names, (n + 1) * sizeof *names);
        if (!grown)
            break;
        names = grown;
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    err_clear(); /* a foreign entry's name check is not an error of ours */
    qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        if (names[i] && check_live(names[i]))
            fn(names[i], arg);
        free(names[i]);
    }
    free(names);
    return 0;
}

int state_wait(const char *name, int timeout_ms)
{
    if (cli_check_name("container name", name) < 0)
        return -EINVAL;
    char path[320];
    snprintf(path, sizeof path, "%s/%s/lock", state_base(), name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || !check_live(name)) {
        if (fd >= 0)
            close(fd);
        return err_setx(ENOENT, "no container named %s (hutch list shows the running ones)", name);
    }
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
        int e = errno;
        close(fd);
        return e == EWOULDBLOCK ? -ETIMEDOUT : err_set(e, "wait for %s", name);
    }
    char buf[32];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    close(fd);
    if (n <= 0)
        return err_setx(EIO, "container %s ended without an exit code (its hutch was killed)",
                        name);
    buf[n] = '\0';
    return atoi(buf);
}
