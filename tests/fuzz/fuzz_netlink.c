/* Fuzz the parsing side of netlink: the input is one reply datagram, as the kernel would send
 * it. It goes to nl_parse_error and nl_msg_attrs/nl_attr_find directly, and through nl_talk to
 * the reply callbacks of net.c (net_link_index: RTM_NEWLINK with IFLA_LINKINFO/IFLA_IFALIAS;
 * net_addr_find: RTM_NEWADDR, then RTM_NEWLINK for the name). The "kernel" is the other end of
 * a socketpair(AF_UNIX, SOCK_SEQPACKET), which keeps datagram boundaries and ignores nl_talk's
 * netlink address: no netlink socket is opened, nothing is changed. The input is queued twice,
 * each time followed by an NLMSG_DONE of the request's number, so that every nl_talk ends; what
 * is left is drained. */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "addr.h"
#include "err.h"
#include "net.h"
#include "netlink.h"

static int sv[2] = {-1, -1};

static void done(uint32_t seq)
{
    struct {
        struct nlmsghdr h;
        int error;
    } d = {{NLMSG_LENGTH(sizeof(int)), NLMSG_DONE, 0, seq, 0}, 0};
    if (send(sv[1], &d, sizeof d, 0) != (ssize_t)sizeof d)
        abort();
}

static void drain(void)
{
    char buf[65536];
    while (recv(sv[0], buf, sizeof buf, MSG_DONTWAIT) > 0)
        ;
    while (recv(sv[1], buf, sizeof buf, MSG_DONTWAIT) > 0)
        ;
}

/* A full 32 KiB datagram of empty messages of another sequence number, which nl_talk skips, as
 * a big dump before a short answer: the short answer then lies over its remains in nl_talk's
 * receive buffer, as with a real kernel, and a walk past the answer's end is seen (it reads on
 * into the remains, up to the end of the buffer, where ASan catches it). */
static void prime(uint32_t seq)
{
    static uint32_t big[32768 / 4];
    for (size_t i = 0; i < sizeof big / 4; i += 4) {
        big[i] = 16;             /* nlmsg_len */
        big[i + 1] = 0;          /* type 0, flags 0 */
        big[i + 2] = seq + 1000; /* nlmsg_seq: not the request's */
        big[i + 3] = 0;
    }
    if (send(sv[1], big, sizeof big, 0) != (ssize_t)sizeof big)
        abort();
}

/* One nl_talk-using call: the input as the reply, numbered as the request will be. */
static void talk(const uint8_t *data, size_t size, struct nl_sock *s, int which)
{
    uint32_t seq = 1;
    if (size >= 12)
        memcpy(&seq, data + 8, 4);
    s->seq = seq - 1;
    if (which == 0)
        prime(seq);
    /* Twice: net_addr_find asks again, and the second answer is the input's seq + 1 part. */
    for (uint32_t i = 0; i < 2; i++) {
        if (size && send(sv[1], data, size, 0) != (ssize_t)size)
            abort();
        done(seq + i);
    }
    err_clear();
    bool bridge;
    char name[IFNAME_MAX + 1] = "";
    struct ip_addr a;
    memset(&a, 0, sizeof a);
    switch (which) {
    case 0:
        net_link_index(s, "eth0", &bridge);
        break;
    case 1:
        addr_parse("addr", "10.0.0.2", false, &a);
        net_addr_find(s, &a, name);
        break;
    case 2:
        addr_parse("addr", "fd00::2", false, &a);
        net_addr_find(s, &a, name);
        break;
    }
    drain();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (sv[0] < 0) {
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
            abort();
        struct timeval tv = {1, 0}; /* a safety net: nl_talk never waits long */
        setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        int big = 1 << 20;
        setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
        setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    }
    if (size > 32768)
        return 0; /* nl_talk's receive buffer */

    /* Directly: a copy aligned as a received buffer is, of exactly SIZE bytes. */
    if (size >= sizeof(struct nlmsghdr)) {
        struct nlmsghdr *h = malloc(size);
        if (!h)
            return 0;
        memcpy(h, data, size);
        char why[160];
        size_t len = h->nlmsg_len < size ? h->nlmsg_len : size;
        nl_parse_error(h, len, why, sizeof why);
        if (h->nlmsg_len <= size) {
            size_t alen;
            const void *attrs = nl_msg_attrs(h, sizeof(struct ifinfomsg), &alen);
            if (attrs) {
                const struct nlattr *at = nl_attr_find(attrs, alen, IFLA_IFNAME);
                if (at)
                    (void)nl_attr_len(at);
            }
        }
        free(h);
    }

    struct nl_sock s = {.fd = sv[0]};
    for (int which = 0; which < 3; which++)
        talk(data, size, &s, which);
    return 0;
}
