#include "net.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <string.h>

#include "err.h"
#include "sys.h"

#define MSG_BUF 1024

static struct ifinfomsg *link_msg(struct nlmsg *m, void *buf, uint16_t type, uint16_t flags)
{
    nlmsg_init(m, buf, MSG_BUF, type, flags);
    struct ifinfomsg *ifi = nlmsg_put_extra(m, sizeof *ifi);
    ifi->ifi_family = AF_UNSPEC;
    return ifi;
}

/* Up, and named ALIAS when given (the kernel takes an alias on a change, not at creation). */
static int link_up_as(struct nl_sock *s, const char *name, const char *alias)
{
    char buf[MSG_BUF] __attribute__((aligned(4)));
    struct nlmsg m;
    struct ifinfomsg *ifi = link_msg(&m, buf, RTM_NEWLINK, 0);
    ifi->ifi_flags = IFF_UP;
    ifi->ifi_change = IFF_UP;
    nlmsg_put_str(&m, IFLA_IFNAME, name);
    if (alias)
        nlmsg_put_str(&m, IFLA_IFALIAS, alias);
    int r = nl_talk(s, &m, NULL, NULL);
    if (r < 0)
        return err_set(-r, "bring up %s", name);
    return 0;
}

int net_link_up(struct nl_sock *s, const char *name)
{
    return link_up_as(s, name, NULL);
}

struct link_info {
    int index;
    bool is_bridge;
    unsigned flags;                 /* IFF_UP, IFF_LOOPBACK, ... */
    char alias[NET_ALIAS_MAX + 1];    /* IFLA_IFALIAS, or "" */
    char kind[16];                  /* IFLA_INFO_KIND, or "" (a device, not a virtual link) */
};

static int on_link(const struct nlmsghdr *h, void *arg)
{
    struct link_info *li = arg;
    size_t len;
    const void *attrs = nl_msg_attrs(h, sizeof(struct ifinfomsg), &len);
    if (h->nlmsg_type != RTM_NEWLINK || !attrs)
        return 0;
    const struct ifinfomsg *ifi = NLMSG_DATA(h);
    li->index = ifi->ifi_index;
    li->flags = ifi->ifi_flags;
    const struct nlattr *info = nl_attr_find(attrs, len, IFLA_LINKINFO);
    const struct nlattr *kind = info ? nl_attr_find(nl_attr_data(info), nl_attr_len(info),
                                                    IFLA_INFO_KIND) : NULL;
    const struct nlattr *alias = nl_attr_find(attrs, len, IFLA_IFALIAS);
    /* Strings may come with or without their NUL: copy up to it. */
    if (kind)
        snprintf(li->kind, sizeof li->kind, "%.*s", (int)strnlen(nl_attr_data(kind),
                 nl_attr_len(kind)), (const char *)nl_attr_data(kind));
    if (alias)
        snprintf(li->alias, sizeof li->alias, "%.*s", (int)strnlen(nl_attr_data(alias),
                 nl_attr_len(alias)), (const char *)nl_attr_data(alias));
    li->is_bridge = strcmp(li->kind, "bridge") == 0;
    return 0;
}

/* What link NAME (or, NAME NULL, link INDEX) is: 0 with LI filled, -ENODEV, or < 0. */
static int link_get(struct nl_sock *s, const char *name, int index, struct link_info *li)
{
    char buf[MSG_BUF] __attribute__((aligned(4)));
    struct nlmsg m;
    struct ifinfomsg *ifi = link_msg(&m, buf, RTM_GETLINK, 0);
    if (name)
        nlmsg_put_str(&m, IFLA_IFNAME, name);
    else
        ifi->ifi_index = index;
    *li = (struct link_info){0};
    int r = nl_talk(s, &m, on_link, li);
    if (r < 0)
        return r;
    return li->index > 0 ? 0 : -ENODEV;
}

