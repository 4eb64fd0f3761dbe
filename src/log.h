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
    char path[256];
    uint64_t size, max;
};

/* Open (create, append) PATH; an unwritable path is an error here, before anything starts. */
int log_open(struct log *l, const char *path, uint64_t max);
void log_write(struct log *l, const char *buf, size_t len);
void log_close(struct log *l);

#endif
