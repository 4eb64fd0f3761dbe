#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "channel.h"
#include "child.h"
#include "devices.h"
#include "dm.h"
#include "err.h"
#include "image.h"
#include "init.h"
#include "loop.h"
#include "net.h"
#include "relay.h"
#include "rootfs.h"
#include "userns.h"
#include "verity.h"
#include "supervise.h"
#include "sys.h"
#include "trace.h"
#include "tty.h"

/* Everything the parent holds for one container; released in reverse order by release(). */
struct container {
    const struct run_opts *o;
    struct run_hooks *hooks;
    bool rootless;             /* run by an ordinary user: a user namespace, no loop, no cgroups */
    struct child_ctx ctx;
    int root_fd;               /* for the child in a user namespace: its root, detached */
    char name[HUTCH_NAME_MAX + 1];
    int image_fd;              /* the image file, until the loop device takes it */
    struct loop_dev loop;
    struct dm_dev dm;          /* --verity: the verity device over the loop device */
    char roothash[VERITY_ROOTHASH_HEX + 1]; /* --verity, --verity-file; "" without */
    const char *fstype;
    bool ro;
    struct cgroup cg;
    char veth[IFNAME_MAX + 1]; /* the host end, for --net veth (it goes with the namespace) */
    int veth_index;            /* the host end, once made; 0 before */
    struct net_moved dev;      /* --net dev: the interface to bring back */
    struct relay *relay;       /* -p: the listeners, and the connections while it runs */
    int chan[2];
    int out[2];                /* the container's output, when it goes to a log */
    struct tty_relay tty;      /* -t */
    pid_t pid;
    struct run_create *cr;     /* OCI create, or NULL */
    struct supervise *sv;      /* while it runs */
    int overlay_fd;            /* --overlay DIR, locked for the container's life; or -1 */
    bool cg_path;              /* the cgroups are at the description's path (OCI) */
};

