#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "imgconf.h"
#include "log.h"
#include "resolve.h"
#include "run.h"
#include "trace.h"
#include "state.h"
#include "supervise.h"
#include "sys.h"

#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS 30000
#define BACKOFF_RESET_S 10 /* a run this long starts the back-off afresh */

struct monitor {
    const struct run_opts *o;
    char name[HUTCH_NAME_MAX + 1];
    struct state st;
    struct log log;
    int ready; /* to the foreground while it waits for the first start, else -1 */
    unsigned restarts;
    bool started; /* the command has run at least once */
    const struct run_hooks *hooks; /* of the run now */
};

/* What exec needs to give its command the same user, environment and hardening. */
static int put_static_state(struct monitor *m, int argc, char **argv)
{
    const struct run_opts *o = m->o;
    char ip[ADDR_STRLEN] = "-";
    if (o->net == NET_VETH && o->veth.ip[0].family) {
        struct ip_addr a = o->veth.ip[0];
        a.prefix = -1;
        addr_format(&a, ip);
    }
    int r = 0;
    if (r == 0) r = state_put(&m->st, "image", "%s", o->image);
    if (r == 0) r = state_put(&m->st, "ip", "%s", ip);
    if (r == 0) r = state_put_pid(&m->st, "monitor", getpid());
    if (r == 0) r = state_put(&m->st, "restarts", "0");
    if (r == 0) r = state_put(&m->st, "status", "starting");
    if (r == 0) r = state_put(&m->st, "caps", "%" PRIx64, o->caps);
    if (r == 0)
        r = state_put(&m->st, "security", "%s",
                      o->privileged ? "privileged" : o->seccomp_off ? "unconfined" : "default");
    if (r == 0) r = state_put_argv(&m->st, "options", argc, argv);
    /* Detached, `hutch list` shows it starting; in the foreground the state is written once,
     * when it runs (on_started). */
    if (r == 0 && o->detach) r = state_commit(&m->st);
    return r;
}

/* Tell the foreground of -d how the start went (once). False when it could not be told: it
 * then reports a failed start, which must be true. */
static bool tell_foreground(struct monitor *m, int code, const char *msg)
{
    if (m->ready < 0)
        return true;
    char buf[600];
    int n = snprintf(buf, sizeof buf, "%d %s", code, msg);
    size_t len = (size_t)(n < (int)sizeof buf ? n : (int)sizeof buf - 1);
    /* A foreground that is gone gets EPIPE, not a SIGPIPE that would end the monitor before
     * it puts anything back. */
    sigset_t pipe_set, was;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigprocmask(SIG_BLOCK, &pipe_set, &was);
    ssize_t w = write(m->ready, buf, len);
    int e = w < 0 ? errno : EIO;
    if (w < 0 && e == EPIPE && !sigismember(&was, SIGPIPE))
        sigtimedwait(&pipe_set, NULL, &(struct timespec){0, 0}); /* the pending one, taken */
    sigprocmask(SIG_SETMASK, &was, NULL);
    close(m->ready);
    errno = e;
    bool told = w == (ssize_t)len;
    m->ready = -1;
    return told;
}

/* The state of a container that runs, for exec, stop, list and inspect. A write that fails is
 * a start that failed: a container whose state lacks its pid or start could not be stopped by
 * name. */
