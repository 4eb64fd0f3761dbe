/* Unit tests of the netlink message builder and the NLMSG_ERROR parser. */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <linux/veth.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "net.h"
#include "netlink.h"

static void test_header_and_attrs(void)
{
    char buf[256] __attribute__((aligned(4)));
    struct nlmsg m;
    nlmsg_init(&m, buf, sizeof buf, RTM_NEWLINK, NLM_F_CREATE);
    struct ifinfomsg *ifi = nlmsg_put_extra(&m, sizeof *ifi);
    CHECK(ifi != NULL);
    CHECK_EQ_INT(m.h->nlmsg_len, NLMSG_HDRLEN + sizeof *ifi);
    nlmsg_put_str(&m, IFLA_IFNAME, "eth0"); /* 4 + 5 -> 12 aligned */
    CHECK_EQ_INT(m.h->nlmsg_len, NLMSG_HDRLEN + sizeof *ifi + 12);
    nlmsg_put_u32(&m, IFLA_MTU, 1400);
    CHECK_EQ_INT(m.h->nlmsg_len, NLMSG_HDRLEN + sizeof *ifi + 20);

    const char *attrs = buf + NLMSG_HDRLEN + sizeof *ifi;
    size_t len = m.h->nlmsg_len - NLMSG_HDRLEN - sizeof *ifi;
    const struct nlattr *a = nl_attr_find(attrs, len, IFLA_MTU);
    CHECK(a != NULL);
    CHECK_EQ_INT(nl_attr_len(a), 4);
    CHECK_EQ_INT(*(const uint32_t *)nl_attr_data(a), 1400);
    a = nl_attr_find(attrs, len, IFLA_IFNAME);
    CHECK(a != NULL);
    CHECK_EQ_STR((const char *)nl_attr_data(a), "eth0");
    CHECK(nl_attr_find(attrs, len, IFLA_MASTER) == NULL);
    CHECK(!m.overflow);
}

static void test_nest(void)
{
    char buf[256] __attribute__((aligned(4)));
    struct nlmsg m;
    nlmsg_init(&m, buf, sizeof buf, RTM_NEWLINK, 0);
    nlmsg_put_extra(&m, sizeof(struct ifinfomsg));
    struct nlattr *info = nlmsg_nest_start(&m, IFLA_LINKINFO);
    nlmsg_put_str(&m, IFLA_INFO_KIND, "veth");
    nlmsg_nest_end(&m, info);
    CHECK_EQ_INT(info->nla_len, NLA_HDRLEN + 12); /* "veth\0" -> 4+5 aligned to 12 */
    CHECK(info->nla_type & NLA_F_NESTED);
    const struct nlattr *kind = nl_attr_find(nl_attr_data(info), nl_attr_len(info), IFLA_INFO_KIND);
    CHECK(kind != NULL);
    CHECK_EQ_STR((const char *)nl_attr_data(kind), "veth");
}

static void test_overflow(void)
{
    char buf[40] __attribute__((aligned(4)));
    struct nlmsg m;
    nlmsg_init(&m, buf, sizeof buf, RTM_NEWLINK, 0);
    CHECK(nlmsg_put_extra(&m, sizeof(struct ifinfomsg)) != NULL);
    nlmsg_put_str(&m, IFLA_IFNAME, "a-rather-long-interface-name");
    CHECK(m.overflow);
    uint32_t len = m.h->nlmsg_len;
    nlmsg_put_u32(&m, IFLA_MTU, 1);
    CHECK_EQ_INT(m.h->nlmsg_len, len); /* nothing more is written after an overflow */
}

