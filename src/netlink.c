#include "netlink.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "err.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif
#ifndef NLMSGERR_ATTR_MSG
#define NLMSGERR_ATTR_MSG 1
#endif

void nlmsg_init(struct nlmsg *m, void *buf, size_t cap, uint16_t type, uint16_t flags)
{
    memset(buf, 0, NLMSG_HDRLEN);
    m->h = buf;
    m->cap = cap;
    m->overflow = cap < NLMSG_HDRLEN;
    m->h->nlmsg_len = NLMSG_HDRLEN;
    m->h->nlmsg_type = type;
    m->h->nlmsg_flags = flags;
}

static void *tail(struct nlmsg *m)
{
    return (char *)m->h + NLMSG_ALIGN(m->h->nlmsg_len);
}

static bool room(struct nlmsg *m, size_t len)
{
    if (m->overflow || NLMSG_ALIGN(m->h->nlmsg_len) + len > m->cap)
        m->overflow = true;
    return !m->overflow;
}

void *nlmsg_put_extra(struct nlmsg *m, size_t len)
{
    size_t alen = NLMSG_ALIGN(len);
    if (!room(m, alen))
        return NULL;
    void *p = tail(m);
    memset(p, 0, alen);
    m->h->nlmsg_len = (uint32_t)(NLMSG_ALIGN(m->h->nlmsg_len) + alen);
    return p;
}

void nlmsg_put(struct nlmsg *m, uint16_t type, const void *data, size_t len)
{
    size_t total = NLA_ALIGN(NLA_HDRLEN + len);
    if (!room(m, total))
        return;
    struct nlattr *a = tail(m);
    a->nla_type = type;
    a->nla_len = (uint16_t)(NLA_HDRLEN + len);
    if (len)
        memcpy((char *)a + NLA_HDRLEN, data, len);
    memset((char *)a + NLA_HDRLEN + len, 0, total - NLA_HDRLEN - len);
    m->h->nlmsg_len = (uint32_t)(NLMSG_ALIGN(m->h->nlmsg_len) + total);
}

void nlmsg_put_u32(struct nlmsg *m, uint16_t type, uint32_t v) { nlmsg_put(m, type, &v, sizeof v); }
void nlmsg_put_str(struct nlmsg *m, uint16_t type, const char *s)
{
    nlmsg_put(m, type, s, strlen(s) + 1);
}

struct nlattr *nlmsg_nest_start(struct nlmsg *m, uint16_t type)
{
    if (!room(m, NLA_HDRLEN))
        return NULL;
    struct nlattr *a = tail(m);
    nlmsg_put(m, type | NLA_F_NESTED, NULL, 0);
    return a;
}

void nlmsg_nest_end(struct nlmsg *m, struct nlattr *nest)
{
    if (!nest || m->overflow)
        return;
    nest->nla_len = (uint16_t)((char *)tail(m) - (char *)nest);
}

const struct nlattr *nl_attr_find(const void *start, size_t len, uint16_t type)
{
    const char *p = start, *end = p + len;
    while (p + NLA_HDRLEN <= end) {
        const struct nlattr *a = (const void *)p;
        if (a->nla_len < NLA_HDRLEN || p + a->nla_len > end)
            return NULL;
        if ((a->nla_type & NLA_TYPE_MASK) == type)
            return a;
        p += NLA_ALIGN(a->nla_len);
    }
    return NULL;
}

const void *nl_msg_attrs(const struct nlmsghdr *h, size_t hdr, size_t *len)
{
    if (h->nlmsg_len < NLMSG_LENGTH(NLMSG_ALIGN(hdr)))
        return NULL;
    *len = h->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(hdr));
    return (const char *)NLMSG_DATA(h) + NLMSG_ALIGN(hdr);
}

int nl_parse_error(const struct nlmsghdr *h, size_t len, char *why, size_t whylen)
{
    if (whylen)
        why[0] = '\0';
    if (len < NLMSG_HDRLEN + sizeof(struct nlmsgerr))
        return -EPROTO;
    const struct nlmsgerr *e = NLMSG_DATA(h);
    if (e->error == 0)
        return 0;
    if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
        size_t off = NLMSG_HDRLEN + sizeof *e;
        if (!(h->nlmsg_flags & NLM_F_CAPPED))
            off += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
        if (off < len && len <= h->nlmsg_len) {
            const struct nlattr *a = nl_attr_find((const char *)h + off, len - off,
                                                  NLMSGERR_ATTR_MSG);
            if (a && whylen)
                snprintf(why, whylen, "%.*s", (int)strnlen(nl_attr_data(a), nl_attr_len(a)),
                         (const char *)nl_attr_data(a));
        }
    }
    /* A kernel errno is 1 to 4095; anything else (INT_MIN would not even negate) is garbage. */
    if (e->error < -4095 || e->error > 4095)
        return -EPROTO;
    return e->error < 0 ? e->error : -e->error;
}

int nl_open(struct nl_sock *s)
{
    s->seq = 0;
    s->why[0] = '\0';
    s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (s->fd < 0)
        return err_set(errno, "netlink socket");
    int one = 1;
    setsockopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one); /* best effort */
    return 0;
}

void nl_close(struct nl_sock *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}

int nl_talk(struct nl_sock *s, struct nlmsg *m,
            int (*cb)(const struct nlmsghdr *h, void *arg), void *arg)
{
    s->why[0] = '\0';
    if (m->overflow)
        return -EMSGSIZE;
    m->h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
    m->h->nlmsg_seq = ++s->seq;
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    ssize_t n;
    do
        n = sendto(s->fd, m->h, m->h->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;

    static char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
    for (;;) {
        do
            n = recv(s->fd, buf, sizeof buf, 0);
        while (n < 0 && errno == EINTR);
        if (n < 0)
            return -errno;
        size_t left = (size_t)n;
        /* Past a last message of unaligned length NLMSG_NEXT takes LEFT below 0: it wraps, and
         * must not let NLMSG_OK walk on past the datagram. */
        for (const struct nlmsghdr *h = (const void *)buf; left <= (size_t)n && NLMSG_OK(h, left);
             h = NLMSG_NEXT(h, left)) {
            if (h->nlmsg_seq != s->seq)
                continue;
            if (h->nlmsg_type == NLMSG_ERROR)
                return nl_parse_error(h, h->nlmsg_len, s->why, sizeof s->why);
            if (h->nlmsg_type == NLMSG_DONE) {
                /* A dump ends here, without an ACK; its payload may carry an error. */
                const int *e = NLMSG_DATA(h);
                return h->nlmsg_len >= NLMSG_HDRLEN + sizeof *e && *e < 0
                           ? (*e < -4095 ? -EPROTO : *e) : 0;
            }
            if (cb) {
                int r = cb(h, arg);
                if (r < 0)
                    return r;
            }
        }
    }
}