static int on_started(pid_t pid, void *arg)
{
    struct monitor *m = arg;
    int r = state_put(&m->st, "loop", "%s", m->hooks->loop ? m->hooks->loop : "-");
    /* What runs, once the image's config is known (else the options alone): exec's defaults,
     * and inspect. */
    const struct effective *e = m->hooks->effective;
    const struct run_opts *o = m->o;
    const char *user = e ? e->user : o->user, *workdir = e ? e->workdir : o->workdir;
    if (r == 0) r = state_put(&m->st, "user", "%s", user ? user : "");
    if (r == 0) r = state_put(&m->st, "workdir", "%s", workdir ? workdir : "/");
    if (r == 0)
        r = state_put_argv(&m->st, "env", e ? (int)e->n_env : (int)o->n_env,
                           (char **)(e ? e->env : o->env));
    if (r == 0 && e) {
        char origin[256];
        int argc = 0;
        while (e->argv[argc])
            argc++;
        imgconf_origins(e, origin, sizeof origin);
        r = state_put_argv(&m->st, "command", argc, e->argv);
        if (r == 0)
            r = state_put(&m->st, "stop-signal", "%d", e->stop_signal ? e->stop_signal : SIGTERM);
        if (r == 0) r = state_put(&m->st, "origin", "%s", origin);
    }
    if (r == 0) r = state_put_pid(&m->st, "pid", pid);
    if (r == 0) r = state_put(&m->st, "started", "%lld", (long long)time(NULL));
    if (r == 0) r = state_put(&m->st, "status", "running");
    if (r == 0) r = state_commit(&m->st);
    if (r < 0)
        return r;
    trace("run");
    if (!tell_foreground(m, 0, ""))
        return err_set(errno, "tell the caller that %s runs", m->name);
    m->started = true;
    return 0;
}

/* Wait for the monitor of a start that failed to end (it puts everything back first), after a
 * SIGTERM when STOP (its stop). A container that ignores the SIGTERM gets a SIGKILL after 5 s,
 * as `hutch stop` gives it, so that the monitor still cleans up; the monitor itself one after
 * 10 s; after 15 s the foreground gives up waiting. */
static void end_monitor(const char *name, pid_t monitor, bool stop)
{
    if (stop)
        kill(monitor, SIGTERM);
    for (int i = 0; i < 1500; i++) {
        pid_t w = waitpid(monitor, NULL, WNOHANG), init;
        if (w == monitor || (w < 0 && errno != EINTR))
            return;
        if (i == 500 && stop && state_pid(name, "pid", &init) == 0)
            kill(init, SIGKILL);
        if (i == 1000)
            kill(monitor, SIGKILL);
        sys_sleep_ms(10);
    }
}

/* The foreground's side of -d: wait until the monitor says the command runs, or why not. A
 * signal meanwhile goes to the monitor, which ends the start (and says so). */
static int await_monitor(int fd, const char *name, pid_t monitor, int sigfd)
{
    char buf[600];
    size_t len = 0;
    for (;;) {
        struct pollfd pfd[2] = {{.fd = fd, .events = POLLIN}, {.fd = sigfd, .events = POLLIN}};
        if (poll(pfd, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        int sig;
        if (pfd[1].revents && (sig = supervise_stop_pending(sigfd)) != 0)
            kill(monitor, sig);
        if (!pfd[0].revents)
            continue;
        ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        if (len == sizeof buf - 1)
            break;
    }
    close(fd);
    buf[len] = '\0';
    int code;
    char *msg = strchr(buf, ' ');
    if (len == 0 || !msg || sscanf(buf, "%d", &code) != 1) {
        /* No word from the monitor (it died, or its word was lost): a container it may have
         * started is not left running behind a failure. */
        end_monitor(name, monitor, true);
        return err_setx(EIO, "the monitor of %s ended before the container started", name);
    }
    if (code == 0) {
        printf("%s\n", name);
        return 0;
    }
    /* A failed start: once the monitor has put everything back, and not before. */
    end_monitor(name, monitor, false);
    if (*++msg)
        err_setx(EIO, "%s", msg);
    return code;
}

/* Leave the terminal: a session of our own, stdio on /dev/null. */
static void detach_stdio(void)
{
    setsid();
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        if (null > 2)
            close(null);
    }
}

/* Between two runs: sleep MS unless a stop comes. Returns true when stopped. */
static bool backoff(int sigfd, int ms)
{
    struct timespec end, now;
    clock_gettime(CLOCK_MONOTONIC, &end);
    end.tv_sec += ms / 1000;
    end.tv_nsec += (ms % 1000) * 1000000L;
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long left = (end.tv_sec - now.tv_sec) * 1000 + (end.tv_nsec - now.tv_nsec) / 1000000;
        if (left <= 0)
            return false;
        struct pollfd pfd = {.fd = sigfd, .events = POLLIN};
        if (poll(&pfd, 1, (int)left) <= 0)
            continue;
        struct signalfd_siginfo si;
        if (read(sigfd, &si, sizeof si) == sizeof si &&
            (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT || si.ssi_signo == SIGQUIT))
            return true;
    }
}

