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
    char pid[32], caps[32], security[32], user[128], workdir[512], env[65536];
    int env_len;
};

static int read_view(const char *name, struct container_view *v)
{
    int r;
    if ((r = state_get(name, "pid", v->pid, sizeof v->pid)) < 0)
        return r;
    if (strcmp(v->pid, "-") == 0)
        return err_setx(EAGAIN, "container %s is not running now (it is being restarted)", name);
    if ((r = state_get(name, "caps", v->caps, sizeof v->caps)) < 0 ||
        (r = state_get(name, "security", v->security, sizeof v->security)) < 0 ||
        (r = state_get(name, "user", v->user, sizeof v->user)) < 0 ||
        (r = state_get(name, "workdir", v->workdir, sizeof v->workdir)) < 0)
        return r;
    v->env_len = state_get(name, "env", v->env, sizeof v->env);
    return v->env_len < 0 ? v->env_len : 0;
}

/* Join PID's namespaces (those that differ from ours). */
static int join(const char *pid, bool *joined_user)
{
    int fds[N_NS];
    *joined_user = false;
    for (size_t i = 0; i < N_NS; i++) {
        char path[64], mine[64];
        struct stat a, b;
        snprintf(path, sizeof path, "/proc/%s/ns/%s", pid, namespaces[i].name);
        snprintf(mine, sizeof mine, "/proc/self/ns/%s", namespaces[i].name);
        fds[i] = -1;
        if (stat(path, &a) < 0) {
            if (errno == ENOENT && namespaces[i].type == CLONE_NEWCGROUP)
                continue; /* a kernel without cgroup namespaces */
            for (size_t k = 0; k < i; k++)
                if (fds[k] >= 0)
                    close(fds[k]);
            return err_set(errno, "container namespace %s", path);
        }
        if (stat(mine, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
            continue;
        fds[i] = open(path, O_RDONLY | O_CLOEXEC);
    }
    int r = 0;
    for (size_t i = 0; i < N_NS; i++) {
        if (fds[i] < 0)
            continue;
        if (r == 0 && sys_setns(fds[i], namespaces[i].type) < 0)
            r = err_set(errno, "join the container's %s namespace", namespaces[i].name);
        if (namespaces[i].type == CLONE_NEWUSER && r == 0)
            *joined_user = true;
        close(fds[i]);
    }
    return r;
}

/* In the child, inside: the user, environment and hardening of the container, then exec. */
static void start_command(const struct exec_opts *e, const struct container_view *v, int chan,
                          bool in_userns)
{
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
    };
    struct command cmd;
    if ((in_userns && userns_become_root() < 0) || command_prepare(&cmd, &spec) < 0 ||
        command_harden(strtoull(v->caps, NULL, 16), strcmp(v->security, "privileged") == 0,
                       strcmp(v->security, "unconfined") == 0) < 0)
        chan_fail(chan, 125);
    command_exec(&cmd);
}

int exec_in(const struct exec_opts *e)
{
    static struct container_view v; /* 64 KiB of environment: not on the stack */
    int r = read_view(e->name, &v);
    if (r < 0)
        return r;
    /* Nothing in the container may trace this process or open its /proc/PID/exe. */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    bool in_userns;
    if ((r = cgroup_join(e->name)) < 0 || (r = join(v.pid, &in_userns)) < 0)
        return r;
    int chan[2], sigfd;
    sigset_t old;
    if ((r = chan_pair(chan)) < 0)
        return r;
    if ((r = supervise_signals(&sigfd, &old)) < 0) {
        close(chan[0]);
        close(chan[1]);
        return r;
    }
    pid_t pid = fork(); /* into the container's PID namespace */
    if (pid == 0) {
        close(chan[0]);
        close(sigfd);
        start_command(e, &v, chan[1], in_userns);
    }
    close(chan[1]);
    if (pid < 0) {
        r = err_set(errno, "fork");
    } else {
        struct supervise sv = {.pid = pid, .sigfd = sigfd, .chan = chan[0], .out = -1};
        r = supervise(&sv);
    }
    close(chan[0]);
    close(sigfd);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return r;
}
