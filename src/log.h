/* log: a detached container's output appended to a file, with a size cap and one rotation:
 * when FILE would grow past the cap, it becomes FILE.1 (replacing the older one) and a new FILE
 * begins. */
#ifndef HUTCH_LOG_H
#define HUTCH_LOG_H

#include <stddef.h>
#include <stdint.h>

#define LOG_DEFAULT_MAX (1024 * 1024)

struct log {
    int fd;
    int dir;           /* the directory the file is in */
    char path[256];    /* as given, for messages */
    char name[256];    /* the file's name in DIR */
    uint64_t size, max;
};

/* Open (create, append) PATH: a regular file of one link, never through a symlink in its last
 * component, its directory resolved inside TREES when in one of them (resolve_host); an
 * unwritable path is an error here, before anything starts. */
int log_open(struct log *l, const char *path, uint64_t max, const char *const *trees,
             size_t n_trees);
void log_write(struct log *l, const char *buf, size_t len);
void log_close(struct log *l);

#endif
