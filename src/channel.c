#include "channel.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "err.h"

int chan_pair(int fds[2])
{
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
        return err_set(errno, "socketpair");
    return 0;
}

int chan_send(int fd, int kind, int code, const char *text)
{
    struct chan_msg m;
    memset(&m, 0, sizeof m);
    m.kind = kind;
    m.code = code;
    if (text)
        snprintf(m.text, sizeof m.text, "%s", text);
    ssize_t n;
    do
        n = send(fd, &m, sizeof m, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof m ? 0 : -(n < 0 ? errno : EPIPE);
}

int chan_recv(int fd, struct chan_msg *m, bool wait)
{
    ssize_t n;
    do
        n = recv(fd, m, sizeof *m, wait ? 0 : MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    if (n == 0)
        return 0;
    if (n != (ssize_t)sizeof *m)
        return -EPROTO;
    m->text[sizeof m->text - 1] = '\0';
    return 1;
}

void chan_fail(int fd, int code)
{
    const char *msg = err_msg();
    chan_send(fd, CHAN_ERROR, code, *msg ? msg : "container set-up failed");
    _exit(code);
}
