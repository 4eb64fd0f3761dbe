/* resolve: paths inside a container's root, with openat2 or, before Linux 5.6, a walk that is
 * just as strict (see resolve.h). */
#include "resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "sys.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
/* Local copies: musl's headers (and older kernel headers) may lack <linux/openat2.h>. */
struct resolve_how {
    uint64_t flags, mode, resolve;
};
#define RESOLVE_HOW_NO_MAGICLINKS 0x02
#define RESOLVE_HOW_IN_ROOT 0x10
#define RESOLVE_PROC_MAGIC 0x9fa0UL /* PROC_SUPER_MAGIC */
#define RESOLVE_PROC_ROOT_INO 1
#define RESOLVE_MAX_DEPTH 256
#define RESOLVE_MAX_LINKS 40 /* the kernel's MAXSYMLINKS */
#define RESOLVE_TRIES 8

static bool force_walk;

void resolve_use_walk(bool walk)
{
    force_walk = walk;
}

static bool have_openat2(void)
{
    static int have = -1;
    if (have < 0) {
        /* An invalid call (size 0): EINVAL where openat2 exists, ENOSYS where not, EPERM where a
         * seccomp filter of an older container runtime hides it. */
        have = !(syscall(SYS_openat2, -1, "", NULL, 0) < 0 && (errno == ENOSYS || errno == EPERM));
    }
    return have;
}

static int open_openat2(int root_fd, const char *path, int flags, mode_t mode)
{
    struct resolve_how how = {
        .flags = (uint64_t)(unsigned)(flags | O_CLOEXEC),
        /* openat2 refuses a mode without O_CREAT / O_TMPFILE */
        .mode = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? mode : 0,
        .resolve = RESOLVE_HOW_IN_ROOT | RESOLVE_HOW_NO_MAGICLINKS,
    };
    /* openat2 takes no empty path (no AT_EMPTY_PATH); "/" is the root under RESOLVE_IN_ROOT */
    long fd = syscall(SYS_openat2, root_fd, *path ? path : "/", &how, sizeof how);
    return fd < 0 ? -errno : (int)fd;
}

/* The directories walked: fd[0] is the caller's root (not ours to close). */
struct walk {
    int fd[RESOLVE_MAX_DEPTH + 1];
    int depth;
};

static void walk_pop(struct walk *w)
{
    while (w->depth > 0)
        close(w->fd[w->depth--]);
}

/* procfs's ordinary symlinks (self, thread-self, mounts, net) all sit in its root directory;
 * every other symlink on procfs is a magic link (fd/N, cwd, root, exe, ns/...) and refused. */
static int check_link(int dirfd, int linkfd)
{
    struct statfs fs;
    struct stat st;
    if (fstatfs(linkfd, &fs) < 0)
        return -errno;
    if ((unsigned long)fs.f_type != RESOLVE_PROC_MAGIC)
        return 0;
    if (fstatfs(dirfd, &fs) < 0 || fstat(dirfd, &st) < 0)
        return -errno;
    return (unsigned long)fs.f_type == RESOLVE_PROC_MAGIC && st.st_ino == RESOLVE_PROC_ROOT_INO
               ? 0
               : -ELOOP;
}

/* Open NAME in DIRFD with the caller's flags; when it was there before (WAS), it must still be
 * the object checked: anything else means a swap between the two opens. */
static int open_last(int dirfd, const char *name, int flags, mode_t mode, const struct stat *was)
{
    int fd SYS_AUTO_CLOSE = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
    struct stat st;
    if (fd < 0)
        return -errno;
    if (was && (flags & O_TMPFILE) != O_TMPFILE) {
        if (fstat(fd, &st) < 0)
            return -errno;
        if (st.st_dev != was->st_dev || st.st_ino != was->st_ino)
            return -EAGAIN;
    }
    return sys_take_fd(&fd);
}

