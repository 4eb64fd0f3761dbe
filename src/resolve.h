/* resolve: paths inside a container's root (an image, or a directory that a container can write),
 * resolved inside that root. Every path hutch touches in a container's tree goes through here:
 * the tree is the attacker's (symlinks, /proc magic links, FIFOs where files should be).
 *
 * With openat2 (Linux 5.6): RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS from the root's fd.
 * Otherwise (or with HUTCH_OLD_KERNEL set in the environment, for the tests): a walk, component
 * by component, with O_PATH | O_NOFOLLOW: ".." never climbs above the root (a stack of the
 * directories walked, not the kernel's ".."), an absolute symlink starts again at the root, a
 * relative one at its directory, at most 40 links (-ELOOP), and a symlink on procfs (magic links
 * such as /proc/self/fd/N, /proc/self/root, /proc/PID/exe) is refused with -ELOOP. No function
 * here records an error message: each returns a negative errno and the caller names the path. */
#ifndef HUTCH_RESOLVE_H
#define HUTCH_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Use the walk even where openat2 exists (the unit tests run both ways). */
void resolve_use_walk(bool walk);

/* Open PATH inside the tree whose root is ROOT_FD, as if ROOT_FD were "/" (a leading "/" is
 * allowed and means the root). FLAGS are openat's (O_CLOEXEC is always added); O_NOFOLLOW keeps
 * a symlink in the last component from being followed (with O_PATH the link itself is opened,
 * otherwise -ELOOP); O_CREAT creates the last component (MODE) in the directory it resolves to.
 * "" and "/" are the root itself. Returns the new fd or a negative errno. */
int resolve_open(int root_fd, const char *path, int flags, mode_t mode);

/* mkdir -p PATH inside ROOT_FD (MODE for the directories made; existing ones are fine, symlinks
 * to directories inside the root are followed). Returns an O_PATH fd of the last directory, or a
 * negative errno (-ENOTDIR when a component exists and is not a directory, -EROFS...). */
int resolve_mkdirs(int root_fd, const char *path, mode_t mode);

/* Something to mount on at PATH inside ROOT_FD: a directory when DIR, else a regular file.
 * Made when missing (the parents with mkdir -p 0755, a directory 0755, an empty file 0644);
 * an existing one must be of the right type: -ENOTDIR (a directory wanted), -EISDIR (a file
 * wanted, a directory found), -EINVAL (a FIFO, socket or device node found). Returns an
 * O_PATH fd of it, for mounting on (never re-resolve the string), or a negative errno. */
int resolve_mount_target(int root_fd, const char *path, bool dir);

/* Pure: the outermost of TREES (absolute paths of the host) that PATH (absolute) lies in, or -1;
 * *REST: the part of PATH below it. Compared component by component. */
int resolve_tree_of(const char *path, const char *const *trees, size_t n, const char **rest);

/* A path of the host's opened with FLAGS. When it lies in one of TREES, the trees a container
 * can write (its read-write binds, a writable directory root), the part below the outermost
 * of them is resolved inside it: what the container made there (a symlink to /, say) cannot
 * lead the next start out of it. Returns the fd or a negative errno. */
int resolve_host(const char *path, const char *const *trees, size_t n, int flags);
/* The directory that PATH's last component is in, the same way (an O_PATH fd), and that
 * component in NAME: for a file opened relative to it. -EINVAL when PATH ends in no name. */
int resolve_host_parent(const char *path, const char *const *trees, size_t n, char *name,
                        size_t len);

#endif
