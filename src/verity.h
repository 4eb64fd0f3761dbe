/* verity: a dm-verity image's superblock read and checked, and the device-mapper table for it
 * (pure: no I/O). The layout is what `veritysetup format IMG IMG --hash-offset=OFF` writes and
 * hutch-image makes: the filesystem, zeros up to OFF (the filesystem's size rounded up to 4096),
 * then the verity superblock (cryptsetup's format) in the first hash block and the hash tree.
 * Every number comes from the image, that is from whoever made it: each is checked. */
#ifndef HUTCH_VERITY_H
#define HUTCH_VERITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VERITY_SB_SIZE 512      /* cryptsetup's struct verity_sb */
#define VERITY_ROOTHASH_HEX 64  /* sha256, the one algorithm accepted */
#define VERITY_SALT_MAX 256

struct verity_params {
    uint32_t data_block_size, hash_block_size;
    uint64_t data_blocks;
    uint64_t hash_start;        /* in hash blocks, from the start of the file */
    uint64_t hash_blocks;       /* the tree's size, in hash blocks (the superblock's not counted) */
    uint16_t salt_size;
    unsigned char salt[VERITY_SALT_MAX];
};

/* Where the verity superblock of an image whose filesystem claims FS_SIZE bytes is: FS_SIZE
 * rounded up to 4096. UINT64_MAX when that does not fit. */
uint64_t verity_offset(uint64_t fs_size);

/* Read and check the superblock SB (VERITY_SB_SIZE bytes, read at OFFSET = verity_offset(FS_SIZE))
 * of IMAGE, a file of FILE_SIZE bytes. 0 with *P filled, or -EINVAL with a message naming IMAGE
 * and what is wrong ("...: refused"). */
int verity_parse(const char *image, const unsigned char *sb, uint64_t offset, uint64_t fs_size,
                 uint64_t file_size, struct verity_params *p);

/* Whether S is a root hash hutch takes: exactly 64 hex digits. */
bool verity_roothash_ok(const char *s);

/* The root hash out of the text of a .roothash file (64 hex digits, one newline at most after
 * them), into OUT (65 bytes). 0, or -EINVAL. */
int verity_roothash_text(const char *text, size_t len, char out[VERITY_ROOTHASH_HEX + 1]);

/* The device-mapper table's parameters for the verity target over the device DEV ("MAJ:MIN",
 * data and hash on the same device), into OUT. Its length, or -ENAMETOOLONG. */
int verity_table(const struct verity_params *p, const char *dev, const char *roothash, char *out,
                 size_t size);

/* The table's length in 512-byte sectors. */
uint64_t verity_sectors(const struct verity_params *p);

#endif
