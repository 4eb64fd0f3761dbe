#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "run.h"
#include "state.h"
#include "supervise.h"

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
    if (r == 0) r = state_put(&m->st, "monitor", "%d", (int)getpid());
    if (r == 0) r = state_put(&m->st, "restarts", "0");
    if (r == 0) r = state_put(&m->st, "status", "starting");
    if (r == 0) r = state_put(&m->st, "caps", "%" PRIx64, o->caps);
    if (r == 0)
        r = state_put(&m->st, "security", "%s",
                      o->privileged ? "privileged" : o->seccomp_off ? "unconfined" : "default");
    if (r == 0) r = state_put(&m->st, "user", "%s", o->user ? o->user : "");
    if (r == 0) r = state_put(&m->st, "workdir", "%s", o->workdir ? o->workdir : "/");
    if (r == 0) r = state_put_argv(&m->st, "env", (int)o->n_env, (char **)o->env);
    if (r == 0) r = state_put_argv(&m->st, "options", argc, argv);
    return r;
}

static void tell_foreground(struct monitor *m, int code, const char *msg)
{
    if (m->ready < 0)
        return;
    char buf[600];
    int n = snprintf(buf, sizeof buf, "%d %s", code, msg);
    if (write(m->ready, buf, (size_t)(n < (int)sizeof buf ? n : (int)sizeof buf - 1)) < 0) {
        /* the foreground is gone: nobody to tell */
    }
    close(m->ready);
    m->ready = -1;
}

static void on_started(pid_t pid, void *arg)
{
    struct monitor *m = arg;
    m->started = true;
    state_put(&m->st, "pid", "%d", (int)pid);
    state_put(&m->st, "started", "%lld", (long long)time(NULL));
    state_put(&m->st, "status", "running");
    tell_foreground(m, 0, "");
}

/* The foreground's side of -d: wait until the monitor says the command runs, or why not. */
static int await_monitor(int fd, const char *name)
{
    char buf[600];
    size_t len = 0;
    ssize_t n;
    while (len < sizeof buf - 1 && (n = read(fd, buf + len, sizeof buf - 1 - len)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        len += (size_t)n;
    }
    close(fd);
    buf[len] = '\0';
    int code;
    char *msg = strchr(buf, ' ');
    if (len == 0 || !msg || sscanf(buf, "%d", &code) != 1)
        return err_setx(EIO, "the monitor of %s ended before the container started", name);
    if (code == 0) {
        printf("%s\n", name);
        return 0;
    }
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

/* Run, and run again while the policy says so. Returns the last exit code. */
static int run_loop(struct monitor *m, int sigfd)
{
    int backoff_ms = BACKOFF_FIRST_MS, code;
    unsigned failures = 0;
    for (;;) {
        time_t began = time(NULL);
        struct run_hooks hooks = {.started = on_started, .arg = m,
                                  .log = m->o->log ? &m->log : NULL};
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
        if (time(NULL) - began >= BACKOFF_RESET_S)
            backoff_ms = BACKOFF_FIRST_MS;
        state_put(&m->st, "status", "restarting");
        state_put(&m->st, "restarts", "%u", ++m->restarts);
        if (backoff(sigfd, backoff_ms))
            return code;
        backoff_ms = backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff_ms * 2;
    }
}

int monitor_run(const struct run_opts *o, int argc, char **argv)
{
    struct monitor m = {.o = o, .ready = -1, .log = {.fd = -1}};
    if (o->name)
        snprintf(m.name, sizeof m.name, "%s", o->name);
    else
        snprintf(m.name, sizeof m.name, "hutch-%d", (int)getpid());
    int r = state_claim(m.name, &m.st);
    if (r < 0)
        return r;
    int pidfile = -1;
    if (o->log && (r = log_open(&m.log, o->log, o->log_max)) < 0)
        goto out;
    /* An unwritable pidfile is an error here, before anything starts. */
    if (o->pidfile &&
        (pidfile = open(o->pidfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
        r = err_set(errno, "--pidfile %s", o->pidfile);
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
            close(m.st.lock_fd);
            log_close(&m.log);
            if (pidfile >= 0)
                close(pidfile);
            return await_monitor(ready[0], m.name);
        }
        close(ready[0]);
        m.ready = ready[1];
        detach_stdio();
    }
    int sigfd;
    sigset_t old;
    if (pidfile >= 0) {
        dprintf(pidfile, "%d\n", (int)getpid());
        close(pidfile);
        pidfile = -1;
    }
    if ((r = put_static_state(&m, argc, argv)) == 0 && (r = supervise_signals(&sigfd, &old)) == 0) {
        r = run_loop(&m, sigfd);
        close(sigfd);
        sigprocmask(SIG_SETMASK, &old, NULL);
    }
    if (r < 0 && m.ready >= 0)
        tell_foreground(&m, 125, err_msg());
    if (o->pidfile)
        unlink(o->pidfile);
out:
    if (pidfile >= 0) {
        close(pidfile);
        unlink(o->pidfile);
    }
    log_close(&m.log);
    state_release(&m.st, r < 0 ? -1 : r);
    return r;
}
