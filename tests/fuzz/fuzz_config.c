/* Fuzz `hutch run --config FILE`: the input is the file (key = value lines). It is handed to
 * cli_parse_run through a memfd (/proc/self/fd/N, a regular file in memory), so nothing is
 * written to disk; the parser only reads it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"

static FILE *devnull;
static int memfd = -1;
static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (memfd < 0) {
        if (!(devnull = fopen("/dev/null", "w")) ||
            (memfd = memfd_create("hutch-fuzz-config", MFD_CLOEXEC)) < 0)
            abort();
        snprintf(path, sizeof path, "/proc/self/fd/%d", memfd);
    }
    if (size > 16384)
        return 0;
    if (ftruncate(memfd, 0) < 0 || pwrite(memfd, data, size, 0) != (ssize_t)size)
        abort();
    char a0[] = "--config";
    char *argv[] = {a0, path, NULL};
    struct run_opts o;
    err_clear();
    cli_parse_run(2, argv, &o, devnull);
    run_opts_free(&o);
    return 0;
}