int net_link_index(struct nl_sock *s, const char *name, bool *is_bridge)
{
    struct link_info li;
    int r = link_get(s, name, 0, &li);
    if (r < 0)
        return r;
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

void net_veth_alias(const char *owner, char out[NET_ALIAS_MAX + 1])
{
    snprintf(out, NET_ALIAS_MAX + 1, "hutch:%s", owner);
}

/* HOST_NAME is in use. When it is the host end that an earlier run of the same container made
 * (its alias says so; the container's name is ours, so that run has ended), the kernel is still
 * taking its namespace down: wait for that, then take it away ourselves. */
static int veth_reclaim(struct nl_sock *s, const char *host_name, const char *owner)
{
    char alias[NET_ALIAS_MAX + 1];
    net_veth_alias(owner, alias);
    for (int waited = 0;; waited += 5) {
        struct link_info li;
        int r = link_get(s, host_name, 0, &li);
        if (r == -ENODEV)
            return 0;
        if (r < 0)
            return err_set(-r, "veth %s", host_name);
        if (strcmp(li.kind, "veth") != 0 || strcmp(li.alias, alias) != 0)
            return err_setx(EEXIST, "veth %s: name already in use (choose another with --veth)",
                            host_name);
        if (waited >= 1000) {
            r = net_link_delete(s, host_name);
            return r < 0 && r != -ENODEV ? err_set(-r, "remove the old veth %s", host_name) : 0;
        }
        sys_sleep_ms(5);
    }
}

/* Address A (when given) is on no link here. On the host end that an earlier run of the same
 * container OWNER left (its hutch was killed) it soon will not be: the kernel is taking that
 * end's namespace down; wait for that (2 s at most). */
static int addr_free(struct nl_sock *s, const struct ip_addr *a, const char *option,
                     const char *owner)
{
    char own[NET_ALIAS_MAX + 1];
    net_veth_alias(owner, own);
    if (!a->family)
        return 0;
    char on[IFNAME_MAX + 1], text[ADDR_STRLEN];
    struct ip_addr bare = *a;
    bare.prefix = -1;
    for (int waited = 0;; waited += 5) {
        int r = net_addr_find(s, a, on);
        if (r <= 0)
            return r;
        struct link_info li;
        if (waited >= 2000 || link_get(s, on, 0, &li) < 0 || strcmp(li.kind, "veth") != 0 ||
            strcmp(li.alias, own) != 0)
            return err_setx(EADDRINUSE, "address %s already in use on %s (choose another %s)",
                            addr_format(&bare, text), on, option);
        sys_sleep_ms(5);
    }
}

int net_veth_check(const struct veth_opts *v, const char *host_name, const char *owner)
{
    struct nl_sock s;
    int r = nl_open(&s);
    if (r < 0)
        return r;
    if ((r = veth_reclaim(&s, host_name, owner)) < 0)
        goto out;
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
    for (int i = 0; r == 0 && i < 2; i++) {
        r = addr_free(&s, &v->ip[i], "--ip", owner);
        if (r == 0)
            r = addr_free(&s, &v->host_ip[i], "--host-ip", owner);
    }
    if (r < 0)
        goto out;
    r = 0;
out:
    nl_close(&s);
    return r;
}

int net_veth_host(const struct veth_opts *v, const char *host_name, pid_t pid, const char *owner,
                  int *made)
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
    char alias[NET_ALIAS_MAX + 1];
    net_veth_alias(owner, alias);
    if (r == 0)
        r = link_up_as(&s, host_name, alias);
    struct link_info li;
    if (r == 0 && (r = link_get(&s, host_name, 0, &li)) < 0)
        r = err_set(-r, "veth %s", host_name);
    if (r == 0)
        *made = li.index;
    if (r < 0)
        net_link_delete(&s, host_name); /* all or nothing */
out:
    nl_close(&s);
    return r;
}

/* Deleting a link waits for RCU grace periods (about 20 ms); taking it down, its addresses off
 * and renaming it costs a fraction of a millisecond. So the host end is retired that way, its name
 * and addresses free at once for the next run, and the kernel deletes it with the container's
 * namespace (whose last process has ended). */
