#include "net.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

#define MSG_BUF 1024

static struct ifinfomsg *link_msg(struct nlmsg *m, void *buf, uint16_t type, uint16_t flags)
{
    nlmsg_init(m, buf, MSG_BUF, type, flags);
    struct ifinfomsg *ifi = nlmsg_put_extra(m, sizeof *ifi);
    ifi->ifi_family = AF_UNSPEC;
    return ifi;
}

int net_link_up(struct nl_sock *s, const char *name)
{
    char buf[MSG_BUF] __attribute__((aligned(4)));
    struct nlmsg m;
    struct ifinfomsg *ifi = link_msg(&m, buf, RTM_NEWLINK, 0);
    ifi->ifi_flags = IFF_UP;
    ifi->ifi_change = IFF_UP;
    nlmsg_put_str(&m, IFLA_IFNAME, name);
    int r = nl_talk(s, &m, NULL, NULL);
    if (r < 0)
        return err_set(-r, "bring up %s", name);
    return 0;
}

struct link_info {
    int index;
    bool is_bridge;
};

static int on_link(const struct nlmsghdr *h, void *arg)
{
    struct link_info *li = arg;
    size_t len;
    const void *attrs = nl_msg_attrs(h, sizeof(struct ifinfomsg), &len);
    if (h->nlmsg_type != RTM_NEWLINK || !attrs)
        return 0;
    li->index = ((const struct ifinfomsg *)NLMSG_DATA(h))->ifi_index;
    const struct nlattr *info = nl_attr_find(attrs, len, IFLA_LINKINFO);
    const struct nlattr *kind = info ? nl_attr_find(nl_attr_data(info), nl_attr_len(info),
                                                    IFLA_INFO_KIND) : NULL;
    li->is_bridge = kind && strncmp(nl_attr_data(kind), "bridge", nl_attr_len(kind)) == 0;
    return 0;
}

int net_link_index(struct nl_sock *s, const char *name, bool *is_bridge)
{
    char buf[MSG_BUF] __attribute__((aligned(4)));
    struct nlmsg m;
    link_msg(&m, buf, RTM_GETLINK, 0);
    nlmsg_put_str(&m, IFLA_IFNAME, name);
    struct link_info li = {0, false};
    int r = nl_talk(s, &m, on_link, &li);
    if (r < 0)
        return r;
    if (li.index <= 0)
        return -ENODEV;
    if (is_bridge)
        *is_bridge = li.is_bridge;
    return li.index;
}

