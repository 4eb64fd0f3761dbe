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
    sigaddset(&set, SIGWINCH);
    if (sigprocmask(SIG_BLOCK, &set, old_mask) < 0)
        return err_set(errno, "sigprocmask");
    *sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (*sigfd < 0) {
        int e = errno;
        sigprocmask(SIG_SETMASK, old_mask, NULL);
        return err_set(e, "signalfd");
    }
    return 0;
}

int supervise_stop_pending(int sigfd)
{
    struct signalfd_siginfo si;
    while (read(sigfd, &si, sizeof si) == sizeof si) {
        int sig = (int)si.ssi_signo;
        if (sig != SIGCHLD && sig != SIGWINCH)
            return sig;
    }
    return 0;
}

/* Where the container's output goes: the log, or hutch's own stdout. */
static void emit(struct supervise *s, const char *buf, size_t n)
{
    if (s->log) {
        log_write(s->log, buf, n);
        return;
    }
    while (n > 0) {
        ssize_t w = write(STDOUT_FILENO, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return; /* nobody reads it any more */
        buf += w;
        n -= (size_t)w;
    }
}

/* An error record or the pseudo-terminal from the child, or the end of the channel: the
 * command runs. */
static void read_channel(struct supervise *s)
{
    struct chan_msg m;
    int r, fd;
    while ((r = chan_recv(s->chan, &m, false, &fd)) == 1) {
        if (m.kind == CHAN_ERROR) {
            err_setx(EIO, "%s", m.text);
            s->failed = true;
        } else if (m.kind == CHAN_IMAGE && fd >= 0 && !s->image_conf) {
            s->image_conf = true;
            s->image_fd = fd;
            s->stop_as = m.code > 0 && m.code < 65 ? m.code : 0;
            fd = -1;
        } else if (m.kind == CHAN_TTY && fd >= 0 && s->tty && s->tty->master < 0) {
            tty_relay_start(s->tty, fd);
            fd = -1;
        }
        if (fd >= 0)
            close(fd);
    }
    if (r == 0 || (r < 0 && r != -EAGAIN)) {
        s->chan = -1;
        /* Not for a child already reaped (its channel's end read after its SIGCHLD): it did
         * not run as a container that is there, and its pid is -1 now. */
        if (r == 0 && !s->failed && s->started && s->pid > 0 && s->started(s->arg) < 0) {
            s->failed = s->start_failed = true;
            kill(s->pid, SIGKILL);
        }
    }
}

/* Copy what is there of the output FD; at its end, stop watching it (*FD = -1). */
static void read_output(struct supervise *s, int *fd)
{
    char buf[4096];
    ssize_t n = read(*fd, buf, sizeof buf);
    if (n > 0)
        emit(s, buf, (size_t)n);
    else if (n == 0 || (errno != EINTR && errno != EAGAIN))
        *fd = -1; /* EIO from a master: every slave is closed. The owner closes it. */
}

/* Whatever is left in FD once the child ended (a writer that outlived it will not block us). */
static void drain(struct supervise *s, int fd)
{
    char buf[4096];
    ssize_t n;
    if (fd < 0)
        return;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    while ((n = read(fd, buf, sizeof buf)) > 0)
        emit(s, buf, (size_t)n);
}

static bool is_stop(int sig)
{
    return sig == SIGTERM || sig == SIGINT || sig == SIGQUIT;
}

int supervise(struct supervise *s)
{
    bool killed = false, master_seen = false;
    int killed_by = 0, master = -1; /* the pseudo-terminal's output, watched until its end */
    s->stop_signal = 0;
    for (;;) {
        if (s->tty && s->tty->master >= 0 && !master_seen) {
            master = s->tty->master;
            master_seen = true;
        }
        bool pending = s->tty && s->tty->pending > 0;
        struct pollfd pfd[6] = {{.fd = s->sigfd, .events = POLLIN},
                                {.fd = s->chan, .events = POLLIN},
                                {.fd = s->out, .events = POLLIN},
                                {.fd = master, .events = POLLIN | (pending ? POLLOUT : 0)},
                                {.fd = s->tty && master >= 0 && !pending ? s->tty->in : -1,
                                 .events = POLLIN},
                                {.fd = s->relay ? relay_fd(s->relay) : -1, .events = POLLIN}};
        if (poll(pfd, 6, -1) < 0) { /* a negative fd is skipped */
            if (errno == EINTR)
                continue;
            return err_set(errno, "poll");
        }
        if (s->chan >= 0 && pfd[1].revents)
            read_channel(s);
        if (s->out >= 0 && pfd[2].revents)
            read_output(s, &s->out);
        if (master >= 0 && (pfd[3].revents & POLLOUT))
            tty_relay_flush(s->tty);
        if (master >= 0 && (pfd[3].revents & ~POLLOUT))
            read_output(s, &master);
        if (pfd[4].fd >= 0 && pfd[4].revents)
            tty_relay_input(s->tty);
        if (pfd[5].fd >= 0 && pfd[5].revents)
            relay_dispatch(s->relay);
        if (!(pfd[0].revents & POLLIN))
            continue;
        struct signalfd_siginfo si;
        if (read(s->sigfd, &si, sizeof si) != sizeof si)
            continue;
        int sig = (int)si.ssi_signo;
        if (sig == SIGWINCH) {
            if (s->tty)
                tty_relay_resize(s->tty);
            continue;
        }
        if (sig != SIGCHLD) {
            if (is_stop(sig) && !s->stop_signal)
                s->stop_signal = sig;
            if (s->chan >= 0 && !killed) {
                /* The command does not run yet, so nothing inside could take the signal:
                 * end the child now and report the signal as the cause. */
                killed = true;
                killed_by = sig;
                s->failed = true; /* the channel's end that follows is no start */
                kill(s->pid, SIGKILL);
            } else if (!killed) {
                kill(s->pid, sig == SIGTERM && s->stop_as ? s->stop_as : sig);
            }
            continue;
        }
        int status;
        pid_t w;
        while ((w = waitpid(s->pid, &status, WNOHANG)) < 0 && errno == EINTR) {
            /* its SIGCHLD is taken: an interrupted wait is asked again, not left for a signal
             * that will not come */
        }
        if (w != s->pid)
            continue;
        s->pid = -1;
        if (s->chan >= 0)
            read_channel(s);
        drain(s, s->out);
        s->out = -1;
        drain(s, s->tty ? s->tty->master : -1);
        if (s->start_failed)
            return 125;
        return killed_by ? 128 + killed_by : init_exit_code(status);
    }
}
