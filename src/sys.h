/* sys: raw system calls that the C library lacks or wraps in a way hutch cannot use. */
#ifndef HUTCH_SYS_H
#define HUTCH_SYS_H

#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

/* clone() with fork semantics (no new stack): returns 0 in the child, the pid in the parent,
 * -1 with errno on failure. The argument order of SYS_clone differs between architectures,
 * but only in arguments that are all zero here. */
static inline pid_t sys_clone(unsigned long flags)
{
    return (pid_t)syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
}

static inline int sys_pivot_root(const char *new_root, const char *put_old)
{
    return (int)syscall(SYS_pivot_root, new_root, put_old);
}

/* setns() by raw call: musl's is the same, but this keeps all namespace calls in one place. */
static inline int sys_setns(int fd, int nstype)
{
    return (int)syscall(SYS_setns, fd, nstype);
}

#ifndef SYS_close_range
#define SYS_close_range 436
#endif
static inline int sys_close_range(unsigned first, unsigned last, unsigned flags)
{
    return (int)syscall(SYS_close_range, first, last, flags);
}

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
static inline int sys_pidfd_open(pid_t pid, unsigned flags)
{
    return (int)syscall(SYS_pidfd_open, pid, flags);
}

/* The new mount API: open_tree, move_mount, fsopen, fsconfig, fsmount (Linux 5.2) and
 * mount_setattr (5.12). hutch uses it where all of it is there (sys_new_mount_api) and the old
 * mount(2) calls elsewhere. */
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_fsopen
#define SYS_fsopen 430
#endif
#ifndef SYS_fsconfig
#define SYS_fsconfig 431
#endif
#ifndef SYS_fsmount
#define SYS_fsmount 432
#endif
#ifndef SYS_fspick
#define SYS_fspick 433
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#define SYS_OPEN_TREE_CLONE 1
#define SYS_OPEN_TREE_CLOEXEC 02000000 /* O_CLOEXEC */
#define SYS_AT_RECURSIVE 0x8000
#define SYS_MOVE_MOUNT_F_EMPTY_PATH 0x4
#define SYS_MOVE_MOUNT_T_EMPTY_PATH 0x40
#define SYS_FSOPEN_CLOEXEC 1
#define SYS_FSMOUNT_CLOEXEC 1
#define SYS_FSCONFIG_SET_FLAG 0
#define SYS_FSCONFIG_SET_STRING 1
#define SYS_FSCONFIG_CMD_CREATE 6
#define SYS_MOUNT_ATTR_RDONLY 0x1
#define SYS_MOUNT_ATTR_NOSUID 0x2
#define SYS_MOUNT_ATTR_NODEV 0x4
#define SYS_MOUNT_ATTR_NOEXEC 0x8
#define SYS_MOUNT_ATTR_IDMAP 0x00100000ULL
struct sys_mount_attr {
    unsigned long long attr_set, attr_clr, propagation, userns_fd;
};
static inline int sys_open_tree(int dfd, const char *path, unsigned flags)
{
    return (int)syscall(SYS_open_tree, dfd, path, flags);
}
static inline int sys_move_mount(int from_dfd, const char *from, int to_dfd, const char *to,
                                 unsigned flags)
{
    return (int)syscall(SYS_move_mount, from_dfd, from, to_dfd, to, flags);
}
static inline int sys_fsopen(const char *fstype, unsigned flags)
{
    return (int)syscall(SYS_fsopen, fstype, flags);
}
static inline int sys_fsconfig(int fd, unsigned cmd, const char *key, const void *value, int aux)
{
    return (int)syscall(SYS_fsconfig, fd, cmd, key, value, aux);
}
static inline int sys_fsmount(int fd, unsigned flags, unsigned attrs)
{
    return (int)syscall(SYS_fsmount, fd, flags, attrs);
}
static inline int sys_mount_setattr(int dfd, const char *path, unsigned flags,
                                    struct sys_mount_attr *attr)
{
    return (int)syscall(SYS_mount_setattr, dfd, path, flags, attr, sizeof *attr);
}

/* Whether the kernel has the whole new mount API (it has mount_setattr, Linux 5.12), and
 * HUTCH_OLD_KERNEL is not set: that variable makes hutch take the paths it takes on kernels
 * before 5.12 (mount(2), and the in-root walk instead of openat2), so the tests cover both. */
bool sys_new_mount_api(void);
/* Whether HUTCH_OLD_KERNEL is set (non-empty). */
bool sys_old_kernel(void);

/* "/proc/self/fd/N": a path that names exactly what the descriptor FD holds. */
struct sys_fd_path {
    char s[32];
};
struct sys_fd_path sys_fd_path(int fd);

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
static inline int sys_pidfd_send_signal(int pidfd, int sig)
{
    return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

/* When PID started, in clock ticks since boot (/proc/PID/stat, field 22); 0 when unknown.
 * *STATE, when given, gets its state letter ('R', 'S', 'Z' ...; 0 when unknown). */
unsigned long long sys_start_time(pid_t pid, char *state);

/* Nothing in a container may trace this process or open its /proc/PID/exe, the hutch binary
 * (CVE-2019-5736): PR_SET_DUMPABLE 0. 0, or a negative errno (recorded). */
int sys_undumpable(void);
/* Sleep MS milliseconds, the whole of it through signals. */
void sys_sleep_ms(long ms);
/* Close every file descriptor from 3 up, except KEEP (may be -1). */
void sys_close_fds_except(int keep);
/* Close every descriptor from FIRST up, but KEEP (-1: none). */
void sys_close_fds_from(int first, int keep);
/* Join the namespace at PATH (a /proc/PID/ns/ file or a bind of one), which must be of TYPE
 * (CLONE_NEW*: checked with NS_GET_NSTYPE where the kernel has it, 4.11). 0, or a negative
 * errno (recorded). */
int sys_join_ns(const char *path, int type);

/* A descriptor closed when its variable goes out of scope (int fd SYS_AUTO_CLOSE = -1;), unless
 * handed over with sys_take_fd. */
static inline void sys_closep(int *fd)
{
    if (*fd >= 0)
        close(*fd);
}
#define SYS_AUTO_CLOSE __attribute__((cleanup(sys_closep)))
static inline int sys_take_fd(int *fd)
{
    int taken = *fd;
    *fd = -1;
    return taken;
}

/* Small file helpers the modules share; each returns 0 (or a length) or a negative errno and
 * records nothing: the caller names the object. */
/* Write TEXT to PATH (relative to DIRFD, or AT_FDCWD), as one write: for /proc and cgroup files. */
int sys_write_text(int dirfd, const char *path, const char *text);
/* The whole of PATH (a /proc file of any length), NUL-terminated, malloc'd; NULL with *ERR set
 * to a negative errno. */
char *sys_read_all(const char *path, int *err);
/* Read PATH into BUF, NUL-terminated; returns the length read. */
int sys_read_text(const char *path, char *buf, size_t size);
/* NAME in DIRFD opened with FLAGS as a regular file of one link (made with MODE when missing),
 * looked at before it is opened and never through a symlink: -ELOOP (a symlink), -EINVAL (a
 * FIFO, socket or device node: not opened), -EMLINK (it has other hard links). */
int sys_open_regular(int dirfd, const char *name, int flags, mode_t mode);
/* mkdir -p PATH with MODE; directories already there are fine. */
int sys_make_dirs(const char *path, mode_t mode);

#endif
