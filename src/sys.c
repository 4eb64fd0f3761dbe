#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "err.h"

static void close_range_slow(unsigned first, unsigned last)
{
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536)
        max = 65536;
    for (unsigned fd = first; fd <= last && fd < (unsigned)max; fd++)
        close((int)fd);
}

static void close_between(unsigned first, unsigned last)
{
    if (first > last)
        return;
    if (sys_close_range(first, last, 0) < 0)
        close_range_slow(first, last); /* kernels before 5.9 */
}

void sys_close_fds_except(int keep)
{
    if (keep < 3) {
        close_between(3, ~0U);
        return;
    }
    close_between(3, (unsigned)keep - 1);
    close_between((unsigned)keep + 1, ~0U);
}

void sys_close_fds_from(int first, int keep)
{
    if (keep < first) {
        close_between((unsigned)first, ~0U);
        return;
    }
    if (keep > first)
        close_between((unsigned)first, (unsigned)keep - 1);
    close_between((unsigned)keep + 1, ~0U);
}

int sys_undumpable(void)
{
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
        return err_set(errno, "prctl(PR_SET_DUMPABLE, 0): this process would be open to the "
                              "container's");
    return 0;
}

void sys_sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) < 0 && errno == EINTR) {
        /* the rest of it */
    }
}

unsigned long long sys_start_time(pid_t pid, char *state)
{
    char path[64], buf[1024];
    if (state)
        *state = 0;
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    if (sys_read_text(path, buf, sizeof buf) <= 0)
        return 0;
    const char *p = strrchr(buf, ')'); /* the command's name may hold anything */
    if (!p || !p[1] || !p[2])
        return 0;
    if (state)
        *state = p[2];
    unsigned long long t = 0;
    /* After ") ": state (3), then fields 4 to 21, then starttime (22). */
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d "
                      "%*d %llu", &t) != 1)
        return 0;
    return t;
}

int sys_join_ns(const char *path, int type)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(errno, "namespace %s", path);
    int have = ioctl(fd, _IO(0xb7, 0x3) /* NS_GET_NSTYPE */);
    if (have >= 0 && have != type) {
        close(fd);
        return err_setx(EINVAL, "namespace %s: not of the type it is joined as", path);
    }
    int r = sys_setns(fd, type) < 0 ? err_set(errno, "join namespace %s", path) : 0;
    close(fd);
    return r;
}

int sys_write_text(int dirfd, const char *path, const char *text)
{
    int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = write(fd, text, strlen(text));
    int e = n < 0 ? errno : 0;
    close(fd);
    return -e;
}

int sys_read_text(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t total = 0;
    ssize_t n;
    while (total + 1 < size && (n = read(fd, buf + total, size - 1 - total)) > 0)
        total += (size_t)n;
    close(fd);
    buf[total] = '\0';
    return (int)total;
}

int sys_make_dirs(const char *path, mode_t mode)
{
    char p[PATH_MAX];
    if (snprintf(p, sizeof p, "%s", path) >= (int)sizeof p)
        return -ENAMETOOLONG;
    for (char *c = p + 1;; c++) {
        if (*c != '/' && *c != '\0')
            continue;
        char saved = *c;
        *c = '\0';
        if (mkdir(p, mode) < 0 && errno != EEXIST)
            return -errno;
        if (!(*c = saved))
            return 0;
    }
}

bool sys_old_kernel(void)
{
    static int old = -1;
    if (old < 0) {
        const char *v = getenv("HUTCH_OLD_KERNEL");
        old = v && *v;
    }
    return old;
}

bool sys_new_mount_api(void)
{
    static int have = -1;
    if (have < 0) {
        /* An invalid call: ENOSYS when the kernel lacks it, EBADF or EINVAL when it has it. */
        have = !sys_old_kernel() &&
               !(syscall(SYS_mount_setattr, -1, "", 0, NULL, 0) < 0 && errno == ENOSYS);
    }
    return have;
}

struct sys_fd_path sys_fd_path(int fd)
{
    struct sys_fd_path p;
    snprintf(p.s, sizeof p.s, "/proc/self/fd/%d", fd);
    return p;
}

int sys_open_regular(int dirfd, const char *name, int flags, mode_t mode)
{
    for (int attempt = 0; attempt < 8; attempt++) {
        /* Looked at before it is opened: opening a device node could act on the device. */
        int at SYS_AUTO_CLOSE = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (at < 0 && errno == ENOENT) {
            int fd = openat(dirfd, name, flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
            if (fd >= 0 || errno != EEXIST)
                return fd < 0 ? -errno : fd;
            continue; /* made meanwhile: look at it */
        }
        if (at < 0)
            return -errno;
        struct stat st;
        if (fstat(at, &st) < 0)
            return -errno;
        if (S_ISLNK(st.st_mode))
            return -ELOOP;
        if (!S_ISREG(st.st_mode))
            return -EINVAL;
        if (st.st_nlink > 1)
            return -EMLINK; /* a hard link to a file elsewhere */
        /* The object looked at, opened through its descriptor, not its name again. */
        int fd = open(sys_fd_path(at).s, (flags & ~(O_CREAT | O_EXCL)) | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
    }
    return -EAGAIN;
}

char *sys_read_all(const char *path, int *err)
{
    int fd SYS_AUTO_CLOSE = open(path, O_RDONLY | O_CLOEXEC);
    size_t len = 0, cap = 16384;
    char *buf = fd < 0 ? NULL : malloc(cap);
    if (!buf) {
        *err = fd < 0 ? -errno : -ENOMEM;
        return NULL;
    }
    for (;;) {
        if (len + 1 >= cap) {
            char *grown = cap < (64u << 20) ? realloc(buf, cap *= 2) : NULL;
            if (!grown) {
                free(buf);
                *err = -ENOMEM;
                return NULL;
            }
            buf = grown;
        }
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *err = -errno;
            free(buf);
            return NULL;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    *err = 0;
    return buf;
}
