#include "dm.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/dm-ioctl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "image.h"
#include "sys.h"
#include "verity.h"

#define CONTROL "/dev/mapper/control"
#define NO_DM "device-mapper is not available (the kernel needs CONFIG_BLK_DEV_DM and " \
              "CONFIG_DM_VERITY; modprobe dm-verity)"

/* One ioctl's buffer: the header, then the data (a table, a status, a list). */
struct dm_buf {
    union {
        struct dm_ioctl io;
        uint64_t align;
        unsigned char bytes[16384];
    };
};

/* The one buffer every call uses (hutch is single-threaded; no call keeps it across another). */
static struct dm_buf dm_io;

static void dm_init(struct dm_buf *b, const char *name, uint32_t flags)
{
    memset(&b->io, 0, sizeof b->io);
    b->io.version[0] = DM_VERSION_MAJOR;
    b->io.version[1] = 0;
    b->io.version[2] = 0;
    b->io.data_size = sizeof *b;
    b->io.data_start = sizeof b->io;
    b->io.flags = flags;
    if (name)
        snprintf(b->io.name, sizeof b->io.name, "%s", name);
}

static int dm_call(int ctl, unsigned long req, struct dm_buf *b)
{
    return ioctl(ctl, req, b) < 0 ? -errno : 0;
}

/* Remove device NAME now; a brief wait while something (udev, a mount going away) holds it. */
static int dm_remove(int ctl, const char *name)
{
    struct dm_buf *b = &dm_io;
    int r = -EBUSY;
    for (int i = 0; i < 500 && r == -EBUSY; i++) {
        if (i)
            sys_sleep_ms(10);
        dm_init(b, name, 0);
        r = dm_call(ctl, DM_DEV_REMOVE, b);
    }
    return r;
}

/* Whether the kernel has the verity target (loaded: a table load asks for the module). */
static bool has_verity_target(int ctl)
{
    struct dm_buf *b = &dm_io;
    dm_init(b, NULL, 0);
    if (dm_call(ctl, DM_LIST_VERSIONS, b) < 0)
        return false;
    size_t off = b->io.data_start;
    while (off + sizeof(struct dm_target_versions) < b->io.data_size && off < sizeof *b) {
        struct dm_target_versions *t = (struct dm_target_versions *)(b->bytes + off);
        size_t room = sizeof *b - off - sizeof *t;
        if (strnlen(t->name, room) < room && strcmp(t->name, "verity") == 0)
            return true;
        if (t->next == 0)
            break;
        off += t->next;
    }
    return false;
}

/* DM_DEV_CREATE of NAME; a device of that name that hutch made (its uuid says so) and that
 * nobody holds is what a hutch killed at the wrong moment left: removed, and the create tried
 * once more. */
static int dm_create(int ctl, const char *name, const char *uuid_prefix, const char *uuid)
{
    struct dm_buf *b = &dm_io;
    for (int attempt = 0;; attempt++) {
        dm_init(b, name, 0);
        snprintf(b->io.uuid, sizeof b->io.uuid, "%s", uuid);
        int r = dm_call(ctl, DM_DEV_CREATE, b);
        if (r != -EBUSY || attempt > 0)
            return r;
        dm_init(b, name, 0);
        if (dm_call(ctl, DM_DEV_STATUS, b) < 0 || b->io.open_count != 0 ||
            strncmp(b->io.uuid, uuid_prefix, strlen(uuid_prefix)) != 0)
            return -EBUSY;
        if (dm_remove(ctl, name) < 0)
            return -EBUSY;
    }
}

static int dm_load(int ctl, const char *name, uint64_t sectors, const char *params)
{
    struct dm_buf *b = &dm_io;
    dm_init(b, name, DM_READONLY_FLAG);
    b->io.target_count = 1;
    struct dm_target_spec *t = (struct dm_target_spec *)(b->bytes + b->io.data_start);
    size_t room = sizeof *b - b->io.data_start - sizeof *t;
    size_t len = strlen(params) + 1;
    if (len > room)
        return -ENAMETOOLONG;
    memset(t, 0, sizeof *t);
    t->sector_start = 0;
    t->length = sectors;
    snprintf(t->target_type, sizeof t->target_type, "verity");
    memcpy(t + 1, params, len);
    t->next = (uint32_t)((sizeof *t + len + 7) & ~(size_t)7);
    b->io.data_size = b->io.data_start + t->next;
    return dm_call(ctl, DM_TABLE_LOAD, b);
}

/* The block size of the filesystem in PROBE where it must be at least the device's logical
 * block size (which dm-verity sets to its data block size), or 0: ext2/3/4 (1024 << the log at
 * 0x18 of the superblock at 1024) and erofs (1 << blkszbits at 12 of the superblock at 1024).
 * Squashfs reads in blocks of its own. */
