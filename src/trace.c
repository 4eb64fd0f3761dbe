#include "trace.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long origin_ns = -1; /* -1: not tracing */

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void trace_init(void)
{
    const char *v = getenv("HUTCH_TRACE");
    if (!v || strcmp(v, "1") != 0)
        return;
    /* The origin survives the exec of the sealed copy (HUTCH_TRACE_T0), so that its cost shows. */
    const char *t0 = getenv("HUTCH_TRACE_T0");
    char *end = NULL;
    long long t = t0 ? strtoll(t0, &end, 10) : 0;
    if (t0 && end && !*end && t > 0 && t <= now_ns()) {
        origin_ns = t;
        trace("main");
        return;
    }
    origin_ns = now_ns();
    char buf[24];
    int n = 0;
    char digits[24];
    t = origin_ns;
    do
        digits[n++] = (char)('0' + t % 10);
    while ((t /= 10) > 0);
    for (int i = 0; i < n; i++)
        buf[i] = digits[n - 1 - i];
    buf[n] = '\0';
    setenv("HUTCH_TRACE_T0", buf, 1);
    trace("start");
}

void trace(const char *phase)
{
    if (origin_ns < 0)
        return;
    /* One write per line, built by hand: no stdio buffer that a fork or exec would carry. */
    char line[96], digits[24];
    long long us = (now_ns() - origin_ns) / 1000;
    int n = 0;
    do
        digits[n++] = (char)('0' + us % 10);
    while ((us /= 10) > 0 && n < (int)sizeof digits);
    size_t len = 0;
    memcpy(line, "hutch-trace: ", 13);
    len = 13;
    while (n > 0)
        line[len++] = digits[--n];
    line[len++] = ' ';
    size_t pl = strlen(phase);
    if (pl > sizeof line - len - 1)
        pl = sizeof line - len - 1;
    memcpy(line + len, phase, pl);
    len += pl;
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}
