/* image: recognise root filesystem images by their magic numbers. */
#ifndef HUTCH_IMAGE_H
#define HUTCH_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum image_type { IMAGE_UNKNOWN, IMAGE_EXT2, IMAGE_EXT3, IMAGE_EXT4, IMAGE_SQUASHFS, IMAGE_EROFS,
                  IMAGE_DIRECTORY };

/* Bytes from the start of a file that image_type_of needs to see. */
#define IMAGE_PROBE_SIZE 2048

struct image_info {
    enum image_type type;
    uint64_t min_size; /* the size the superblock claims, 0 if unknown */
};

/* Pure: look at the first LEN bytes of a file (LEN may be short). */
struct image_info image_probe(const unsigned char *buf, size_t len);

/* The kernel's filesystem type name for TYPE ("ext4", "squashfs", ...), NULL for unknown. */
const char *image_fstype(enum image_type type);
/* Whether the type can only be mounted read-only. */
bool image_readonly(enum image_type type);

/* Open PATH (without blocking: a FIFO is refused, not waited on), probe it and check its size.
 * Returns 0 with *INFO filled and *FD open read-only on the file (-1 for a directory,
 * IMAGE_DIRECTORY), or a negative errno with a message that says what is wrong with it. */
int image_open(const char *path, int *fd, struct image_info *info);
/* PATH opened again for writing; it must still be the file FD is open on. The new fd, or a
 * negative errno (recorded: "use --ro" when the file cannot be written). */
int image_reopen_writable(const char *path, int fd);

#endif
