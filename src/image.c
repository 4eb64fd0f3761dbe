#include "image.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "sys.h"

static uint16_t le16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t le64(const unsigned char *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

/* ext2/3/4: superblock at 1024; layout from the kernel's struct ext4_super_block. */
#define EXT_SB 1024
#define EXT_MAGIC 0xEF53
#define EXT_COMPAT_HAS_JOURNAL 0x0004
#define EXT_INCOMPAT_EXT4_ONLY (0x0040 /*extents*/ | 0x0080 /*64bit*/ | 0x0200 /*flex_bg*/ \
                                | 0x0400 /*ea_inode*/ | 0x1000 /*dirdata*/ | 0x2000 /*csum_seed*/ \
                                | 0x4000 /*largedir*/ | 0x8000 /*inline_data*/ | 0x10000 /*encrypt*/)
#define SQUASHFS_MAGIC 0x73717368 /* "hsqs" */
#define EROFS_SB 1024
#define EROFS_MAGIC 0xE0F5E1E2

struct image_info image_probe(const unsigned char *buf, size_t len)
{
    struct image_info info = {IMAGE_UNKNOWN, 0};
    if (len >= 48 && le32(buf) == SQUASHFS_MAGIC) {
        info.type = IMAGE_SQUASHFS;
        info.min_size = le64(buf + 40); /* bytes_used */
        return info;
    }
    if (len >= EXT_SB + 0x68 && le16(buf + EXT_SB + 0x38) == EXT_MAGIC) {
        const unsigned char *sb = buf + EXT_SB;
        uint32_t compat = le32(sb + 0x5C), incompat = le32(sb + 0x60);
        uint32_t log_block = le32(sb + 0x18);
        uint64_t blocks = le32(sb + 0x04);
        if (incompat & 0x0080 && len >= EXT_SB + 0x154)
            blocks |= (uint64_t)le32(sb + 0x150) << 32;
        if (incompat & EXT_INCOMPAT_EXT4_ONLY)
            info.type = IMAGE_EXT4;
        else if (compat & EXT_COMPAT_HAS_JOURNAL)
            info.type = IMAGE_EXT3;
        else
            info.type = IMAGE_EXT2;
        /* A size the superblock claims that does not fit in 64 bits is larger than any file. */
        unsigned shift = 10 + log_block;
        info.min_size = log_block > 6 || blocks > (UINT64_MAX >> shift) ? UINT64_MAX
                                                                         : blocks << shift;
        return info;
    }
    if (len >= EROFS_SB + 4 && le32(buf + EROFS_SB) == EROFS_MAGIC) {
        info.type = IMAGE_EROFS;
        /* blkszbits at 12, blocks at 36 (the kernel's struct erofs_super_block) */
        if (len >= EROFS_SB + 40) {
            unsigned bits = buf[EROFS_SB + 12];
            uint64_t blocks = le32(buf + EROFS_SB + 36);
            info.min_size = bits < 9 || bits > 16 ? UINT64_MAX : blocks << bits;
        }
        return info;
    }
    return info;
}

const char *image_fstype(enum image_type type)
{
    switch (type) {
    case IMAGE_EXT2: return "ext2";
    case IMAGE_EXT3: return "ext3";
    case IMAGE_EXT4: return "ext4";
    case IMAGE_SQUASHFS: return "squashfs";
    case IMAGE_EROFS: return "erofs";
    default: return NULL;
    }
}

bool image_readonly(enum image_type type)
{
    return type == IMAGE_SQUASHFS || type == IMAGE_EROFS;
}

int image_open(const char *path, int *fd_out, struct image_info *info)
{
    unsigned char buf[IMAGE_PROBE_SIZE];
    struct stat st;
    /* Not blocking: a FIFO given as IMAGE must not hang hutch. */
    int fd SYS_AUTO_CLOSE = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return err_set(errno, "image %s", path);
    if (fstat(fd, &st) < 0)
        return err_set(errno, "image %s", path);
    *fd_out = -1;
    if (S_ISDIR(st.st_mode)) {
        info->type = IMAGE_DIRECTORY;
        info->min_size = 0;
        return 0;
    }
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
        return err_setx(EINVAL, "image %s: not a regular file, block device or directory", path);
    ssize_t n = pread(fd, buf, sizeof buf, 0);
    if (n < 0)
        return err_set(errno, "image %s: read", path);
    if (n == 0)
        return err_setx(EINVAL, "image %s: the file is empty (build an image with mke2fs -d or "
                                "mksquashfs)", path);
    *info = image_probe(buf, (size_t)n);
    if (info->type == IMAGE_UNKNOWN)
        return err_setx(EINVAL, "image %s: not an ext2/3/4, squashfs or erofs image (give an "
                                "image file or a directory)", path);
    if (info->min_size == UINT64_MAX)
        return err_setx(EINVAL, "image %s: the %s superblock is corrupt (its size does not add "
                                "up; rebuild the image)", path, image_fstype(info->type));
    if (S_ISREG(st.st_mode) && info->min_size > (uint64_t)st.st_size)
        return err_setx(EINVAL, "image %s: truncated: the %s superblock claims %llu bytes, the "
                                "file has %lld (rebuild or re-copy the image)", path,
                        image_fstype(info->type), (unsigned long long)info->min_size,
                        (long long)st.st_size);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    *fd_out = sys_take_fd(&fd);
    return 0;
}

int image_reopen_writable(const char *path, int fd)
{
    struct stat a, b;
    int w SYS_AUTO_CLOSE = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (w < 0) {
        if (errno == EROFS || errno == EACCES)
            return err_set(errno, "image %s: cannot open for writing (use --ro)", path);
        return err_set(errno, "image %s", path);
    }
    /* The same file as the one probed, not whatever the path names now. */
    if (fstat(fd, &a) < 0 || fstat(w, &b) < 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino)
        return err_setx(EAGAIN, "image %s changed while hutch opened it; try again", path);
    fcntl(w, F_SETFL, fcntl(w, F_GETFL) & ~O_NONBLOCK);
    return sys_take_fd(&w);
}
