/* Unit tests of the netlink message builder and the NLMSG_ERROR parser. */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <linux/veth.h>

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

int main(void)
{
    test_veth_request();
    test_header_and_attrs();
    test_nest();
    test_overflow();
    test_error_parse();
    return check_summary("test_netlink");
}
