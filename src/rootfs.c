#include "rootfs.h"

#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "err.h"
#include "sys.h"

/* Device nodes every container gets in its /dev. */
static const struct {
    const char *name;
    unsigned major, minor;
} dev_nodes[] = {
    {"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};
#define N_DEV_NODES (sizeof dev_nodes / sizeof dev_nodes[0])

static const struct {
    const char *path, *target;
} dev_links[] = {
    {"/dev/fd", "/proc/self/fd"},       {"/dev/stdin", "/proc/self/fd/0"},
    {"/dev/stdout", "/proc/self/fd/1"}, {"/dev/stderr", "/proc/self/fd/2"},
    {"/dev/ptmx", "pts/ptmx"},
};

/* The kernel option behind each filesystem type, for "kernel lacks" messages. */
static const char *fs_config(const char *fstype)
{
    if (strcmp(fstype, "ext4") == 0 || strcmp(fstype, "ext3") == 0)
        return "CONFIG_EXT4_FS";
    if (strcmp(fstype, "ext2") == 0)
        return "CONFIG_EXT2_FS or CONFIG_EXT4_USE_FOR_EXT2";
    if (strcmp(fstype, "squashfs") == 0)
        return "CONFIG_SQUASHFS";
    if (strcmp(fstype, "erofs") == 0)
        return "CONFIG_EROFS_FS";
    return "the filesystem";
}

/* Something of the host's that the container gets, taken before anything is mounted over the
 * host's paths: a detached copy of its mount tree (open_tree, Linux 5.2), or on older kernels an
 * O_PATH descriptor to bind from. The copy also keeps mounts made later (the staging mount) out
 * of a recursive bind whose source contains them. */
struct source {
    int fd;
    bool detached;
};

static int take_source(const char *path, const char *what, struct source *s)
{
    s->detached = true;
    s->fd = sys_open_tree(AT_FDCWD, path, SYS_OPEN_TREE_CLONE | SYS_AT_RECURSIVE | O_CLOEXEC);
    if (s->fd >= 0)
        return 0;
    if (errno == ENOENT || errno == EACCES || errno == ENOTDIR || errno == ELOOP)
        return err_set(errno, "%s %s", what, path);
    s->detached = false;
    s->fd = open(path, O_PATH | O_CLOEXEC);
    if (s->fd < 0)
        return err_set(errno, "%s %s", what, path);
    return 0;
}

static void drop_source(struct source *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}

static int attach_source(const struct source *s, const char *dst)
{
    if (s->detached)
        return sys_move_mount(s->fd, "", AT_FDCWD, dst, SYS_MOVE_MOUNT_F_EMPTY_PATH);
    char fdp[32];
    snprintf(fdp, sizeof fdp, "/proc/self/fd/%d", s->fd);
    return mount(fdp, dst, NULL, MS_BIND | MS_REC, NULL);
}

/* A directory that must exist in the image to mount on. */
static int need_dir(const char *path, const char *shown, bool ro)
{
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return 0;
        return err_setx(ENOTDIR, "image: %s is not a directory", shown);
    }
    if (errno == ENOENT && !ro && mkdir(path, 0755) == 0)
        return 0;
    return err_set(errno, "image: %s missing (create it in the image)", shown);
}

/* A squashfs image's compression (superblock offset 20) and the option a kernel needs for it. */
static const char *squashfs_config(const char *device)
{
    static const char *const configs[] = {
        NULL, "CONFIG_SQUASHFS_ZLIB", "CONFIG_SQUASHFS_LZMA", "CONFIG_SQUASHFS_LZO",
        "CONFIG_SQUASHFS_XZ", "CONFIG_SQUASHFS_LZ4", "CONFIG_SQUASHFS_ZSTD"};
    unsigned char id[2] = {0, 0};
    int fd = open(device, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (pread(fd, id, sizeof id, 20) != (ssize_t)sizeof id)
            id[0] = 0;
        close(fd);
    }
    unsigned n = id[0] | (unsigned)id[1] << 8;
    return n < sizeof configs / sizeof *configs ? configs[n] : NULL;
}

/* The one message for a failed mount of the image. */
static int mount_error(const struct rootfs_plan *p, const char *fstype, int e)
{
    const char *comp = e == EINVAL && strcmp(fstype, "squashfs") == 0 ? squashfs_config(p->device)
                                                                      : NULL;
    if (comp)
        return err_setx(e, "image %s: cannot mount it as squashfs: the kernel lacks its "
                           "compression (%s), or the image is corrupt (check it with "
                           "unsquashfs -s)", p->image, comp);
    switch (e) {
    case ENODEV:
        return err_setx(ENODEV, "image %s: the kernel lacks %s support (%s)", p->image, p->fstype,
                        fs_config(p->fstype));
    case EUCLEAN: /* the kernel's EFSCORRUPTED */
    case EBADMSG:
    case EINVAL:
    case EIO:
        return err_setx(e, "image %s: cannot mount it as %s: the filesystem is corrupt (check it "
                           "with %s)", p->image, fstype,
                        strncmp(fstype, "ext", 3) == 0 ? "e2fsck -f" : "unsquashfs -s");
    default:
        return err_set(e, "mount image %s (%s)", p->image, fstype);
    }
}

static int mount_root(const struct rootfs_plan *p, const struct source *dir, const char *staging)
{
    if (p->root_fd >= 0) {
        if (sys_move_mount(p->root_fd, "", AT_FDCWD, staging, SYS_MOVE_MOUNT_F_EMPTY_PATH) < 0)
            return err_set(errno, "attach the root of %s", p->image);
        return 0;
    }
    /* Hardened, device nodes work only where hutch put them: the image's own, or one made
     * with mknod inside, do not. */
    unsigned long flags = (p->ro ? MS_RDONLY : 0) | (p->harden ? MS_NODEV : 0);
    if (!p->device) {
        if (attach_source(dir, staging) < 0)
            return err_set(errno, "bind directory %s as root", p->image);
        if (flags && mount(NULL, staging, NULL, MS_BIND | MS_REMOUNT | flags, NULL) < 0)
            return err_set(errno, "remount %s%s%s", p->image, p->ro ? " read-only" : "",
                           p->harden ? " nodev" : "");
        return 0;
    }
    const char *fstype = p->fstype;
    int r = mount(p->device, staging, fstype, flags, NULL);
    if (r < 0 && errno == ENODEV && (strcmp(fstype, "ext2") == 0 || strcmp(fstype, "ext3") == 0)) {
        fstype = "ext4"; /* the ext4 driver also mounts ext2 and ext3 */
        r = mount(p->device, staging, fstype, flags, NULL);
    }
    if (r == 0)
        return 0;
    return mount_error(p, fstype, errno);
}

/* /proc and /sys are mounted before pivot_root: in a user namespace the kernel allows new
 * instances only while a full one is visible in the mount namespace. */
static int mount_kernel_fs(const char *staging, bool ro, bool harden)
{
    char path[PATH_MAX];
    int r;
    snprintf(path, sizeof path, "%s/proc", staging);
    if ((r = need_dir(path, "/proc", ro)) < 0)
        return r;
    if (mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        return err_set(errno, "mount /proc (CONFIG_PROC_FS)");
    snprintf(path, sizeof path, "%s/sys", staging);
    if ((r = need_dir(path, "/sys", ro)) < 0)
        return r;
    unsigned long fl = (harden ? MS_RDONLY : 0) | MS_NOSUID | MS_NODEV | MS_NOEXEC;
    if (mount("sysfs", path, "sysfs", fl, NULL) == 0)
        return 0;
    /* A new sysfs needs a network namespace of one's own user namespace: bind the host's. */
    if (errno != EPERM)
        return err_set(errno, "mount /sys");
    if (mount("/sys", path, NULL, MS_BIND | MS_REC, NULL) < 0 ||
        mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | fl, NULL) < 0)
        return err_set(errno, "bind /sys");
    return 0;
}

/* Work inside the new root before pivot_root: a chroot keeps every path (and every symlink of
 * the image) inside it, while the host's mounts, whose files the binds take, stay attached. */
static int chroot_in(const char *staging, int *host_root)
{
    *host_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (*host_root < 0)
        return err_set(errno, "open /");
    if (chdir(staging) < 0 || chroot(".") < 0)
        return err_set(errno, "chroot %s", staging);
    return 0;
}

static int chroot_out(int host_root)
{
    if (fchdir(host_root) < 0 || chroot(".") < 0)
        return err_set(errno, "leave the chroot");
    return 0;
}

static int pivot(const char *staging)
{
    if (chdir(staging) < 0)
        return err_set(errno, "chdir %s", staging);
    if (sys_pivot_root(".", ".") == 0) {
        /* The old root is now stacked on the new one: detach it. */
        if (umount2(".", MNT_DETACH) < 0)
            return err_set(errno, "detach the old root");
    } else if (errno == EINVAL) {
        /* The host's root is the initramfs (rootfs), which cannot be pivoted away. */
        if (mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0)
            return err_set(errno, "move the root (the host root is an initramfs)");
    } else {
        return err_set(errno, "pivot_root");
    }
    if (chdir("/") < 0)
        return err_set(errno, "chdir /");
    return 0;
}

/* Make DST, a directory or an empty file, for something to be mounted on. */
static int make_target(const char *dst, bool dir)
{
    if (dir)
        return sys_make_dirs(dst, 0755);
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", dst);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = '\0';
        int r = sys_make_dirs(parent, 0755);
        if (r < 0)
            return r;
    }
    int fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return errno == EISDIR ? 0 : -errno;
    close(fd);
    return 0;
}