static int walk_open(int root_fd, const char *path, int flags, mode_t mode)
{
    __attribute__((cleanup(walk_pop))) struct walk w = {.fd = {root_fd}, .depth = 0};
    char rest[PATH_MAX], target[PATH_MAX], name[NAME_MAX + 1];
    size_t pos = 0, len = strlen(path);
    int links = 0;
    if (len >= sizeof rest)
        return -ENAMETOOLONG;
    memcpy(rest, path, len + 1);
    for (;;) {
        int cur = w.fd[w.depth];
        while (rest[pos] == '/')
            pos++;
        if (!rest[pos]) /* the path ends in a directory walked: "", "/", ".", ".." */
            return open_last(cur, ".", flags, mode, NULL);
        len = strcspn(rest + pos, "/");
        if (len > NAME_MAX)
            return -ENAMETOOLONG;
        memcpy(name, rest + pos, len);
        name[len] = '\0';
        pos += len;
        size_t next = pos + strspn(rest + pos, "/");
        bool last = !rest[next], slash = last && next > pos;
        if (!strcmp(name, "."))
            continue;
        if (!strcmp(name, "..")) { /* the stack, not the kernel's "..": the root has no parent */
            if (w.depth > 0)
                close(w.fd[w.depth--]);
            continue;
        }
        int fd SYS_AUTO_CLOSE = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (fd < 0) {
            if (errno != ENOENT || !last || !(flags & O_CREAT))
                return -errno;
            /* O_NOFOLLOW: a symlink raced in here fails instead of being followed */
            return slash ? -EISDIR : open_last(cur, name, flags, mode, NULL);
        }
        if (fstat(fd, &st) < 0)
            return -errno;
        if (last && (flags & O_CREAT) && (flags & O_EXCL))
            return -EEXIST; /* as open(2): O_EXCL follows no symlink */
        if (S_ISLNK(st.st_mode)) {
            if (last && !slash && (flags & O_NOFOLLOW))
                return (flags & O_PATH) && !(flags & O_CREAT) ? sys_take_fd(&fd) : -ELOOP;
            int r = check_link(cur, fd);
            if (r < 0)
                return r;
            if (++links > RESOLVE_MAX_LINKS)
                return -ELOOP;
            ssize_t n = readlinkat(fd, "", target, sizeof target);
            if (n < 0)
                return -errno;
            if (n == 0)
                return -ENOENT;
            len = strlen(rest + pos);
            if ((size_t)n + len >= sizeof rest)
                return -ENAMETOOLONG;
            /* the target replaces the link's name in front of what remains */
            memmove(rest + n, rest + pos, len + 1);
            memcpy(rest, target, (size_t)n);
            pos = 0;
            if (target[0] == '/')
                walk_pop(&w);
            continue;
        }
        if (!S_ISDIR(st.st_mode) && (!last || slash))
            return -ENOTDIR;
        if (!last) {
            if (w.depth == RESOLVE_MAX_DEPTH)
                return -ENAMETOOLONG;
            w.fd[++w.depth] = sys_take_fd(&fd);
            continue;
        }
        if ((flags & O_PATH) && !(flags & O_CREAT)) {
            if ((flags & O_DIRECTORY) && !S_ISDIR(st.st_mode))
                return -ENOTDIR;
            return sys_take_fd(&fd);
        }
        return open_last(cur, name, flags | (slash ? O_DIRECTORY : 0), mode, &st);
    }
}

int resolve_open(int root_fd, const char *path, int flags, mode_t mode)
{
    bool walk = force_walk || sys_old_kernel() || !have_openat2();
    int r = -EAGAIN;
    /* EAGAIN: openat2 saw a rename during "..", or the walk a swap of its last component */
    for (int i = 0; i < RESOLVE_TRIES && r == -EAGAIN; i++)
        r = walk ? walk_open(root_fd, path, flags, mode) : open_openat2(root_fd, path, flags, mode);
    return r;
}

/* Split PATH into the directory its last component is in (PARENT) and that component (NAME).
 * -EINVAL when there is no real name: "", "/", "." or "..". */
static int split_last(const char *path, char *parent, size_t size, char *name, bool *slash)
{
    size_t len = strlen(path), end;
    if (len >= size)
        return -ENAMETOOLONG;
    for (end = len; end > 0 && path[end - 1] == '/'; end--)
        ;
    *slash = end < len;
    size_t start = end;
    while (start > 0 && path[start - 1] != '/')
        start--;
    if (end - start > NAME_MAX)
        return -ENAMETOOLONG;
    memcpy(name, path + start, end - start);
    name[end - start] = '\0';
    if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
        return -EINVAL;
    memcpy(parent, path, start);
    parent[start] = '\0';
    return 0;
}

/* An O_PATH fd of the directory PATH, made (MODE) when missing and its parent is there. */
static int make_dir(int root_fd, const char *path, mode_t mode)
{
    char parent[PATH_MAX], name[NAME_MAX + 1];
    bool slash;
    for (int made = 0;; made++) {
        int fd = resolve_open(root_fd, path, O_PATH | O_DIRECTORY, 0);
        if (fd != -ENOENT || made)
            return fd; /* after one mkdir, whatever is there now: EEXIST was a race */
        int r = split_last(path, parent, sizeof parent, name, &slash);
        if (r < 0)
            return r == -EINVAL ? -ENOENT : r;
        int dirfd SYS_AUTO_CLOSE = resolve_open(root_fd, parent, O_PATH | O_DIRECTORY, 0);
        if (dirfd < 0)
            return dirfd;
        if (mkdirat(dirfd, name, mode) < 0 && errno != EEXIST)
            return -errno;
    }
}

