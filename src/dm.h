/* dm: a dm-verity device over a loop device, made with device-mapper ioctls on
 * /dev/mapper/control (no libdevmapper, no veritysetup). The device is marked for deferred
 * removal as soon as hutch holds it open: the kernel removes it when the last opener (hutch, the
 * container's mount) lets go, so nothing is left even when hutch is killed. */
#ifndef HUTCH_DM_H
#define HUTCH_DM_H

#include <stdbool.h>
#include <sys/types.h>

#define DM_DEV_NAME_MAX 127

struct dm_dev {
    bool held;       /* fd is open on the device (all zero: nothing held) */
    bool deferred;   /* the kernel removes it at the last close; else dm_release removes it */
    int fd;          /* the dm device, open read-only, while held */
    dev_t dev;
    char name[DM_DEV_NAME_MAX + 1];
    char path[32];   /* /dev/dm-N, what the container mounts */
};

/* A read-only verity device "hutch-NAME" over the loop device LOOP_FD that holds IMAGE (its
 * path, for messages), checked with ROOTHASH (64 hex digits) and the verity superblock the image
 * carries after its filesystem of type FSTYPE. Its first block is read through it before this
 * returns, so that a wrong root hash is refused here. 0 with D held, or a negative errno
 * (recorded) with no device left. */
int dm_verity_attach(const char *image, const char *name, int loop_fd, const char *fstype,
                     const char *roothash, struct dm_dev *d);

/* 1 when dm-verity has seen a corrupt block on D (its status "C"), 0 when not, or a negative
 * errno when the status cannot be read. */
int dm_verity_corrupt(const struct dm_dev *d);

/* Let go of D: close hutch's descriptor and wait (briefly) until the kernel has removed the
 * device (removing it here when the kernel has no deferred removal). Safe on a zero dm_dev. */
void dm_release(struct dm_dev *d);

#endif
