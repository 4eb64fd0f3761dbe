#include "caps.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "err.h"

static const char *const names[] = {
    "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
    "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
    "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
    "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
    "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
    "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
};
#define N_NAMES ((int)(sizeof names / sizeof names[0]))

int caps_from_name(const char *name)
{
    if (strncasecmp(name, "CAP_", 4) == 0)
        name += 4;
    if (strcasecmp(name, "ALL") == 0)
        return CAPS_NAME_ALL;
    for (int i = 0; i < N_NAMES; i++)
        if (strcasecmp(name, names[i]) == 0)
            return i;
    return -1;
}

const char *caps_name(int cap)
{
    return cap >= 0 && cap < N_NAMES ? names[cap] : NULL;
}

/* The highest capability this kernel knows. */
static int last_cap(void)
{
    char buf[16] = "";
    int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, buf, sizeof buf - 1);
        buf[n > 0 ? n : 0] = '\0';
        close(fd);
    }
    return isdigit((unsigned char)buf[0]) ? atoi(buf) : N_NAMES - 1;
}

uint64_t caps_own(void)
{
    uint64_t own = 0;
    int last = last_cap();
    for (int cap = 0; cap <= last && cap < 64; cap++)
        if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
            own |= CAPS_BIT(cap);
    return own;
}

int caps_apply(uint64_t keep)
{
    int last = last_cap();
    if (last < 63)
        keep &= CAPS_BIT(last + 1) - 1; /* what this kernel does not know cannot be kept */
    uint64_t lacking = keep & ~caps_own();
    for (int cap = 0; lacking && cap < 64; cap++) {
        const char *name = caps_name(cap) ? caps_name(cap) : "?";
        if (lacking & CAPS_BIT(cap))
            return err_setx(EPERM, "capability %s: hutch itself does not have it (not in its "
                                   "bounding set); leave out --cap-add %s", name, name);
    }
    for (int cap = 0; cap <= last && cap < 64; cap++)
        if (!(keep & CAPS_BIT(cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
            return err_set(errno, "drop capability %s from the bounding set",
                           caps_name(cap) ? caps_name(cap) : "?");
    struct __user_cap_header_struct head = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    for (int i = 0; i < 2; i++)
        data[i].effective = data[i].permitted = (uint32_t)(keep >> (32 * i));
    if (syscall(SYS_capset, &head, data) < 0)
        return err_set(errno, "capset");
    /* Kernels before 4.3 have no ambient set. */
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        return err_set(errno, "clear the ambient capabilities");
    return 0;
}

int caps_drop_bounding(uint64_t bounding)
{
    int last = last_cap();
    for (int cap = 0; cap <= last && cap < 64; cap++)
        if (!(bounding & CAPS_BIT(cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 &&
            errno != EINVAL)
            return err_set(errno, "drop capability %s from the bounding set",
                           caps_name(cap) ? caps_name(cap) : "?");
    return 0;
}

int caps_set(uint64_t effective, uint64_t permitted, uint64_t inheritable, uint64_t ambient)
{
    int last = last_cap();
    uint64_t known = last < 63 ? CAPS_BIT(last + 1) - 1 : ~UINT64_C(0);
    struct __user_cap_header_struct head = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    for (int i = 0; i < 2; i++) {
        data[i].effective = (uint32_t)((effective & known) >> (32 * i));
        data[i].permitted = (uint32_t)((permitted & known) >> (32 * i));
        data[i].inheritable = (uint32_t)((inheritable & known) >> (32 * i));
    }
    if (syscall(SYS_capset, &head, data) < 0)
        return err_set(errno, "capset (process.capabilities)");
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        return err_set(errno, "clear the ambient capabilities");
    /* An ambient capability needs to be permitted and inheritable; one that is not stays
     * out (as runc, which only warns): the sets as given are what the process has. */
    ambient &= permitted & inheritable & known;
    for (int cap = 0; cap <= last && cap < 64; cap++)
        if ((ambient & CAPS_BIT(cap)) &&
            prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0 && errno != EINVAL)
            return err_set(errno, "raise ambient capability %s", caps_name(cap) ? caps_name(cap) : "?");
    return 0;
}