int resolve_mkdirs(int root_fd, const char *path, mode_t mode)
{
    char prefix[PATH_MAX];
    size_t len = strlen(path), end = 0;
    int fd = resolve_open(root_fd, path, O_PATH | O_DIRECTORY, 0);
    if (fd != -ENOENT)
        return fd;
    if (len >= sizeof prefix)
        return -ENAMETOOLONG;
    /* Each prefix from the root again: one resolved from a directory fd would root its absolute
     * symlinks and ".." there. */
    memcpy(prefix, path, len + 1);
    for (;;) {
        end += strspn(prefix + end, "/");
        end += strcspn(prefix + end, "/");
        char c = prefix[end];
        prefix[end] = '\0';
        fd = make_dir(root_fd, prefix, mode);
        prefix[end] = c;
        if (fd < 0 || end + strspn(prefix + end, "/") == len)
            return fd;
        close(fd);
    }
}

static int check_kind(int fd, bool dir)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return -errno;
    if (S_ISDIR(st.st_mode))
        return dir ? 0 : -EISDIR;
    if (S_ISREG(st.st_mode))
        return dir ? -ENOTDIR : 0;
    return -EINVAL;
}

int resolve_mount_target(int root_fd, const char *path, bool dir)
{
    char parent[PATH_MAX], name[NAME_MAX + 1];
    bool slash;
    int r = split_last(path, parent, sizeof parent, name, &slash);
    if (r < 0)
        return r;
    if (slash && !dir)
        return -EISDIR;
    for (int made = 0;; made++) {
        /* O_PATH only: opening a FIFO would block, a device node could act */
        int fd SYS_AUTO_CLOSE = resolve_open(root_fd, path, O_PATH, 0);
        if (fd >= 0) {
            r = check_kind(fd, dir);
            return r < 0 ? r : sys_take_fd(&fd);
        }
        if (fd != -ENOENT || made)
            return fd;
        int dirfd SYS_AUTO_CLOSE = resolve_mkdirs(root_fd, parent, 0755);
        if (dirfd < 0)
            return dirfd;
        /* O_EXCL | O_NOFOLLOW: only ever a new object, never one an attacker raced in */
        if (dir)
            r = mkdirat(dirfd, name, 0755);
        else if ((r = openat(dirfd, name, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                             0644)) >= 0)
            close(r);
        if (r < 0 && errno != EEXIST)
            return -errno;
    }
}

/* The next component of *P ("." and empty ones skipped): its start, its length in *LEN. */
static const char *component(const char **p, size_t *len)
{
    for (;;) {
        *p += strspn(*p, "/");
        *len = strcspn(*p, "/");
        if (*len != 1 || **p != '.')
            break;
        *p += 1;
    }
    const char *c = *p;
    *p += *len;
    return c;
}

/* The part of PATH below TREE ("" when PATH is TREE), or NULL when PATH is not in it. Both
 * absolute, compared component by component. */
static const char *below(const char *path, const char *tree)
{
    const char *p = path, *t = tree;
    for (;;) {
        size_t pl, tl;
        const char *tc = component(&t, &tl);
        const char *mark = p;
        const char *pc = component(&p, &pl);
        if (tl == 0)
            return mark + strspn(mark, "/");
        if (pl != tl || memcmp(pc, tc, pl) != 0)
            return NULL;
    }
}

int resolve_tree_of(const char *path, const char *const *trees, size_t n, const char **rest)
{
    int best = -1;
    size_t best_len = 0;
    if (path[0] != '/')
        return -1;
    for (size_t i = 0; i < n; i++) {
        const char *r = trees[i] && trees[i][0] == '/' ? below(path, trees[i]) : NULL;
        /* the outermost: everything below it is the container's to change */
        size_t len = r ? (size_t)(r - path) : 0;
        if (r && (best < 0 || len < best_len)) {
            best = (int)i;
            best_len = len;
            *rest = r;
        }
    }
    return best;
}

int resolve_host(const char *path, const char *const *trees, size_t n, int flags)
{
    const char *rest;
    int t = resolve_tree_of(path, trees, n, &rest);
    /* The tree itself is named by the caller; a file is a tree with nothing below it. */
    int root SYS_AUTO_CLOSE = t >= 0 && *rest ? open(trees[t], O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
    if (root < 0 && (t < 0 || !*rest || errno == ENOTDIR)) {
        int fd = open(path, flags | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
    }
    if (root < 0)
        return -errno;
    return resolve_open(root, rest, flags, 0);
}

int resolve_host_parent(const char *path, const char *const *trees, size_t n, char *name,
                        size_t len)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0 ||
        snprintf(name, len, "%s", base) >= (int)len)
        return -EINVAL;
    char dir[PATH_MAX];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path) >=
             (int)sizeof dir)
        return -ENAMETOOLONG;
    return resolve_host(dir, trees, n, O_PATH | O_DIRECTORY);
}
