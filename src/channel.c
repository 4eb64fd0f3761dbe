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

int chan_send(int fd, int kind, int code, const char *text, int pass_fd)
{
    struct chan_msg m;
    memset(&m, 0, sizeof m);
    m.kind = kind;
    m.code = code;
    if (text)
        snprintf(m.text, sizeof m.text, "%s", text);
    struct iovec iov = {&m, sizeof m};
    union {
        struct cmsghdr h;
        char space[CMSG_SPACE(sizeof(int))];
    } ctl;
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    if (pass_fd >= 0) {
        memset(&ctl, 0, sizeof ctl);
        mh.msg_control = ctl.space;
        mh.msg_controllen = sizeof ctl.space;
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
    }
    ssize_t n;
    do
        n = sendmsg(fd, &mh, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof m ? 0 : -(n < 0 ? errno : EPIPE);
}

int chan_recv(int fd, struct chan_msg *m, bool wait, int *got_fd)
{
    struct iovec iov = {m, sizeof *m};
    union {
        struct cmsghdr h;
        char space[CMSG_SPACE(sizeof(int))];
    } ctl;
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.space,
                        .msg_controllen = sizeof ctl.space};
    if (got_fd)
        *got_fd = -1;
    ssize_t n;
    do
        n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | (wait ? 0 : MSG_DONTWAIT));
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int passed;
            memcpy(&passed, CMSG_DATA(c), sizeof passed);
            if (got_fd)
                *got_fd = passed;
            else
                close(passed);
        }
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
    if (fd < 0)
        dprintf(2, "hutch: %s\n", *msg ? msg : "container set-up failed");
    else
        chan_send(fd, CHAN_ERROR, code, *msg ? msg : "container set-up failed", -1);
    _exit(code);
}