void net_veth_retire(const struct veth_opts *v, int index, const char *owner)
{
    struct nl_sock s;
    struct link_info li;
    char alias[NET_ALIAS_MAX + 1];
    net_veth_alias(owner, alias);
    if (nl_open(&s) < 0)
        return;
    /* By the index it was made with, and only while it is still ours: gone with the namespace
     * already (root inside may delete eth0, and another container take the name), let be. */
    if (link_get(&s, NULL, index, &li) < 0 || strcmp(li.kind, "veth") != 0 ||
        strcmp(li.alias, alias) != 0)
        goto out;
    char buf[MSG_BUF] __attribute__((aligned(4)));
    struct nlmsg m;
    struct ifinfomsg *ifi = link_msg(&m, buf, RTM_NEWLINK, 0);
    ifi->ifi_index = li.index;
    ifi->ifi_change = IFF_UP; /* down: no route through it any more */
    if (nl_talk(&s, &m, NULL, NULL) < 0)
        goto fallback;
    for (int i = 0; i < 2; i++) {
        if (!v->host_ip[i].family)
            continue;
        nlmsg_init(&m, buf, sizeof buf, RTM_DELADDR, 0);
        struct ifaddrmsg *ifa = nlmsg_put_extra(&m, sizeof *ifa);
        ifa->ifa_family = (uint8_t)v->host_ip[i].family;
        ifa->ifa_prefixlen = (uint8_t)v->host_ip[i].prefix;
        ifa->ifa_index = (uint32_t)li.index;
        nlmsg_put(&m, IFA_LOCAL, v->host_ip[i].bytes, (size_t)addr_len(v->host_ip[i].family));
        int r = nl_talk(&s, &m, NULL, NULL);
        if (r < 0 && r != -EADDRNOTAVAIL)
            goto fallback;
    }
    char husk[IFNAME_MAX + 1];
    /* No container name (nor so a default host end name) has a "+"; an index is unique here. */
    snprintf(husk, sizeof husk, "hutch+%x", (unsigned)li.index);
    ifi = link_msg(&m, buf, RTM_NEWLINK, 0);
    ifi->ifi_index = li.index;
    nlmsg_put_str(&m, IFLA_IFNAME, husk);
    if (nl_talk(&s, &m, NULL, NULL) == 0)
        goto out;
fallback:
    /* Whatever refused the cheap way: the slow one, so that nothing stays in the way. */
    ifi = link_msg(&m, buf, RTM_DELLINK, 0);
    ifi->ifi_index = li.index;
    nl_talk(&s, &m, NULL, NULL);
out:
    nl_close(&s);
}

/* ---- --net macvlan, ipvlan, dev: the board's own network ---- */

static const char *lan_kind(enum net_mode mode)
{
    return mode == NET_MACVLAN ? "macvlan" : mode == NET_IPVLAN ? "ipvlan" : "dev";
}

int net_lan_check(const struct run_opts *o, const char *owner, struct net_moved *dev)
{
    const struct veth_opts *v = &o->veth;
    struct nl_sock s;
    int r = nl_open(&s);
    if (r < 0)
        return r;
    struct link_info li;
    r = link_get(&s, v->parent, 0, &li);
    if (r == -ENODEV)
        r = err_setx(ENODEV, "--net %s:%s: no interface %s here (ip link lists them)",
                     lan_kind(o->net), v->parent, v->parent);
    else if (r < 0)
        r = err_set(-r, "--net %s:%s", lan_kind(o->net), v->parent);
    else if (li.flags & IFF_LOOPBACK)
        r = err_setx(EINVAL, "--net %s:%s: the loopback interface cannot be used",
                     lan_kind(o->net), v->parent);
    else if (o->net == NET_DEV && li.is_bridge)
        r = err_setx(EINVAL, "--net dev:%s: a bridge cannot be moved into a container (use "
                             "--net veth --bridge %s)", v->parent, v->parent);
    if (r == 0 && o->net == NET_DEV) {
        dev->index = li.index;
        dev->up = (li.flags & IFF_UP) != 0;
        snprintf(dev->kind, sizeof dev->kind, "%s", li.kind);
        snprintf(dev->name, sizeof dev->name, "%s", v->parent);
    }
    for (int i = 0; r == 0 && i < 2; i++)
        r = addr_free(&s, &v->ip[i], "--ip", owner);
    nl_close(&s);
    return r;
}

