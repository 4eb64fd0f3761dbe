/* rootfs: the container's mount namespace: its root from an image or directory, pivot_root,
 * /proc, /sys, /dev and bind mounts. Runs in the child, inside the new mount namespace. */
#ifndef HUTCH_ROOTFS_H
#define HUTCH_ROOTFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cli.h"

struct rootfs_plan {
    const char *image;        /* as the user named it, for messages */
    const char *device;       /* loop device holding the image, NULL for a directory root */
    const char *fstype;       /* the image's filesystem type, for a device */
    bool ro;                  /* the root read-only */
    const struct bind_spec *binds;
    size_t n_binds;
    const struct device_spec *devices; /* --device: host nodes bound in on purpose */
    size_t n_devices;
    bool host_devices;        /* bind the host's device nodes (mknod is not allowed) */
    bool harden;              /* nosuid and nodev on every mount (only the device nodes hutch
                                 binds work), /proc masked, /sys read-only; off under
                                 --privileged */
    int root_fd;              /* the root as a detached mount (rootfs_detached_root), or -1 */
    const struct spec_more *more; /* a description with its own mounts (OCI), or NULL */
    const char *overlay;      /* --overlay: "tmpfs" or the directory (claimed by
                                 rootfs_overlay_claim); NULL */
    const struct tmpfs_spec *tmpfs; /* --tmpfs, mounted after the binds */
    size_t n_tmpfs;
    const char *resolv_conf;  /* the container's /etc/resolv.conf and /etc/hosts (dns.h), each
                                 bound read-only over the image's before the binds; NULL: the */
    const char *hosts;        /* image's own files, left alone */
    bool etc_asked;           /* asked for (--dns, --dns-search, --add-host): an image that lacks
                                 one and is read-only is an error; else that one is left out */
};

/* Build the container's filesystem and make it the root. Every path inside the root is resolved
 * inside it (resolve.h), and every mount goes onto the descriptor the resolver gave. 0 or a
 * negative errno (recorded). */
int rootfs_enter(const struct rootfs_plan *p);

/* After the pivot (and the sysctls), for a description with its own mounts: the paths it makes
 * read-only, each resolved inside the root; a path the root lacks is skipped. (Its masked paths
 * are covered by rootfs_enter, before the pivot.) */
int rootfs_protect(const struct spec_more *m);

/* From the parent (root of the host), for a child in a user namespace of its own, which may not
 * mount a block device nor make an idmapped mount: the root (image or directory) as a detached
 * mount, attached nowhere, made idmapped through PID's user namespace where the kernel can
 * (5.12), so that what belongs to root in the image belongs to root of the container. *FD goes
 * to the child. Needs Linux 5.2 (fsmount, open_tree). 0 or a negative errno (recorded). */
/* --overlay DIR, from the parent before the container starts: DIR (made when missing, not
 * through a symlink) with upper/ and work/ in it, locked (flock) so that no second container
 * uses it at once. *FD holds the lock; closing it lets go. 0 or a negative errno (recorded). */
int rootfs_overlay_claim(const char *dir, int *fd);

int rootfs_detached_root(const struct rootfs_plan *p, pid_t pid, int *fd);

/* An erofs image mounted straight from its file IMAGE_FD, with no loop device (Linux 6.12,
 * CONFIG_EROFS_FS_BACKED_BY_FILE): a detached mount, read-only (nosuid, nodev when HARDEN), with
 * direct I/O to the file when DIO and the kernel has the option (6.13). -ENOTBLK, recorded
 * nowhere, when the kernel cannot (the caller attaches a loop device, which reports what is
 * wrong if the image is); else the mount's fd, for the child as its root. */
int rootfs_file_root(int image_fd, const char *fstype, bool harden, bool dio);

#endif
