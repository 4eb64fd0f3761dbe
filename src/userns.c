#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "sys.h"

int userns_parse_map(const char *what, const char *spec, struct idmap *m)
{
    unsigned long long v[3]; /* 64 bits on every board */
    const char *p = spec;
    for (int i = 0; i < 3; i++) {
        char *end;
        if (*p < '0' || *p > '9')
            return err_setx(EINVAL, "%s '%s': expected INSIDE:OUTSIDE:COUNT, e.g. 0:100000:65536",
                            what, spec);
        errno = 0;
        v[i] = strtoull(p, &end, 10);
        if (errno || *end != (i < 2 ? ':' : '\0'))
            return err_setx(EINVAL, "%s '%s': expected INSIDE:OUTSIDE:COUNT, e.g. 0:100000:65536",
                            what, spec);
        p = end + 1;
    }
    /* Each value 32 bits (the kernel reads them so), the sums in 64 bits (on a 32-bit board
     * they would wrap). */
    if (v[2] == 0 || v[0] > 4294967295ULL || v[1] > 4294967295ULL || v[2] > 4294967295ULL ||
        v[0] + v[2] > 4294967295ULL || v[1] + v[2] > 4294967295ULL)
        return err_setx(EINVAL, "%s '%s': COUNT must be at least 1 and the ranges below 2^32",
                        what, spec);
    m->inside = (unsigned long)v[0];
    m->outside = (unsigned long)v[1];
    m->count = (unsigned long)v[2];
    return 0;
}

void userns_default_maps(uid_t uid, gid_t gid, struct idmap *uidmap, struct idmap *gidmap)
{
    if (uid == 0) {
        *uidmap = (struct idmap){0, USERNS_DEFAULT_BASE, USERNS_DEFAULT_COUNT};
        *gidmap = (struct idmap){0, USERNS_DEFAULT_BASE, USERNS_DEFAULT_COUNT};
    } else {
        *uidmap = (struct idmap){0, uid, 1};
        *gidmap = (struct idmap){0, gid, 1};
    }
}

static int write_file(pid_t pid, const char *file, const char *text)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
    return sys_write_text(AT_FDCWD, path, text);
}

int userns_write_maps(pid_t pid, const struct idmap *uidmap, const struct idmap *gidmap)
{
    char line[80];
    int r;
    /* Without root, the kernel takes a gid_map only after setgroups is denied for good. */
    if (geteuid() != 0 && (r = write_file(pid, "setgroups", "deny")) < 0 && r != -ENOENT)
        return err_set(-r, "user namespace: deny setgroups");
    snprintf(line, sizeof line, "%lu %lu %lu\n", uidmap->inside, uidmap->outside, uidmap->count);
    if ((r = write_file(pid, "uid_map", line)) < 0)
        return err_set(-r, "user namespace: uid map %lu:%lu:%lu%s", uidmap->inside,
                       uidmap->outside, uidmap->count,
                       geteuid() ? " (without root only 0:YOUR-UID:1 is allowed)" : "");
    snprintf(line, sizeof line, "%lu %lu %lu\n", gidmap->inside, gidmap->outside, gidmap->count);
    if ((r = write_file(pid, "gid_map", line)) < 0)
        return err_set(-r, "user namespace: gid map %lu:%lu:%lu%s", gidmap->inside,
                       gidmap->outside, gidmap->count,
                       getegid() ? " (without root only 0:YOUR-GID:1 is allowed)" : "");
    return 0;
}

int userns_become_root(void)
{
    if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
        return err_set(errno, "user namespace: become root inside (is 0 mapped?)");
    if (setgroups(0, NULL) < 0 && errno != EPERM)
        return err_set(errno, "user namespace: setgroups");
    return 0;
}