static uint64_t fs_block_size(const unsigned char *probe, size_t len, enum image_type type)
{
    if ((type == IMAGE_EXT2 || type == IMAGE_EXT3 || type == IMAGE_EXT4) && len >= 1024 + 0x1c) {
        const unsigned char *l = probe + 1024 + 0x18;
        uint32_t log = (uint32_t)l[0] | (uint32_t)l[1] << 8 | (uint32_t)l[2] << 16 |
                       (uint32_t)l[3] << 24;
        return log < 7 ? UINT64_C(1024) << log : 0; /* image_probe refused larger ones */
    }
    if (type == IMAGE_EROFS && len > 1024 + 12)
        return probe[1024 + 12] < 17 ? UINT64_C(1) << probe[1024 + 12] : 0;
    return 0;
}

/* The image as the loop device shows it: its filesystem's size, checked against FSTYPE, and
 * its verity superblock. */
static int read_params(const char *image, int loop_fd, const char *fstype,
                       struct verity_params *p)
{
    unsigned char probe[IMAGE_PROBE_SIZE], sb[VERITY_SB_SIZE];
    uint64_t size;
    if (ioctl(loop_fd, BLKGETSIZE64, &size) < 0)
        return err_set(errno, "image %s: the loop device's size", image);
    ssize_t n = pread(loop_fd, probe, sizeof probe, 0);
    if (n < 0)
        return err_set(errno, "image %s: read", image);
    size_t plen = (size_t)n;
    struct image_info info = image_probe(probe, plen);
    const char *type = image_fstype(info.type);
    if (!type || strcmp(type, fstype) != 0 || info.min_size == 0 || info.min_size == UINT64_MAX)
        return err_setx(EINVAL, "image %s changed while hutch opened it; try again", image);
    uint64_t off = verity_offset(info.min_size);
    memset(sb, 0, sizeof sb);
    if (off < size && (n = pread(loop_fd, sb, sizeof sb, (off_t)off)) < 0)
        return err_set(errno, "image %s: read its verity superblock", image);
    int r = verity_parse(image, sb, off, info.min_size, size, p);
    /* The device's sectors are verity blocks: a filesystem of smaller blocks cannot mount. */
    uint64_t bs = fs_block_size(probe, plen, info.type);
    if (r == 0 && bs && bs < p->data_block_size)
        r = err_setx(EINVAL, "image %s: its %s blocks of %" PRIu64 " bytes are smaller than its "
                             "verity blocks of %" PRIu32 " bytes (make the filesystem with "
                             "blocks of %" PRIu32 ", e.g. mke2fs -b %" PRIu32 "): refused",
                     image, fstype, bs, p->data_block_size, p->data_block_size,
                     p->data_block_size);
    return r;
}

/* Open the device's node, made by devtmpfs; it must be the device just made. */
static int open_node(const char *image, struct dm_dev *d)
{
    snprintf(d->path, sizeof d->path, "/dev/dm-%u", minor(d->dev));
    int fd = open(d->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0 && errno == ENOENT)
        return err_setx(ENOENT, "image %s: %s, the verity device, has no node (/dev must be "
                                "devtmpfs)", image, d->path);
    if (fd < 0)
        return err_set(errno, "image %s: %s", image, d->path);
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISBLK(st.st_mode) || st.st_rdev != d->dev) {
        close(fd);
        return err_setx(ENODEV, "image %s: %s is not the verity device %u:%u (/dev must be "
                                "devtmpfs)", image, d->path, major(d->dev), minor(d->dev));
    }
    d->fd = fd;
    d->held = true;
    return 0;
}

/* Read the first block (and with it the filesystem's superblock) through the device: dm-verity
 * checks it against the root hash, and a wrong root hash fails here. */
static int check_first_block(const char *image, const struct dm_dev *d, const char *fstype)
{
    static unsigned char block[4096];
    ssize_t n = pread(d->fd, block, sizeof block, 0);
    if (n < 0 && errno == EIO)
        return err_setx(EIO, "image %s: the root hash does not match (--verity): refused", image);
    if (n < 0)
        return err_set(errno, "image %s: read %s", image, d->path);
    struct image_info info = image_probe(block, (size_t)n);
    const char *type = image_fstype(info.type);
    if (!type || strcmp(type, fstype) != 0)
        return err_setx(EINVAL, "image %s changed while hutch opened it; try again", image);
    return 0;
}

