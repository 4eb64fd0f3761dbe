/* netlink: a small rtnetlink message builder and request/acknowledge round trip.
 * Build: nlmsg_init, nlmsg_put_extra (the family header), nlmsg_put* (attributes),
 * nlmsg_nest_start/end. Send: nl_talk, which asks for an ACK and turns NLMSG_ERROR into a
 * negative errno plus the kernel's extended-ACK text when it gives one. */
#ifndef HUTCH_NETLINK_H
#define HUTCH_NETLINK_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nlmsg {
    struct nlmsghdr *h;
    size_t cap;
    bool overflow; /* set when something did not fit; nl_talk then refuses the message */
};

void nlmsg_init(struct nlmsg *m, void *buf, size_t cap, uint16_t type, uint16_t flags);
/* Room for LEN zeroed bytes (the family header), or NULL when it does not fit. */
void *nlmsg_put_extra(struct nlmsg *m, size_t len);
void nlmsg_put(struct nlmsg *m, uint16_t type, const void *data, size_t len);
void nlmsg_put_u32(struct nlmsg *m, uint16_t type, uint32_t v);
void nlmsg_put_str(struct nlmsg *m, uint16_t type, const char *s);
struct nlattr *nlmsg_nest_start(struct nlmsg *m, uint16_t type);
void nlmsg_nest_end(struct nlmsg *m, struct nlattr *nest);

/* Walk the attributes in [START, START+LEN): returns the first of TYPE or NULL. */
const struct nlattr *nl_attr_find(const void *start, size_t len, uint16_t type);
static inline const void *nl_attr_data(const struct nlattr *a) { return (const char *)a + NLA_HDRLEN; }
static inline size_t nl_attr_len(const struct nlattr *a) { return a->nla_len - NLA_HDRLEN; }
/* The attributes of a message after its family header of HDR bytes: NULL when the message is
 * shorter than that, else the start, with their length in *LEN. */
const void *nl_msg_attrs(const struct nlmsghdr *h, size_t hdr, size_t *len);

/* Parse an NLMSG_ERROR message: returns its (negative) errno, 0 for an ACK, and copies the
 * extended-ACK text, if any, into WHY. */
int nl_parse_error(const struct nlmsghdr *h, size_t len, char *why, size_t whylen);

struct nl_sock {
    int fd;
    uint32_t seq;
    char why[160]; /* the kernel's extended-ACK text of the last failure, or "" */
};

int nl_open(struct nl_sock *s);
void nl_close(struct nl_sock *s);
/* Send M with NLM_F_REQUEST|NLM_F_ACK and wait for the answer. Data messages that come before
 * it (for a GET or a dump) go to CB when given. Returns 0 or a negative errno. */
int nl_talk(struct nl_sock *s, struct nlmsg *m,
            int (*cb)(const struct nlmsghdr *h, void *arg), void *arg);

#endif
