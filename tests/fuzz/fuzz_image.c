/* Fuzz image superblock probing: image_probe on the first bytes of a file (as image_open reads
 * them), at every length the input gives, and what its answer leads to. Pure. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4 * IMAGE_PROBE_SIZE)
        return 0;
    /* Exactly SIZE bytes, so that ASan catches any read past what was read from the file. */
    unsigned char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    struct image_info info = image_probe(buf, size);
    if (info.type > IMAGE_DIRECTORY)
        abort();
    const char *fs = image_fstype(info.type);
    if (info.type != IMAGE_UNKNOWN && info.type != IMAGE_DIRECTORY && !fs)
        abort();
    (void)image_readonly(info.type);
    free(buf);
    return 0;
}