/* --verity, --verity-file: an image file, mounted read-only, and its root hash. */
static int verity_inputs(struct container *c, bool dir)
{
    const struct run_opts *o = c->o;
    if (o->verity && o->verity_file)
        return err_setx(EINVAL, "--verity and --verity-file: give one of them");
    if (dir)
        return err_setx(EINVAL, "--verity: %s is a directory (dm-verity checks an image file; "
                                "make one with hutch-image --verity)", o->image);
    c->ro = true;
    if (o->verity) {
        snprintf(c->roothash, sizeof c->roothash, "%s", o->verity);
        return 0;
    }
    /* Not blocking: a FIFO must not hang hutch. */
    int fd SYS_AUTO_CLOSE = open(o->verity_file, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return err_set(errno, "--verity-file %s", o->verity_file);
    if (!S_ISREG(st.st_mode))
        return err_setx(EINVAL, "--verity-file %s: not a regular file", o->verity_file);
    char text[257];
    ssize_t n = read(fd, text, sizeof text);
    if (n < 0)
        return err_set(errno, "--verity-file %s", o->verity_file);
    if (n > 256 || verity_roothash_text(text, (size_t)n, c->roothash) < 0)
        return err_setx(EINVAL, "--verity-file %s: expected the root hash, 64 hex digits on one "
                                "line (as hutch-image writes it)", o->verity_file);
    return 0;
}

static int check_inputs(struct container *c)
{
    const struct run_opts *o = c->o;
    struct image_info info;
    int r = image_open(o->image, &c->image_fd, &info);
    if (r < 0)
        return r;
    bool dir = info.type == IMAGE_DIRECTORY;
    /* Under --overlay the image is the read-only lower layer. */
    c->ro = o->ro || o->overlay;
    if (o->overlay && (c->rootless || o->userns))
        return err_setx(EPERM, "--overlay needs root and no --userns (a user namespace cannot "
                               "mount the layers)");
    if (o->overlay && strcmp(o->overlay, "tmpfs") != 0 &&
        (r = rootfs_overlay_claim(o->overlay, &c->overlay_fd)) < 0)
        return r;
    if ((o->verity || o->verity_file) && (r = verity_inputs(c, dir)) < 0)
        return r;
    if (o->more.given && !dir)
        return err_setx(ENOTDIR, "root.path %s: not a directory", o->image);
    if (c->rootless) {
        const char *needs = !dir ? "an image file (loop devices)"
                            : o->net != NET_NONE && o->net != NET_HOST ? "--net other than none or host"
                            : limits_given(&o->limits) ? "limits (cgroups)"
                            : o->n_devices ? "--device"
                                           : NULL;
        if (needs)
            return err_setx(EPERM, "%s needs root; as an ordinary user, run a directory root with "
                                   "--net none or host and no limits", needs);
    }
    if (!dir) {
        c->fstype = image_fstype(info.type);
        c->ro = c->ro || image_readonly(info.type);
        if (!c->ro) {
            int w = image_reopen_writable(o->image, c->image_fd);
            if (w < 0)
                return w;
            close(c->image_fd);
            c->image_fd = w;
        }
    }
    struct stat st;
    for (size_t i = 0; i < o->n_binds; i++)
        if (stat(o->binds[i].src, &st) < 0)
            return err_set(errno, "--bind source %s", o->binds[i].src);
    for (size_t i = 0; i < o->n_devices; i++)
        if (!o->devices[i].made && (r = devices_stat(&o->devices[i])) < 0)
            return r;
    if (o->net == NET_VETH) {
        if (o->veth.host_name)
            snprintf(c->veth, sizeof c->veth, "%s", o->veth.host_name);
        else
            net_veth_default_name(c->name, c->veth);
        r = net_veth_check(&o->veth, c->veth, c->name);
    } else if (o->net != NET_NONE && o->net != NET_HOST) {
        r = net_lan_check(o, c->name, &c->dev);
    }
    /* The published ports, bound now: a port in use fails the start before anything is made. */
    if (r == 0 && o->n_publish)
        r = relay_open(o->publish, o->n_publish, o->veth.ip, &c->relay);
    return r;
}

static int start_child(struct container *c)
{
    const struct run_opts *o = c->o;
    unsigned long flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC;
    if (o->net != NET_HOST)
        flags |= CLONE_NEWNET;
    if (o->userns || c->rootless)
        flags |= CLONE_NEWUSER;
    if (o->more.given) {
        /* The description's namespaces; the cgroup one is made by the child, after its
         * cgroups are joined. */
        flags = o->more.namespaces & ~(unsigned long)CLONE_NEWCGROUP;
        for (size_t i = 0; i < o->more.n_joins; i++)
            if (o->more.joins[i].type == CLONE_NEWPID) {
                int r = sys_join_ns(o->more.joins[i].path, CLONE_NEWPID);
                if (r < 0)
                    return r;
            }
    }
    c->ctx = (struct child_ctx){
        .o = o,
        .chan = c->chan[1],
        .device = c->dm.held ? c->dm.path : c->loop.fd >= 0 ? c->loop.path : NULL,
        .fstype = c->fstype,
        .ro = c->ro,
        .hostname = o->hostname ? o->hostname : c->name,

        .userns = (flags & CLONE_NEWUSER) != 0,
        /* In a user namespace a block device cannot be mounted, nor an idmapped mount made:
         * the parent does that for the child when it can, as root. */
        .premount = (flags & CLONE_NEWUSER) && !c->rootless,
        .root_fd = -1,
        .out_fd = c->out[1],
        .cr = c->cr,
    };
    pid_t pid = sys_clone(flags);
    if (pid < 0) {
        if (errno == EINVAL || errno == ENOSPC || errno == EPERM)
            return err_set(errno, "clone with new namespaces (the kernel needs CONFIG_NAMESPACES, "
                                  "CONFIG_PID_NS, CONFIG_UTS_NS, CONFIG_IPC_NS, CONFIG_NET_NS%s)",
                           flags & CLONE_NEWUSER ? ", CONFIG_USER_NS and user namespaces allowed "
                                                   "(sysctl user.max_user_namespaces)" : "");
        return err_set(errno, "clone");
    }
    if (pid == 0)
        child_main(&c->ctx);
    c->pid = pid;
    close(c->chan[1]);
    c->chan[1] = -1;
    if (c->out[1] >= 0) {
        close(c->out[1]); /* the container's ends are the only writers left */
        c->out[1] = -1;
    }
    return 0;
}

/* The user namespace's maps, and the root mounted for it from here (the child cannot). */
static int prepare_userns(struct container *c)
{
    const struct run_opts *o = c->o;
    struct idmap uidmap, gidmap;
    userns_default_maps(geteuid(), getegid(), &uidmap, &gidmap);
    if (o->uidmap.count)
        uidmap = o->uidmap;
    if (o->gidmap.count)
        gidmap = o->gidmap;
    int r = userns_write_maps(c->pid, &uidmap, &gidmap);
    if (r == 0 && c->ctx.premount) {
        struct rootfs_plan plan;
        child_rootfs_plan(&c->ctx, &plan);
        r = rootfs_detached_root(&plan, c->pid, &c->root_fd);
    }
    return r;
}

/* The child, and what the parent prepares for it outside the container before it goes on: its
 * user namespace's maps (and root), its cgroups. */
static int spawn(struct container *c)
{
    int r = start_child(c);
    if (r == 0 && c->ctx.userns)
        r = prepare_userns(c);
    if (r == 0)
        r = cgroup_add(&c->cg, c->pid);
    return r;
}

/* A failure found at the end, once the command's exit code is what counts: the recorded message
 * goes to stderr from main (in the foreground) and, detached, into the log. */
static void report_late(const struct container *c)
{
    if (c->hooks->foreground || !c->hooks->log || !*err_msg())
        return;
    log_write(c->hooks->log, "hutch: ", 7);
    log_write(c->hooks->log, err_msg(), strlen(err_msg()));
    log_write(c->hooks->log, "\n", 1);
}

static void release(struct container *c)
{
    if (c->pid > 0) {
        kill(c->pid, SIGKILL);
        waitpid(c->pid, NULL, 0);
        c->pid = -1;
    }
    tty_relay_end(&c->tty);
    relay_close(c->relay);
    c->relay = NULL;
    /* The container's processes are gone: --net dev's interface comes back; the veth's host end
     * is retired. A veth, macvlan or ipvlan link goes with the namespace, once the kernel has
     * taken it down. */
    if (c->veth_index > 0) {
        trace("net-release");
        net_veth_retire(&c->o->veth, c->veth_index, c->name);
    }
    if (net_lan_release(&c->dev) < 0)
        report_late(c);
    if (c->cg_path || limits_given(&c->o->limits) || c->o->n_devices)
        trace("cgroup-remove");
    if (c->cg_path) {
        cgroup_close(&c->cg);
        if (c->o->more.cgroup_path)
            cgroup_remove_path(c->o->more.cgroup_path);
    } else {
        cgroup_release(&c->cg);
    }
    for (int i = 0; i < 2; i++)
        if (c->chan[i] >= 0)
            close(c->chan[i]);
    if (c->root_fd >= 0)
        close(c->root_fd);
    for (int i = 0; i < 2; i++)
        if (c->out[i] >= 0)
            close(c->out[i]);
    if (c->image_fd >= 0)
        close(c->image_fd);
    /* The container is gone; before the device is: did dm-verity see a block not as made? */
    if (dm_verity_corrupt(&c->dm) == 1) {
        err_setx(EIO, "image %s: dm-verity found corrupt blocks: the image was modified after "
                      "hutch-image made it", c->o->image);
        report_late(c);
    }
    trace("loop-detach");
    dm_release(&c->dm);
    loop_release(&c->loop);
    if (c->overlay_fd >= 0)
        close(c->overlay_fd); /* the container, and its overlay, are gone: let go of DIR */
}

/* The image's config as the child passed it (a regular file of the image, checked again). */
static int read_passed_conf(int fd, struct image_conf *ic)
{
    struct stat st;
    char *buf = malloc(IMGCONF_MAX + 1);
    ssize_t n = buf && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? pread(fd, buf, IMGCONF_MAX + 1, 0)
                                                                   : -1;
    int r = n < 0 ? -EIO : imgconf_parse(buf, (size_t)n, ic);
    free(buf);
    return r;
}

static int on_started(void *arg)
{
    struct container *c = arg;
    struct image_conf ic = {0};
    struct effective e;
    bool conf = false;
    if (c->sv && c->sv->image_conf) {
        conf = read_passed_conf(c->sv->image_fd, &ic) == 0; /* the child parsed it already */
        close(c->sv->image_fd);
        c->sv->image_conf = false;
    }
    c->hooks->effective = imgconf_apply(conf ? &ic : NULL, c->o, &e) == 0 ? &e : NULL;
    int r = c->hooks->started ? c->hooks->started(c->pid, c->hooks->arg) : 0;
    if (c->hooks->effective)
        effective_free(&e);
    c->hooks->effective = NULL;
    imgconf_free(&ic);
    return r;
}

/* A stop signal before the container runs ends the start at once: 128+N, nothing made left. */
static int stopped(const struct container *c)
{
    int sig = supervise_stop_pending(c->hooks->sigfd);
    if (!sig)
        return 0;
    if (sig == SIGTERM || sig == SIGINT || sig == SIGQUIT)
        c->hooks->stop_signal = sig;
    return 128 + sig;
}

int run_container(const struct run_opts *o, const char *name, struct run_hooks *hooks)
{
    struct container c = {.o = o, .hooks = hooks, .chan = {-1, -1}, .out = {-1, -1},
                          .image_fd = -1, .pid = -1, .root_fd = -1, .overlay_fd = -1,
                          .loop = {.fd = -1, .file_fd = -1}, .dev = NET_MOVED_INIT};
    snprintf(c.name, sizeof c.name, "%s", name);
    tty_relay_init(&c.tty, hooks->foreground ? STDIN_FILENO : -1);
    c.rootless = geteuid() != 0;
    hooks->stop_signal = 0;
    if (!c.rootless)
        cgroup_clean_stale(); /* of containers whose hutch was killed */
    trace("image");
    int r = check_inputs(&c);
    hooks->loop = NULL;
    /* erofs straight from its file where the kernel can (6.12): no loop device to attach and
     * to detach, which costs a start more than the mount. Not under dm-verity (a device over
     * a device), --overlay (the lower layer is mounted in the child) or a user namespace (its
     * own detached root, idmapped); HUTCH_EROFS_FILE=0 keeps the loop device. */
    const char *file_env = getenv("HUTCH_EROFS_FILE");
    if (r == 0 && c.fstype && strcmp(c.fstype, "erofs") == 0 && !c.roothash[0] && !o->overlay &&
        !o->userns && !c.rootless && !o->more.given && !(file_env && strcmp(file_env, "0") == 0)) {
        trace("file-mount");
        r = loop_lock_image(o->image, c.image_fd, true);
        int mnt = r < 0 ? r
                        : rootfs_file_root(c.image_fd, c.fstype, !o->privileged,
                                           !(loop_method_from_env() & LOOP_METHOD_NO_DIO));
        if (mnt >= 0) {
            c.root_fd = mnt;
            hooks->loop = "file";
        } else if (mnt != -ENOTBLK) {
            r = mnt;
        }
    }
    if (r == 0 && !(r = stopped(&c)) && c.fstype && c.root_fd < 0) {
        trace("loop");
        r = loop_attach(o->image, sys_take_fd(&c.image_fd), c.ro, loop_method_from_env(), &c.loop);
        if (r == 0)
            hooks->loop = loop_how(&c.loop);
        if (r == 0 && c.roothash[0]) {
            trace("dm");
            r = dm_verity_attach(o->image, c.name, c.loop.fd, c.fstype, c.roothash, &c.dm);
        }
    }
    struct cgroup_limits lim = {.memory = o->limits.memory, .pids = o->limits.pids,
                                .cpu_quota_us = o->limits.cpu_quota_us,
                                .cpuset = o->limits.cpuset, .device_policy = !o->privileged,
                                .devices = o->devices, .n_devices = o->n_devices,
                                .image_writable = !c.ro};
    struct stat dev;
    if (r == 0 && c.loop.fd >= 0 && fstat(c.dm.held ? c.dm.fd : c.loop.fd, &dev) == 0 &&
        S_ISBLK(dev.st_mode)) {
        lim.image_type = 'b';
        lim.image_major = major(dev.st_rdev);
        lim.image_minor = minor(dev.st_rdev);
    }
    /* A cgroup only for limits and devices: moving a process into one costs milliseconds. */
    if (r == 0 && !(r = stopped(&c)) && !c.rootless &&
        (limits_given(&o->limits) || o->n_devices)) {
        trace("cgroup");
        r = cgroup_create(c.name, &lim, &c.cg);
    }
    if (r == 0)
        r = chan_pair(c.chan);
    if (r == 0 && hooks->log && !o->tty && pipe2(c.out, O_CLOEXEC) < 0)
        r = err_set(errno, "pipe");
    trace("clone");
    if (r == 0)
        r = spawn(&c);
    if (r == 0 && o->net != NET_NONE && o->net != NET_HOST)
        trace("net");
    if (r == 0 && o->net == NET_VETH)
        r = net_veth_host(&o->veth, c.veth, c.pid, c.name, &c.veth_index);
    else if (r == 0 && o->net != NET_NONE && o->net != NET_HOST)
        r = net_lan_attach(o, c.pid, &c.dev);
    trace("go");
    if (r == 0 && !(r = stopped(&c)) && (r = chan_send(c.chan[0], CHAN_GO, 0, NULL, c.root_fd)) < 0)
        r = err_set(-r, "start the container");
    if (c.root_fd >= 0) {
        close(c.root_fd); /* the child has its own copy now; this one would pin the mount */
        c.root_fd = -1;
    }
    if (r == 0) {
        struct supervise sv = {.pid = c.pid, .sigfd = hooks->sigfd, .chan = c.chan[0],
                               .out = c.out[0], .log = hooks->log, .tty = o->tty ? &c.tty : NULL,
                               .started = on_started, .arg = &c, .image_fd = -1,
                               .relay = c.relay};
        c.sv = &sv;
        r = supervise(&sv);
        trace("teardown");
        c.sv = NULL;
        if (sv.image_conf)
            close(sv.image_fd);
        c.pid = sv.pid;
        hooks->stop_signal = sv.stop_signal;
    }
    if (r == 128 + SIGKILL && cgroup_oom_killed(&c.cg)) {
        char size[32];
        snprintf(size, sizeof size, "%llu MiB", (unsigned long long)(o->limits.memory >> 20));
        err_setx(ENOMEM, "the container hit its memory limit (--memory %s): the kernel killed "
                         "its process", size);
    }
    release(&c);
    return r;
}

/* OCI create: the child's messages until it is set up (the terminal's master on the way, to the
 * console socket), then the caller's step, then the child let go on, left running. */
static int await_ready(struct container *c)
{
    for (;;) {
        struct chan_msg m;
        int fd = -1;
        int r = chan_recv(c->chan[0], &m, true, &fd);
        if (r == 0)
            return err_setx(EIO, "the container's process ended while it was set up");
        if (r < 0)
            return err_set(-r, "read the container's channel");
        if (m.kind == CHAN_ERROR) {
            if (fd >= 0)
                close(fd);
            m.text[sizeof m.text - 1] = '\0';
            return err_setx(m.code == 127 ? ENOENT : m.code == 126 ? EACCES : EIO, "%s", m.text);
        }
        if (m.kind == CHAN_TTY && fd >= 0) {
            r = c->cr->console >= 0 ? chan_send(c->cr->console, CHAN_TTY, 0, "", fd) : 0;
            close(fd);
            if (r < 0)
                return err_set(-r, "send the terminal to the console socket");
            continue;
        }
        if (fd >= 0)
            close(fd);
        if (m.kind == CHAN_READY)
            return 0;
    }
}

int run_create(const struct run_opts *o, const char *name, struct run_create *cr)
{
    struct run_hooks hooks = {.sigfd = -1};
    struct container c = {.o = o, .hooks = &hooks, .chan = {-1, -1}, .out = {-1, -1},
                          .image_fd = -1, .pid = -1, .root_fd = -1, .cr = cr, .overlay_fd = -1,
                          .loop = {.fd = -1, .file_fd = -1}, .dev = NET_MOVED_INIT};
    snprintf(c.name, sizeof c.name, "%s", name);
    tty_relay_init(&c.tty, -1);
    c.rootless = geteuid() != 0;
    int r = check_inputs(&c);
    if (r == 0 && c.rootless && o->more.cgroup_path)
        r = err_setx(EPERM, "linux.cgroupsPath needs root");
    struct cgroup_limits lim = {
        .memory = o->limits.memory, .pids = o->limits.pids,
        .cpu_quota_us = o->limits.cpu_quota_us, .cpuset = o->limits.cpuset,
        .device_policy = o->more.device_policy, .rules = o->more.device_rules,
        .devices = o->devices, .n_devices = o->n_devices,
        .n_rules = o->more.n_device_rules, .cpu_shares = o->more.cpu_shares,
        .memory_swap = o->more.memory_swap,
        .cpu_period_us = o->more.cpu_period, .cpu_mems = o->more.cpu_mems,
        .unified = o->more.unified, .n_unified = o->more.n_unified, .image_writable = !c.ro};
    if (r == 0 && o->more.cgroup_path) {
        c.cg_path = true;
        r = cgroup_create_path(o->more.cgroup_path, &lim, &c.cg);
    }
    if (r == 0)
        r = chan_pair(c.chan);
    if (r == 0)
        r = spawn(&c);
    if (r == 0 && o->more.oom_given) {
        char path[64], v[16];
        snprintf(path, sizeof path, "/proc/%d/oom_score_adj", (int)c.pid);
        snprintf(v, sizeof v, "%d", o->more.oom_score_adj);
        if ((r = sys_write_text(AT_FDCWD, path, v)) < 0)
            r = err_set(-r, "process.oomScoreAdj %s", v);
    }
    if (r == 0 && (r = chan_send(c.chan[0], CHAN_GO, 0, NULL, c.root_fd)) < 0)
        r = err_set(-r, "start the container");
    if (c.root_fd >= 0) {
        close(c.root_fd);
        c.root_fd = -1;
    }
    if (r == 0)
        r = await_ready(&c);
    if (r == 0 && cr->created)
        r = cr->created(c.pid, cr->arg);
    /* Let go: from here the process is on its own (its parent, this one, is about to end; a
     * subreaper such as containerd's shim or conmon takes it). */
    if (r == 0 && (r = chan_send(c.chan[0], CHAN_GO, 0, NULL, -1)) < 0)
        r = err_set(-r, "let the container go on");
    if (r == 0) {
        struct chan_msg m;
        /* It answers with end of file once it no longer dies with this process. */
        while (chan_recv(c.chan[0], &m, true, NULL) == 1)
            ;
        cr->pid = c.pid;
        c.pid = -1;
        c.cg_path = false;
        cgroup_close(&c.cg);
    }
    release(&c);
    return r;
}