static void test_error_parse(void)
{
    /* An NLMSG_ERROR with a capped original header and an extended-ACK message. */
    char buf[256] __attribute__((aligned(4)));
    memset(buf, 0, sizeof buf);
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    h->nlmsg_type = NLMSG_ERROR;
    h->nlmsg_flags = 0x100 | 0x200; /* NLM_F_CAPPED | NLM_F_ACK_TLVS */
    struct nlmsgerr *e = NLMSG_DATA(h);
    e->error = -EEXIST;
    e->msg.nlmsg_len = 100; /* the original's length; capped, so not included */
    struct nlattr *a = (struct nlattr *)(buf + NLMSG_HDRLEN + sizeof *e);
    const char text[] = "File exists detail";
    a->nla_type = 1; /* NLMSGERR_ATTR_MSG */
    a->nla_len = NLA_HDRLEN + sizeof text;
    memcpy((char *)a + NLA_HDRLEN, text, sizeof text);
    h->nlmsg_len = NLMSG_HDRLEN + sizeof *e + NLA_ALIGN(a->nla_len);
    char why[64];
    CHECK_EQ_INT(nl_parse_error(h, h->nlmsg_len, why, sizeof why), -EEXIST);
    CHECK_EQ_STR(why, "File exists detail");

    e->error = 0;
    h->nlmsg_flags = 0;
    CHECK_EQ_INT(nl_parse_error(h, h->nlmsg_len, why, sizeof why), 0);
    CHECK_EQ_INT(nl_parse_error(h, 8, why, sizeof why), -EPROTO);
}

/* The veth request: IFLA_LINKINFO { KIND "veth", DATA { VETH_INFO_PEER { ifinfomsg, IFNAME,
 * NET_NS_PID, MTU } } }, as the kernel's veth_newlink reads it. */
static void test_veth_request(void)
{
    char buf[1024] __attribute__((aligned(4)));
    struct nlmsg m;
    net_build_veth(&m, buf, sizeof buf, "hutch-web", "eth0", 4242, 1400);
    CHECK(!m.overflow);
    CHECK_EQ_INT(m.h->nlmsg_type, RTM_NEWLINK);
    CHECK(m.h->nlmsg_flags & NLM_F_CREATE && m.h->nlmsg_flags & NLM_F_EXCL);
    const char *attrs = buf + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct ifinfomsg));
    size_t len = m.h->nlmsg_len - (size_t)(attrs - buf);
    const struct nlattr *name = nl_attr_find(attrs, len, IFLA_IFNAME);
    CHECK(name && strcmp(nl_attr_data(name), "hutch-web") == 0);
    const struct nlattr *info = nl_attr_find(attrs, len, IFLA_LINKINFO);
    CHECK(info != NULL);
    if (!info)
        return;
    /* the nest ends exactly at the end of the message */
    CHECK_EQ_INT((const char *)info + info->nla_len - buf, m.h->nlmsg_len);
    const struct nlattr *kind = nl_attr_find(nl_attr_data(info), nl_attr_len(info), IFLA_INFO_KIND);
    CHECK(kind && strcmp(nl_attr_data(kind), "veth") == 0);
    const struct nlattr *data = nl_attr_find(nl_attr_data(info), nl_attr_len(info), IFLA_INFO_DATA);
    CHECK(data && (data->nla_type & NLA_F_NESTED));
    if (!data)
        return;
    const struct nlattr *peer = nl_attr_find(nl_attr_data(data), nl_attr_len(data), VETH_INFO_PEER);
    CHECK(peer != NULL);
    if (!peer)
        return;
    const char *pattrs = (const char *)nl_attr_data(peer) + NLMSG_ALIGN(sizeof(struct ifinfomsg));
    size_t plen = nl_attr_len(peer) - NLMSG_ALIGN(sizeof(struct ifinfomsg));
    const struct nlattr *pname = nl_attr_find(pattrs, plen, IFLA_IFNAME);
    const struct nlattr *pid = nl_attr_find(pattrs, plen, IFLA_NET_NS_PID);
    const struct nlattr *mtu = nl_attr_find(pattrs, plen, IFLA_MTU);
    CHECK(pname && strcmp(nl_attr_data(pname), "eth0") == 0);
    CHECK(pid && *(const uint32_t *)nl_attr_data(pid) == 4242);
    CHECK(mtu && *(const uint32_t *)nl_attr_data(mtu) == 1400);
}

/* eth0 over a parent: IFLA_LINK, IFLA_NET_NS_PID at the top (made straight in the container's
 * namespace), IFLA_LINKINFO { KIND, DATA { MODE } } with macvlan's u32 and ipvlan's u16 mode. */