void net_build_veth(struct nlmsg *m, void *buf, size_t cap, const char *host, const char *peer,
                    pid_t peer_pid, unsigned mtu)
{
    nlmsg_init(m, buf, cap, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    struct ifinfomsg *ifi = nlmsg_put_extra(m, sizeof *ifi);
    if (ifi)
        ifi->ifi_family = AF_UNSPEC;
    nlmsg_put_str(m, IFLA_IFNAME, host);
    if (mtu)
        nlmsg_put_u32(m, IFLA_MTU, mtu);
    struct nlattr *linkinfo = nlmsg_nest_start(m, IFLA_LINKINFO);
    nlmsg_put_str(m, IFLA_INFO_KIND, "veth");
    struct nlattr *data = nlmsg_nest_start(m, IFLA_INFO_DATA);
    /* The peer: its own ifinfomsg, then its attributes, all inside VETH_INFO_PEER. */
    struct nlattr *peer_info = nlmsg_nest_start(m, VETH_INFO_PEER);
    struct ifinfomsg *peer_ifi = nlmsg_put_extra(m, sizeof *peer_ifi);
    if (peer_ifi)
        peer_ifi->ifi_family = AF_UNSPEC;
    nlmsg_put_str(m, IFLA_IFNAME, peer);
    nlmsg_put_u32(m, IFLA_NET_NS_PID, (uint32_t)peer_pid);
    if (mtu)
        nlmsg_put_u32(m, IFLA_MTU, mtu);
    nlmsg_nest_end(m, peer_info);
    nlmsg_nest_end(m, data);
    nlmsg_nest_end(m, linkinfo);
}

int net_veth_create(struct nl_sock *s, const char *host, const char *peer, pid_t peer_pid,
                    unsigned mtu)
{
    char buf[MSG_BUF] __attribute__((aligned(4)));
    struct nlmsg m;
    net_build_veth(&m, buf, sizeof buf, host, peer, peer_pid, mtu);
    int r = nl_talk(s, &m, NULL, NULL);
    switch (r) {
    case 0:
        return 0;
    case -EEXIST:
        return err_setx(EEXIST, "veth %s: name already in use (choose another with --veth)", host);
    case -EOPNOTSUPP:
        return err_setx(EOPNOTSUPP, "kernel lacks veth support (CONFIG_VETH)");
    case -EINVAL:
        if (mtu)
            return err_setx(EINVAL, "veth %s: the kernel refused it%s%s (check --mtu %u)", host,
                            *s->why ? ": " : "", s->why, mtu);
        /* fall through */
    default:
        return err_set(-r, "veth %s%s%s", host, *s->why ? ": " : "", s->why);
    }
}

int net_link_delete(struct nl_sock *s, const char *name)
{
    char buf[MSG_BUF] __attribute__((aligned(4)));
    struct nlmsg m;
    link_msg(&m, buf, RTM_DELLINK, 0);
    nlmsg_put_str(&m, IFLA_IFNAME, name);
    return nl_talk(s, &m, NULL, NULL);
}

int net_link_set_master(struct nl_sock *s, const char *name, const char *master, int master_index)
{
    char buf[MSG_BUF] __attribute__((aligned(4)));
    struct nlmsg m;
    link_msg(&m, buf, RTM_NEWLINK, 0);
    nlmsg_put_str(&m, IFLA_IFNAME, name);
    nlmsg_put_u32(&m, IFLA_MASTER, (uint32_t)master_index);
    int r = nl_talk(s, &m, NULL, NULL);
    if (r < 0)
        return err_set(-r, "attach %s to bridge %s%s%s", name, master, *s->why ? ": " : "",
                       s->why);
    return 0;
}

int net_addr_add(struct nl_sock *s, const char *ifname, const struct ip_addr *a)
{
    char buf[MSG_BUF] __attribute__((aligned(4))), text[ADDR_STRLEN];
    int index = net_link_index(s, ifname, NULL);
    if (index < 0)
        return err_set(-index, "add address %s to %s", addr_format(a, text), ifname);
    struct nlmsg m;
    nlmsg_init(&m, buf, sizeof buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
    struct ifaddrmsg *ifa = nlmsg_put_extra(&m, sizeof *ifa);
    ifa->ifa_family = (uint8_t)a->family;
    ifa->ifa_prefixlen = (uint8_t)a->prefix;
    ifa->ifa_scope = RT_SCOPE_UNIVERSE;
    ifa->ifa_index = (uint32_t)index;
    /* IPv6: usable at once, without duplicate address detection's delay. */
    ifa->ifa_flags = a->family == AF_INET6 ? IFA_F_NODAD : 0;
    size_t len = (size_t)addr_len(a->family);
    nlmsg_put(&m, IFA_ADDRESS, a->bytes, len);
    if (a->family == AF_INET)
        nlmsg_put(&m, IFA_LOCAL, a->bytes, len);
    int r = nl_talk(s, &m, NULL, NULL);
    if (r == -EEXIST)
        return err_setx(EEXIST, "address %s: already on %s", addr_format(a, text), ifname);
    if (r < 0)
        return err_set(-r, "add address %s to %s%s%s", addr_format(a, text), ifname,
                       *s->why ? ": " : "", s->why);
    return 0;
}

int net_route_add_default(struct nl_sock *s, const char *ifname, const struct ip_addr *gw)
{
    char buf[MSG_BUF] __attribute__((aligned(4))), text[ADDR_STRLEN];
    int index = net_link_index(s, ifname, NULL);
    if (index < 0)
        return err_set(-index, "default route via %s", addr_format(gw, text));
    struct nlmsg m;
    nlmsg_init(&m, buf, sizeof buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
    struct rtmsg *rt = nlmsg_put_extra(&m, sizeof *rt);
    rt->rtm_family = (uint8_t)gw->family;
    rt->rtm_table = RT_TABLE_MAIN;
    rt->rtm_protocol = RTPROT_BOOT;
    rt->rtm_scope = RT_SCOPE_UNIVERSE;
    rt->rtm_type = RTN_UNICAST;
    nlmsg_put(&m, RTA_GATEWAY, gw->bytes, (size_t)addr_len(gw->family));
    nlmsg_put_u32(&m, RTA_OIF, (uint32_t)index);
    int r = nl_talk(s, &m, NULL, NULL);
    if (r < 0)
        return err_set(-r, "default route via %s on %s%s%s", addr_format(gw, text), ifname,
                       *s->why ? ": " : "", s->why);
    return 0;
}

struct addr_search {
    const struct ip_addr *want;
    int index;
};

static int on_addr(const struct nlmsghdr *h, void *arg)
{
    struct addr_search *as = arg;
    size_t len;
    const void *attrs = nl_msg_attrs(h, sizeof(struct ifaddrmsg), &len);
    if (h->nlmsg_type != RTM_NEWADDR || !attrs)
        return 0;
    const struct ifaddrmsg *ifa = NLMSG_DATA(h);
    if (ifa->ifa_family != as->want->family)
        return 0;
    size_t alen = (size_t)addr_len(ifa->ifa_family);
    const uint16_t kinds[] = {IFA_LOCAL, IFA_ADDRESS};
    for (int i = 0; i < 2; i++) {
        const struct nlattr *a = nl_attr_find(attrs, len, kinds[i]);
        if (a && nl_attr_len(a) == alen && memcmp(nl_attr_data(a), as->want->bytes, alen) == 0)
            as->index = (int)ifa->ifa_index;
    }
    return 0;
}

static int on_link_name(const struct nlmsghdr *h, void *arg)
{
    char *name = arg;
    size_t len;
    const void *attrs = nl_msg_attrs(h, sizeof(struct ifinfomsg), &len);
    const struct nlattr *a = attrs ? nl_attr_find(attrs, len, IFLA_IFNAME) : NULL;
    if (h->nlmsg_type == RTM_NEWLINK && a)
        snprintf(name, IFNAME_MAX + 1, "%.*s", (int)nl_attr_len(a), (const char *)nl_attr_data(a));
    return 0;
}

int net_addr_find(struct nl_sock *s, const struct ip_addr *a, char name[IFNAME_MAX + 1])
{
    char buf[MSG_BUF] __attribute__((aligned(4)));
    struct nlmsg m;
    nlmsg_init(&m, buf, sizeof buf, RTM_GETADDR, NLM_F_DUMP);
    struct ifaddrmsg *ifa = nlmsg_put_extra(&m, sizeof *ifa);
    ifa->ifa_family = (uint8_t)a->family;
    struct addr_search as = {a, 0};
    int r = nl_talk(s, &m, on_addr, &as);
    if (r < 0)
        return err_set(-r, "list addresses");
    if (!as.index)
        return 0;
    snprintf(name, IFNAME_MAX + 1, "#%d", as.index);
    struct ifinfomsg *ifi = link_msg(&m, buf, RTM_GETLINK, 0);
    ifi->ifi_index = as.index;
    nl_talk(s, &m, on_link_name, name);
    return 1;
}

/* ---- --net veth ---- */

void net_veth_default_name(const char *name, char out[IFNAME_MAX + 1])
{
    if (strncmp(name, "hutch-", 6) == 0)
        snprintf(out, IFNAME_MAX + 1, "%.15s", name);
    else
        snprintf(out, IFNAME_MAX + 1, "hutch-%.9s", name);
}

int net_veth_check(const struct veth_opts *v, const char *host_name)
{
    struct nl_sock s;
    int r = nl_open(&s);
    if (r < 0)
        return r;
    if (net_link_index(&s, host_name, NULL) > 0) {
        r = err_setx(EEXIST, "veth %s: name already in use (choose another with --veth)",
                     host_name);
        goto out;
    }
    if (v->bridge) {
        bool is_bridge = false;
        int index = net_link_index(&s, v->bridge, &is_bridge);
        if (index < 0) {
            r = err_setx(ENODEV, "bridge %s: no such device (create it first: ip link add %s "
                                 "type bridge)", v->bridge, v->bridge);
            goto out;
        }
        if (!is_bridge) {
            r = err_setx(EINVAL, "bridge %s: not a bridge", v->bridge);
            goto out;
        }
    }
    for (int i = 0; i < 2; i++) {
        const struct ip_addr *addrs[] = {&v->ip[i], &v->host_ip[i]};
        for (int k = 0; k < 2; k++) {
            char on[IFNAME_MAX + 1], text[ADDR_STRLEN];
            if (!addrs[k]->family)
                continue;
            r = net_addr_find(&s, addrs[k], on);
            if (r < 0)
                goto out;
            if (r > 0) {
                struct ip_addr bare = *addrs[k];
                bare.prefix = -1;
                r = err_setx(EADDRINUSE, "address %s already in use on %s (choose another %s)",
                             addr_format(&bare, text), on, k ? "--host-ip" : "--ip");
                goto out;
            }
        }
    }
    r = 0;
out:
    nl_close(&s);
    return r;
}

int net_veth_host(const struct veth_opts *v, const char *host_name, pid_t pid)
{
    struct nl_sock s;
    int r = nl_open(&s);
    if (r < 0)
        return r;
    r = net_veth_create(&s, host_name, "eth0", pid, v->mtu);
    if (r < 0)
        goto out;
    if (v->bridge) {
        int index = net_link_index(&s, v->bridge, NULL);
        r = index < 0 ? err_set(-index, "bridge %s", v->bridge)
                      : net_link_set_master(&s, host_name, v->bridge, index);
    }
    for (int i = 0; r == 0 && i < 2; i++)
        if (v->host_ip[i].family)
            r = net_addr_add(&s, host_name, &v->host_ip[i]);
    if (r == 0)
        r = net_link_up(&s, host_name);
    if (r < 0)
        net_link_delete(&s, host_name); /* all or nothing */
out:
    nl_close(&s);
    return r;
}

void net_veth_release(const char *host_name)
{
    struct nl_sock s;
    if (nl_open(&s) < 0)
        return;
    net_link_delete(&s, host_name); /* -ENODEV: gone with the container's namespace already */
    nl_close(&s);
}

int net_setup_inside(const struct run_opts *o)
{
    if (o->net == NET_HOST)
        return 0;
    struct nl_sock s;
    int r = nl_open(&s);
    if (r < 0)
        return r;
    r = net_link_up(&s, "lo");
    if (r == 0 && o->net == NET_VETH) {
        const struct veth_opts *v = &o->veth;
        for (int i = 0; r == 0 && i < 2; i++)
            if (v->ip[i].family)
                r = net_addr_add(&s, "eth0", &v->ip[i]);
        if (r == 0)
            r = net_link_up(&s, "eth0");
        for (int i = 0; r == 0 && i < 2; i++) {
            const struct ip_addr *via = v->gateway[i].family ? &v->gateway[i] : &v->host_ip[i];
            if (v->ip[i].family && via->family) {
                struct ip_addr gw = *via;
                gw.prefix = -1;
                r = net_route_add_default(&s, "eth0", &gw);
            }
        }
    }
    nl_close(&s);
    return r;
}
