/* caps: Linux capabilities by name, and setting the container's sets with capset and prctl. */
#ifndef HUTCH_CAPS_H
#define HUTCH_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#define CAPS_BIT(c) (UINT64_C(1) << (c))
#define CAPS_ALL_KNOWN (CAPS_BIT(41) - 1) /* 0 .. CAP_CHECKPOINT_RESTORE (40) */
#define CAPS_NAME_ALL (-2)

/* The set that Docker grants by default: CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, SETGID,
 * SETUID, SETPCAP, NET_BIND_SERVICE, NET_RAW, SYS_CHROOT, MKNOD, AUDIT_WRITE, SETFCAP. */
#define CAPS_DEFAULT UINT64_C(0xa80425fb)

/* "NET_ADMIN", "CAP_NET_ADMIN" or "net_admin" to its number; CAPS_NAME_ALL for "ALL"; -1. */
int caps_from_name(const char *name);
/* "NET_ADMIN" for 12; NULL for unknown. */
const char *caps_name(int cap);

/* The capabilities in this process's bounding set: the most a container can keep. */
uint64_t caps_own(void);

/* Keep only KEEP (each must be in the bounding set, or the error names it): drop the rest from the bounding set, set permitted and effective to KEEP and
 * inheritable to nothing, clear the ambient set. 0 or a negative errno (recorded). */
int caps_apply(uint64_t keep);

/* The OCI way, five sets: drop what BOUNDING lacks from the bounding set (as root, before the
 * change of user), ... */
int caps_drop_bounding(uint64_t bounding);
/* ... then, after it (with PR_SET_KEEPCAPS), EFFECTIVE, PERMITTED, INHERITABLE and AMBIENT.
 * 0 or a negative errno (recorded). */
int caps_set(uint64_t effective, uint64_t permitted, uint64_t inheritable, uint64_t ambient);

#endif
