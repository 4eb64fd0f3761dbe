/* Unit tests of the verity superblock's checks and the dm-verity table, on hand-built
 * superblocks (cryptsetup's layout). */
#include <errno.h>
#include <stdint.h>

#include "check.h"
#include "err.h"
#include "verity.h"

static unsigned char sb[VERITY_SB_SIZE];

static void put16(unsigned char *p, uint16_t v) { p[0] = v & 0xff; p[1] = v >> 8; }
static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (v >> (8 * i)) & 0xff;
}
static void put64(unsigned char *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

#define FS_SIZE (1000 * 4096ULL) /* an erofs of 1000 blocks */
#define OFF FS_SIZE
/* 1000 blocks, 128 hashes a block: 8 blocks, then 1 (the root hash is over that one). */
#define TREE 9
#define FILE_SIZE (OFF + 4096 + TREE * 4096ULL)

/* The superblock of `veritysetup format` with its defaults (salt of 32 bytes). */
static void good_sb(void)
{
    memset(sb, 0, sizeof sb);
    memcpy(sb, "verity\0\0", 8);
    put32(sb + 8, 1);
    put32(sb + 12, 1);
    memset(sb + 16, 0xab, 16); /* uuid */
    memcpy(sb + 32, "sha256", 6);
    put32(sb + 64, 4096);
    put32(sb + 68, 4096);
    put64(sb + 72, 1000);
    put16(sb + 80, 32);
    for (int i = 0; i < 32; i++)
        sb[88 + i] = (unsigned char)i;
}

static int parse(uint64_t fs_size, uint64_t file_size, struct verity_params *p)
{
    err_clear();
    return verity_parse("img", sb, verity_offset(fs_size), fs_size, file_size, p);
}

static int parse_good_sizes(struct verity_params *p) { return parse(FS_SIZE, FILE_SIZE, p); }

static void test_offset(void)
{
    CHECK_EQ_INT(verity_offset(1), 4096);
    CHECK_EQ_INT(verity_offset(4096), 4096);
    CHECK_EQ_INT(verity_offset(4097), 8192);
    CHECK_EQ_INT(verity_offset(3 * 4096 + 100), 4 * 4096);
    CHECK(verity_offset(UINT64_MAX - 100) == UINT64_MAX);
    CHECK(verity_offset(UINT64_MAX) == UINT64_MAX);
}

static void test_good(void)
{
    struct verity_params p;
    good_sb();
    CHECK_EQ_INT(parse_good_sizes(&p), 0);
    CHECK_EQ_INT(p.data_block_size, 4096);
    CHECK_EQ_INT(p.hash_block_size, 4096);
    CHECK_EQ_INT(p.data_blocks, 1000);
    CHECK_EQ_INT(p.hash_start, 1001); /* the superblock's block, then the tree */
    CHECK_EQ_INT(p.hash_blocks, TREE);
    CHECK_EQ_INT(p.salt_size, 32);
    CHECK_EQ_INT(verity_sectors(&p), 8000);
    /* the file may be longer than the tree */
    CHECK_EQ_INT(parse(FS_SIZE, FILE_SIZE + 65536, &p), 0);
    /* a squashfs of a size not a multiple of 4096: the superblock at the next 4096 */
    CHECK_EQ_INT(parse(FS_SIZE - 100, FILE_SIZE, &p), 0);
    CHECK_EQ_INT(p.hash_start, 1001);
    /* data blocks beyond the filesystem, up to the superblock, are fine; not past it */
    CHECK_EQ_INT(parse(FS_SIZE - 8192, FILE_SIZE, &p), -EINVAL); /* 1000 blocks past block 998 */
    put64(sb + 72, 998); /* a filesystem of 997 blocks and a bit, the last one padded */
    CHECK_EQ_INT(parse(998 * 4096 - 100, FILE_SIZE, &p), 0);
    CHECK_EQ_INT(p.data_blocks, 998);
    CHECK_EQ_INT(p.hash_start, 999);
    /* 512-byte blocks: 16 hashes a block; 8000 blocks: 500 + 32 + 2 + 1 */
    good_sb();
    put32(sb + 64, 512);
    put32(sb + 68, 512);
    put64(sb + 72, 8000);
    CHECK_EQ_INT(parse(FS_SIZE, OFF + 512 + 535 * 512, &p), 0);
    CHECK_EQ_INT(p.hash_start, 8001);
    CHECK_EQ_INT(p.hash_blocks, 535);
    CHECK_EQ_INT(parse(FS_SIZE, OFF + 512 + 534 * 512, &p), -EINVAL);
    /* one data block: no tree, the root hash is the block's */
    good_sb();
    put64(sb + 72, 1);
    CHECK_EQ_INT(parse(4096, 8192, &p), 0);
    CHECK_EQ_INT(p.hash_blocks, 0);
    /* 129 blocks: two hash blocks, then their root: 3 */
    put64(sb + 72, 129);
    CHECK_EQ_INT(parse(129 * 4096, 130 * 4096 + 3 * 4096, &p), 0);
    CHECK_EQ_INT(p.hash_blocks, 3);
    /* no salt */
    good_sb();
    put16(sb + 80, 0);
    CHECK_EQ_INT(parse_good_sizes(&p), 0);
    CHECK_EQ_INT(p.salt_size, 0);
    put16(sb + 80, 256);
    CHECK_EQ_INT(parse_good_sizes(&p), 0);
}

static void bad(const char *what, int line)
{
    struct verity_params p;
    int r = parse_good_sizes(&p);
    if (r == -EINVAL && strstr(err_msg(), "image img: ") && strstr(err_msg(), "refused")) {
        check_passed++;
        return;
    }
    check_failed++;
    fprintf(stderr, "%s:%d: %s: parse gave %d (%s), want -EINVAL\n", __FILE__, line, what, r,
            err_msg());
}
#define BAD(what) bad(what, __LINE__)

static void test_bad_fields(void)
{
    good_sb();
    sb[6] = 'x';
    BAD("signature");
    good_sb();
    put32(sb + 8, 2);
    BAD("version 2");
    good_sb();
    put32(sb + 8, 0);
    BAD("version 0");
    good_sb();
    put32(sb + 12, 0);
    BAD("Chrome OS hash type");
    good_sb();
    put32(sb + 12, 2);
    BAD("hash type 2");
    const char *algs[] = {"sha1", "sha512", "sha25", "sha2566", "SHA256", "crc32c", ""};
    for (size_t i = 0; i < sizeof algs / sizeof *algs; i++) {
        good_sb();
        memset(sb + 32, 0, 32);
        memcpy(sb + 32, algs[i], strlen(algs[i]));
        BAD(algs[i]);
    }
    good_sb();
    sb[32 + 31] = 'x'; /* "sha256", then something after the NUL */
    BAD("algorithm with trailing bytes");
    good_sb();
    memset(sb + 32, 'a', 32); /* no NUL at all: the message must not run past the field */
    BAD("algorithm without NUL");
    uint32_t sizes[][2] = {{0, 0}, {0, 4096}, {4096, 0}, {256, 256}, {8192, 8192},
                           {3072, 3072}, {4096, 1024}, {1024, 4096}, {4095, 4095},
                           {0x80000000u, 0x80000000u}, {0xffffffffu, 0xffffffffu}};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        good_sb();
        put32(sb + 64, sizes[i][0]);
        put32(sb + 68, sizes[i][1]);
        BAD("block sizes");
    }
    good_sb();
    put16(sb + 80, 257);
    BAD("salt 257");
    good_sb();
    put16(sb + 80, 0xffff);
    BAD("salt 65535");
    uint64_t blocks[] = {0, 999, 1001, 1002, UINT64_MAX, UINT64_MAX / 4096 + 1,
                         (1ULL << 52), (1ULL << 52) + 1000, (1ULL << 63)};
    for (size_t i = 0; i < sizeof blocks / sizeof *blocks; i++) {
        good_sb();
        put64(sb + 72, blocks[i]);
        BAD("data blocks");
    }
}

