#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "channel.h"
#include "command.h"
#include "err.h"
#include "init.h"
#include "net.h"
#include "rootfs.h"
#include "userns.h"
#include "sys.h"

void child_rootfs_plan(const struct child_ctx *c, struct rootfs_plan *plan)
{
    const struct run_opts *o = c->o;
    *plan = (struct rootfs_plan){
        .image = o->image,
        .device = c->device,
        .fstype = c->fstype,
        .ro = c->ro,
        .binds = o->binds,
        .n_binds = o->n_binds,
        .devices = o->devices,
        .n_devices = o->n_devices,
        .host_devices = c->userns,
        .harden = !o->privileged,
        .root_fd = c->root_fd,
    };
}

static int setup_inside(const struct child_ctx *c, struct command *cmd)
{
    const struct run_opts *o = c->o;
    struct rootfs_plan plan;
    child_rootfs_plan(c, &plan);
    if (c->userns) {
        if (userns_become_root() < 0)
            return -EPERM;
        command_die_with_parent(c->chan); /* the change of credentials cleared it */
    }
    /* The cgroups the child is in (its own, with limits) become the root of its view. */
    if (unshare(CLONE_NEWCGROUP) < 0 && errno != EINVAL)
        return err_set(errno, "cgroup namespace");
    int r = rootfs_enter(&plan);
    if (c->root_fd >= 0)
        close(c->root_fd);
    if (r < 0)
        return r;
    if (sethostname(c->hostname, strlen(c->hostname)) < 0)
        return err_set(errno, "sethostname %s", c->hostname);
    if ((r = net_setup_inside(o)) < 0)
        return r;
    struct command_spec spec = {
        .argv = o->argv,
        .user = o->user,
        .workdir = o->workdir,
        .env = o->env,
        .n_env = o->n_env,
        .hostname = c->hostname,
        .chan = c->chan,
        .tty = o->tty,
    };
    if ((r = command_prepare(cmd, &spec)) < 0)
        return r;
    return command_harden(o->caps, o->privileged, o->seccomp_off);
}

void child_main(struct child_ctx *c)
{
    /* When hutch dies, so does the container, and with it its mounts and loop device. */
    command_die_with_parent(-1);
    /* Output to a log, or a pseudo-terminal for the command (-t): then nothing in the
     * container holds the caller's terminal. */
    if (c->out_fd >= 0 || c->o->tty) {
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        int out = c->out_fd >= 0 ? c->out_fd : null;
        if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
            _exit(125);
    }
    sys_close_fds_except(c->chan);
    command_safe_stdio(c->chan);
    struct chan_msg m;
    /* "go" carries the root as a detached mount when the parent made it (user namespaces). */
    if (chan_recv(c->chan, &m, true, &c->root_fd) != 1 || m.kind != CHAN_GO)
        _exit(125); /* the parent is gone or gave up: it reports */
    /* The parent may have died before PR_SET_PDEATHSIG took effect: then its end is closed. */
    command_die_with_parent(c->chan);
    /* A session of its own: the caller's terminal is not the container's controlling one, so
     * nothing inside can push input into it (TIOCSTI). */
    setsid();
    /* Nothing in the container may trace hutch's processes or open their /proc/PID/exe, the
     * hutch binary (CVE-2019-5736); exec of the command makes it dumpable again. Not before
     * "go": an unprivileged parent writes this process's ID maps, which needs it dumpable. */
    if (!c->o->privileged)
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    umask(0);

    struct command cmd;
    if (setup_inside(c, &cmd) < 0)
        chan_fail(c->chan, 125);
    if (c->o->no_init)
        command_exec(&cmd);
    init_main(command_exec, &cmd, c->chan);
}
