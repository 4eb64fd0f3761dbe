#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