static void test_bad_sizes(void)
{
    struct verity_params p;
    good_sb();
    /* the tree one block short of the end */
    CHECK_EQ_INT(parse(FS_SIZE, FILE_SIZE - 1, &p), -EINVAL);
    CHECK_EQ_INT(parse(FS_SIZE, FILE_SIZE - 4096, &p), -EINVAL);
    /* the superblock itself past the end */
    CHECK_EQ_INT(parse(FS_SIZE, OFF + 100, &p), -EINVAL);
    CHECK_EQ_INT(parse(FS_SIZE, OFF, &p), -EINVAL);
    CHECK_EQ_INT(parse(FS_SIZE, 4096, &p), -EINVAL);
    /* a filesystem that claims more than the data blocks hold */
    CHECK_EQ_INT(parse(FS_SIZE + 1, FILE_SIZE + 4096, &p), -EINVAL);
    /* a size that rounds past 64 bits */
    err_clear();
    CHECK_EQ_INT(verity_parse("img", sb, UINT64_MAX, UINT64_MAX - 10, UINT64_MAX, &p), -EINVAL);
    /* the largest numbers: the arithmetic must not wrap */
    put64(sb + 72, UINT64_MAX / 4096);
    err_clear();
    CHECK_EQ_INT(verity_parse("img", sb, UINT64_MAX / 4096 * 4096, 4096, UINT64_MAX, &p),
                 -EINVAL); /* the tree would not fit in the file */
    put64(sb + 72, (UINT64_MAX / 4096) / 2);
    err_clear();
    CHECK_EQ_INT(verity_parse("img", sb, UINT64_MAX / 4096 / 2 * 4096, 4096, UINT64_MAX, &p),
                 0);
    CHECK(p.hash_start + p.hash_blocks <= UINT64_MAX / 4096);
}

