#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cgroup.h"
#include "devices.h"
#include "err.h"
#include "resolve.h"
#include "sys.h"
#include "trace.h"

/* Everything here works on descriptors: the new root is held as an fd, every path inside it is
 * resolved inside it (resolve.h), and every mount goes onto the fd that the resolver returned.
 * The paths of the host (the image, bind sources, the staging point) are the caller's.
 *
 * Mounts are made with the new mount API where the kernel has all of it (5.12): flags are set
 * on a detached tree, recursively, before it is attached, and the fd of a tree keeps naming it
 * once attached. On older kernels (or with HUTCH_OLD_KERNEL) mount(2) does it onto
 * /proc/self/fd/N, and the flags are set afterwards on the tree's top and each mount below it,
 * found in /proc/self/mountinfo. */

#define HARD_FLAGS (MS_NOSUID | MS_NODEV) /* on every mount inside, unless --privileged */

/* Device nodes every container gets in its /dev. */
static const struct {
    const char *name;
    unsigned major, minor;
} dev_nodes[] = {
    {"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};
#define N_DEV_NODES (sizeof dev_nodes / sizeof dev_nodes[0])

static const struct {
    const char *name, *target;
} dev_links[] = {
    {"fd", "/proc/self/fd"},       {"stdin", "/proc/self/fd/0"},
    {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"},
    {"ptmx", "pts/ptmx"},
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

/* ---- mounting onto descriptors ---- */

static unsigned long long attrs_of(unsigned long ms)
{
    return (ms & MS_RDONLY ? SYS_MOUNT_ATTR_RDONLY : 0) | (ms & MS_NOSUID ? SYS_MOUNT_ATTR_NOSUID : 0) |
           (ms & MS_NODEV ? SYS_MOUNT_ATTR_NODEV : 0) | (ms & MS_NOEXEC ? SYS_MOUNT_ATTR_NOEXEC : 0);
}

/* The flags a mount has now that a bind remount must keep (in a user namespace the kernel
 * refuses to clear the ones it locked). */
static unsigned long kept_flags(int fd)
{
    struct statvfs sv;
    if (fstatvfs(fd, &sv) < 0)
        return 0;
    return (sv.f_flag & ST_RDONLY ? MS_RDONLY : 0) | (sv.f_flag & ST_NOSUID ? MS_NOSUID : 0) |
           (sv.f_flag & ST_NODEV ? MS_NODEV : 0) | (sv.f_flag & ST_NOEXEC ? MS_NOEXEC : 0) |
           (sv.f_flag & ST_NOATIME ? MS_NOATIME : 0) | (sv.f_flag & ST_NODIRATIME ? MS_NODIRATIME : 0) |
           (sv.f_flag & ST_RELATIME ? MS_RELATIME : 0);
}

/* A mountinfo path field with its octal escapes (\040 for a space) undone, in place. */
static void unescape(char *s)
{
    char *out = s;
    for (; *s; s++) {
        if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
            s[3] >= '0' && s[3] <= '7') {
            *out++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
            s += 3;
        } else {
            *out++ = *s;
        }
    }
    *out = '\0';
}

/* The ID of the mount that FD is on, from /proc/self/fdinfo (Linux 3.15). */
static int mount_id(int fd)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
    if (sys_read_text(path, buf, sizeof buf) < 0)
        return -1;
    const char *m = strstr(buf, "mnt_id:");
    return m ? atoi(m + 7) : -1;
}

/* The parent of mount ID, from /proc/self/mountinfo; -1 when not found. */
static int parent_id(int id)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    int parent = -1, a, b;
    char line[256];
    while (f && fgets(line, sizeof line, f)) {
        if (sscanf(line, "%d %d", &a, &b) == 2 && a == id)
            parent = b;
        if (!strchr(line, '\n')) { /* the rest of a long line */
            int c;
            while ((c = fgetc(f)) != EOF && c != '\n')
                ;
        }
    }
    if (f)
        fclose(f);
    return parent;
}

/* Kernels before 5.12: FLAGS on the mount that TOP is the root of and on every mount below it
 * (by parent ID in /proc/self/mountinfo, so that mounts hidden under it are left alone), each
 * remounted with the flags it has plus FLAGS. */
static int remount_tree(int top, unsigned long flags)
{
    int top_id = mount_id(top);
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (top_id < 0 || !f) {
        if (f)
            fclose(f);
        return -ENOENT;
    }
    struct entry {
        int id, parent;
        char *mp;
    } *e = NULL;
    size_t n = 0;
    char *line = NULL;
    size_t cap = 0;
    int r = 0;
    while (r == 0 && getline(&line, &cap, f) > 0) {
        struct entry x;
        char mp[PATH_MAX];
        if (sscanf(line, "%d %d %*s %*s %4095s", &x.id, &x.parent, mp) != 3)
            continue;
        unescape(mp);
        struct entry *grown = realloc(e, (n + 1) * sizeof *e);
        if (!grown) {
            r = -ENOMEM;
            break;
        }
        e = grown;
        if (!(x.mp = strdup(mp))) {
            r = -ENOMEM;
            break;
        }
        e[n++] = x;
    }
    free(line);
    fclose(f);
    /* The tree: the top, then whatever has a parent in it, until nothing more joins. */
    bool *in = calloc(n + 1, sizeof *in);
    if (!in)
        r = -ENOMEM;
    for (bool grew = true; r == 0 && grew;) {
        grew = false;
        for (size_t i = 0; i < n; i++) {
            bool parent_in = false;
            for (size_t k = 0; k < n && !parent_in; k++)
                parent_in = in[k] && e[k].id == e[i].parent;
            if (!in[i] && (e[i].id == top_id || parent_in))
                grew = in[i] = true;
        }
    }
    /* Each through an fd of it, checked to be that mount (its ID): a path walked again could
     * have been turned elsewhere meanwhile. Then the flags are checked to be there. */
    unsigned long want = flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
    for (size_t i = 0; r == 0 && i < n; i++) {
        if (!in[i])
            continue;
        int fd SYS_AUTO_CLOSE = open(e[i].mp, O_PATH | O_CLOEXEC);
        if (fd < 0 || mount_id(fd) != e[i].id)
            r = fd < 0 ? -errno : -EAGAIN;
        else if (mount(NULL, sys_fd_path(fd).s, NULL, MS_BIND | MS_REMOUNT | kept_flags(fd) | flags,
                       NULL) < 0)
            r = -errno;
        else if ((kept_flags(fd) & want) != want)
            r = -EPERM;
    }
    for (size_t i = 0; i < n; i++)
        free(e[i].mp);
    free(e);
    free(in);
    return r;
}

/* Kernels before 5.12: an fd of what is now mounted on TARGET (the fd itself still names what
 * lies below): through its path, the one place where a path is walked again. */
static int reopen_top(int target)
{
    char path[PATH_MAX];
    ssize_t n = readlink(sys_fd_path(target).s, path, sizeof path - 1);
    if (n < 0)
        return -errno;
    if ((size_t)n >= sizeof path - 1)
        return -ENAMETOOLONG;
    path[n] = '\0';
    int fd SYS_AUTO_CLOSE = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    /* It must be a mount right on TARGET's: one whose parent is the mount TARGET is on. */
    int id = mount_id(fd), below = mount_id(target);
    if (id < 0 || id == below || parent_id(id) != below)
        return -EAGAIN;
    return sys_take_fd(&fd);
}

/* Something to attach: a detached copy of a mount tree (new API), or, on older kernels, an
 * O_PATH descriptor to bind from. Taken before anything is mounted over the host's paths; the
 * copy also keeps later mounts (the staging mount) out of a recursive bind of its source. */
struct source {
    int fd;
    bool detached;
};

/* PATH relative to DIRFD (AT_FDCWD: a path of the host; "" : DIRFD itself), with the mounts
 * below it, or (take_source_top) without. -errno. */
static int take_source_flags(int dirfd, const char *path, unsigned rec, struct source *s)
{
    s->detached = sys_new_mount_api();
    if (s->detached)
        s->fd = sys_open_tree(dirfd, path, SYS_OPEN_TREE_CLONE | rec |
                                               SYS_OPEN_TREE_CLOEXEC | (*path ? 0 : AT_EMPTY_PATH));
    else
        s->fd = *path ? openat(dirfd, path, O_PATH | O_CLOEXEC) : fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
    return s->fd < 0 ? -errno : 0;
}

static int take_source(int dirfd, const char *path, struct source *s)
{
    return take_source_flags(dirfd, path, SYS_AT_RECURSIVE, s);
}

static void drop_source(struct source *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}

/* Attach S on TARGET, with FLAGS (MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC) on it and on every
 * mount of it. *TOP, when given, gets an fd of the attached tree's root. -errno. */
static int attach(struct source *s, int target, unsigned long flags, int *top)
{
    if (s->detached) {
        struct sys_mount_attr a = {.attr_set = attrs_of(flags)};
        if (flags && sys_mount_setattr(s->fd, "", AT_EMPTY_PATH | SYS_AT_RECURSIVE, &a) < 0)
            return -errno;
        if (sys_move_mount(s->fd, "", target, "",
                           SYS_MOVE_MOUNT_F_EMPTY_PATH | SYS_MOVE_MOUNT_T_EMPTY_PATH) < 0)
            return -errno;
        if (top)
            *top = sys_take_fd(&s->fd); /* the copy's fd names the tree, attached now */
        return 0;
    }
    if (mount(sys_fd_path(s->fd).s, sys_fd_path(target).s, NULL, MS_BIND | MS_REC, NULL) < 0)
        return -errno;
    int fd SYS_AUTO_CLOSE = reopen_top(target);
    if (fd < 0)
        return fd;
    int r = flags ? remount_tree(fd, flags) : 0;
    if (r == 0 && top)
        *top = sys_take_fd(&fd);
    return r;
}

/* A new filesystem of TYPE on TARGET, with FLAGS and OPTS ("key=value,flag,..."). *TOP, when
 * given, gets an fd of its root. -errno. */
static int mount_fs(int target, const char *type, unsigned long flags, const char *opts, int *top)
{
    if (!sys_new_mount_api()) {
        if (mount(type, sys_fd_path(target).s, type, flags, opts) < 0)
            return -errno;
        int fd = reopen_top(target);
        if (fd < 0)
            return fd;
        if (top)
            *top = fd;
        else
            close(fd);
        return 0;
    }
    int fs SYS_AUTO_CLOSE = sys_fsopen(type, SYS_FSOPEN_CLOEXEC);
    if (fs < 0)
        return -errno;
    char buf[1024];
    if (snprintf(buf, sizeof buf, "%s", opts ? opts : "") >= (int)sizeof buf)
        return -E2BIG;
    char *save = NULL;
    for (char *o = strtok_r(buf, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
        char *v = strchr(o, '=');
        if (v)
            *v++ = '\0';
        if (sys_fsconfig(fs, v ? SYS_FSCONFIG_SET_STRING : SYS_FSCONFIG_SET_FLAG, o, v, 0) < 0)
            return -errno;
    }
    if (sys_fsconfig(fs, SYS_FSCONFIG_SET_STRING, "source", type, 0) < 0 ||
        sys_fsconfig(fs, SYS_FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        return -errno;
    int mnt SYS_AUTO_CLOSE = sys_fsmount(fs, SYS_FSMOUNT_CLOEXEC, (unsigned)attrs_of(flags));
    if (mnt < 0 || sys_move_mount(mnt, "", target, "",
                                  SYS_MOVE_MOUNT_F_EMPTY_PATH | SYS_MOVE_MOUNT_T_EMPTY_PATH) < 0)
        return -errno;
    if (top)
        *top = sys_take_fd(&mnt);
    return 0;
}

/* The one message for a path of the image that cannot be resolved or mounted on. */
static int inside_error(int r, const char *what, const char *path)
{
    switch (-r) {
    case EROFS:
        return err_setx(EROFS, "%s %s: missing, and it cannot be made on the read-only root "
                               "(create it in the image)", what, path);
    case ENOTDIR:
        return err_setx(ENOTDIR, "%s %s: not a directory in the image", what, path);
    case EISDIR:
        return err_setx(EISDIR, "%s %s: a directory in the image, where a file is bound", what,
                        path);
    case EINVAL:
        return err_setx(EINVAL, "%s %s: not a regular file or directory in the image (a FIFO, "
                                "socket or device node): refused", what, path);
    case ELOOP:
        return err_setx(ELOOP, "%s %s: a symlink loop or a /proc magic link in the image: "
                               "refused", what, path);
    default:
        return err_set(-r, "%s %s", what, path);
    }
}

/* A directory or file of the image to mount on: *FD, or a message. */
static int target_in(int root, const char *path, bool dir, const char *what, int *fd)
{
    int r = resolve_mount_target(root, path, dir);
    if (r < 0)
        return inside_error(r, what, path);
    *fd = r;
    return 0;
}

/* ---- the root ---- */

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

/* The image's filesystem mounted and attached nowhere: fsopen, fsconfig, fsmount. */
static int detached_image(const struct rootfs_plan *p, unsigned attrs)
{
    const char *fstype = p->fstype;
    int fs = sys_fsopen(fstype, SYS_FSOPEN_CLOEXEC);
    if (fs < 0 && errno == ENODEV && (strcmp(fstype, "ext2") == 0 || strcmp(fstype, "ext3") == 0))
        fs = sys_fsopen(fstype = "ext4", SYS_FSOPEN_CLOEXEC); /* ext4 mounts ext2 and ext3 too */
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

/* A description's read-only root is made read-only once its mounts are made (their mount
 * points may be missing from the image: enter_described makes them first). */
static unsigned long root_flags(const struct rootfs_plan *p)
{
    return (p->ro && !p->more ? MS_RDONLY : 0) | (p->harden ? HARD_FLAGS : 0);
}

/* The root mount itself read-only, not the mounts on it. */
static int root_read_only(int root)
{
    if (sys_new_mount_api()) {
        struct sys_mount_attr a = {.attr_set = SYS_MOUNT_ATTR_RDONLY};
        return sys_mount_setattr(root, "", AT_EMPTY_PATH, &a) < 0 ? -errno : 0;
    }
    if (mount(NULL, sys_fd_path(root).s, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | kept_flags(root),
              NULL) < 0)
        return -errno;
    return 0;
}

/* The image (or the directory DIR) mounted on AT, read-only when the plan says so. Returns an
 * fd of it. */
static int mount_image_at(const struct rootfs_plan *p, struct source *dir, int at)
{
    int root = -1, r;
    if (!p->device) {
        if ((r = attach(dir, at, root_flags(p), &root)) < 0)
            return err_set(-r, "bind directory %s as root", p->image);
        return root;
    }
    if (sys_new_mount_api()) {
        int mnt SYS_AUTO_CLOSE = detached_image(p, (unsigned)attrs_of(root_flags(p)));
        if (mnt < 0)
            return mnt;
        if (sys_move_mount(mnt, "", at, "", SYS_MOVE_MOUNT_F_EMPTY_PATH | SYS_MOVE_MOUNT_T_EMPTY_PATH) < 0)
            return err_set(errno, "attach the root of %s", p->image);
        return sys_take_fd(&mnt);
    }
    const char *fstype = p->fstype;
    r = mount(p->device, sys_fd_path(at).s, fstype, root_flags(p), NULL);
    if (r < 0 && errno == ENODEV && (strcmp(fstype, "ext2") == 0 || strcmp(fstype, "ext3") == 0)) {
        fstype = "ext4";
        r = mount(p->device, sys_fd_path(at).s, fstype, root_flags(p), NULL);
    }
    if (r < 0)
        return mount_error(p, fstype, errno);
    root = reopen_top(at);
    return root < 0 ? err_set(-root, "root of %s", p->image) : root;
}

/* --overlay: the image read-only as the lower layer, under an upper layer that is a tmpfs's
 * (forgotten at the end) or the directory's upper/ (work/ beside it), all on STAGING (AT): a
 * tmpfs there holds the lower layer's mount point (and the tmpfs layers). */
static int mount_overlay(const struct rootfs_plan *p, struct source *dir, const char *staging,
                         int at)
{
    bool tmp = strcmp(p->overlay, "tmpfs") == 0;
    int base SYS_AUTO_CLOSE = -1, layers SYS_AUTO_CLOSE = -1, lower_at SYS_AUTO_CLOSE = -1;
    int lower SYS_AUTO_CLOSE = -1, upper SYS_AUTO_CLOSE = -1, work SYS_AUTO_CLOSE = -1;
    /* The directory first: the tmpfs on STAGING may cover the host path it is at. */
    if (!tmp && (layers = open(p->overlay, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        return err_set(errno, "--overlay %s", p->overlay);
    int r = mount_fs(at, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755", &base);
    if (r < 0)
        return err_set(-r, "mount a tmpfs for --overlay (CONFIG_TMPFS)");
    if (mkdirat(base, "lower", 0755) < 0 || (tmp && (mkdirat(base, "upper", 0755) < 0 ||
                                                     mkdirat(base, "work", 0700) < 0)))
        return err_set(errno, "--overlay tmpfs: make its directories");
    if (tmp && (layers = fcntl(base, F_DUPFD_CLOEXEC, 3)) < 0)
        return err_set(errno, "--overlay tmpfs");
    lower_at = openat(base, "lower", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    upper = openat(layers, "upper", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    work = openat(layers, "work", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (lower_at < 0 || upper < 0 || work < 0)
        return err_set(errno, "--overlay %s: its upper/ and work/", p->overlay);
    if ((r = lower = mount_image_at(p, dir, lower_at)) < 0)
        return r;
    char opts[160];
    snprintf(opts, sizeof opts, "lowerdir=%s,upperdir=%s,workdir=%s", sys_fd_path(lower).s,
             sys_fd_path(upper).s, sys_fd_path(work).s);
    if (mount("overlay", staging, "overlay", p->harden ? HARD_FLAGS : 0, opts) < 0) {
        if (errno == ENODEV)
            return err_setx(ENODEV, "--overlay: the kernel lacks overlayfs (CONFIG_OVERLAY_FS; "
                                    "modprobe overlay)");
        return err_set(errno, "--overlay %s: mount the overlay over %s", p->overlay, p->image);
    }
    int root = open(staging, O_PATH | O_DIRECTORY | O_CLOEXEC);
    return root < 0 ? err_set(errno, "root of %s", p->image) : root;
}

/* The root at STAGING: the image, the directory DIR, or the parent's detached mount; with
 * --overlay, a writable layer over it. Returns an fd of it. */
static int mount_root(const struct rootfs_plan *p, struct source *dir, const char *staging)
{
    int at SYS_AUTO_CLOSE = open(staging, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (at < 0)
        return err_set(errno, "staging directory %s", staging);
    if (p->root_fd >= 0) {
        if (sys_move_mount(p->root_fd, "", at, "",
                           SYS_MOVE_MOUNT_F_EMPTY_PATH | SYS_MOVE_MOUNT_T_EMPTY_PATH) < 0)
            return err_set(errno, "attach the root of %s", p->image);
        int root = fcntl(p->root_fd, F_DUPFD_CLOEXEC, 3);
        return root < 0 ? err_set(errno, "root of %s", p->image) : root;
    }
    if (p->overlay)
        return mount_overlay(p, dir, staging, at);
    return mount_image_at(p, dir, at);
}

/* ---- /proc, /sys, /dev ---- */

/* Mounted before pivot_root: in a user namespace the kernel allows new instances only while a
 * full one is visible in the mount namespace. */
static int mount_kernel_fs(int root, bool harden, int *proc, int *sys)
{
    int t SYS_AUTO_CLOSE = -1, r;
    if ((r = target_in(root, "/proc", true, "image:", &t)) < 0)
        return r;
    if ((r = mount_fs(t, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, proc)) < 0)
        return err_set(-r, "mount /proc (CONFIG_PROC_FS)");
    close(sys_take_fd(&t));
    if ((r = target_in(root, "/sys", true, "image:", &t)) < 0)
        return r;
    unsigned long fl = (harden ? MS_RDONLY : 0) | MS_NOSUID | MS_NODEV | MS_NOEXEC;
    r = mount_fs(t, "sysfs", fl, NULL, sys);
    if (r != -EPERM)
        return r < 0 ? err_set(-r, "mount /sys") : 0;
    /* A new sysfs needs a network namespace of one's own user namespace: bind the host's,
     * read-only all the way down. */
    struct source host;
    if ((r = take_source(AT_FDCWD, "/sys", &host)) == 0)
        r = attach(&host, t, fl, sys);
    drop_source(&host);
    return r < 0 ? err_set(-r, "bind /sys") : 0;
}

/* *DEV_OUT: an fd of the /dev made, for the caller. */
static int setup_dev(int root, struct source *host_dev, bool harden, int *dev_out)
{
    int t SYS_AUTO_CLOSE = -1, dev SYS_AUTO_CLOSE = -1, r;
    if ((r = target_in(root, "/dev", true, "image:", &t)) < 0)
        return r;
    unsigned long fl = MS_NOSUID | MS_NOEXEC | (harden ? MS_NODEV : 0);
    if ((r = mount_fs(t, "tmpfs", fl, "mode=755,size=65536k", &dev)) < 0)
        return err_set(-r, "mount tmpfs on /dev (CONFIG_TMPFS)");
    for (size_t i = 0; i < N_DEV_NODES; i++) {
        const char *name = dev_nodes[i].name;
        if (host_dev) {
            int node SYS_AUTO_CLOSE = -1;
            if ((r = target_in(dev, name, false, "/dev", &node)) < 0)
                return r;
            if ((r = attach(&host_dev[i], node, MS_NOSUID | MS_NOEXEC, NULL)) < 0)
                return err_set(-r, "bind /dev/%s", name);
        } else if (mknodat(dev, name, S_IFCHR | 0666,
                           makedev(dev_nodes[i].major, dev_nodes[i].minor)) < 0) {
            return err_set(errno, "mknod /dev/%s", name);
        }
    }
    for (size_t i = 0; i < sizeof dev_links / sizeof dev_links[0]; i++)
        if (symlinkat(dev_links[i].target, dev, dev_links[i].name) < 0)
            return err_set(errno, "symlink /dev/%s", dev_links[i].name);
    if (mkdirat(dev, "pts", 0755) < 0 || mkdirat(dev, "shm", 01777) < 0)
        return err_set(errno, "mkdir in /dev");
    int pts SYS_AUTO_CLOSE = openat(dev, "pts", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int shm SYS_AUTO_CLOSE = openat(dev, "shm", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (pts < 0 || shm < 0)
        return err_set(errno, "open /dev/pts, /dev/shm");
    /* In a user namespace without group 5 the gid option is refused: without it, then. */
    r = mount_fs(pts, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5", NULL);
    if (r == -EINVAL)
        r = mount_fs(pts, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666", NULL);
    if (r < 0)
        return err_set(-r, "mount /dev/pts (CONFIG_UNIX98_PTYS)");
    if ((r = mount_fs(shm, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777", NULL)) < 0)
        return err_set(-r, "mount /dev/shm");
    *dev_out = sys_take_fd(&dev);
    return 0;
}

/* /proc files that tell of the host or act on it: covered with an empty read-only file. */
static const char *const masked_files[] = {
    "kcore", "keys", "timer_list", "timer_stats", "sched_debug", "latency_stats", "kallsyms", "kmsg",
};
/* Directories of the same kind (in /proc, and /sys/firmware): an empty read-only tmpfs. */
static const char *const masked_proc_dirs[] = {"acpi", "scsi", "asound"};
/* Kernel settings: left visible, made read-only. (sysrq-trigger too: a /dev/null over it would
 * take writes, since a device node ignores a read-only mount.) */
static const char *const read_only[] = {"sys", "irq", "bus", "fs", "sysrq-trigger"};

static int mask_dir(int base, const char *name, const char *shown)
{
    int t SYS_AUTO_CLOSE = resolve_open(base, name, O_PATH | O_DIRECTORY | O_NOFOLLOW, 0);
    if (t == -ENOENT || t == -ENOTDIR)
        return 0; /* not in this kernel */
    int r = t < 0 ? t : mount_fs(t, "tmpfs", MS_RDONLY | HARD_FLAGS | MS_NOEXEC, "size=0", NULL);
    return r < 0 ? err_set(-r, "mask %s", shown) : 0;
}

/* Bind the host's SRC (NULL: the target itself) over NAME of /proc with FLAGS; a name this
 * kernel lacks is skipped. -errno. */
static int cover(int proc, const char *name, const char *src, unsigned long flags)
{
    int t SYS_AUTO_CLOSE = resolve_open(proc, name, O_PATH | O_NOFOLLOW, 0);
    if (t == -ENOENT)
        return 0;
    struct source s = {-1, false};
    int r = t < 0 ? t : src ? take_source(AT_FDCWD, src, &s) : take_source(t, "", &s);
    if (r == 0)
        r = attach(&s, t, flags, NULL);
    drop_source(&s);
    return r;
}

static int mask_proc(int proc, int sys)
{
    int r;
    for (size_t i = 0; i < sizeof masked_files / sizeof *masked_files; i++)
        if ((r = cover(proc, masked_files[i], "/dev/null", MS_RDONLY | MS_NOSUID | MS_NOEXEC)) < 0)
            return err_set(-r, "mask /proc/%s", masked_files[i]);
    for (size_t i = 0; i < sizeof masked_proc_dirs / sizeof *masked_proc_dirs; i++) {
        char shown[64];
        snprintf(shown, sizeof shown, "/proc/%s", masked_proc_dirs[i]);
        if ((r = mask_dir(proc, masked_proc_dirs[i], shown)) < 0)
            return r;
    }
    if ((r = mask_dir(sys, "firmware", "/sys/firmware")) < 0)
        return r;
    for (size_t i = 0; i < sizeof read_only / sizeof *read_only; i++)
        if ((r = cover(proc, read_only[i], NULL, MS_RDONLY | HARD_FLAGS | MS_NOEXEC)) < 0)
            return err_set(-r, "make /proc/%s read-only", read_only[i]);
    return 0;
}

/* ---- /etc/resolv.conf and /etc/hosts ---- */

/* Where the container's file goes: the image's PATH resolved inside ROOT, a regular file (an
 * empty one made where there is none and the root is writable; that one stays), and on the
 * root's own filesystem: a symlink that leads into /proc, /sys or /dev is refused. *FD -1: the
 * image lacks it, it cannot be made there (read-only, or not the container's root's under
 * --userns), or it is a symlink to nothing in the image or out of its filesystem (OpenWrt's
 * -> /tmp/resolv.conf, systemd-resolved's -> /run/...), and nobody asked: the file is left out,
 * the image's own as it is. */
static int etc_target(const struct rootfs_plan *p, int root, const char *path, int *fd)
{
    int t = resolve_mount_target(root, path, false);
    *fd = -1;
    if ((t == -EROFS || t == -EACCES || t == -ENOENT) && !p->etc_asked)
        return 0;
    if (t == -EROFS || t == -EACCES)
        return err_setx(-t, "image %s: it has no %s, and it is %s: add an empty %s to the "
                            "image, or use --overlay tmpfs", p->image, path,
                        t == -EROFS ? "read-only" : "not the container's to write", path);
    if (t == -ENOENT)
        return err_setx(ENOENT, "image %s: %s is a symlink to nothing in the image: refused "
                                "(make it a regular file)", p->image, path);
    if (t < 0) {
        char what[PATH_MAX];
        snprintf(what, sizeof what, "image %s:", p->image);
        return inside_error(t, what, path);
    }
    int at = mount_id(t), own = mount_id(root);
    if (at >= 0 && at != own && !p->etc_asked) {
        close(t);
        return 0;
    }
    if (at < 0 || at != own) {
        close(t);
        return err_setx(EINVAL, "image %s: %s leads out of the image's own filesystem (into "
                                "/proc, /sys or /dev): refused", p->image, path);
    }
    *fd = t;
    return 0;
}

static int write_all(int dir, const char *name, const char *text)
{
    int fd SYS_AUTO_CLOSE = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                                   0644);
    if (fd < 0)
        return -errno;
    for (size_t n = strlen(text), done = 0; done < n;) {
        ssize_t w = write(fd, text + done, n - done);
        if (w < 0 && errno != EINTR)
            return -errno;
        done += w > 0 ? (size_t)w : 0;
    }
    return 0;
}

/* The files on a small tmpfs of their own, mounted for the while on a directory made in the
 * container's /dev (DEV), each bound read-only onto its target, then the tmpfs detached and the
 * directory removed: the binds hold the tmpfs, which goes with them. */
static int put_etc_files(const struct rootfs_plan *p, int root, int dev)
{
    static const char stage[] = ".hutch-etc";
    const char *const names[2] = {"resolv.conf", "hosts"}, *const text[2] = {p->resolv_conf,
                                                                               p->hosts};
    int targets[2] = {-1, -1}, at SYS_AUTO_CLOSE = -1, tmp SYS_AUTO_CLOSE = -1, r = 0;
    for (int i = 0; r == 0 && i < 2; i++) {
        char path[32];
        snprintf(path, sizeof path, "/etc/%s", names[i]);
        r = etc_target(p, root, path, &targets[i]);
    }
    if (r == 0 && targets[0] < 0 && targets[1] < 0)
        return 0;
    if (r == 0 && (mkdirat(dev, stage, 0700) < 0 ||
                   (at = openat(dev, stage, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0))
        r = err_set(errno, "make /dev/%s", stage);
    if (r == 0 && (r = mount_fs(at, "tmpfs", HARD_FLAGS | MS_NOEXEC,
                                "mode=0755,size=512k,nr_inodes=8", &tmp)) < 0)
        r = err_set(-r, "mount a tmpfs for /etc/resolv.conf and /etc/hosts (CONFIG_TMPFS)");
    for (int i = 0; r == 0 && i < 2; i++) {
        if (targets[i] < 0)
            continue;
        struct source s = {-1, false};
        if ((r = write_all(tmp, names[i], text[i])) < 0)
            r = err_set(-r, "write the container's /etc/%s", names[i]);
        else if ((r = take_source_flags(tmp, names[i], 0, &s)) < 0 ||
                 (r = attach(&s, targets[i], MS_RDONLY | HARD_FLAGS | MS_NOEXEC, NULL)) < 0)
            r = err_set(-r, "bind the container's /etc/%s", names[i]);
        drop_source(&s);
    }
    for (int i = 0; i < 2; i++)
        if (targets[i] >= 0)
            close(targets[i]);
    if (tmp >= 0 && umount2(sys_fd_path(tmp).s, MNT_DETACH) < 0 && r == 0)
        r = err_set(errno, "detach the tmpfs of /etc/resolv.conf and /etc/hosts");
    if (at >= 0 && unlinkat(dev, stage, AT_REMOVEDIR) < 0 && r == 0)
        r = err_set(errno, "remove /dev/%s", stage);
    return r;
}

/* ---- binds ---- */

/* Mount SRC at DST inside ROOT, a directory or a file as SRC is. */
static int bind_at(int root, struct source *src, const char *dst, unsigned long flags,
                   const char *what, const char *shown)
{
    struct stat st;
    if (fstat(src->fd, &st) < 0)
        return err_set(errno, "%s %s", what, shown);
    char dst_what[32];
    snprintf(dst_what, sizeof dst_what, "%s destination", what);
    int t SYS_AUTO_CLOSE = -1;
    int r = target_in(root, dst, S_ISDIR(st.st_mode), dst_what, &t);
    if (r < 0)
        return r;
    if ((r = attach(src, t, flags, NULL)) < 0)
        return err_set(-r, "%s %s to %s", what, shown, dst);
    return 0;
}

/* ---- pivot_root ---- */

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

static int set_propagation(int root, unsigned long how)
{
    if (mount(NULL, sys_fd_path(root).s, NULL, how, NULL) < 0)
        return err_set(errno, "propagation of the new root");
    return 0;
}

static int pivot(int root)
{
    if (fchdir(root) < 0)
        return err_set(errno, "chdir to the new root");
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

/* Everything of the host's that the container gets, taken by path before any of those paths
 * can be covered by the new mounts. */
struct sources {
    struct source dir, dev[N_DEV_NODES], *binds, *devices;
    size_t n_binds, n_dev, n_devices;
};

/* A host PATH, resolved inside the trees the container can write when it lies in one of them
 * (resolve_host): a symlink that a container left in its bind does not lead out of it. */
static int take_host(const char *path, const char *const *trees, size_t n_trees, const char *what,
                     struct source *s)
{
    s->fd = -1;
    int fd SYS_AUTO_CLOSE = resolve_host(path, trees, n_trees, O_PATH);
    int r = fd < 0 ? fd : take_source(fd, "", s);
    if (r == -ELOOP)
        return err_setx(ELOOP, "%s %s: a symlink loop, or one out of a directory the container "
                               "can write: refused", what, path);
    return r < 0 ? err_set(-r, "%s %s", what, path) : 0;
}

static int take_all(const struct rootfs_plan *p, bool host_dev, struct sources *s)
{
    int r;
    const char **trees = calloc(p->n_binds + 1, sizeof *trees);
    s->binds = calloc(p->n_binds + 1, sizeof *s->binds);
    s->devices = calloc(p->n_devices + 1, sizeof *s->devices);
    if (!trees || !s->binds || !s->devices) {
        free(trees);
        return err_set(ENOMEM, "rootfs");
    }
    bool dir_root = !p->device && p->root_fd < 0;
    size_t n_trees = cli_writable_trees(p->binds, p->n_binds, dir_root && !p->ro ? p->image : NULL,
                                        trees);
    r = dir_root ? take_host(p->image, trees, n_trees, "image", &s->dir) : 0;
    for (; r == 0 && s->n_binds < p->n_binds; s->n_binds++)
        r = take_host(p->binds[s->n_binds].src, trees, n_trees, "--bind source",
                      &s->binds[s->n_binds]);
    for (; r == 0 && s->n_devices < p->n_devices; s->n_devices++)
        r = take_host(p->devices[s->n_devices].host, trees, n_trees, "--device",
                      &s->devices[s->n_devices]);
    free(trees);
    if (r < 0)
        return r;
    for (; host_dev && s->n_dev < N_DEV_NODES; s->n_dev++) {
        char path[64];
        snprintf(path, sizeof path, "/dev/%s", dev_nodes[s->n_dev].name);
        if ((r = take_source(AT_FDCWD, path, &s->dev[s->n_dev])) < 0)
            return err_set(-r, "host device %s", path);
    }
    return 0;
}

static void drop_all(struct sources *s)
{
    for (size_t i = 0; i < s->n_binds; i++)
        drop_source(&s->binds[i]);
    for (size_t i = 0; i < s->n_devices; i++)
        drop_source(&s->devices[i]);
    for (size_t i = 0; i < s->n_dev; i++)
        drop_source(&s->dev[i]);
    drop_source(&s->dir);
    free(s->binds);
    free(s->devices);
}

static int enter_described(const struct rootfs_plan *p);

int rootfs_enter(const struct rootfs_plan *p)
{
    if (p->more && p->more->given)
        return enter_described(p);
    struct sources src = {.dir = {-1, false}};
    int root SYS_AUTO_CLOSE = -1, proc SYS_AUTO_CLOSE = -1, sys SYS_AUTO_CLOSE = -1, r;
    int dev SYS_AUTO_CLOSE = -1;
    bool host_dev = p->host_devices || p->harden;
    unsigned long hard = p->harden ? HARD_FLAGS : 0;

    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
        r = err_set(errno, "make the mount namespace private");
        goto out;
    }
    if ((r = take_all(p, host_dev, &src)) < 0)
        goto out;
    const char *staging = pick_staging();
    if (!staging) {
        r = err_setx(ENOENT, "no directory to stage the root on (create /tmp)");
        goto out;
    }
    /* Unbindable while the binds are made: a recursive bind of a host tree that holds the
     * staging directory (made from an O_PATH source on older kernels) must not copy it. */
    /* (trace marks its phases for HUTCH_TRACE=1: a comma before each step) */
    if ((trace("mount"), r = root = mount_root(p, &src.dir, staging)) < 0 ||
        (r = set_propagation(root, MS_UNBINDABLE)) < 0 ||
        (trace("proc"), r = mount_kernel_fs(root, p->harden, &proc, &sys)) < 0 ||
        (trace("dev"), r = setup_dev(root, host_dev ? src.dev : NULL, p->harden, &dev)) < 0 ||
        (p->harden && (trace("masks"), r = mask_proc(proc, sys)) < 0) ||
        (p->resolv_conf && (r = put_etc_files(p, root, dev)) < 0))
        goto out;
    if (p->n_devices || p->n_binds || p->n_tmpfs)
        trace("binds");
    for (size_t i = 0; i < p->n_devices; i++) {
        const struct device_spec *d = &p->devices[i];
        /* A node of the host's, on purpose: this mount is the one without nodev. */
        if ((r = bind_at(root, &src.devices[i], d->path, MS_NOSUID | MS_NOEXEC, "--device", d->host)) < 0)
            goto out;
    }
    for (size_t i = 0; i < p->n_binds; i++) {
        const struct bind_spec *b = &p->binds[i];
        if ((r = bind_at(root, &src.binds[i], b->dst, hard | (b->ro ? MS_RDONLY : 0), "bind", b->src)) < 0)
            goto out;
    }
    for (size_t i = 0; i < p->n_tmpfs; i++) {
        const struct tmpfs_spec *t = &p->tmpfs[i];
        int fd SYS_AUTO_CLOSE = -1;
        if ((r = target_in(root, t->dst, true, "--tmpfs", &fd)) < 0)
            goto out;
        if ((r = mount_fs(fd, "tmpfs", hard | (t->exec ? 0 : MS_NOEXEC), t->data, NULL)) < 0) {
            r = err_set(-r, "--tmpfs %s (CONFIG_TMPFS)", t->dst);
            goto out;
        }
    }
    trace("pivot");
    if ((r = set_propagation(root, MS_PRIVATE)) == 0)
        r = pivot(root);
out:
    drop_all(&src);
    return r < 0 ? r : 0;
}

int rootfs_overlay_claim(const char *dir, int *fd)
{
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return err_set(errno, "--overlay %s: make it (its parent must exist)", dir);
    int d SYS_AUTO_CLOSE = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (d < 0)
        return errno == ELOOP || errno == ENOTDIR
                   ? err_setx(ENOTDIR, "--overlay %s: not a directory (a symlink is not followed)",
                              dir)
                   : err_set(errno, "--overlay %s", dir);
    /* DIR/upper holds what root in the container made, set-user-ID files of root's too: nobody
     * else on the host may reach them. */
    struct stat own;
    if (fstat(d, &own) < 0)
        return err_set(errno, "--overlay %s", dir);
    if (own.st_uid != geteuid() || (own.st_mode & 077))
        return err_setx(EPERM, "--overlay %s: others can enter it (mode %03o, owner %u): the "
                               "container's files there, set-user-ID ones too, would be theirs "
                               "(chown it and chmod 700 it, or name a new directory)", dir,
                        (unsigned)(own.st_mode & 0777), (unsigned)own.st_uid);
    if (flock(d, LOCK_EX | LOCK_NB) < 0)
        return errno == EWOULDBLOCK
                   ? err_setx(EBUSY, "--overlay %s: in use by another container (one container "
                                     "per overlay directory)", dir)
                   : err_set(errno, "--overlay %s: lock it", dir);
    static const char *const subdirs[] = {"upper", "work"};
    for (int i = 0; i < 2; i++) {
        struct stat st;
        if (mkdirat(d, subdirs[i], i ? 0700 : 0755) < 0 && errno != EEXIST)
            return err_set(errno, "--overlay %s: make %s/", dir, subdirs[i]);
        if (fstatat(d, subdirs[i], &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
            return err_setx(ENOTDIR, "--overlay %s: %s is not a directory", dir, subdirs[i]);
    }
    *fd = sys_take_fd(&d);
    return 0;
}

int rootfs_file_root(int image_fd, const char *fstype, bool harden, bool dio)
{
    char src[40];
    snprintf(src, sizeof src, "/proc/self/fd/%d", image_fd); /* the file checked, not a path again */
    int fs SYS_AUTO_CLOSE = sys_fsopen(fstype, SYS_FSOPEN_CLOEXEC);
    if (fs < 0 || sys_fsconfig(fs, SYS_FSCONFIG_SET_STRING, "source", src, 0) < 0 ||
        sys_fsconfig(fs, SYS_FSCONFIG_SET_FLAG, "ro", NULL, 0) < 0)
        return -ENOTBLK;
    if (dio && sys_fsconfig(fs, SYS_FSCONFIG_SET_FLAG, "directio", NULL, 0) < 0) {
        /* 6.12 has file-backed mounts without the option: buffered, as a loop device without it */
    }
    /* Before 6.12 the source must be a block device: ENOTBLK here. */
    if (sys_fsconfig(fs, SYS_FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        return -ENOTBLK;
    int mnt = sys_fsmount(fs, SYS_FSMOUNT_CLOEXEC,
                          (unsigned)attrs_of(MS_RDONLY | (harden ? HARD_FLAGS : 0)));
    return mnt < 0 ? -ENOTBLK : mnt;
}

int rootfs_detached_root(const struct rootfs_plan *p, pid_t pid, int *fd)
{
    unsigned attrs = (unsigned)attrs_of(root_flags(p));
    int mnt;
    if (p->device) {
        mnt = detached_image(p, attrs);
    } else {
        mnt = sys_open_tree(AT_FDCWD, p->image,
                            SYS_OPEN_TREE_CLONE | SYS_OPEN_TREE_CLOEXEC | SYS_AT_RECURSIVE);
        struct sys_mount_attr flags = {.attr_set = attrs};
        if (mnt < 0) {
            mnt = errno == ENOSYS ? err_setx(ENOSYS, "--userns needs Linux 5.2 (open_tree)")
                                  : err_set(errno, "image %s", p->image);
        } else if (attrs && sys_mount_setattr(mnt, "", AT_EMPTY_PATH | SYS_AT_RECURSIVE, &flags) < 0) {
            /* The flags on every mount of the tree: Linux 5.12. */
            int e = errno;
            close(mnt);
            mnt = e == ENOSYS ? err_setx(ENOSYS, "--userns with a directory root needs Linux 5.12 "
                                                 "(mount_setattr)")
                              : err_set(e, "flags of %s", p->image);
        }
    }
    if (mnt < 0)
        return mnt;
    /* An OCI root is the engine's, shifted as it wants it: no idmapped mount. */
    if (p->more) {
        *fd = mnt;
        return 0;
    }
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

/* ---- a description's own mounts (OCI) ---- */

/* The default nodes in the /dev at DEV: made with mknod, or bound from the host's (HOST, in a
 * user namespace), and the usual links. Then the description's own nodes (DEVS). */
static int described_dev(int root, int dev, struct source *host, const struct device_spec *devs,
                         size_t n_devs)
{
    int r;
    for (size_t i = 0; i < N_DEV_NODES; i++) {
        const char *name = dev_nodes[i].name;
        if (host) {
            int node SYS_AUTO_CLOSE = -1;
            if ((r = target_in(dev, name, false, "/dev", &node)) < 0)
                return r;
            if ((r = attach(&host[i], node, MS_NOSUID | MS_NOEXEC, NULL)) < 0)
                return err_set(-r, "bind /dev/%s", name);
        } else if (mknodat(dev, name, S_IFCHR | 0666,
                           makedev(dev_nodes[i].major, dev_nodes[i].minor)) < 0 && errno != EEXIST) {
            return err_set(errno, "mknod /dev/%s", name);
        }
    }
    for (size_t i = 0; i < sizeof dev_links / sizeof dev_links[0]; i++)
        if (symlinkat(dev_links[i].target, dev, dev_links[i].name) < 0 && errno != EEXIST)
            return err_set(errno, "symlink /dev/%s", dev_links[i].name);
    for (size_t i = 0; i < n_devs; i++) {
        const struct device_spec *d = &devs[i];
        const char *slash = strrchr(d->path, '/');
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - d->path), d->path);
        int at SYS_AUTO_CLOSE = resolve_mkdirs(root, dir[0] ? dir : "/", 0755);
        if (at < 0)
            return inside_error(at, "linux.devices", d->path);
        int parent SYS_AUTO_CLOSE = openat(at, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (parent < 0)
            return err_set(errno, "linux.devices %s", d->path);
        unlinkat(parent, slash + 1, 0); /* a default node of the same name gives way */
        mode_t type = d->type == 'b' ? S_IFBLK : S_IFCHR;
        if (mknodat(parent, slash + 1, type | 0600, makedev(d->major, d->minor)) < 0)
            return err_set(errno, "linux.devices: mknod %s", d->path);
        if (fchownat(parent, slash + 1, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0 ||
            fchmodat(parent, slash + 1, d->mode, 0) < 0)
            return err_set(errno, "linux.devices: mode and owner of %s", d->path);
    }
    return 0;
}

struct described_sources {
    struct source root, dev[N_DEV_NODES], *mounts;
    struct source cg[CGROUP_MAX_DIRS];
    char cg_names[CGROUP_MAX_DIRS][64];
    size_t n_cg;
    bool host_dev;
};

static void drop_described(struct described_sources *s, size_t n_mounts)
{
    drop_source(&s->root);
    for (size_t i = 0; i < N_DEV_NODES; i++)
        drop_source(&s->dev[i]);
    for (size_t i = 0; s->mounts && i < n_mounts; i++)
        drop_source(&s->mounts[i]);
    for (size_t i = 0; i < s->n_cg; i++)
        drop_source(&s->cg[i]);
    free(s->mounts);
}

static int take_described(const struct rootfs_plan *p, struct described_sources *s)
{
    const struct spec_more *m = p->more;
    int r;
    /* The trees the container can write: its read-write binds, and the root when writable. */
    const char **trees = calloc(m->n_mounts + 1, sizeof *trees);
    if (!trees)
        return err_set(ENOMEM, "rootfs");
    size_t n_trees = 0;
    for (size_t i = 0; i < m->n_mounts; i++)
        if (m->mounts[i].bind && !(m->mounts[i].flags & MS_RDONLY))
            trees[n_trees++] = m->mounts[i].source;
    if (!p->ro && p->root_fd < 0)
        trees[n_trees++] = p->image;
    r = p->root_fd < 0 ? take_host(p->image, trees, n_trees, "root.path", &s->root) : 0;
    for (size_t i = 0; r == 0 && i < m->n_mounts; i++) {
        const struct mount_spec *ms = &m->mounts[i];
        if (!ms->bind)
            continue;
        s->mounts[i].fd = -1;
        int fd SYS_AUTO_CLOSE = resolve_host(ms->source, trees, n_trees, O_PATH);
        r = fd < 0 ? fd : take_source_flags(fd, "", ms->flags & MS_REC ? SYS_AT_RECURSIVE : 0,
                                            &s->mounts[i]);
        if (r == -ELOOP)
            r = err_setx(ELOOP, "mounts: bind source %s: a symlink loop, or one out of a "
                                "directory the container can write: refused", ms->source);
        else if (r < 0)
            r = err_set(-r, "mounts: bind source %s", ms->source);
    }
    free(trees);
    for (size_t i = 0; r == 0 && s->host_dev && i < N_DEV_NODES; i++) {
        char path[64];
        snprintf(path, sizeof path, "/dev/%s", dev_nodes[i].name);
        if ((r = take_source(AT_FDCWD, path, &s->dev[i])) < 0)
            r = err_set(-r, "host device %s", path);
    }
    if (r == 0 && m->cgroup_path) {
        char dirs[CGROUP_MAX_DIRS][512];
        int n = cgroup_dirs_path(m->cgroup_path, dirs, s->cg_names, CGROUP_MAX_DIRS);
        for (int i = 0; i < n; i++) {
            if (take_source_flags(AT_FDCWD, dirs[i], 0, &s->cg[s->n_cg]) < 0)
                continue;
            if (s->n_cg != (size_t)i)
                memcpy(s->cg_names[s->n_cg], s->cg_names[i], sizeof s->cg_names[0]);
            s->n_cg++;
        }
    }
    return r;
}

static int described_mount(int root, const struct mount_spec *ms, struct described_sources *s,
                           size_t i, int *dev_fd)
{
    int r, t SYS_AUTO_CLOSE = -1, top SYS_AUTO_CLOSE = -1;
    unsigned long fl = ms->flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
    if (ms->bind) {
        struct stat st;
        if (fstat(s->mounts[i].fd, &st) < 0)
            return err_set(errno, "mounts: %s", ms->source);
        if ((r = target_in(root, ms->dst, S_ISDIR(st.st_mode), "mounts: destination", &t)) < 0)
            return r;
        if ((r = attach(&s->mounts[i], t, fl, &top)) < 0)
            return err_set(-r, "mounts: bind %s to %s", ms->source, ms->dst);
    } else if (strcmp(ms->type, "cgroup") == 0 || strcmp(ms->type, "cgroup2") == 0) {
        if ((r = target_in(root, ms->dst, true, "mounts: destination", &t)) < 0)
            return r;
        bool v2_only = s->n_cg == 1 && !s->cg_names[0][0];
        if (v2_only) {
            if ((r = attach(&s->cg[0], t, fl | MS_NOSUID | MS_NODEV | MS_NOEXEC, &top)) < 0)
                return err_set(-r, "mounts: %s (the container's cgroup)", ms->dst);
        } else {
            if ((r = mount_fs(t, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755", &top)) < 0)
                return err_set(-r, "mounts: tmpfs for the cgroups on %s", ms->dst);
            for (size_t k = 0; k < s->n_cg; k++) {
                int d SYS_AUTO_CLOSE = -1;
                if (!s->cg_names[k][0] || (r = target_in(top, s->cg_names[k], true, "cgroup", &d)) < 0 ||
                    (r = attach(&s->cg[k], d, fl | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) < 0) {
                    if (r < 0)
                        return err_set(-r, "mounts: cgroup %s on %s", s->cg_names[k], ms->dst);
                }
            }
            if (fl & MS_RDONLY) {
                struct sys_mount_attr a = {.attr_set = SYS_MOUNT_ATTR_RDONLY};
                if (sys_new_mount_api())
                    sys_mount_setattr(top, "", AT_EMPTY_PATH, &a);
            }
        }
    } else {
        if ((r = target_in(root, ms->dst, true, "mounts: destination", &t)) < 0)
            return r;
        r = mount_fs(t, ms->type, fl, ms->data, &top);
        if (r == -EPERM && strcmp(ms->type, "sysfs") == 0) {
            /* In a user namespace without a network namespace of its own: the host's. */
            struct source host;
            if ((r = take_source(AT_FDCWD, "/sys", &host)) == 0)
                r = attach(&host, t, fl | MS_RDONLY, &top);
            drop_source(&host);
        }
        if (r == -EINVAL && strcmp(ms->type, "devpts") == 0)
            r = mount_fs(t, "devpts", fl, "newinstance,ptmxmode=0666", &top);
        if (r < 0)
            return err_set(-r, "mounts: %s on %s%s%s", ms->type, ms->dst, ms->data ? " with " : "",
                           ms->data ? ms->data : "");
    }
    if (ms->propagation && mount(NULL, sys_fd_path(top).s, NULL, ms->propagation, NULL) < 0)
        return err_set(errno, "mounts: propagation of %s", ms->dst);
    if (strcmp(ms->dst, "/dev") == 0 && !ms->bind) {
        if (*dev_fd >= 0)
            close(*dev_fd);
        *dev_fd = sys_take_fd(&top);
    }
    return 0;
}

static int mask_described(int root, const struct spec_more *m);

static int enter_described(const struct rootfs_plan *p)
{
    const struct spec_more *m = p->more;
    struct described_sources src = {.root = {-1, false}, .host_dev = p->host_devices};
    for (size_t i = 0; i < N_DEV_NODES; i++)
        src.dev[i].fd = -1;
    int root SYS_AUTO_CLOSE = -1, dev SYS_AUTO_CLOSE = -1, r;
    src.mounts = calloc(m->n_mounts + 1, sizeof *src.mounts);
    if (!src.mounts)
        return err_set(ENOMEM, "rootfs");
    for (size_t i = 0; i <= m->n_mounts; i++)
        src.mounts[i].fd = -1;
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
        r = err_set(errno, "make the mount namespace private");
        goto out;
    }
    if ((r = take_described(p, &src)) < 0)
        goto out;
    const char *staging = pick_staging();
    if (!staging) {
        r = err_setx(ENOENT, "no directory to stage the root on (create /tmp)");
        goto out;
    }
    if ((r = root = mount_root(p, &src.root, staging)) < 0 ||
        (r = set_propagation(root, MS_UNBINDABLE)) < 0)
        goto out;
    for (size_t i = 0; i < m->n_mounts; i++)
        if ((r = described_mount(root, &m->mounts[i], &src, i, &dev)) < 0)
            goto out;
    if (dev >= 0 && (r = described_dev(root, dev, src.host_dev ? src.dev : NULL, p->devices,
                                       p->n_devices)) < 0)
        goto out;
    if ((r = mask_described(root, m)) < 0)
        goto out;
    if (p->ro && (r = root_read_only(root)) < 0) {
        r = err_set(-r, "make the root read-only (root.readonly)");
        goto out;
    }
    if ((r = set_propagation(root, MS_PRIVATE)) == 0)
        r = pivot(root);
    if (r == 0 && m->root_propagation && mount(NULL, "/", NULL, m->root_propagation, NULL) < 0)
        r = err_set(errno, "linux.rootfsPropagation");
out:
    drop_described(&src, m->n_mounts);
    return r < 0 ? r : 0;
}

int rootfs_protect(const struct spec_more *m)
{
    int root SYS_AUTO_CLOSE = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return err_set(errno, "open /");
    int r;
    for (size_t i = 0; i < m->n_readonly; i++) {
        int t SYS_AUTO_CLOSE = resolve_open(root, m->readonly[i], O_PATH | O_NOFOLLOW, 0);
        if (t == -ENOENT)
            continue;
        struct source s = {-1, false};
        r = t < 0 ? t : take_source(t, "", &s);
        if (r == 0)
            r = attach(&s, t, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        drop_source(&s);
        if (r < 0)
            return err_set(-r, "linux.readonlyPaths: %s", m->readonly[i]);
    }
    return 0;
}

/* linux.maskedPaths, before the pivot (the host's /dev/null is in view then, and the image's own
 * /dev/null could be anything): a file covered with it, a directory with an empty read-only
 * tmpfs; each path resolved inside ROOT, a missing one skipped. */
static int mask_described(int root, const struct spec_more *m)
{
    for (size_t i = 0; i < m->n_masked; i++) {
        int r, t SYS_AUTO_CLOSE = resolve_open(root, m->masked[i], O_PATH | O_NOFOLLOW, 0);
        if (t == -ENOENT || t == -ENOTDIR)
            continue;
        struct stat st;
        if (t < 0 || fstat(t, &st) < 0)
            return err_set(t < 0 ? -t : errno, "linux.maskedPaths: %s", m->masked[i]);
        if (S_ISDIR(st.st_mode)) {
            r = mount_fs(t, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0", NULL);
        } else {
            struct source s = {-1, false};
            struct stat null;
            r = take_source(AT_FDCWD, "/dev/null", &s);
            if (r == 0 && (fstat(s.fd, &null) < 0 || !S_ISCHR(null.st_mode) ||
                           null.st_rdev != makedev(1, 3)))
                r = -EINVAL; /* the host's /dev/null is no null device */
            if (r == 0)
                r = attach(&s, t, MS_RDONLY | MS_NOSUID | MS_NOEXEC, NULL);
            drop_source(&s);
        }
        if (r < 0)
            return err_set(-r, "linux.maskedPaths: %s", m->masked[i]);
    }
    return 0;
}
