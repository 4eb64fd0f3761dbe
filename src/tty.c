#include "tty.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "channel.h"
#include "err.h"
#include "resolve.h"
#include "sys.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

int tty_open_pty(int chan, int *slave)
{
    /* Inside the container's root: for exec, a running container may have changed its /dev. */
    int root SYS_AUTO_CLOSE = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    int master SYS_AUTO_CLOSE = root < 0 ? -errno
                                         : resolve_open(root, "/dev/pts/ptmx", O_RDWR | O_NOCTTY, 0);
    struct stat st;
    if (master < 0)
        return err_set(-master, "-t: open /dev/pts/ptmx (CONFIG_UNIX98_PTYS)");
    if (fstat(master, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 5 ||
        minor(st.st_rdev) != 2)
        return err_setx(EINVAL, "-t: /dev/pts/ptmx in the container is not the pseudo-terminal "
                                "multiplexer: refused");
    int unlock = 0;
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
        return err_set(errno, "-t: unlock the pseudo-terminal");
    /* The slave straight from the master (4.13), else by its number in our own devpts. */
    int s = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0) {
        unsigned n;
        char path[32];
        if (ioctl(master, TIOCGPTN, &n) < 0)
            return err_set(errno, "-t: pseudo-terminal number");
        snprintf(path, sizeof path, "/dev/pts/%u", n);
        s = root >= 0 ? resolve_open(root, path, O_RDWR | O_NOCTTY, 0) : -1;
        errno = s < 0 ? -s : 0;
        if (s < 0)
            return err_set(errno, "-t: open %s", path);
    }
    int r = chan_send(chan, CHAN_TTY, 0, NULL, master);
    if (r < 0) {
        close(s);
        return err_set(-r, "-t: hand the pseudo-terminal over");
    }
    *slave = s;
    return 0;
}

int tty_take_controlling(int slave)
{
    if (ioctl(slave, TIOCSCTTY, 0) < 0)
        return err_set(errno, "-t: take the pseudo-terminal as controlling terminal");
    for (int fd = 0; fd < 3; fd++)
        if (dup2(slave, fd) < 0)
            return err_set(errno, "-t: dup2");
    if (slave > 2)
        close(slave);
    return 0;
}

void tty_relay_init(struct tty_relay *t, int in)
{
    t->master = -1;
    t->in = in;
    t->term = -1;
    t->pending = 0;
    t->last = '\n';
}

void tty_relay_resize(const struct tty_relay *t)
{
    struct winsize ws;
    int from = t->term >= 0 ? t->term : t->in;
    if (t->master >= 0 && from >= 0 && ioctl(from, TIOCGWINSZ, &ws) == 0)
        ioctl(t->master, TIOCSWINSZ, &ws);
}

void tty_relay_start(struct tty_relay *t, int master)
{
    t->master = master;
    /* Input that the command does not read yet must not stall its output: it waits in BUF. */
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
    if (t->in >= 0 && tcgetattr(t->in, &t->saved) == 0) {
        struct termios raw = t->saved;
        cfmakeraw(&raw);
        if (tcsetattr(t->in, TCSADRAIN, &raw) == 0)
            t->term = t->in;
    }
    tty_relay_resize(t);
}

void tty_relay_flush(struct tty_relay *t)
{
    while (t->pending > 0 && t->master >= 0) {
        ssize_t n = write(t->master, t->buf, t->pending);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n < 0 && errno != EAGAIN)
                t->pending = 0; /* the terminal is gone: nothing will take it */
            return;
        }
        memmove(t->buf, t->buf + n, t->pending - (size_t)n);
        t->pending -= (size_t)n;
    }
}

void tty_relay_input(struct tty_relay *t)
{
    if (t->pending > 0)
        return;
    ssize_t n = read(t->in, t->buf, sizeof t->buf);
    if (n > 0) {
        t->pending = (size_t)n;
        t->last = t->buf[n - 1];
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        /* The end of a pipe or file: the command reads its end too (a terminal's own input
         * has no end; a caller's terminal stays raw until tty_relay_end). */
        struct termios tio;
        if (t->term < 0 && t->master >= 0 && tcgetattr(t->master, &tio) == 0 &&
            (tio.c_lflag & ICANON)) {
            /* one VEOF ends a line without a newline, the next one the input */
            if (t->last != '\n')
                t->buf[t->pending++] = (char)tio.c_cc[VEOF];
            t->buf[t->pending++] = (char)tio.c_cc[VEOF];
        }
        t->in = -1;
    }
    tty_relay_flush(t);
}

void tty_relay_end(struct tty_relay *t)
{
    if (t->term >= 0) {
        tcsetattr(t->term, TCSADRAIN, &t->saved);
        t->term = -1;
    }
    if (t->master >= 0)
        close(t->master);
    t->master = -1;
}