static void test_roothash(void)
{
    const char *h = "4f5c2a9e0d1b3c7a8e6f5d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a29180";
    CHECK(verity_roothash_ok(h));
    CHECK(verity_roothash_ok("4F5C2A9E0D1B3C7A8E6F5D4C3B2A1908F7E6D5C4B3A29180F7E6D5C4B3A29180"));
    CHECK(!verity_roothash_ok(""));
    CHECK(!verity_roothash_ok("4f5c"));
    CHECK(!verity_roothash_ok("4f5c2a9e0d1b3c7a8e6f5d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2918"));
    CHECK(!verity_roothash_ok("4f5c2a9e0d1b3c7a8e6f5d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a291800"));
    CHECK(!verity_roothash_ok("4f5c2a9e0d1b3c7a8e6f5d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2918g"));
    CHECK(!verity_roothash_ok("4f5c2a9e0d1b3c7a8e6f5d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2918 "));
    CHECK(!verity_roothash_ok(" 4f5c2a9e0d1b3c7a8e6f5d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2918"));
    /* sha1's 40 and sha512's 128 digits: refused */
    CHECK(!verity_roothash_ok("4f5c2a9e0d1b3c7a8e6f5d4c3b2a1908f7e6d5c4"));
    char two[129];
    snprintf(two, sizeof two, "%s%s", h, h);
    CHECK(!verity_roothash_ok(two));

    char out[VERITY_ROOTHASH_HEX + 1], text[200];
    snprintf(text, sizeof text, "%s\n", h);
    CHECK_EQ_INT(verity_roothash_text(text, 65, out), 0);
    CHECK_EQ_STR(out, h);
    memset(out, 0, sizeof out);
    CHECK_EQ_INT(verity_roothash_text(text, 64, out), 0);
    CHECK_EQ_STR(out, h);
    snprintf(text, sizeof text, "%s\n\n", h);
    CHECK_EQ_INT(verity_roothash_text(text, 66, out), -EINVAL);
    snprintf(text, sizeof text, "%s\r\n", h);
    CHECK_EQ_INT(verity_roothash_text(text, 66, out), -EINVAL);
    snprintf(text, sizeof text, "%s ", h);
    CHECK_EQ_INT(verity_roothash_text(text, 65, out), -EINVAL);
    CHECK_EQ_INT(verity_roothash_text(text, 63, out), -EINVAL);
    CHECK_EQ_INT(verity_roothash_text("", 0, out), -EINVAL);
    CHECK_EQ_INT(verity_roothash_text("\n", 1, out), -EINVAL);
    memcpy(text, h, 64);
    text[10] = '\0'; /* a NUL inside: not hex */
    CHECK_EQ_INT(verity_roothash_text(text, 64, out), -EINVAL);
}

static void test_table(void)
{
    const char *h = "4f5c2a9e0d1b3c7a8e6f5d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a29180";
    struct verity_params p;
    good_sb();
    CHECK_EQ_INT(parse_good_sizes(&p), 0);
    char t[1024];
    int n = verity_table(&p, "7:3", h, t, sizeof t);
    CHECK_EQ_STR(t, "1 7:3 7:3 4096 4096 1000 1001 sha256 "
                    "4f5c2a9e0d1b3c7a8e6f5d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a29180 "
                    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    CHECK_EQ_INT(n, (int)strlen(t));
    put16(sb + 80, 0);
    CHECK_EQ_INT(parse_good_sizes(&p), 0);
    verity_table(&p, "259:12", h, t, sizeof t);
    CHECK_EQ_STR(t, "1 259:12 259:12 4096 4096 1000 1001 sha256 "
                    "4f5c2a9e0d1b3c7a8e6f5d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a29180 -");
    /* the largest salt fits the size hutch gives */
    put16(sb + 80, 256);
    memset(sb + 88, 0xff, 256);
    CHECK_EQ_INT(parse_good_sizes(&p), 0);
    n = verity_table(&p, "7:3", h, t, sizeof t);
    CHECK(n > 512 && n < (int)sizeof t);
    CHECK(strstr(t, " ffffffff") != NULL);
    CHECK_EQ_INT(verity_table(&p, "7:3", h, t, 100), -ENAMETOOLONG);
    CHECK_EQ_INT(verity_table(&p, "7:3", h, t, (size_t)n), -ENAMETOOLONG);
    CHECK_EQ_INT(verity_table(&p, "7:3", h, t, (size_t)n + 1), n);
}

int main(void)
{
    test_offset();
    test_good();
    test_bad_fields();
    test_bad_sizes();
    test_roothash();
    test_table();
    return check_summary("test_verity");
}
