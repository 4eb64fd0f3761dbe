/* userns: the container's user namespace: ID maps (parse, defaults) and writing them for the
 * child from the parent. */
#ifndef HUTCH_USERNS_H
#define HUTCH_USERNS_H

#include <stdbool.h>
#include <sys/types.h>

/* One line of /proc/PID/uid_map or gid_map: INSIDE maps to OUTSIDE, COUNT IDs. */
struct idmap {
    unsigned long inside, outside, count;
};

/* The unprivileged range that container root maps to by default, as run by root. */
#define USERNS_DEFAULT_BASE 100000UL
#define USERNS_DEFAULT_COUNT 65536UL

/* Pure: "INSIDE:OUTSIDE:COUNT". 0 or -EINVAL with a message naming WHAT. */
int userns_parse_map(const char *what, const char *spec, struct idmap *m);
/* Pure: the default maps for a caller with UID and GID: root maps 0 to the range above, anyone
 * else maps 0 to their own ID (the only map the kernel lets them write). */
void userns_default_maps(uid_t uid, gid_t gid, struct idmap *uidmap, struct idmap *gidmap);

/* From the parent: write PID's maps (and "deny" to setgroups first when not root). */
int userns_write_maps(pid_t pid, const struct idmap *uidmap, const struct idmap *gidmap);

/* In the child once the maps are there: become root of the namespace. */
int userns_become_root(void);

#endif
