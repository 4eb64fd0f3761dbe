#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "sys.h"

int loop_lock_image(const char *image, int fd, bool ro)
{
    if (flock(fd, (ro ? LOCK_SH : LOCK_EX) | LOCK_NB) == 0)
        return 0;
    if (errno == EWOULDBLOCK)
        return err_setx(EBUSY, "image %s is in use by another container (run both with --ro, "
                               "or give each its own copy)", image);
    return err_set(errno, "lock image %s", image);
}

enum loop_method loop_method_from_env(void)
{
    const char *m = getenv("HUTCH_LOOP"), *dio = getenv("HUTCH_LOOP_DIO");
    unsigned method = m && strcmp(m, "legacy") == 0 ? LOOP_METHOD_LEGACY : LOOP_METHOD_AUTO;
    if (dio && strcmp(dio, "0") == 0)
        method |= LOOP_METHOD_NO_DIO;
    return (enum loop_method)method;
}

const char *loop_how(const struct loop_dev *l)
{
    if (l->legacy)
        return l->dio ? "LOOP_SET_FD,dio" : "LOOP_SET_FD";
    return l->dio ? "LOOP_CONFIGURE,dio" : "LOOP_CONFIGURE";
}

static void fill_info(struct loop_info64 *info, const char *image, bool ro)
{
    memset(info, 0, sizeof *info);
    info->lo_flags = LO_FLAGS_AUTOCLEAR | (ro ? LO_FLAGS_READ_ONLY : 0);
    snprintf((char *)info->lo_file_name, sizeof info->lo_file_name, "%s", image);
}

/* Whether the bound device DEV does direct I/O: the kernel clears LO_FLAGS_DIRECT_IO where it
 * could not turn it on (some versions do so silently, without an error). */
static bool does_dio(int dev)
{
    struct loop_info64 info;
    return ioctl(dev, LOOP_GET_STATUS64, &info) == 0 && (info.lo_flags & LO_FLAGS_DIRECT_IO);
}

/* Bind FILE_FD to the open device DEV, with direct I/O if DIO and the kernel allows it. The
 * logical block size stays the kernel's default, 512 bytes: any image's filesystem mounts on
 * it, and direct I/O works with it wherever the file's filesystem takes 512-byte-aligned
 * O_DIRECT (ext4, xfs, btrfs on disks with 512-byte sectors; tmpfs from Linux 6.6).
 * Returns 0, -EBUSY when another process bound the device first, -ENOTTY when LOOP_CONFIGURE
 * is missing, or another negative errno. */
static int bind_configure(int dev, int file_fd, const char *image, bool ro, bool dio)
{
    struct loop_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.fd = (unsigned)file_fd;
    fill_info(&cfg.info, image, ro);
    if (dio)
        cfg.info.lo_flags |= LO_FLAGS_DIRECT_IO;
    if (ioctl(dev, LOOP_CONFIGURE, &cfg) == 0)
        return 0;
    /* Some kernels refuse the whole call when direct I/O cannot be had: buffered, then. */
    if (dio && errno == EINVAL)
        return bind_configure(dev, file_fd, image, ro, false);
    /* Kernels before 5.8 answer an unknown loop ioctl with EINVAL (or ENOTTY). */
    return errno == EINVAL || errno == ENOTTY ? -ENOTTY : -errno;
}

static int bind_legacy(int dev, int file_fd, const char *image, bool ro, bool dio)
{
    if (ioctl(dev, LOOP_SET_FD, file_fd) < 0)
        return -errno;
    struct loop_info64 info;
    fill_info(&info, image, ro);
    info.lo_flags &= ~(unsigned)LO_FLAGS_READ_ONLY; /* set by the file's open mode here */
    if (ioctl(dev, LOOP_SET_STATUS64, &info) < 0) {
        int e = errno;
        ioctl(dev, LOOP_CLR_FD, 0);
        return -e;
    }
    /* EINVAL where the file's filesystem cannot: the device stays buffered and works. */
    if (dio)
        (void)ioctl(dev, LOOP_SET_DIRECT_IO, 1UL);
    return 0;
}