void net_build_lan(struct nlmsg *m, void *buf, size_t cap, enum net_mode mode, int parent,
                   int lan_mode, pid_t pid, unsigned mtu)
{
    nlmsg_init(m, buf, cap, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    struct ifinfomsg *ifi = nlmsg_put_extra(m, sizeof *ifi);
    if (ifi)
        ifi->ifi_family = AF_UNSPEC;
    nlmsg_put_str(m, IFLA_IFNAME, "eth0");
    nlmsg_put_u32(m, IFLA_LINK, (uint32_t)parent);
    nlmsg_put_u32(m, IFLA_NET_NS_PID, (uint32_t)pid);
    if (mtu)
        nlmsg_put_u32(m, IFLA_MTU, mtu);
    struct nlattr *linkinfo = nlmsg_nest_start(m, IFLA_LINKINFO);
    nlmsg_put_str(m, IFLA_INFO_KIND, lan_kind(mode));
    struct nlattr *data = nlmsg_nest_start(m, IFLA_INFO_DATA);
    if (mode == NET_MACVLAN) {
        nlmsg_put_u32(m, IFLA_MACVLAN_MODE, (uint32_t)lan_mode);
    } else {
        uint16_t v = (uint16_t)lan_mode;
        nlmsg_put(m, IFLA_IPVLAN_MODE, &v, sizeof v);
    }
    nlmsg_nest_end(m, data);
    nlmsg_nest_end(m, linkinfo);
}

/* Move link INDEX (in the namespace of S) to the namespace of PID (NS_FD < 0) or of NS_FD, named
 * NAME there. */
static int link_move(struct nl_sock *s, int index, pid_t pid, int ns_fd, const char *name)
{
    char buf[MSG_BUF] __attribute__((aligned(4)));
    struct nlmsg m;
    struct ifinfomsg *ifi = link_msg(&m, buf, RTM_NEWLINK, 0);
    ifi->ifi_index = index;
    if (ns_fd >= 0)
        nlmsg_put_u32(&m, IFLA_NET_NS_FD, (uint32_t)ns_fd);
    else
        nlmsg_put_u32(&m, IFLA_NET_NS_PID, (uint32_t)pid);
    if (name)
        nlmsg_put_str(&m, IFLA_IFNAME, name);
    return nl_talk(s, &m, NULL, NULL);
}

int net_lan_attach(const struct run_opts *o, pid_t pid, struct net_moved *dev)
{
    const struct veth_opts *v = &o->veth;
    struct nl_sock s;
    int r = nl_open(&s);
    if (r < 0)
        return r;
    if (o->net == NET_DEV) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
        /* Held until the interface is back: the namespace must outlive the container's
         * processes, or the kernel would hand the interface to the first namespace itself. */
        dev->ns_fd = open(path, O_RDONLY | O_CLOEXEC);
        dev->home_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        if (dev->ns_fd < 0 || dev->home_fd < 0)
            r = err_set(errno, "--net dev:%s: the network namespaces", dev->name);
        else if ((r = link_move(&s, dev->index, pid, -1, "eth0")) < 0)
            r = err_set(-r, "--net dev:%s: move it into the container%s%s", dev->name,
                        *s.why ? ": " : "", s.why);
        else
            dev->inside = true;
        goto out;
    }
    int parent = net_link_index(&s, v->parent, NULL);
    if (parent < 0) {
        r = err_setx(ENODEV, "--net %s:%s: no interface %s here", lan_kind(o->net), v->parent,
                     v->parent);
        goto out;
    }
    char buf[MSG_BUF] __attribute__((aligned(4)));
    struct nlmsg m;
    net_build_lan(&m, buf, sizeof buf, o->net, parent, v->lan_mode, pid, v->mtu);
    r = nl_talk(&s, &m, NULL, NULL);
    if (r == -EOPNOTSUPP)
        r = err_setx(EOPNOTSUPP, "--net %s: the kernel lacks %s (CONFIG_%s)", lan_kind(o->net),
                     lan_kind(o->net), o->net == NET_MACVLAN ? "MACVLAN" : "IPVLAN");
    else if (r == -EBUSY || r == -EEXIST)
        r = err_setx(-r, "--net %s:%s: the parent refused another link%s%s (passthru takes a "
                         "parent alone; ipvlan and macvlan do not mix on one parent)",
                     lan_kind(o->net), v->parent, *s.why ? ": " : "", s.why);
    else if (r < 0)
        r = err_set(-r, "--net %s:%s%s%s", lan_kind(o->net), v->parent, *s.why ? ": " : "",
                    s.why);
out:
    nl_close(&s);
    return r;
}

