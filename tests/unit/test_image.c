/* Unit tests of image recognition on hand-built superblocks. */
#include <stdint.h>

#include "check.h"
#include "image.h"

static unsigned char buf[IMAGE_PROBE_SIZE];

static void put16(unsigned char *p, uint16_t v) { p[0] = v & 0xff; p[1] = v >> 8; }
static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (v >> (8 * i)) & 0xff;
}

static void ext_sb(uint32_t compat, uint32_t incompat, uint32_t blocks, uint32_t log_block)
{
    memset(buf, 0, sizeof buf);
    unsigned char *sb = buf + 1024;
    put32(sb + 0x04, blocks);
    put32(sb + 0x18, log_block);
    put16(sb + 0x38, 0xEF53);
    put32(sb + 0x5C, compat);
    put32(sb + 0x60, incompat);
}

static void test_ext(void)
{
    ext_sb(0, 0, 8192, 0);
    struct image_info i = image_probe(buf, sizeof buf);
    CHECK_EQ_INT(i.type, IMAGE_EXT2);
    CHECK_EQ_INT(i.min_size, 8192 * 1024);
    ext_sb(0x4, 0x2, 100, 2);
    i = image_probe(buf, sizeof buf);
    CHECK_EQ_INT(i.type, IMAGE_EXT3);
    CHECK_EQ_INT(i.min_size, 100 * 4096);
    ext_sb(0x4, 0x2c2, 16384, 2); /* extents, 64bit, flex_bg */
    i = image_probe(buf, sizeof buf);
    CHECK_EQ_INT(i.type, IMAGE_EXT4);
    CHECK_EQ_STR(image_fstype(i.type), "ext4");
    CHECK(!image_readonly(i.type));
    /* 64-bit block counts, and sizes that would not fit in 64 bits: no wrap */
    ext_sb(0x4, 0xc2, 16, 2);
    put32(buf + 1024 + 0x150, 1); /* s_blocks_count_hi */
    i = image_probe(buf, sizeof buf);
    CHECK_EQ_INT(i.min_size, ((1ULL << 32) + 16) * 4096);
    put32(buf + 1024 + 0x150, 0xffffffff);
    CHECK(image_probe(buf, sizeof buf).min_size == UINT64_MAX);
    ext_sb(0, 0, 1, 7); /* a block size above 64 KiB: no ext filesystem has it */
    CHECK(image_probe(buf, sizeof buf).min_size == UINT64_MAX);
    ext_sb(0, 0, 1, 0xffffffff);
    CHECK(image_probe(buf, sizeof buf).min_size == UINT64_MAX);
    ext_sb(0, 0, 1, 6);
    CHECK_EQ_INT(image_probe(buf, sizeof buf).min_size, 65536);
    /* too short to hold the superblock */
    CHECK_EQ_INT(image_probe(buf, 1100).type, IMAGE_UNKNOWN);
}

static void test_squashfs(void)
{
    memset(buf, 0, sizeof buf);
    memcpy(buf, "hsqs", 4);
    put32(buf + 40, 123456);
    struct image_info i = image_probe(buf, sizeof buf);
    CHECK_EQ_INT(i.type, IMAGE_SQUASHFS);
    CHECK_EQ_INT(i.min_size, 123456);
    CHECK(image_readonly(i.type));
    CHECK_EQ_STR(image_fstype(i.type), "squashfs");
}

static void test_erofs(void)
{
    memset(buf, 0, sizeof buf);
    put32(buf + 1024, 0xE0F5E1E2);
    buf[1024 + 12] = 12; /* 4 KiB blocks */
    put32(buf + 1024 + 36, 300);
    struct image_info i = image_probe(buf, sizeof buf);
    CHECK_EQ_INT(i.type, IMAGE_EROFS);
    CHECK_EQ_INT(i.min_size, 300 * 4096); /* a shorter file is truncated */
    CHECK(image_readonly(IMAGE_EROFS));
    buf[1024 + 12] = 40; /* no such block size */
    CHECK(image_probe(buf, sizeof buf).min_size == UINT64_MAX);
    put32(buf + 1024 + 36, 0xffffffff);
    buf[1024 + 12] = 16; /* 2^32 blocks of 64 KiB: no wrap */
    CHECK(image_probe(buf, sizeof buf).min_size == 0xffffffffULL << 16);
}

static void test_unknown(void)
{
    memset(buf, 0, sizeof buf);
    CHECK_EQ_INT(image_probe(buf, sizeof buf).type, IMAGE_UNKNOWN);
    memcpy(buf, "#!/bin/sh\n", 10);
    CHECK_EQ_INT(image_probe(buf, 10).type, IMAGE_UNKNOWN);
    CHECK_EQ_INT(image_probe(buf, 0).type, IMAGE_UNKNOWN);
    CHECK(image_fstype(IMAGE_UNKNOWN) == NULL);
}

int main(void)
{
    test_ext();
    test_squashfs();
    test_erofs();
    test_unknown();
    return check_summary("test_image");
}
