/* child: the container's side of `hutch run`, from clone() to the command. It waits for the
 * parent's "go", builds the filesystem, hostname and network inside its namespaces, then runs
 * the command under init (or as PID 1 with --no-init). Failures go back over the channel. */
#ifndef HUTCH_CHILD_H
#define HUTCH_CHILD_H

#include "cli.h"

struct child_ctx {
    const struct run_opts *o;
    int chan;                 /* the child's end of the channel */
    const char *device;       /* loop device of the image, NULL for a directory */
    const char *fstype;
    bool ro;                  /* the root read-only (asked for, or the image type is) */
    const char *hostname;
    bool userns;              /* the child is in a user namespace of its own */
    bool premount;            /* ... and the parent, root of the host, mounts its root for it */
    int root_fd;              /* that root, a detached mount, as it came with "go"; or -1 */
    int out_fd;               /* the container's stdout and stderr (stdin /dev/null), or -1 */
    struct run_create *cr;    /* OCI create (run.h), or NULL */
};

struct rootfs_plan;
/* The root filesystem the child builds; the parent uses it too (rootfs_premount). */
void child_rootfs_plan(const struct child_ctx *c, struct rootfs_plan *plan);

_Noreturn void child_main(struct child_ctx *c);
/* OCI create: the container's first process, which becomes process.args itself once `start`
 * writes the exec fifo. */
_Noreturn void child_described(struct child_ctx *c);


#endif