/* Bring the interface back from the container's namespace to ours, named as it was, and up
 * when it was. The container's processes are gone; its namespace lives on through NS_FD. */
static int dev_return(struct net_moved *dev)
{
    struct nl_sock s;
    int r;
    /* A socket of the container's namespace: join it for the socket() call only. */
    if (setns(dev->ns_fd, CLONE_NEWNET) < 0)
        return err_set(errno, "--net dev:%s: enter the container's network namespace", dev->name);
    r = nl_open(&s);
    if (setns(dev->home_fd, CLONE_NEWNET) < 0)
        abort(); /* our own namespace's fd: cannot fail; never go on in the container's */
    if (r < 0)
        return r;
    struct link_info li;
    r = link_get(&s, NULL, dev->index, &li);
    /* Root inside may have moved the interface away and made another link with its index: only
     * a link of the kind that went in comes back (no container can make a physical device). */
    if (r == 0 && strcmp(li.kind, dev->kind) != 0)
        r = -ENODEV;
    if (r == 0)
        r = link_move(&s, dev->index, 0, dev->home_fd, dev->name);
    if (r == -EEXIST) {
        /* Someone took the name meanwhile: back anyway, under a name the kernel picks. */
        r = link_move(&s, dev->index, 0, dev->home_fd, "dev%d");
        r = r < 0 ? err_set(-r, "--net dev:%s: bring it back from the container (its name is "
                                "taken here now)", dev->name)
                  : err_setx(EEXIST, "--net dev:%s: the name is taken here now: the interface "
                                     "came back as devN", dev->name);
    } else if (r == -ENODEV) {
        r = err_setx(ENODEV, "--net dev:%s: the interface was no longer in the container's "
                             "network namespace (moved away inside): the kernel returns it to "
                             "the first namespace", dev->name);
    } else if (r < 0) {
        r = err_set(-r, "--net dev:%s: bring it back from the container%s%s", dev->name,
                    *s.why ? ": " : "", s.why);
    }
    nl_close(&s);
    if (r == 0 && dev->up) {
        struct nl_sock h;
        if ((r = nl_open(&h)) == 0) {
            r = net_link_up(&h, dev->name);
            nl_close(&h);
        }
    }
    return r;
}

int net_lan_release(struct net_moved *dev)
{
    int r = 0;
    if (dev->inside) {
        r = dev_return(dev);
        dev->inside = false;
    }
    if (dev->ns_fd >= 0)
        close(dev->ns_fd);
    if (dev->home_fd >= 0)
        close(dev->home_fd);
    dev->ns_fd = dev->home_fd = -1;
    return r;
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
    if (r == 0 && o->net != NET_NONE) {
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
