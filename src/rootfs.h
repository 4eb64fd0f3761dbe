/* rootfs: the container's mount namespace: its root from an image or directory, pivot_root,
 * /proc, /sys, /dev and bind mounts. Runs in the child, inside the new mount namespace. */
#ifndef HUTCH_ROOTFS_H
#define HUTCH_ROOTFS_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"

struct rootfs_plan {
    const char *image;        /* as the user named it, for messages */
    const char *device;       /* loop device holding the image, NULL for a directory root */
    const char *fstype;       /* the image's filesystem type, for a device */
    bool ro;                  /* the root read-only */
    const struct bind_spec *binds;
    size_t n_binds;
    bool host_devices;        /* bind the host's device nodes (mknod is not allowed) */
};

/* Build the container's filesystem and make it the root. 0 or a negative errno (recorded). */
int rootfs_enter(const struct rootfs_plan *p);

#endif
