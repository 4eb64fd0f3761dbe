/* net: links, addresses and routes over rtnetlink, and the two halves of --net veth. */
#ifndef HUTCH_NET_H
#define HUTCH_NET_H

#include <stdbool.h>
#include <sys/types.h>

#include "addr.h"
#include "cli.h"
#include "netlink.h"

/* ---- single operations, each recording a message that names the object ---- */

int net_link_up(struct nl_sock *s, const char *name);
/* The index of link NAME (> 0), or -ENODEV (no message recorded). *IS_BRIDGE when asked. */
int net_link_index(struct nl_sock *s, const char *name, bool *is_bridge);
#define NET_ALIAS_MAX 79
/* Pure: the RTM_NEWLINK request for a veth pair (exposed for the unit tests). */
void net_build_veth(struct nlmsg *m, void *buf, size_t cap, const char *host, const char *peer,
                    pid_t peer_pid, unsigned mtu);
/* A veth pair: HOST here, PEER created straight in the network namespace of PEER_PID. */
int net_veth_create(struct nl_sock *s, const char *host, const char *peer, pid_t peer_pid,
                    unsigned mtu);
int net_link_delete(struct nl_sock *s, const char *name);
int net_link_set_master(struct nl_sock *s, const char *name, const char *master, int master_index);
int net_addr_add(struct nl_sock *s, const char *ifname, const struct ip_addr *a);
int net_route_add_default(struct nl_sock *s, const char *ifname, const struct ip_addr *gw);
/* Which link holds address A in this namespace: 1 with NAME filled, 0 when none, or < 0. */
int net_addr_find(struct nl_sock *s, const struct ip_addr *a, char name[IFNAME_MAX + 1]);

/* ---- --net veth ---- */

/* The default name of the host end for the container NAME (at most 15 bytes). */
void net_veth_default_name(const char *name, char out[IFNAME_MAX + 1]);
/* The host end's alias, "hutch:OWNER": which container made it. */
void net_veth_alias(const char *owner, char out[NET_ALIAS_MAX + 1]);
/* Before anything is made: the bridge exists, the names and addresses are free. A host end left
 * by an earlier run of the container OWNER (its namespace still being taken down by the kernel)
 * is waited for, then removed. */
int net_veth_check(const struct veth_opts *v, const char *host_name, const char *owner);
/* The host's half, in hutch's namespace: the pair (eth0 in the namespace of PID), the host end's
 * address or bridge, up, with the alias of its OWNER; *MADE is its index. All or nothing: on failure nothing is left.
 * The pair goes with the container's network namespace, when its last process ends. */
int net_veth_host(const struct veth_opts *v, const char *host_name, pid_t pid, const char *owner,
                  int *made);

/* Once the container's processes are gone: the host end (link INDEX, while it still has OWNER's
 * alias) down, without its addresses, renamed
 * hutch+INDEX, so that the next run may take its name and addresses at once; the kernel deletes
 * it with the namespace. Gone already is fine. */
void net_veth_retire(const struct veth_opts *v, int index, const char *owner);

/* ---- --net macvlan, ipvlan, dev ---- */

/* --net dev: the interface moved in, and what it was. */
struct net_moved {
    int index;
    char name[IFNAME_MAX + 1];
    char kind[16]; /* "" for a device, else what made it (veth, ...): checked on the way back */
    bool up;
    bool inside;   /* moved into the container: to bring back */
    int ns_fd;     /* the container's network namespace, held until then; or -1 */
    int home_fd;   /* hutch's own; or -1 */
};
#define NET_MOVED_INIT {.ns_fd = -1, .home_fd = -1}
/* Before anything is made: the parent (or the interface for dev) exists and can be used, the
 * addresses are free (one held by a host end the container OWNER left is waited for); for dev,
 * DEV records what the interface is. */
int net_lan_check(const struct run_opts *o, const char *owner, struct net_moved *dev);
/* Pure: the RTM_NEWLINK request for eth0, a macvlan or ipvlan link over link PARENT, made in
 * the network namespace of PID. */
void net_build_lan(struct nlmsg *m, void *buf, size_t cap, enum net_mode mode, int parent,
                   int lan_mode, pid_t pid, unsigned mtu);
/* eth0 in the namespace of PID: the new link over the parent, or the interface moved in (DEV).
 * A macvlan or ipvlan link goes with the namespace; the interface is brought back by
 * net_lan_release. */
int net_lan_attach(const struct run_opts *o, pid_t pid, struct net_moved *dev);
/* Once the container's processes are gone: the interface back here with its name and state;
 * the namespace let go. Safe to call more than once. */
int net_lan_release(struct net_moved *dev);
/* Inside the container's namespace: lo up; with a network also eth0's addresses, up, default
 * routes. */
int net_setup_inside(const struct run_opts *o);

#endif
