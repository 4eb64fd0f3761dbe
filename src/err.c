#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static char message[512];
static int recorded;

static void record(int errnum, int with_strerror, const char *fmt, va_list ap)
{
    if (recorded)
        return;
    int n = vsnprintf(message, sizeof message, fmt, ap);
    if (with_strerror && n >= 0 && (size_t)n < sizeof message)
        snprintf(message + n, sizeof message - (size_t)n, ": %s", strerror(errnum));
    recorded = 1;
}

int err_set(int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    record(errnum, 1, fmt, ap);
    va_end(ap);
    return -(errnum ? errnum : EIO);
}

int err_setx(int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    record(errnum, 0, fmt, ap);
    va_end(ap);
    return -(errnum ? errnum : EIO);
}

void err_context(const char *fmt, ...)
{
    char prefix[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    size_t p = strlen(prefix), m = strlen(message);
    if (p + 2 + m >= sizeof message)
        m = sizeof message - p - 3;
    memmove(message + p + 2, message, m);
    memcpy(message, prefix, p);
    memcpy(message + p, ": ", 2);
    message[p + 2 + m] = '\0';
    recorded = 1;
}

const char *err_msg(void)
{
    return recorded ? message : "";
}

void err_clear(void)
{
    recorded = 0;
    message[0] = '\0';
}
