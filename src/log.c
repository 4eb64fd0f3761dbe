#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "resolve.h"
#include "sys.h"

/* The log's files are opened relative to its directory and never through a symlink: a
 * container that can write that directory (through a bind) must not point them elsewhere. */
static int open_in(const struct log *l, const char *name, int extra)
{
    return sys_open_regular(l->dir, name, O_WRONLY | O_APPEND | extra, 0640);
}

int log_open(struct log *l, const char *path, uint64_t max, const char *const *trees,
             size_t n_trees)
{
    l->fd = l->dir = -1;
    if (snprintf(l->path, sizeof l->path, "%s", path) >= (int)sizeof l->path)
        return err_setx(ENAMETOOLONG, "--log %s: path too long", path);
    int dir = resolve_host_parent(path, trees, n_trees, l->name, sizeof l->name);
    if (dir == -EINVAL)
        return err_setx(EINVAL, "--log %s: not a file name", path);
    if (dir < 0)
        return err_set(-dir, "--log %s", path);
    l->dir = dir;
    l->fd = open_in(l, l->name, 0);
    if (l->fd == -ELOOP)
        return err_setx(ELOOP, "--log %s is a symlink: refused", path);
    if (l->fd == -EINVAL || l->fd == -EMLINK)
        return err_setx(-l->fd, "--log %s: not a regular file of its own%s: refused", path,
                        l->fd == -EMLINK ? " (it has other hard links)" : "");
    if (l->fd < 0)
        return err_set(-l->fd, "--log %s", path);
    struct stat st;
    l->size = fstat(l->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
    l->max = max ? max : LOG_DEFAULT_MAX;
    return 0;
}

static void rotate(struct log *l)
{
    char old[300];
    snprintf(old, sizeof old, "%s.1", l->name);
    if (renameat(l->dir, l->name, l->dir, old) < 0)
        return; /* keep appending to the one file rather than lose output */
    int fd = open_in(l, l->name, O_EXCL); /* a new file: nothing planted there meanwhile */
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
    if (l->dir >= 0)
        close(l->dir);
    l->fd = l->dir = -1;
}
