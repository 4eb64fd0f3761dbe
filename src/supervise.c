#include "supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "channel.h"
#include "err.h"
#include "init.h"

int supervise_signals(int *sigfd, sigset_t *old_mask)
{
    sigset_t set;
    init_forwarded_signals(&set);
    sigaddset(&set, SIGCHLD);
    if (sigprocmask(SIG_BLOCK, &set, old_mask) < 0)
        return err_set(errno, "sigprocmask");
    *sigfd = signalfd(-1, &set, SFD_CLOEXEC);
    if (*sigfd < 0) {
        int e = errno;
        sigprocmask(SIG_SETMASK, old_mask, NULL);
        return err_set(e, "signalfd");
    }
    return 0;
}

/* An error record from the child, or the end of the channel: the command runs. */
static void read_channel(struct supervise *s)
{
    struct chan_msg m;
    int r;
    while ((r = chan_recv(s->chan, &m, false, NULL)) == 1)
        if (m.kind == CHAN_ERROR) {
            err_setx(EIO, "%s", m.text);
            s->failed = true;
        }
    if (r == 0 || (r < 0 && r != -EAGAIN)) {
        s->chan = -1;
        if (r == 0 && !s->failed && s->started)
            s->started(s->arg);
    }
}

/* Copy what is there of the container's output; at its end, stop watching it. */
static void read_output(struct supervise *s)
{
    char buf[4096];
    ssize_t n = read(s->out, buf, sizeof buf);
    if (n > 0) {
        log_write(s->log, buf, (size_t)n);
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        s->out = -1; /* stop watching; the owner closes it */
    }
}

static bool is_stop(int sig)
{
    return sig == SIGTERM || sig == SIGINT || sig == SIGQUIT;
}

int supervise(struct supervise *s)
{
    bool killed = false;
    int killed_by = 0;
    s->stop_signal = 0;
    for (;;) {
        struct pollfd pfd[3] = {{.fd = s->sigfd, .events = POLLIN},
                                {.fd = s->chan, .events = POLLIN},
                                {.fd = s->out, .events = POLLIN}};
        if (poll(pfd, 3, -1) < 0) { /* a negative fd is skipped */
            if (errno == EINTR)
                continue;
            return err_set(errno, "poll");
        }
        if (s->chan >= 0 && pfd[1].revents)
            read_channel(s);
        if (s->out >= 0 && pfd[2].revents)
            read_output(s);
        if (!(pfd[0].revents & POLLIN))
            continue;
        struct signalfd_siginfo si;
        if (read(s->sigfd, &si, sizeof si) != sizeof si)
            continue;
        int sig = (int)si.ssi_signo;
        if (sig != SIGCHLD) {
            if (is_stop(sig) && !s->stop_signal)
                s->stop_signal = sig;
            if (s->chan >= 0 && !killed) {
                /* The command does not run yet, so nothing inside could take the signal:
                 * end the child now and report the signal as the cause. */
                killed = true;
                killed_by = sig;
                kill(s->pid, SIGKILL);
            } else if (!killed) {
                kill(s->pid, sig);
            }
            continue;
        }
        int status;
        if (waitpid(s->pid, &status, WNOHANG) != s->pid)
            continue;
        s->pid = -1;
        if (s->chan >= 0)
            read_channel(s);
        if (s->out >= 0) {
            /* Whatever the container wrote last (a writer that outlived it will not block us). */
            char buf[4096];
            ssize_t n;
            fcntl(s->out, F_SETFL, O_NONBLOCK);
            while ((n = read(s->out, buf, sizeof buf)) > 0)
                log_write(s->log, buf, (size_t)n);
            s->out = -1;
        }
        return killed_by ? 128 + killed_by : init_exit_code(status);
    }
}
