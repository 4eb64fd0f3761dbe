#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <unistd.h>

#include "channel.h"
#include "command.h"
#include "dns.h"
#include "err.h"
#include "imgconf.h"
#include "init.h"
#include "net.h"
#include "resolve.h"
#include "rootfs.h"
#include "run.h"
#include "spec.h"
#include "userns.h"
#include "sys.h"
#include "trace.h"

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
        .harden = !o->privileged && !o->more.given, /* a description's own flags, as given */
        .root_fd = c->root_fd,
        .more = o->more.given ? &o->more : NULL,
        .overlay = o->overlay,
        .tmpfs = o->tmpfs,
        .n_tmpfs = o->n_tmpfs,
    };
}

/* The image's own config (IMGCONF_PATH, from hutch-image), read inside the root, which is the
 * image's: a regular file only (not a FIFO, device or magic link), bounded. *FD stays open on it
 * for the parent. -ENOENT (no message) when the image has none. */
static int read_image_conf(struct image_conf *ic, int *fd)
{
    int root SYS_AUTO_CLOSE = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return err_set(errno, "open the root");
    int f = resolve_open(root, IMGCONF_PATH, O_RDONLY | O_NONBLOCK, 0);
    if (f == -ENOENT)
        return -ENOENT;
    if (f < 0)
        return err_set(-f, "image config %s", IMGCONF_PATH);
    struct stat st;
    if (fstat(f, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(f);
        return err_setx(EINVAL, "image config %s: not a regular file: refused", IMGCONF_PATH);
    }
    char *buf = malloc(IMGCONF_MAX + 1);
    ssize_t n = buf ? pread(f, buf, IMGCONF_MAX + 1, 0) : -1;
    int r = n < 0 ? err_set(errno ? errno : ENOMEM, "read %s", IMGCONF_PATH)
                  : imgconf_parse(buf, (size_t)n, ic);
    free(buf);
    if (r < 0) {
        close(f);
        return r;
    }
    *fd = f;
    return 0;
}

/* The host's /etc/resolv.conf (read while the host's tree is still in view, before the pivot),
 * at most DNS_HOST_MAX bytes, into BUF; its length. A host without one has an empty one. */
static int read_host_resolv(char *buf)
{
    static const char path[] = "/etc/resolv.conf";
    int fd SYS_AUTO_CLOSE = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return 0;
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return err_set(errno, "the host's %s", path);
    if (!S_ISREG(st.st_mode))
        return err_setx(EINVAL, "the host's %s: not a regular file (give --dns ADDR)", path);
    size_t n = 0;
    while (n <= DNS_HOST_MAX) {
        ssize_t r = read(fd, buf + n, DNS_HOST_MAX + 1 - n);
        if (r < 0 && errno != EINTR)
            return err_set(errno, "read the host's %s", path);
        if (r == 0)
            break;
        n += r > 0 ? (size_t)r : 0;
    }
    if (n > DNS_HOST_MAX)
        return err_setx(EFBIG, "the host's %s: larger than %d KiB (give --dns ADDR)", path,
                        DNS_HOST_MAX / 1024);
    return (int)n;
}

/* The container's /etc/resolv.conf and /etc/hosts (dns.h), into the plan: *BUF holds both, the
 * caller frees it once the root is made. */
static int etc_files(const struct child_ctx *c, struct rootfs_plan *plan, char **buf)
{
    const struct run_opts *o = c->o;
    char *resolv = malloc(2 * DNS_FILE_MAX + DNS_HOST_MAX + 1), *hosts = resolv + DNS_FILE_MAX;
    char *host = hosts + DNS_FILE_MAX;
    if (!resolv)
        return err_set(ENOMEM, "/etc/resolv.conf");
    *buf = resolv;
    int n = read_host_resolv(host), r = 0;
    struct dns_conf dc = {
        .servers = o->dns,
        .n_servers = o->n_dns,
        .search = o->dns_search,
        .n_search = o->n_dns_search,
        .host_net = o->net == NET_HOST,
    };
    if (n < 0 || (r = dns_resolv_conf(&dc, host, (size_t)n, resolv, DNS_FILE_MAX)) < 0 ||
        (r = dns_hosts(c->hostname, o->veth.ip, o->add_hosts, o->n_add_hosts, hosts,
                       DNS_FILE_MAX)) < 0)
        return n < 0 ? n : r;
    plan->resolv_conf = resolv;
    plan->hosts = hosts;
    plan->etc_asked = o->n_dns || o->n_dns_search || o->n_add_hosts;
    return 0;
}

static int setup_inside(const struct child_ctx *c, struct command *cmd)
{
    const struct run_opts *o = c->o;
    struct rootfs_plan plan;
    child_rootfs_plan(c, &plan);
    char *etc = NULL;
    if (c->userns) {
        if (userns_become_root() < 0)
            return -EPERM;
        command_die_with_parent(c->chan); /* the change of credentials cleared it */
    }
    /* The cgroups the child is in (its own, with limits) become the root of its view. */
    if (unshare(CLONE_NEWCGROUP) < 0 && errno != EINVAL)
        return err_set(errno, "cgroup namespace");
    int r = dns_wanted(o) ? etc_files(c, &plan, &etc) : 0;
    if (r == 0)
        r = rootfs_enter(&plan);
    free(etc);
    if (c->root_fd >= 0)
        close(c->root_fd);
    if (r < 0)
        return r;
    trace("config");
    if (sethostname(c->hostname, strlen(c->hostname)) < 0)
        return err_set(errno, "sethostname %s", c->hostname);
    if ((r = net_setup_inside(o)) < 0)
        return r;
    /* The command and its settings: the image's config with the command line's over it. This
     * process execs (or becomes init) next, so what they point to is never freed. */
    static struct image_conf ic;
    static struct effective e;
    int conf_fd = -1;
    r = read_image_conf(&ic, &conf_fd);
    if (r < 0 && r != -ENOENT)
        return err_context("image %s", o->image), r;
    if ((r = imgconf_apply(conf_fd >= 0 ? &ic : NULL, o, &e)) < 0)
        return r;
    if (conf_fd >= 0) {
        /* The parent reads the same file: what `hutch stop` sends, and what inspect shows. */
        r = chan_send(c->chan, CHAN_IMAGE, e.stop_signal, "", conf_fd);
        close(conf_fd);
        if (r < 0)
            return err_set(-r, "tell hutch the image's config");
    }
    struct command_spec spec = {
        .argv = e.argv,
        .user = e.user,
        .workdir = e.workdir,
        .env = e.env,
        .n_env = e.n_env,
        .hostname = c->hostname,
        .chan = c->chan,
        .tty = o->tty,
    };
    if ((r = command_prepare(cmd, &spec)) < 0)
        return r;
    trace("security");
    return command_harden(o->caps, o->privileged, o->seccomp_off);
}

void child_main(struct child_ctx *c)
{
    if (c->cr)
        child_described(c);
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
    trace("rootfs");
    /* The parent may have died before PR_SET_PDEATHSIG took effect: then its end is closed. */
    command_die_with_parent(c->chan);
    /* A session of its own: the caller's terminal is not the container's controlling one, so
     * nothing inside can push input into it (TIOCSTI). */
    setsid();
    /* Nothing in the container may trace hutch's processes or open their /proc/PID/exe, the
     * hutch binary (CVE-2019-5736); exec of the command makes it dumpable again. Not before
     * "go": an unprivileged parent writes this process's ID maps, which needs it dumpable. */
    if (!c->o->privileged && sys_undumpable() < 0)
        chan_fail(c->chan, 125);
    umask(0);

    struct command cmd;
    if (setup_inside(c, &cmd) < 0)
        chan_fail(c->chan, 125);
    if (c->o->no_init)
        command_exec(&cmd);
    init_main(command_exec, &cmd, c->chan);
}

/* linux.sysctl: each written to the container's /proc/sys (its own namespaces' settings). */
static int write_sysctls(const struct spec_more *m)
{
    for (size_t i = 0; i < m->n_sysctls; i++) {
        char path[512];
        int n = snprintf(path, sizeof path, "/proc/sys/%s", m->sysctls[i].key);
        if (n < 0 || (size_t)n >= sizeof path)
            return err_setx(ENAMETOOLONG, "linux.sysctl %s", m->sysctls[i].key);
        for (char *p = path + 10; *p; p++)
            if (*p == '.')
                *p = '/';
        /* The image's tree is the attacker's: only a file of the container's own procfs (not
         * a FIFO or anything planted where /proc was not mounted). */
        int fd = open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
            return err_set(errno, "linux.sysctl %s", m->sysctls[i].key);
        struct statfs fs;
        if (fstatfs(fd, &fs) < 0 || fs.f_type != PROC_SUPER_MAGIC) {
            close(fd);
            return err_setx(EINVAL, "linux.sysctl %s: %s is not a file of the container's "
                                    "/proc (mount proc first)", m->sysctls[i].key, path);
        }
        ssize_t w = write(fd, m->sysctls[i].value, strlen(m->sysctls[i].value));
        int e = errno;
        close(fd);
        if (w < 0)
            return err_set(e, "linux.sysctl %s=%s", m->sysctls[i].key, m->sysctls[i].value);
    }
    return 0;
}

static int setup_described(const struct child_ctx *c, struct command *cmd)
{
    const struct run_opts *o = c->o;
    const struct spec_more *m = &o->more;
    int r;
    struct stat own_net = {0}, net;
    stat("/proc/self/ns/net", &own_net); /* hutch's, from before any join */
    for (size_t i = 0; i < m->n_joins; i++)
        if (m->joins[i].type != CLONE_NEWPID && (r = sys_join_ns(m->joins[i].path, m->joins[i].type)) < 0)
            return r;
    for (size_t i = 0; i < m->n_sysctls; i++)
        if (strncmp(m->sysctls[i].key, "net.", 4) == 0 && !(m->namespaces & CLONE_NEWNET) &&
            stat("/proc/self/ns/net", &net) == 0 && net.st_ino == own_net.st_ino &&
            net.st_dev == own_net.st_dev)
            return err_setx(EPERM, "linux.sysctl %s: the network namespace joined is the host's "
                                   "(hutch's own): refused", m->sysctls[i].key);
    if (c->userns) {
        if (userns_become_root() < 0)
            return -EPERM;
        command_die_with_parent(c->chan);
    }
    if ((m->namespaces & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
        return err_set(errno, "cgroup namespace (CONFIG_CGROUPS namespaces)");
    struct rootfs_plan plan;
    child_rootfs_plan(c, &plan);
    r = rootfs_enter(&plan);
    if (c->root_fd >= 0)
        close(c->root_fd);
    if (r < 0)
        return r;
    if (o->hostname && sethostname(o->hostname, strlen(o->hostname)) < 0)
        return err_set(errno, "sethostname %s", o->hostname);
    if (m->domainname && setdomainname(m->domainname, strlen(m->domainname)) < 0)
        return err_set(errno, "setdomainname %s", m->domainname);
    if (o->net == NET_NONE && (r = net_setup_inside(o)) < 0)
        return r;
    if ((r = write_sysctls(m)) < 0 || (r = rootfs_protect(m)) < 0)
        return r;
    struct command_spec spec = {
        .argv = o->argv,
        .workdir = o->workdir,
        .hostname = o->hostname ? o->hostname : "",
        .chan = c->chan,
        .tty = o->tty,
    };
    if ((r = command_prepare(cmd, &spec)) < 0)
        return r;
    free(cmd->envp); /* the process's environment is exactly process.env */
    cmd->envp = (char **)o->env;
    static char *no_env[] = {NULL};
    if (!cmd->envp)
        cmd->envp = no_env;
    if (cmd->tty >= 0 && (m->console_rows || m->console_cols)) {
        struct winsize ws = {.ws_row = (unsigned short)m->console_rows,
                             .ws_col = (unsigned short)m->console_cols};
        ioctl(cmd->tty, TIOCSWINSZ, &ws);
    }
    r = command_find(o->argv[0], cmd->envp);
    if (r == -ENOENT) {
        err_setx(ENOENT, "exec: \"%s\": executable file not found in $PATH", o->argv[0]);
        chan_fail(c->chan, 127);
    }
    if (r == -EACCES) {
        err_setx(EACCES, "exec: \"%s\": permission denied", o->argv[0]);
        chan_fail(c->chan, 126);
    }
    return 0;
}

void child_described(struct child_ctx *c)
{
    struct run_create *cr = c->cr;
    command_die_with_parent(-1);
    if (c->o->tty) {
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
            _exit(125);
        close(null);
    }
    /* Nothing of hutch's but the channel; the caller's descriptors 3 .. 3+N-1 stay. */
    sys_close_fds_from(3 + cr->preserve_fds, c->chan);
    command_safe_stdio(c->chan);
    /* The exec fifo, by its host path while the host's tree is still in view: read (non-
     * blocking, so the open does not wait for a writer) and polled until `start` writes. */
    int fifo = open(cr->fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fifo < 0) {
        err_set(errno, "exec fifo %s", cr->fifo);
        chan_fail(c->chan, 125);
    }
    struct chan_msg m;
    if (chan_recv(c->chan, &m, true, &c->root_fd) != 1 || m.kind != CHAN_GO)
        _exit(125);
    command_die_with_parent(c->chan);
    setsid();
    if (sys_undumpable() < 0)
        chan_fail(c->chan, 125);
    umask(0);
    struct command cmd;
    if (setup_described(c, &cmd) < 0)
        chan_fail(c->chan, 125);
    if (chan_send(c->chan, CHAN_READY, 0, NULL, -1) < 0)
        _exit(125);
    if (chan_recv(c->chan, &m, true, NULL) != 1 || m.kind != CHAN_GO)
        _exit(125); /* create gave up: it reports */
    /* On its own from here: no longer killed with hutch, which ends now. */
    prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
    close(c->chan);
    cmd.chan = -1;
    struct pollfd p = {.fd = fifo, .events = POLLIN};
    char byte;
    for (;;) {
        if (poll(&p, 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            _exit(125);
        }
        ssize_t n = read(fifo, &byte, 1);
        if (n == 1)
            break;
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
            _exit(125); /* a writer that wrote nothing: not `start` */
    }
    close(fifo);
    command_exec_described(&cmd, &c->o->more, cr->filter, cr->n_filter, cr->preserve_fds);
}