int loop_attach(const char *image, int file_fd, bool ro, enum loop_method method,
                struct loop_dev *l)
{
    l->fd = -1;
    l->file_fd = -1;
    l->backing = NULL;
    l->dio = false;
    int r = loop_lock_image(image, file_fd, ro);
    if (r < 0) {
        close(file_fd);
        return r;
    }
    /* The file's path as the kernel names it, which sysfs shows while the device is bound. */
    char *backing = realpath(sys_fd_path(file_fd).s, NULL);
    if (!backing) {
        int e = errno;
        close(file_fd);
        return err_set(e, "image %s", image);
    }
    int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
    if (ctl < 0) {
        int e = errno;
        close(file_fd);
        free(backing);
        if (e == ENOENT)
            return err_setx(e, "no /dev/loop-control: the kernel lacks loop devices "
                               "(CONFIG_BLK_DEV_LOOP; modprobe loop) or /dev is not devtmpfs");
        return err_set(e, "/dev/loop-control");
    }

    r = -EBUSY;
    bool legacy = method & LOOP_METHOD_LEGACY, dio = !(method & LOOP_METHOD_NO_DIO);
    /* Another process may take the free device between GET_FREE and binding: try again. */
    for (int attempt = 0; attempt < 64 && r == -EBUSY; attempt++) {
        int nr = ioctl(ctl, LOOP_CTL_GET_FREE);
        if (nr < 0) {
            r = err_set(errno, "no free loop device (detach unused ones with losetup -d, or "
                               "raise the loop module's max_loop)");
            break;
        }
        char path[32];
        snprintf(path, sizeof path, "/dev/loop%d", nr);
        int dev = open(path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
        if (dev < 0) {
            r = err_set(errno, "loop device %s", path);
            break;
        }
        r = legacy ? -ENOTTY : bind_configure(dev, file_fd, image, ro, dio);
        if (r == -ENOTTY) {
            legacy = true;
            r = bind_legacy(dev, file_fd, image, ro, dio);
        }
        if (r == 0) {
            l->fd = dev;
            l->nr = nr;
            l->legacy = legacy;
            l->dio = dio && does_dio(dev);
            memcpy(l->path, path, sizeof path);
            l->backing = backing;
            backing = NULL;
            l->file_fd = file_fd;
            file_fd = -1;
            break;
        }
        close(dev);
        if (r != -EBUSY)
            r = err_set(-r, "attach %s to %s", image, path);
    }
    if (r == -EBUSY)
        r = err_setx(EBUSY, "attach %s: every free loop device was taken by others; try again",
                     image);
    close(ctl);
    if (file_fd >= 0)
        close(file_fd);
    free(backing);
    return r;
}

/* Whether /dev/loopNR is still bound to the image (read from sysfs, which needs no open of the
 * device: opening it would hold it). Unknown (no sysfs) counts as detached. */
static bool still_bound(const struct loop_dev *l)
{
    char p[64], buf[4096];
    snprintf(p, sizeof p, "/sys/block/loop%d/loop/backing_file", l->nr);
    if (sys_read_text(p, buf, sizeof buf) <= 0)
        return false; /* no loop/ directory: not bound */
    buf[strcspn(buf, "\n")] = '\0';
    return strcmp(buf, l->backing) == 0;
}

void loop_release(struct loop_dev *l)
{
    if (l->fd >= 0) {
        close(l->fd);
        l->fd = -1;
        /* The last reference may be dropped by a namespace being torn down on another CPU:
         * give the kernel up to 5 seconds to finish the automatic detach. */
        for (int i = 0; i < 5000 && still_bound(l); i++)
            nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    free(l->backing);
    l->backing = NULL;
    if (l->file_fd >= 0)
        close(l->file_fd); /* drops the image's lock, now that nothing has it mounted */
    l->file_fd = -1;
}
