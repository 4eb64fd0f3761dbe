#include "verity.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

/* cryptsetup's struct verity_sb (lib/verity/verity.c), little-endian, 512 bytes. */
#define SB_SIGNATURE 0      /* "verity\0\0" */
#define SB_VERSION 8        /* le32, 1 */
#define SB_HASH_TYPE 12     /* le32, 1: normal (0: Chrome OS) */
#define SB_UUID 16          /* 16 bytes */
#define SB_ALGORITHM 32     /* 32 bytes, NUL-padded */
#define SB_DATA_BLOCK 64    /* le32 */
#define SB_HASH_BLOCK 68    /* le32 */
#define SB_DATA_BLOCKS 72   /* le64 */
#define SB_SALT_SIZE 80     /* le16 */
#define SB_SALT 88          /* 256 bytes */

#define DIGEST_SIZE 32      /* sha256 */

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t le64(const unsigned char *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

uint64_t verity_offset(uint64_t fs_size)
{
    if (fs_size > UINT64_MAX - 4095)
        return UINT64_MAX;
    return (fs_size + 4095) / 4096 * 4096;
}

static bool block_size_ok(uint32_t s)
{
    return s >= 512 && s <= 4096 && (s & (s - 1)) == 0;
}

/* The hash tree's size in blocks, as dm-verity computes it (drivers/md/dm-verity-target.c): a
 * level per HASH_PER_BLOCK_BITS bits of DATA_BLOCKS - 1, each level the one below divided by
 * the hashes a block holds, rounded up. */
static uint64_t tree_blocks(uint64_t data_blocks, unsigned bits)
{
    unsigned levels = 0;
    while (bits * levels < 64 && ((data_blocks - 1) >> (bits * levels)) != 0)
        levels++;
    uint64_t total = 0;
    for (unsigned i = 0; i < levels; i++) {
        unsigned shift = (i + 1) * bits;
        uint64_t s = shift >= 64 ? 1
                                 : (data_blocks >> shift) +
                                       ((data_blocks & ((UINT64_C(1) << shift) - 1)) != 0);
        total += s; /* at most data_blocks / 2 + levels: no wrap */
    }
    return total;
}

#define BAD(...) err_setx(EINVAL, __VA_ARGS__)

int verity_parse(const char *image, const unsigned char *sb, uint64_t offset, uint64_t fs_size,
                 uint64_t file_size, struct verity_params *p)
{
    memset(p, 0, sizeof *p);
    if (offset == UINT64_MAX || offset > file_size || file_size - offset < VERITY_SB_SIZE ||
        memcmp(sb + SB_SIGNATURE, "verity\0\0", 8) != 0)
        return BAD("image %s: no verity superblock at byte %" PRIu64 " (make the image with "
                   "hutch-image --verity): refused", image, offset);
    uint32_t version = le32(sb + SB_VERSION), hash_type = le32(sb + SB_HASH_TYPE);
    if (version != 1)
        return BAD("image %s: verity superblock version %" PRIu32 " (hutch knows 1): refused",
                   image, version);
    if (hash_type != 1)
        return BAD("image %s: verity hash type %" PRIu32 " (hutch knows 1, the normal one): "
                   "refused", image, hash_type);
    static const unsigned char sha256[32] = "sha256";
    if (memcmp(sb + SB_ALGORITHM, sha256, sizeof sha256) != 0) {
        char alg[33];
        memcpy(alg, sb + SB_ALGORITHM, 32);
        alg[32] = '\0';
        for (char *c = alg; *c; c++)
            if (*c < 0x21 || *c > 0x7e)
                *c = '?';
        return BAD("image %s: verity hash algorithm '%s' (hutch takes sha256 only): refused",
                   image, alg);
    }
    p->data_block_size = le32(sb + SB_DATA_BLOCK);
    p->hash_block_size = le32(sb + SB_HASH_BLOCK);
    if (!block_size_ok(p->data_block_size) || p->hash_block_size != p->data_block_size)
        return BAD("image %s: verity block sizes %" PRIu32 " and %" PRIu32 " (both must be one "
                   "power of two from 512 to 4096): refused", image, p->data_block_size,
                   p->hash_block_size);
    p->salt_size = (uint16_t)(sb[SB_SALT_SIZE] | sb[SB_SALT_SIZE + 1] << 8);
    if (p->salt_size > VERITY_SALT_MAX)
        return BAD("image %s: verity salt of %u bytes (at most %d): refused", image,
                   p->salt_size, VERITY_SALT_MAX);
    memcpy(p->salt, sb + SB_SALT, p->salt_size);
    /* The data blocks: the filesystem all of it, and nothing past the superblock. */
    uint64_t bs = p->data_block_size;
    p->data_blocks = le64(sb + SB_DATA_BLOCKS);
    if (p->data_blocks == 0 || p->data_blocks > offset / bs || p->data_blocks * bs < fs_size)
        return BAD("image %s: verity data blocks %" PRIu64 " of %" PRIu64 " bytes do not cover "
                   "the filesystem (%" PRIu64 " bytes) within the %" PRIu64 " bytes before the "
                   "hash area: refused", image, p->data_blocks, bs, fs_size, offset);
    /* The hash blocks begin after the superblock, rounded up to a block (cryptsetup's
     * VERITY_hash_offset_block); OFFSET is a multiple of 4096, so of the block size. */
    p->hash_start = offset / bs + (VERITY_SB_SIZE + bs - 1) / bs;
    unsigned bits = 0;
    while ((UINT64_C(1) << (bits + 1)) <= bs / DIGEST_SIZE)
        bits++;
    p->hash_blocks = tree_blocks(p->data_blocks, bits);
    uint64_t have = file_size / bs;
    if (p->hash_start > have || p->hash_blocks > have - p->hash_start)
        return BAD("image %s: the verity hash tree (%" PRIu64 " blocks from block %" PRIu64
                   ") runs past the end of the file (%" PRIu64 " bytes): refused", image,
                   p->hash_blocks, p->hash_start, file_size);
    return 0;
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool verity_roothash_ok(const char *s)
{
    size_t n = 0;
    while (is_hex(s[n]))
        n++;
    return n == VERITY_ROOTHASH_HEX && s[n] == '\0';
}

int verity_roothash_text(const char *text, size_t len, char out[VERITY_ROOTHASH_HEX + 1])
{
    if (len == VERITY_ROOTHASH_HEX + 1 && text[VERITY_ROOTHASH_HEX] == '\n')
        len--;
    if (len != VERITY_ROOTHASH_HEX)
        return -EINVAL;
    for (size_t i = 0; i < len; i++)
        if (!is_hex(text[i]))
            return -EINVAL;
    memcpy(out, text, len);
    out[len] = '\0';
    return 0;
}

uint64_t verity_sectors(const struct verity_params *p)
{
    return p->data_blocks * (p->data_block_size / 512);
}

int verity_table(const struct verity_params *p, const char *dev, const char *roothash, char *out,
                 size_t size)
{
    char salt[2 * VERITY_SALT_MAX + 1] = "-";
    for (unsigned i = 0; i < p->salt_size; i++)
        snprintf(salt + 2 * i, 3, "%02x", p->salt[i]);
    int n = snprintf(out, size, "1 %s %s %" PRIu32 " %" PRIu32 " %" PRIu64 " %" PRIu64
                     " sha256 %s %s", dev, dev, p->data_block_size, p->hash_block_size,
                     p->data_blocks, p->hash_start, roothash, salt);
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : n;
}
