/* devices: the device nodes a container may use. `--device HOST[:CONTAINER][:PERMS]` (Docker's
 * syntax) names a host node that appears in the container; the cgroup device policy is the
 * second wall behind the nodev mounts: v1 devices.deny / devices.allow lines, v2 an eBPF
 * program of type BPF_PROG_TYPE_CGROUP_DEVICE that hutch assembles itself, allowing the default
 * nodes, /dev/pts and the --device ones, and nothing else. Pure parts (parsing, the rules, the
 * v1 lines, the program) are apart from the side effects (writing, loading, attaching). */
#ifndef HUTCH_DEVICES_H
#define HUTCH_DEVICES_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>

enum { DEV_MKNOD = 1, DEV_READ = 2, DEV_WRITE = 4 }; /* as the kernel's BPF_DEVCG_ACC_* */
#define DEV_ALL (DEV_MKNOD | DEV_READ | DEV_WRITE)
#define DEV_ANY (-1) /* a wildcard major or minor */

/* `--device HOST[:CONTAINER][:PERMS]`: HOST and CONTAINER absolute paths (CONTAINER defaults to
 * HOST; no ".." component in it), PERMS a non-empty subset of "rwm" without repeats (default
 * rwm). The type and numbers come from the host's node, filled in later (devices_stat). */
struct device_spec {
    const char *host;      /* malloc'd */
    const char *path;      /* in the container, malloc'd */
    unsigned access;       /* DEV_* */
    char type;             /* 'c' or 'b', 0 until devices_stat */
    unsigned major, minor;
    /* A node a description makes itself (OCI linux.devices), not one of the host's: its mode
     * bits and owner. */
    bool made;
    unsigned mode;
    unsigned uid, gid;
};

/* Pure: parse SPEC into D. 0, or -EINVAL with a message recorded (err_setx) that quotes SPEC
 * and says what is expected; -ENOMEM. "HOST:X" takes X as PERMS when it has only the letters
 * r, w and m (as Docker), else as CONTAINER. On failure D is left zeroed. */
int devices_parse_spec(const char *spec, struct device_spec *d);
/* Free D's strings and zero it; safe on a zeroed struct. */
void devices_spec_free(struct device_spec *d);
/* stat the host node (following symlinks, as /dev/serial/by-id/...): fill TYPE, MAJOR and
 * MINOR for a character or block device, else -ENODEV/-ENOENT... with a message. */
int devices_stat(struct device_spec *d);

/* One rule of the policy: TYPE 'c', 'b' or 'a' (both), MAJOR and MINOR or DEV_ANY, ACCESS. */
struct device_rule {
    char type;
    int major, minor;
    unsigned access;
};

/* Pure: the rules for a container: mknod of any node (c *:* m, b *:* m, as Docker), rwm for
 * null 1:3, zero 1:5, full 1:7, random 1:8, urandom 1:9, tty 5:0, ptmx 5:2, the pseudo-terminals
 * 136:*, then one per --device (its type, numbers and PERMS). Returns the count written to OUT,
 * or -ENOSPC when MAX is short, -EINVAL when a --device was not through devices_stat. */
int devices_rules(const struct device_spec *devs, size_t n_devs, struct device_rule *out,
                  size_t max);

/* Pure: the v1 devices.allow line of R ("c 1:3 rwm", "c *:* m", "a *:* rwm"), no newline;
 * access letters in the order r, w, m. Returns the length, or -ENOSPC, or -EINVAL for a rule v1
 * cannot say: v1 reads "a" as every device with every access whatever follows, so type 'a' is
 * only accepted as "a *:* rwm". */
int devices_v1_line(const struct device_rule *r, char *buf, size_t len);

/* Pure: an eBPF BPF_PROG_TYPE_CGROUP_DEVICE program that returns 1 (allow) for a request
 * (struct bpf_cgroup_dev_ctx: access_type = access << 16 | type, major, minor) that some rule
 * allows whole (every access bit asked is in the rule's ACCESS), 0 otherwise. Returns the
 * number of instructions written to OUT (at most 8 + 6 per rule), or -ENOSPC, or -EINVAL for
 * a malformed rule (type not c/b/a, a negative number other than DEV_ANY). */
int devices_build_bpf(const struct device_rule *rules, size_t n, struct bpf_insn *out, size_t max);

/* Side effects. v1: write "a" to DIRFD's devices.deny, then each rule's line to devices.allow.
 * v2: load the program (bpf BPF_PROG_LOAD, license "GPL" not needed) and attach it to the
 * cgroup directory DIRFD (BPF_PROG_ATTACH, BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI), then close
 * the program's fd (it stays attached until the cgroup is removed). 0, or a negative errno
 * with a message recorded that names the kernel option where one is missing
 * (CONFIG_CGROUP_DEVICE for v1; CONFIG_CGROUP_BPF and CONFIG_BPF_SYSCALL for v2). A kernel
 * without cgroup device programs is an error for v2 only when REQUIRED (a --device limited to
 * less than rwm); else the nodev mounts are the one wall, and 0 is returned. */
int devices_apply_v1(int dirfd, const struct device_rule *rules, size_t n);
int devices_apply_v2(int dirfd, const struct device_rule *rules, size_t n, bool required);

#endif