static bool should_restart(const struct monitor *m, int code, unsigned failures)
{
    switch (m->o->restart) {
    case RESTART_ALWAYS:
        return true;
    case RESTART_ON_FAILURE:
        return code != 0 && (m->o->restart_max == 0 || failures < m->o->restart_max);
    default:
        return false;
    }
}

int monitor_pause_ms(int last_pause_ms, long ran_ms)
{
    if (last_pause_ms <= 0 || ran_ms >= BACKOFF_RESET_S * 1000L)
        return BACKOFF_FIRST_MS;
    return last_pause_ms > BACKOFF_MAX_MS / 2 ? BACKOFF_MAX_MS : last_pause_ms * 2;
}

static long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000L + t.tv_nsec / 1000000;
}

/* Run, and run again while the policy says so. Returns the last exit code. */
static int run_loop(struct monitor *m, int sigfd)
{
    int pause_ms = 0, code;
    unsigned failures = 0;
    for (;;) {
        long began = now_ms();
        struct run_hooks hooks = {.started = on_started, .arg = m, .sigfd = sigfd,
                                  .foreground = !m->o->detach,
                                  .log = m->o->log ? &m->log : NULL};
        m->hooks = &hooks;
        err_clear();
        code = run_container(m->o, m->name, &hooks);
        if (!m->started) {
            /* It never ran (a bad image, a name in use...): say why, and do not try again. */
            tell_foreground(m, code < 0 ? 125 : code, err_msg());
            return code;
        }
        if (code < 0)
            code = 125;
        state_put(&m->st, "pid", "-");
        state_put(&m->st, "exit-code", "%d", code);
        if (hooks.stop_signal || !should_restart(m, code, failures))
            return code;
        if (code != 0)
            failures++;
        pause_ms = monitor_pause_ms(pause_ms, now_ms() - began);
        state_put(&m->st, "status", "restarting");
        state_put(&m->st, "restarts", "%u", ++m->restarts);
        state_commit(&m->st);
        if (backoff(sigfd, pause_ms))
            return code;
    }
}

/* --pidfile FILE: a regular file, never through a symlink (a container that can write its
 * directory must not point it at another file). */
struct pidfile {
    int fd, dir;
    char name[256];
    struct stat st; /* what was written, so that only it is removed at the end */
    bool ours;      /* it was taken (a regular file, truncated) */
};

static int pidfile_open(struct pidfile *p, const char *path, const char *const *trees, size_t n)
{
    p->fd = -1;
    p->dir = resolve_host_parent(path, trees, n, p->name, sizeof p->name);
    if (p->dir == -EINVAL)
        return err_setx(EINVAL, "--pidfile %s: not a file name", path);
    if (p->dir < 0)
        return err_set(-p->dir, "--pidfile %s", path);
    p->fd = sys_open_regular(p->dir, p->name, O_WRONLY, 0644);
    if (p->fd == -ELOOP)
        return err_setx(ELOOP, "--pidfile %s is a symlink: refused", path);
    if (p->fd == -EINVAL || p->fd == -EMLINK)
        return err_setx(-p->fd, "--pidfile %s: not a regular file of its own: refused", path);
    if (p->fd < 0)
        return err_set(-p->fd, "--pidfile %s", path);
    if (fstat(p->fd, &p->st) < 0 || ftruncate(p->fd, 0) < 0)
        return err_set(errno, "--pidfile %s", path);
    p->ours = true;
    return 0;
}

