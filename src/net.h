/* net: links, addresses and routes, built on the netlink layer. */
#ifndef HUTCH_NET_H
#define HUTCH_NET_H

#include <stdbool.h>

#include "netlink.h"

/* Bring up the link NAME in the current network namespace. */
int net_link_up(struct nl_sock *s, const char *name);

#endif
