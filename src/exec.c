#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cgroup.h"
#include "channel.h"
#include "command.h"
#include "err.h"
#include "state.h"
#include "supervise.h"
#include "sys.h"
#include "tty.h"
#include "userns.h"

/* The namespaces joined, the user namespace first: it gives the rights over the others. */
static const struct {
    const char *name;
    int type;
} namespaces[] = {
    {"user", CLONE_NEWUSER}, {"mnt", CLONE_NEWNS},  {"uts", CLONE_NEWUTS}, {"ipc", CLONE_NEWIPC},
    {"net", CLONE_NEWNET},   {"cgroup", CLONE_NEWCGROUP}, {"pid", CLONE_NEWPID},
};
#define N_NS (sizeof namespaces / sizeof namespaces[0])

/* What the container was started with, from its state. */
struct container_view {
    pid_t pid;
    char caps[32], security[32], user[128], workdir[512], env[65536];
    int env_len;
};

static int read_view(const char *name, struct container_view *v)
{
    int r;
    if ((r = state_get(name, "caps", v->caps, sizeof v->caps)) < 0 ||
        (r = state_get(name, "security", v->security, sizeof v->security)) < 0 ||
        (r = state_get(name, "user", v->user, sizeof v->user)) < 0 ||
        (r = state_get(name, "workdir", v->workdir, sizeof v->workdir)) < 0)
        return r;
    v->env_len = state_get(name, "env", v->env, sizeof v->env);
    return v->env_len < 0 ? v->env_len : 0;
}

static void close_all(int fds[N_NS])
{
    for (size_t i = 0; i < N_NS; i++)
        if (fds[i] >= 0)
            close(fds[i]);
}

/* Join every namespace of container NAME's init that differs from ours, or none: a namespace
 * that cannot be opened is an error, never one left out. */
static int join(const char *name, pid_t pid, bool *joined_user)
{
    int fds[N_NS];
    *joined_user = false;
    for (size_t i = 0; i < N_NS; i++)
        fds[i] = -1;
    for (size_t i = 0; i < N_NS; i++) {
        char path[64], mine[64];
        struct stat a, b;
        snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid, namespaces[i].name);
        snprintf(mine, sizeof mine, "/proc/self/ns/%s", namespaces[i].name);
        if (stat(path, &a) < 0 && errno == ENOENT && namespaces[i].type == CLONE_NEWCGROUP &&
            stat(mine, &b) < 0 && errno == ENOENT)
            continue; /* a kernel without cgroup namespaces */
        if (stat(path, &a) == 0 && stat(mine, &b) == 0 && a.st_ino == b.st_ino &&
            a.st_dev == b.st_dev)
            continue; /* the same as ours (--net host) */
        if ((fds[i] = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
            int e = errno;
            close_all(fds);
            return err_set(e, "container %s: open its %s namespace", name, namespaces[i].name);
        }
    }
    /* The namespaces are those of the recorded process only if it still is that process. */
    int r = state_check_pid(name, "pid", pid);
    for (size_t i = 0; r == 0 && i < N_NS; i++) {
        if (fds[i] < 0)
            continue;
        if (sys_setns(fds[i], namespaces[i].type) < 0)
            r = err_set(errno, "join the container's %s namespace", namespaces[i].name);
        else if (namespaces[i].type == CLONE_NEWUSER)
            *joined_user = true;
    }
    close_all(fds);
    return r;
}

/* In the child, inside: the user, environment and hardening of the container, then exec. */
static void start_command(const struct exec_opts *e, const struct container_view *v, int chan,
                          bool in_userns)
{
    sys_close_fds_except(chan); /* the parent's own: the channel's other end, the signalfd */
    command_die_with_parent(chan);
    /* The container's --env, then exec's own: the later one of a key wins. */
    size_t n_env = 0;
    for (int i = 0; i < v->env_len; i += (int)strlen(v->env + i) + 1)
        n_env++;
    const char **env = calloc(n_env + e->n_env + 1, sizeof *env);
    if (!env) {
        err_set(ENOMEM, "environment");
        chan_fail(chan, 125);
    }
    n_env = 0;
    for (int i = 0; i < v->env_len; i += (int)strlen(v->env + i) + 1)
        env[n_env++] = v->env + i;
    for (size_t i = 0; i < e->n_env; i++)
        env[n_env++] = e->env[i];
    struct utsname u;
    uname(&u);
    struct command_spec spec = {
        .argv = e->argv,
        .user = e->user ? e->user : v->user[0] ? v->user : NULL,
        .workdir = e->workdir ? e->workdir : v->workdir,
        .env = env,
        .n_env = n_env,
        .hostname = u.nodename,
        .chan = chan,
        .tty = e->tty,
    };
    struct command cmd;
    if (in_userns) {
        if (userns_become_root() < 0)
            chan_fail(chan, 125);
        command_die_with_parent(chan); /* the change of credentials cleared it */
    }
    if (command_prepare(&cmd, &spec) < 0 ||
        command_harden(strtoull(v->caps, NULL, 16), strcmp(v->security, "privileged") == 0,
                       strcmp(v->security, "unconfined") == 0) < 0)
        chan_fail(chan, 125);
    command_exec(&cmd);
}

int exec_in(const struct exec_opts *e)
{
    static struct container_view v; /* 64 KiB of environment: not on the stack */
    /* Nothing of the caller's but stdin, stdout and stderr, from before this process is in
     * the container's namespaces (CVE-2016-9962): there a process inside with SYS_PTRACE
     * could reach them in its /proc. */
    sys_close_fds_except(-1);
    command_safe_stdio(-1);
    int r = state_get_pid(e->name, "pid", &v.pid);
    if (r == 0)
        r = read_view(e->name, &v);
    if (r < 0)
        return r;
    /* Nothing in the container may trace this process or open its /proc/PID/exe. */
    if ((r = sys_undumpable()) < 0)
        return r;
    int chan[2], sigfd;
    sigset_t old;
    if ((r = supervise_signals(&sigfd, &old)) < 0)
        return r;
    bool in_userns;
    if ((r = cgroup_join(e->name)) < 0 || (r = join(e->name, v.pid, &in_userns)) < 0 ||
        (r = chan_pair(chan)) < 0) {
        close(sigfd);
        sigprocmask(SIG_SETMASK, &old, NULL);
        return r;
    }
    pid_t pid = fork(); /* into the container's PID namespace */
    if (pid == 0)
        start_command(e, &v, chan[1], in_userns);
    close(chan[1]);
    struct tty_relay tty;
    tty_relay_init(&tty, STDIN_FILENO);
    if (pid < 0) {
        r = err_set(errno, "fork");
    } else {
        struct supervise sv = {.pid = pid, .sigfd = sigfd, .chan = chan[0], .out = -1,
                               .tty = e->tty ? &tty : NULL};
        r = supervise(&sv);
    }
    tty_relay_end(&tty);
    close(chan[0]);
    close(sigfd);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return r;
}