/* Mount the file or directory SRC at DST in the new root. */
static int bind_source(const struct source *src, const char *dst, bool ro, const char *shown)
{
    struct stat st;
    if (fstat(src->fd, &st) < 0)
        return err_set(errno, "bind %s", shown);
    int r = make_target(dst, S_ISDIR(st.st_mode));
    if (r < 0)
        return err_set(-r, "bind destination %s: cannot create it%s", dst,
                       -r == EROFS ? " on the read-only root (create it in the image)" : "");
    if (attach_source(src, dst) < 0)
        return err_set(errno, "bind %s to %s", shown, dst);
    if (ro) {
        struct statvfs sv;
        unsigned long keep = 0;
        if (statvfs(dst, &sv) == 0)
            keep = (sv.f_flag & ST_NOSUID ? MS_NOSUID : 0) | (sv.f_flag & ST_NODEV ? MS_NODEV : 0) |
                   (sv.f_flag & ST_NOEXEC ? MS_NOEXEC : 0);
        if (mount(NULL, dst, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | keep, NULL) < 0)
            return err_set(errno, "make bind %s read-only", dst);
    }
    return 0;
}

static int setup_dev(const struct source *host_dev, bool harden)
{
    if (need_dir("/dev", "/dev", true) < 0)
        return -ENOENT;
    unsigned long fl = MS_NOSUID | MS_NOEXEC | (harden ? MS_NODEV : 0);
    if (mount("tmpfs", "/dev", "tmpfs", fl, "mode=755,size=65536k") < 0)
        return err_set(errno, "mount tmpfs on /dev (CONFIG_TMPFS)");
    for (size_t i = 0; i < N_DEV_NODES; i++) {
        char path[64];
        snprintf(path, sizeof path, "/dev/%s", dev_nodes[i].name);
        if (host_dev) {
            int r = bind_source(&host_dev[i], path, false, path);
            if (r < 0)
                return r;
        } else if (mknod(path, S_IFCHR | 0666, makedev(dev_nodes[i].major, dev_nodes[i].minor)) < 0) {
            return err_set(errno, "mknod %s", path);
        }
    }
    for (size_t i = 0; i < sizeof dev_links / sizeof dev_links[0]; i++)
        if (symlink(dev_links[i].target, dev_links[i].path) < 0)
            return err_set(errno, "symlink %s", dev_links[i].path);
    if (mkdir("/dev/pts", 0755) < 0 || mkdir("/dev/shm", 01777) < 0)
        return err_set(errno, "mkdir in /dev");
    const char *pts_opts = "newinstance,ptmxmode=0666,mode=0620,gid=5";
    if (mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, pts_opts) < 0 &&
        (errno != EINVAL ||
         mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666") < 0))
        return err_set(errno, "mount /dev/pts (CONFIG_UNIX98_PTYS)");
    if (mount("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777") < 0)
        return err_set(errno, "mount /dev/shm");
    return 0;
}

/* /proc files that tell of the host or act on it: covered with an empty read-only file. */
static const char *const masked_files[] = {
    "/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
    "/proc/latency_stats", "/proc/kallsyms", "/proc/kmsg",
};
/* Directories of the same kind: covered with an empty read-only tmpfs. */
static const char *const masked_dirs[] = {"/proc/acpi", "/proc/scsi", "/proc/asound", "/sys/firmware"};
/* Kernel settings: left visible, made read-only. (sysrq-trigger too: a /dev/null over it would
 * take writes, since a device node ignores a read-only mount.) */
static const char *const read_only[] = {"/proc/sys", "/proc/irq", "/proc/bus", "/proc/fs",
                                        "/proc/sysrq-trigger"};

static int mask_proc(void)
{
    struct stat st;
    for (size_t i = 0; i < sizeof masked_files / sizeof *masked_files; i++) {
        const char *f = masked_files[i];
        if (lstat(f, &st) < 0)
            continue; /* not in this kernel */
        if (mount("/dev/null", f, NULL, MS_BIND, NULL) < 0 ||
            mount(NULL, f, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC, NULL) < 0)
            return err_set(errno, "mask %s", f);
    }
    for (size_t i = 0; i < sizeof masked_dirs / sizeof *masked_dirs; i++) {
        const char *d = masked_dirs[i];
        if (lstat(d, &st) < 0 || !S_ISDIR(st.st_mode))
            continue;
        if (mount("tmpfs", d, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0") < 0)
            return err_set(errno, "mask %s", d);
    }
    for (size_t i = 0; i < sizeof read_only / sizeof *read_only; i++) {
        const char *d = read_only[i];
        if (lstat(d, &st) < 0)
            continue;
        if (mount(d, d, NULL, MS_BIND | MS_REC, NULL) < 0 ||
            mount(NULL, d, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  NULL) < 0)
            return err_set(errno, "make %s read-only", d);
    }
    return 0;
}

/* The staging point: a directory of the host that this private mount namespace may cover. */
static const char *pick_staging(void)
{
    static const char *const candidates[] = {"/tmp", "/mnt", "/run", "/var", "/dev"};
    struct stat st;
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++)
        if (lstat(candidates[i], &st) == 0 && S_ISDIR(st.st_mode))
            return candidates[i];
    return NULL;
}

int rootfs_enter(const struct rootfs_plan *p)
{
    int r = 0, host_root = -1;
    struct source dir = {-1, false}, host_dev[N_DEV_NODES];
    struct source *src = calloc(p->n_binds + 1, sizeof *src);
    size_t n_src = 0, n_dev = 0;
    if (!src)
        return err_set(ENOMEM, "rootfs");

    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
        r = err_set(errno, "make the mount namespace private");
        goto out;
    }
    /* Everything of the host's that the container gets is taken now, by path, before any of
     * those paths can be covered by the new mounts. */
    if (!p->device && p->root_fd < 0 && (r = take_source(p->image, "image", &dir)) < 0)
        goto out;
    for (; n_src < p->n_binds; n_src++)
        if ((r = take_source(p->binds[n_src].src, "--bind source", &src[n_src])) < 0)
            goto out;
    bool host_devices = p->host_devices || p->harden;
    if (host_devices) {
        for (; n_dev < N_DEV_NODES; n_dev++) {
            char path[64];
            snprintf(path, sizeof path, "/dev/%s", dev_nodes[n_dev].name);
            if ((r = take_source(path, "host device", &host_dev[n_dev])) < 0)
                goto out;
        }
    }

    const char *staging = pick_staging();
    if (!staging) {
        r = err_setx(ENOENT, "no directory to stage the root on (create /tmp)");
        goto out;
    }
    if ((r = mount_root(p, &dir, staging)) < 0 ||
        (r = mount_kernel_fs(staging, p->ro, p->harden)) < 0 ||
        (r = chroot_in(staging, &host_root)) < 0 ||
        (r = setup_dev(host_devices ? host_dev : NULL, p->harden)) < 0 ||
        (p->harden && (r = mask_proc()) < 0))
        goto out;
    for (size_t i = 0; i < p->n_binds; i++) {
        const struct bind_spec *b = &p->binds[i];
        if ((r = bind_source(&src[i], b->dst, b->ro, b->src)) < 0)
            goto out;
    }
    if ((r = chroot_out(host_root)) < 0)
        goto out;
    r = pivot(staging);
out:
    if (host_root >= 0)
        close(host_root);
    for (size_t i = 0; i < n_src; i++)
        drop_source(&src[i]);
    for (size_t i = 0; i < n_dev; i++)
        drop_source(&host_dev[i]);
    drop_source(&dir);
    free(src);
    return r;
}

/* The image's filesystem mounted and attached nowhere: fsopen, fsconfig, fsmount. */
static int detached_image(const struct rootfs_plan *p, unsigned attrs)
{
    const char *fstype = p->fstype;
    int fs = sys_fsopen(fstype, SYS_FSOPEN_CLOEXEC);
    if (fs < 0 && errno == ENODEV && (strcmp(fstype, "ext2") == 0 || strcmp(fstype, "ext3") == 0))
        fs = sys_fsopen(fstype = "ext4", SYS_FSOPEN_CLOEXEC);
    if (fs < 0)
        return errno == ENOSYS ? err_setx(ENOSYS, "--userns with an image file needs Linux 5.2 "
                                                  "(fsmount); use a directory root")
                               : mount_error(p, fstype, errno);
    int mnt = -1;
    if (sys_fsconfig(fs, SYS_FSCONFIG_SET_STRING, "source", p->device, 0) < 0 ||
        (p->ro && sys_fsconfig(fs, SYS_FSCONFIG_SET_FLAG, "ro", NULL, 0) < 0) ||
        sys_fsconfig(fs, SYS_FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ||
        (mnt = sys_fsmount(fs, SYS_FSMOUNT_CLOEXEC, attrs)) < 0)
        mnt = mount_error(p, fstype, errno);
    close(fs);
    return mnt;
}

int rootfs_detached_root(const struct rootfs_plan *p, pid_t pid, int *fd)
{
    unsigned attrs = (p->ro ? SYS_MOUNT_ATTR_RDONLY : 0) | (p->harden ? SYS_MOUNT_ATTR_NODEV : 0);
    int mnt;
    if (p->device) {
        mnt = detached_image(p, attrs);
    } else {
        mnt = sys_open_tree(AT_FDCWD, p->image,
                            SYS_OPEN_TREE_CLONE | SYS_OPEN_TREE_CLOEXEC | SYS_AT_RECURSIVE);
        struct sys_mount_attr flags = {.attr_set = attrs};
        if (mnt < 0)
            mnt = errno == ENOSYS ? err_setx(ENOSYS, "--userns needs Linux 5.2 (open_tree)")
                                  : err_set(errno, "image %s", p->image);
        else if (attrs && sys_mount_setattr(mnt, "", AT_EMPTY_PATH, &flags) < 0) {
            int e = errno;
            close(mnt);
            mnt = err_set(e, "flags of %s", p->image);
        }
    }
    if (mnt < 0)
        return mnt;
    /* Best effort: kernels before 5.12, and some filesystems, have no idmapped mounts; then
     * the image's files show as owned by nobody inside. */
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
    int userns = open(path, O_RDONLY | O_CLOEXEC);
    if (userns >= 0) {
        struct sys_mount_attr idmap = {.attr_set = SYS_MOUNT_ATTR_IDMAP,
                                       .userns_fd = (unsigned)userns};
        sys_mount_setattr(mnt, "", AT_EMPTY_PATH, &idmap);
        close(userns);
    }
    *fd = mnt;
    return 0;
}
