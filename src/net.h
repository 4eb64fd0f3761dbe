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
/* Before anything is made: the bridge exists, the names and addresses are free. */
int net_veth_check(const struct veth_opts *v, const char *host_name);
/* The host's half, in hutch's namespace: the pair (eth0 in the namespace of PID), the host end's
 * address or bridge, up. All or nothing: on failure nothing is left. */
int net_veth_host(const struct veth_opts *v, const char *host_name, pid_t pid);
/* Delete the host end (its peer goes with it); gone already is fine. */
void net_veth_release(const char *host_name);
/* Inside the container's namespace: lo up; for veth also eth0's addresses, up, default routes. */
int net_setup_inside(const struct run_opts *o);

#endif
