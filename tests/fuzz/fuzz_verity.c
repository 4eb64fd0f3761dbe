/* Fuzz the dm-verity superblock reader (an image's, so whoever made it): the input is the
 * filesystem's claimed size and the file's size (8 bytes each, little-endian), then the 512-byte
 * superblock (zero-padded when short). What parses goes on to verity_table and verity_sectors.
 * A short input is also a .roothash file's text (verity_roothash_text). Pure: no I/O. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "verity.h"

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16 + VERITY_SB_SIZE)
        return 0;
    if (size <= 2 * VERITY_ROOTHASH_HEX) {
        char *text = malloc(size ? size : 1), hash[VERITY_ROOTHASH_HEX + 1];
        if (!text)
            return 0;
        memcpy(text, data, size);
        err_clear();
        if (verity_roothash_text(text, size, hash) == 0 && !verity_roothash_ok(hash))
            abort(); /* what it gives back must be a root hash */
        free(text);
    }
    if (size < 16)
        return 0;
    uint64_t fs_size = le64(data), file_size = le64(data + 8);
    unsigned char *sb = calloc(1, VERITY_SB_SIZE);
    if (!sb)
        return 0;
    memcpy(sb, data + 16, size - 16);
    struct verity_params p;
    err_clear();
    uint64_t off = verity_offset(fs_size);
    if (verity_parse("img", sb, off, fs_size, file_size, &p) == 0) {
        char table[1024];
        static const char root[] =
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        verity_table(&p, "7:0", root, table, sizeof table);
        (void)verity_sectors(&p);
        if (p.salt_size > VERITY_SALT_MAX)
            abort();
    }
    free(sb);
    return 0;
}
