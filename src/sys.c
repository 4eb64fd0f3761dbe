#include "sys.h"

#include <errno.h>
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