static void test_lan_request(void)
{
    char buf[1024] __attribute__((aligned(4)));
    struct nlmsg m;
    for (int k = 0; k < 2; k++) {
        enum net_mode mode = k ? NET_IPVLAN : NET_MACVLAN;
        net_build_lan(&m, buf, sizeof buf, mode, 7, k ? 1 : 4, 4242, k ? 0 : 1500);
        CHECK(!m.overflow);
        CHECK(m.h->nlmsg_flags & NLM_F_CREATE && m.h->nlmsg_flags & NLM_F_EXCL);
        const char *attrs = buf + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct ifinfomsg));
        size_t len = m.h->nlmsg_len - (size_t)(attrs - buf);
        const struct nlattr *name = nl_attr_find(attrs, len, IFLA_IFNAME);
        const struct nlattr *link = nl_attr_find(attrs, len, IFLA_LINK);
        const struct nlattr *pid = nl_attr_find(attrs, len, IFLA_NET_NS_PID);
        const struct nlattr *mtu = nl_attr_find(attrs, len, IFLA_MTU);
        CHECK(name && strcmp(nl_attr_data(name), "eth0") == 0);
        CHECK(link && *(const uint32_t *)nl_attr_data(link) == 7);
        CHECK(pid && *(const uint32_t *)nl_attr_data(pid) == 4242);
        CHECK(k ? mtu == NULL : mtu && *(const uint32_t *)nl_attr_data(mtu) == 1500);
        const struct nlattr *info = nl_attr_find(attrs, len, IFLA_LINKINFO);
        CHECK(info != NULL);
        if (!info)
            return;
        CHECK_EQ_INT((const char *)info + info->nla_len - buf, m.h->nlmsg_len);
        const struct nlattr *kind = nl_attr_find(nl_attr_data(info), nl_attr_len(info),
                                                 IFLA_INFO_KIND);
        CHECK(kind && strcmp(nl_attr_data(kind), k ? "ipvlan" : "macvlan") == 0);
        const struct nlattr *data = nl_attr_find(nl_attr_data(info), nl_attr_len(info),
                                                 IFLA_INFO_DATA);
        CHECK(data != NULL);
        if (!data)
            return;
        const struct nlattr *md = nl_attr_find(nl_attr_data(data), nl_attr_len(data),
                                               k ? IFLA_IPVLAN_MODE : IFLA_MACVLAN_MODE);
        CHECK(md != NULL);
        if (!md)
            return;
        CHECK_EQ_INT(nl_attr_len(md), k ? 2 : 4);
        if (k)
            CHECK_EQ_INT(*(const uint16_t *)nl_attr_data(md), 1);
        else
            CHECK_EQ_INT(*(const uint32_t *)nl_attr_data(md), 4);
    }
}

/* Replies from the kernel, malformed on purpose: a walk must stop, never read past the end. */
static void test_malformed(void)
{
    unsigned char b[64] __attribute__((aligned(4)));
    struct nlattr *a = (struct nlattr *)b;
    memset(b, 0, sizeof b);
    /* a length below the header's */
    a->nla_len = 2;
    a->nla_type = IFLA_MTU;
    CHECK(nl_attr_find(b, sizeof b, IFLA_MTU) == NULL);
    /* a length past the end of the attributes */
    a->nla_len = 40;
    CHECK(nl_attr_find(b, 32, IFLA_MTU) == NULL);
    CHECK(nl_attr_find(b, 40, IFLA_MTU) == a); /* exactly to the end is fine */
    /* a second attribute whose header is cut by the end */
    a->nla_len = 8;
    a->nla_type = IFLA_IFNAME;
    struct nlattr *second = (struct nlattr *)(b + 8);
    second->nla_len = 8;
    second->nla_type = IFLA_MTU;
    CHECK(nl_attr_find(b, 10, IFLA_MTU) == NULL);
    CHECK(nl_attr_find(b, 16, IFLA_MTU) == second);
    /* an odd length: the next one is at the aligned offset, which lies past the end */
    a->nla_len = 5;
    CHECK(nl_attr_find(b, 7, IFLA_MTU) == NULL);
    /* the nested flag is not part of the type */
    a->nla_len = 8;
    a->nla_type = NLA_F_NESTED | IFLA_LINKINFO;
    CHECK(nl_attr_find(b, 8, IFLA_LINKINFO) == a);
    /* a message shorter than its family header has no attributes */
    struct nlmsghdr *h = (struct nlmsghdr *)b;
    size_t len = 99;
    h->nlmsg_len = NLMSG_HDRLEN + 2;
    CHECK(nl_msg_attrs(h, sizeof(struct ifinfomsg), &len) == NULL);
    h->nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
    CHECK(nl_msg_attrs(h, sizeof(struct ifinfomsg), &len) != NULL);
    CHECK_EQ_INT(len, 0);
    /* an error message too short for its nlmsgerr, or whose ACK TLVs point past it */
    char why[32] = "x";
    h->nlmsg_type = NLMSG_ERROR;
    h->nlmsg_len = NLMSG_HDRLEN + 2;
    CHECK_EQ_INT(nl_parse_error(h, h->nlmsg_len, why, sizeof why), -EPROTO);
    CHECK_EQ_STR(why, "");
    struct nlmsgerr *e = NLMSG_DATA(h);
    h->nlmsg_len = NLMSG_HDRLEN + sizeof *e;
    h->nlmsg_flags = NLM_F_ACK_TLVS | NLM_F_CAPPED;
    e->error = -EEXIST;
    CHECK_EQ_INT(nl_parse_error(h, h->nlmsg_len, why, sizeof why), -EEXIST);
    CHECK_EQ_STR(why, "");
    /* a positive error field, as some kernels send it */
    e->error = EEXIST;
    CHECK_EQ_INT(nl_parse_error(h, h->nlmsg_len, why, sizeof why), -EEXIST);
}