static void pidfile_close(struct pidfile *p, bool remove)
{
    struct stat now;
    if (remove && p->ours && fstatat(p->dir, p->name, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
        now.st_dev == p->st.st_dev && now.st_ino == p->st.st_ino)
        unlinkat(p->dir, p->name, 0);
    if (p->fd >= 0)
        close(p->fd);
    if (p->dir >= 0)
        close(p->dir);
    p->fd = p->dir = -1;
}

int monitor_run(const struct run_opts *o, int argc, char **argv)
{
    struct monitor m = {.o = o, .ready = -1, .log = {.fd = -1, .dir = -1}};
    struct pidfile pidfile = {.fd = -1, .dir = -1, .ours = false};
    if (o->name)
        snprintf(m.name, sizeof m.name, "%s", o->name);
    else
        snprintf(m.name, sizeof m.name, "hutch-%d", (int)getpid());
    /* A monitor outlives its caller: the caller's descriptors (a script's pipe, the lock its
     * supervisor holds) stay with the caller, not held open by the monitor for as long as the
     * container runs. Nothing of hutch's own is open yet. */
    if (o->detach)
        sys_close_fds_except(-1);
    /* Signals first: from here on a stop ends the start at once, with nothing left. */
    int sigfd;
    sigset_t old;
    int r = supervise_signals(&sigfd, &old);
    if (r < 0)
        return r;
    /* A foreground container that nothing can name (no --name) and that has no cgroup to take
     * back after a crash keeps no state at all: not a file is written for it. */
    trace("state");
    if (!o->detach && !o->name && !limits_given(&o->limits) && !o->n_devices)
        state_none(m.name, &m.st);
    else if ((r = state_claim(m.name, &m.st)) < 0)
        goto out_signals;
    /* What a container could have left in the trees it can write must not lead the log or the
     * pidfile elsewhere. */
    const char **trees = calloc(o->n_binds + 1, sizeof *trees);
    struct stat st;
    bool dir_root = !o->ro && stat(o->image, &st) == 0 && S_ISDIR(st.st_mode);
    size_t n_trees = trees ? cli_writable_trees(o->binds, o->n_binds, dir_root ? o->image : NULL,
                                                trees) : 0;
    if (!trees)
        r = err_set(ENOMEM, "monitor");
    if (r == 0 && o->log)
        r = log_open(&m.log, o->log, o->log_max, trees, n_trees);
    /* An unwritable pidfile is an error here, before anything starts. */
    if (r == 0 && o->pidfile)
        r = pidfile_open(&pidfile, o->pidfile, trees, n_trees);
    free(trees);
    if (r < 0)
        goto out;
    if ((r = supervise_stop_pending(sigfd)) != 0) {
        r += 128;
        goto out;
    }
    if (o->detach) {
        int ready[2];
        if (pipe2(ready, O_CLOEXEC) < 0) {
            r = err_set(errno, "pipe");
            goto out;
        }
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
            r = err_set(errno, "fork the monitor");
            close(ready[0]);
            close(ready[1]);
            goto out;
        }
        if (pid > 0) {
            /* The foreground: the monitor holds the name's lock and the log from now on. */
            close(ready[1]);
            state_leave(&m.st);
            log_close(&m.log);
            pidfile_close(&pidfile, false);
            r = await_monitor(ready[0], m.name, pid, sigfd);
            close(sigfd);
            sigprocmask(SIG_SETMASK, &old, NULL);
            return r;
        }
        close(ready[0]);
        m.ready = ready[1];
        detach_stdio();
    }
    if (pidfile.fd >= 0) {
        dprintf(pidfile.fd, "%d\n", (int)getpid());
        close(pidfile.fd);
        pidfile.fd = -1;
    }
    if ((r = put_static_state(&m, argc, argv)) == 0)
        r = run_loop(&m, sigfd);
    if (r < 0 && m.ready >= 0)
        tell_foreground(&m, 125, err_msg());
out:
    pidfile_close(&pidfile, true);
    log_close(&m.log);
    trace("state-remove");
    state_release(&m.st, r < 0 ? -1 : r);
    trace("end");
out_signals:
    close(sigfd);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return r;
}
