/* loop: attach an image file to a free loop device, detach it automatically when the last
 * user (hutch's descriptor or the container's mount) lets go. */
#ifndef HUTCH_LOOP_H
#define HUTCH_LOOP_H

#include <stdbool.h>
#include <sys/types.h>

struct loop_dev {
    int fd;          /* open loop device, -1 when none */
    int file_fd;     /* the image file, holding its lock, -1 when none */
    int nr;          /* /dev/loopNR */
    char path[32];
    char *backing;   /* the image's canonical path, as sysfs shows it while bound */
    bool legacy;     /* bound with LOOP_SET_FD + LOOP_SET_STATUS64, not LOOP_CONFIGURE */
};

/* How to attach: LOOP_CONFIGURE (falling back to the old pair of ioctls on kernels before 5.8),
 * or the old pair LOOP_SET_FD + LOOP_SET_STATUS64 only. */
enum loop_method { LOOP_METHOD_AUTO, LOOP_METHOD_LEGACY };

/* The method the environment asks for: HUTCH_LOOP=legacy forces the old ioctls. */
enum loop_method loop_method_from_env(void);

/* Attach the image file FILE_FD (opened read-only when RO, else read-write; the loop takes it
 * over, on failure too) with LO_FLAGS_AUTOCLEAR; IMAGE is its path, for messages and the
 * device's name. The image is locked first: shared when RO, exclusive otherwise, so two
 * containers never mount one filesystem read-write at once. On success L holds the open
 * device; it stays attached at least until loop_release(). */
int loop_attach(const char *image, int file_fd, bool ro, enum loop_method method,
                struct loop_dev *l);

/* Close hutch's descriptor, wait (briefly) until the kernel has detached the device, so that no
 * loop device outlives the container, then drop the image's lock. Safe to call on a loop_dev
 * that holds nothing (fd and file_fd -1). */
void loop_release(struct loop_dev *l);

#endif