int dm_verity_attach(const char *image, const char *name, int loop_fd, const char *fstype,
                     const char *roothash, struct dm_dev *d)
{
    memset(d, 0, sizeof *d);
    d->fd = -1;
    struct verity_params p;
    int r = read_params(image, loop_fd, fstype, &p);
    if (r < 0)
        return r;
    struct stat st;
    if (fstat(loop_fd, &st) < 0 || !S_ISBLK(st.st_mode))
        return err_setx(ENOTBLK, "image %s: not on a loop device", image);
    char dev[32], params[1024];
    snprintf(dev, sizeof dev, "%u:%u", major(st.st_rdev), minor(st.st_rdev));
    if (verity_table(&p, dev, roothash, params, sizeof params) < 0)
        return err_setx(ENAMETOOLONG, "image %s: the verity table is too long", image);

    int ctl SYS_AUTO_CLOSE = open(CONTROL, O_RDWR | O_CLOEXEC);
    if (ctl < 0 && (errno == ENOENT || errno == ENODEV || errno == ENXIO))
        return err_setx(ENODEV, NO_DM);
    if (ctl < 0)
        return err_set(errno, CONTROL);
    struct dm_buf *b = &dm_io;
    dm_init(b, NULL, 0);
    if (dm_call(ctl, DM_VERSION, b) < 0 || b->io.version[0] != DM_VERSION_MAJOR)
        return err_setx(ENODEV, NO_DM);

    /* Container names are at most 63 bytes: these fit. */
    char devname[sizeof d->name], prefix[DM_UUID_LEN], uuid[DM_UUID_LEN];
    snprintf(devname, sizeof devname, "hutch-%.100s", name);
    snprintf(prefix, sizeof prefix, "HUTCH-%.100s-", name);
    snprintf(uuid, sizeof uuid, "%.107s%d", prefix, (int)getpid());
    r = dm_create(ctl, devname, prefix, uuid);
    if (r == -EBUSY)
        return err_setx(EBUSY, "image %s: the device-mapper device %s is in use", image,
                        devname);
    if (r < 0)
        return err_set(-r, "image %s: create the device-mapper device %s", image, devname);
    memcpy(d->name, devname, sizeof d->name); /* made: dm_release removes it from here on */

    r = dm_load(ctl, d->name, verity_sectors(&p), params);
    if (r == -EINVAL || r == -ENOENT) {
        r = has_verity_target(ctl)
                ? err_setx(EINVAL, "image %s: dm-verity refused the image's table (the "
                                   "kernel's log says why): refused", image)
                : err_setx(ENODEV, "device-mapper has no verity target (the kernel needs "
                                   "CONFIG_DM_VERITY; modprobe dm-verity)");
    } else if (r < 0) {
        r = err_set(-r, "image %s: load the verity table of %s", image, d->name);
    }
    if (r == 0) {
        dm_init(b, d->name, 0); /* without DM_SUSPEND_FLAG: resume */
        if ((r = dm_call(ctl, DM_DEV_SUSPEND, b)) < 0)
            r = err_set(-r, "image %s: resume %s", image, d->name);
        d->dev = (dev_t)b->io.dev;
    }
    if (r == 0)
        r = open_node(image, d);
    if (r == 0) {
        /* From here the kernel removes the device when its last opener closes it. Kernels
         * before 3.13 refuse (EBUSY, it is open): dm_release removes it then. */
        dm_init(b, d->name, DM_DEFERRED_REMOVE);
        d->deferred = dm_call(ctl, DM_DEV_REMOVE, b) == 0;
        r = check_first_block(image, d, fstype);
    }
    if (r < 0)
        dm_release(d);
    return r;
}

int dm_verity_corrupt(const struct dm_dev *d)
{
    if (!d->held)
        return 0;
    int ctl SYS_AUTO_CLOSE = open(CONTROL, O_RDWR | O_CLOEXEC);
    if (ctl < 0)
        return -errno;
    struct dm_buf *b = &dm_io;
    dm_init(b, d->name, 0); /* the status (STATUSTYPE_INFO), not the table */
    int r = dm_call(ctl, DM_TABLE_STATUS, b);
    if (r < 0)
        return r;
    if (b->io.target_count != 1 || (uint64_t)b->io.dev != (uint64_t)d->dev ||
        b->io.data_start + sizeof(struct dm_target_spec) >= sizeof *b)
        return -EIO;
    struct dm_target_spec *t = (struct dm_target_spec *)(b->bytes + b->io.data_start);
    const char *status = (const char *)(t + 1);
    size_t room = sizeof *b - b->io.data_start - sizeof *t;
    if (strnlen(t->target_type, sizeof t->target_type) == sizeof t->target_type ||
        strcmp(t->target_type, "verity") != 0 || strnlen(status, room) == room)
        return -EIO;
    return status[0] == 'C';
}

/* Whether /sys/block/dm-N is still the device (a new one may take the minor once it is gone). */
static bool still_there(const struct dm_dev *d)
{
    char p[64], buf[DM_DEV_NAME_MAX + 2];
    snprintf(p, sizeof p, "/sys/block/dm-%u/dm/name", minor(d->dev));
    if (sys_read_text(p, buf, sizeof buf) <= 0)
        return false;
    buf[strcspn(buf, "\n")] = '\0';
    return strcmp(buf, d->name) == 0;
}

void dm_release(struct dm_dev *d)
{
    if (!d->name[0])
        return;
    if (d->held) {
        close(d->fd);
        d->fd = -1;
        d->held = false;
    }
    if (!d->deferred) {
        int ctl SYS_AUTO_CLOSE = open(CONTROL, O_RDWR | O_CLOEXEC);
        if (ctl >= 0)
            dm_remove(ctl, d->name);
    }
    /* The last close may be the container's mount, going away on another CPU; the removal
     * itself runs from a kernel work queue. Up to 5 s, so that no device outlives hutch. */
    for (int i = 0; d->dev && i < 5000 && still_there(d); i++)
        sys_sleep_ms(1);
    d->name[0] = '\0';
}
