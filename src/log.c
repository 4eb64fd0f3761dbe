#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"

int log_open(struct log *l, const char *path, uint64_t max)
{
    l->fd = -1;
    if (snprintf(l->path, sizeof l->path, "%s", path) >= (int)sizeof l->path)
        return err_setx(ENAMETOOLONG, "--log %s: path too long", path);
    l->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (l->fd < 0)
        return err_set(errno, "--log %s", path);
    struct stat st;
    l->size = fstat(l->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
    l->max = max ? max : LOG_DEFAULT_MAX;
    return 0;
}

static void rotate(struct log *l)
{
    char old[300];
    snprintf(old, sizeof old, "%s.1", l->path);
    if (rename(l->path, old) < 0)
        return; /* keep appending to the one file rather than lose output */
    int fd = open(l->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0)
        return;
    close(l->fd);
    l->fd = fd;
    l->size = 0;
}

void log_write(struct log *l, const char *buf, size_t len)
{
    if (l->fd < 0)
        return;
    if (l->size > 0 && l->size + len > l->max)
        rotate(l);
    while (len > 0) {
        ssize_t n = write(l->fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return; /* a full disk must not stop the container */
        }
        buf += n;
        len -= (size_t)n;
        l->size += (uint64_t)n;
    }
}

void log_close(struct log *l)
{
    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
}
