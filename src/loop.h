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
    bool dio;        /* direct I/O to the image file: its blocks are not cached a second time
                      * in the host's page cache (the kernel said yes: LO_FLAGS_DIRECT_IO) */
};

/* How to attach, as bits: LOOP_CONFIGURE (falling back to the old pair of ioctls on kernels
 * before 5.8), or the old pair LOOP_SET_FD + LOOP_SET_STATUS64 only; with direct I/O where the
 * image file's filesystem allows it (buffered otherwise), or buffered always. */
enum loop_method { LOOP_METHOD_AUTO = 0, LOOP_METHOD_LEGACY = 1, LOOP_METHOD_NO_DIO = 2 };

/* The method the environment asks for: HUTCH_LOOP=legacy forces the old ioctls, HUTCH_LOOP_DIO=0
 * buffered I/O. */
enum loop_method loop_method_from_env(void);

/* Lock the image file FD for a container: shared when RO, else exclusive; -EBUSY (recorded)
 * when another container holds it the other way. Held until FD is closed. */
int loop_lock_image(const char *image, int fd, bool ro);

/* Attach the image file FILE_FD (opened read-only when RO, else read-write; the loop takes it
 * over, on failure too) with LO_FLAGS_AUTOCLEAR; IMAGE is its path, for messages and the
 * device's name. The image is locked first: shared when RO, exclusive otherwise, so two
 * containers never mount one filesystem read-write at once. Unless METHOD has
 * LOOP_METHOD_NO_DIO, direct I/O is asked for; where the kernel refuses it (the file's
 * filesystem has no O_DIRECT, or needs a larger alignment than the device's 512-byte logical
 * blocks, which stay 512 so that images with 1 KiB blocks mount) the device does buffered I/O
 * and L->dio is false. On success L holds the open device; it stays attached at least until
 * loop_release(). */
int loop_attach(const char *image, int file_fd, bool ro, enum loop_method method,
                struct loop_dev *l);

/* How L was attached, for hutch inspect: "LOOP_CONFIGURE" or "LOOP_SET_FD", with ",dio" when
 * the device does direct I/O. */
const char *loop_how(const struct loop_dev *l);

/* Close hutch's descriptor, wait (briefly) until the kernel has detached the device, so that no
 * loop device outlives the container, then drop the image's lock. Safe to call on a loop_dev
 * that holds nothing (fd and file_fd -1). */
void loop_release(struct loop_dev *l);

#endif
