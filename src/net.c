#include "net.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>

#include "err.h"

int net_link_up(struct nl_sock *s, const char *name)
{
    char buf[256];
    struct nlmsg m;
    nlmsg_init(&m, buf, sizeof buf, RTM_NEWLINK, 0);
    struct ifinfomsg *ifi = nlmsg_put_extra(&m, sizeof *ifi);
    if (!ifi)
        return err_setx(EMSGSIZE, "link %s: netlink message too long", name);
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_flags = IFF_UP;
    ifi->ifi_change = IFF_UP;
    nlmsg_put_str(&m, IFLA_IFNAME, name);
    int r = nl_talk(s, &m, NULL, NULL);
    if (r < 0)
        return err_set(-r, "bring up %s", name);
    return 0;
}