/* nl_talk on a reply whose last message has an unaligned length, after a big dump left its
 * remains in nl_talk's buffer: the walk stops at the end of the reply (found by fuzzing: the
 * size_t left wrapped and the walk went on past the buffer). The "kernel" is a socketpair. */
static int count_msgs(const struct nlmsghdr *h, void *arg)
{
    (void)h;
    ++*(int *)arg;
    return 0;
}

static void test_unaligned_reply(void)
{
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
    int big = 1 << 20;
    setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    static uint32_t dump[32768 / 4]; /* empty messages of another request */
    for (size_t i = 0; i < sizeof dump / 4; i += 4) {
        dump[i] = 16;
        dump[i + 1] = 0;
        dump[i + 2] = 99;
        dump[i + 3] = 0;
    }
    CHECK(send(sv[1], dump, sizeof dump, 0) == (ssize_t)sizeof dump);
    uint32_t reply[12] = {47, 0, 1}; /* one message of 47 bytes, of request 1 */
    CHECK(send(sv[1], reply, 47, 0) == 47);
    uint32_t done[5] = {20, NLMSG_DONE, 1, 0, 0};
    CHECK(send(sv[1], done, sizeof done, 0) == (ssize_t)sizeof done);
    char buf[64] __attribute__((aligned(4)));
    struct nlmsg m;
    nlmsg_init(&m, buf, sizeof buf, RTM_GETLINK, 0);
    nlmsg_put_extra(&m, sizeof(struct ifinfomsg));
    struct nl_sock s = {.fd = sv[0], .seq = 0};
    int n = 0;
    CHECK_EQ_INT(nl_talk(&s, &m, count_msgs, &n), 0);
    CHECK_EQ_INT(n, 1);
    /* A dump's end with an error that is no errno (INT_MIN: callers negate it): -EPROTO. */
    done[4] = 0x80000000u;
    CHECK(send(sv[1], done, sizeof done, 0) == (ssize_t)sizeof done);
    s.seq = 0;
    CHECK_EQ_INT(nl_talk(&s, &m, count_msgs, &n), -EPROTO);
    /* The same in an NLMSG_ERROR. */
    uint32_t error[9] = {36, NLMSG_ERROR, 1, 0, 0x80000000u, 32, RTM_GETLINK, 1, 0};
    char why[16];
    CHECK_EQ_INT(nl_parse_error((const struct nlmsghdr *)error, sizeof error, why, sizeof why),
                 -EPROTO);
    close(sv[0]);
    close(sv[1]);
}

int main(void)
{
    test_malformed();
    test_veth_request();
    test_lan_request();
    test_header_and_attrs();
    test_nest();
    test_overflow();
    test_error_parse();
    test_unaligned_reply();
    return check_summary("test_netlink");
}
