/* Unit tests of the seccomp filter (run through a small classic-BPF interpreter), capability
 * names, and the cgroup helpers' pure parts. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/syscall.h>

#include "caps.h"
#include "cgroup.h"
#include "check.h"
#include "seccomp.h"

/* Just the instructions hutch's builder emits: LD W ABS, JEQ/JGE/JSET K, RET K. */
static uint32_t run_filter(const struct sock_filter *p, int n, const struct seccomp_data *d)
{
    uint32_t a = 0;
    for (int pc = 0; pc < n; pc++) {
        const struct sock_filter *f = &p[pc];
        switch (f->code) {
        case BPF_LD | BPF_W | BPF_ABS:
            memcpy(&a, (const char *)d + f->k, 4);
            break;
        case BPF_JMP | BPF_JEQ | BPF_K:
            pc += a == f->k ? f->jt : f->jf;
            break;
        case BPF_JMP | BPF_JGE | BPF_K:
            pc += a >= f->k ? f->jt : f->jf;
            break;
        case BPF_JMP | BPF_JSET | BPF_K:
            pc += (a & f->k) ? f->jt : f->jf;
            break;
        case BPF_RET | BPF_K:
            return f->k;
        default:
            fprintf(stderr, "unexpected BPF code %#x at %d\n", f->code, pc);
            return 0xdead;
        }
    }
    return 0xdead; /* fell off the end */
}

static uint32_t verdict2(uint64_t caps, uint32_t arch, int nr, uint64_t arg0, uint64_t arg1)
{
    struct sock_filter prog[SECCOMP_MAX_INSNS];
    int n = seccomp_build(caps, prog, SECCOMP_MAX_INSNS);
    if (n <= 0)
        return 0xbad;
    struct seccomp_data d;
    memset(&d, 0, sizeof d);
    d.nr = nr;
    d.arch = arch;
    d.args[0] = arg0;
    d.args[1] = arg1;
    return run_filter(prog, n, &d);
}

static uint32_t verdict(uint64_t caps, uint32_t arch, int nr, uint64_t arg0)
{
    return verdict2(caps, arch, nr, arg0, 0);
}

/* The filter of the architecture this test is built for (the Makefile builds it for each board
 * and runs it under qemu-user). */
#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#define OTHER_ARCH AUDIT_ARCH_I386
#define RULES 57
#define ALWAYS 15
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#define OTHER_ARCH AUDIT_ARCH_ARM
#define RULES 48
#define ALWAYS 8
#elif defined(__arm__)
#define ARCH AUDIT_ARCH_ARM
#define OTHER_ARCH AUDIT_ARCH_AARCH64
#define RULES 54
#define ALWAYS 12
#endif
#define EPERM_RET (SECCOMP_RET_ERRNO | EPERM)

static void test_default_filter(void)
{
    uint64_t c = CAPS_DEFAULT;
    CHECK_EQ_INT(verdict(c, ARCH, SYS_read, 0), SECCOMP_RET_ALLOW);
    CHECK_EQ_INT(verdict(c, ARCH, SYS_execve, 0), SECCOMP_RET_ALLOW);
    CHECK_EQ_INT(verdict(c, ARCH, SYS_mount, 0), EPERM_RET);
    CHECK_EQ_INT(verdict(c, ARCH, SYS_umount2, 0), EPERM_RET);
    CHECK_EQ_INT(verdict(c, ARCH, SYS_pivot_root, 0), EPERM_RET);
    CHECK_EQ_INT(verdict(c, ARCH, SYS_unshare, 0), EPERM_RET);
    CHECK_EQ_INT(verdict(c, ARCH, SYS_setns, 0), EPERM_RET);
    CHECK_EQ_INT(verdict(c, ARCH, SYS_kexec_load, 0), EPERM_RET);
    CHECK_EQ_INT(verdict(c, ARCH, SYS_init_module, 0), EPERM_RET);
    CHECK_EQ_INT(verdict(c, ARCH, SYS_finit_module, 0), EPERM_RET);
    CHECK_EQ_INT(verdict(c, ARCH, SYS_open_by_handle_at, 0), EPERM_RET);
    CHECK_EQ_INT(verdict(c, ARCH, SYS_bpf, 0), EPERM_RET);
    CHECK_EQ_INT(verdict(c, ARCH, SYS_keyctl, 0), EPERM_RET);
    CHECK_EQ_INT(verdict(c, ARCH, SYS_reboot, 0), EPERM_RET);
    CHECK_EQ_INT(verdict(c, ARCH, SYS_ptrace, 0), EPERM_RET);
    CHECK_EQ_INT(verdict(c, ARCH, SYS_userfaultfd, 0), EPERM_RET);
    /* clone: plain (fork, threads) allowed, with namespace flags refused; clone3 falls back */
    CHECK_EQ_INT(verdict(c, ARCH, SYS_clone, 0x11 /* SIGCHLD */), SECCOMP_RET_ALLOW);
    CHECK_EQ_INT(verdict(c, ARCH, SYS_clone, 0x10000000 /* CLONE_NEWUSER */), EPERM_RET);
    CHECK_EQ_INT(verdict(c, ARCH, SYS_clone, 0x00020000 /* CLONE_NEWNS */), EPERM_RET);
    CHECK_EQ_INT(verdict(c, ARCH, 435 /* clone3 */, 0), SECCOMP_RET_ERRNO | ENOSYS);
}

static void test_foreign_abis(void)
{
    CHECK_EQ_INT(verdict(CAPS_DEFAULT, OTHER_ARCH, SYS_read, 0), SECCOMP_RET_KILL_PROCESS);
    CHECK_EQ_INT(verdict(CAPS_ALL_KNOWN, OTHER_ARCH, SYS_read, 0), SECCOMP_RET_KILL_PROCESS);
#ifdef __x86_64__
    CHECK_EQ_INT(verdict(CAPS_DEFAULT, ARCH, 0x40000000 | SYS_read, 0), SECCOMP_RET_KILL_PROCESS);
    CHECK_EQ_INT(verdict(CAPS_ALL_KNOWN, ARCH, 0x40000000 | SYS_mount, 0), SECCOMP_RET_KILL_PROCESS);
#endif
}

/* Every rule of the table, each way: refused by default (no rule's capability is in Docker's
 * set), allowed with its capability kept, refused with every capability when it is "always". */
struct rule_counts {
    int rules, always;
};
static void check_rule(const char *name, int nr, int cap, void *arg)
{
    struct rule_counts *c = arg;
    c->rules++;
    uint32_t def = verdict(CAPS_DEFAULT, ARCH, nr, 0);
    uint32_t all = verdict(CAPS_ALL_KNOWN, ARCH, nr, 0);
    uint32_t with = cap < 0 ? all : verdict(CAPS_DEFAULT | CAPS_BIT(cap), ARCH, nr, 0);
    if (def != EPERM_RET || with != (cap < 0 ? EPERM_RET : SECCOMP_RET_ALLOW) ||
        all != (cap < 0 ? EPERM_RET : SECCOMP_RET_ALLOW)) {
        check_failed++;
        fprintf(stderr, "rule %s (%d, cap %d): default %#x, with its cap %#x, all caps %#x\n", name,
                nr, cap, def, with, all);
    } else {
        check_passed++;
    }
    c->always += cap < 0;
}

static void test_every_rule(void)
{
    struct rule_counts c = {0, 0};
    seccomp_each_rule(check_rule, &c);
    /* the whole table on each architecture: a call it lacks (x86_64's iopl, uselib, ...) is the
     * only reason for a rule to be missing */
    CHECK_EQ_INT(c.rules, RULES);
    CHECK_EQ_INT(c.always, ALWAYS);
    /* a call in no rule is allowed */
    CHECK_EQ_INT(verdict(CAPS_DEFAULT, ARCH, SYS_getpid, 0), SECCOMP_RET_ALLOW);
    CHECK_EQ_INT(verdict(CAPS_DEFAULT, ARCH, SYS_openat, 0), SECCOMP_RET_ALLOW);
}

static void test_capabilities_open_calls(void)
{
    uint64_t admin = CAPS_DEFAULT | CAPS_BIT(21);
    CHECK_EQ_INT(verdict(admin, ARCH, SYS_mount, 0), SECCOMP_RET_ALLOW);
    CHECK_EQ_INT(verdict(admin, ARCH, SYS_unshare, 0), SECCOMP_RET_ALLOW);
    CHECK_EQ_INT(verdict(admin, ARCH, SYS_clone, 0x10000000), SECCOMP_RET_ALLOW);
    CHECK_EQ_INT(verdict(admin, ARCH, SYS_init_module, 0), EPERM_RET); /* needs SYS_MODULE */
    CHECK_EQ_INT(verdict(CAPS_DEFAULT | CAPS_BIT(16), ARCH, SYS_init_module, 0), SECCOMP_RET_ALLOW);
    CHECK_EQ_INT(verdict(CAPS_DEFAULT | CAPS_BIT(19), ARCH, SYS_ptrace, 0), SECCOMP_RET_ALLOW);
    CHECK_EQ_INT(verdict(CAPS_DEFAULT | CAPS_BIT(22), ARCH, SYS_reboot, 0), SECCOMP_RET_ALLOW);
    /* keys stay closed whatever is kept */
    CHECK_EQ_INT(verdict(CAPS_ALL_KNOWN, ARCH, SYS_keyctl, 0), EPERM_RET);
    CHECK_EQ_INT(verdict(CAPS_ALL_KNOWN, ARCH, SYS_add_key, 0), EPERM_RET);
}

static void test_argument_rules(void)
{
    uint64_t all = CAPS_ALL_KNOWN;
    /* io_uring: refused whatever is kept */
    for (int nr = 425; nr <= 427; nr++) {
        CHECK_EQ_INT(verdict(CAPS_DEFAULT, ARCH, nr, 0), EPERM_RET);
        CHECK_EQ_INT(verdict(all, ARCH, nr, 0), EPERM_RET);
    }
    /* syslog: only with CAP_SYSLOG, not with CAP_SYS_ADMIN (which the kernel takes for it) */
    CHECK_EQ_INT(verdict(CAPS_DEFAULT, ARCH, SYS_syslog, 10), EPERM_RET);
    CHECK_EQ_INT(verdict(CAPS_DEFAULT | CAPS_BIT(21), ARCH, SYS_syslog, 10), EPERM_RET);
    CHECK_EQ_INT(verdict(CAPS_DEFAULT | CAPS_BIT(34), ARCH, SYS_syslog, 10), SECCOMP_RET_ALLOW);
    /* personality: Docker's values; the kernel reads 32 bits, so do the rules */
    const uint64_t allowed[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff, 0x100000008ULL};
    for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++)
        CHECK_EQ_INT(verdict(CAPS_DEFAULT, ARCH, SYS_personality, allowed[i]), SECCOMP_RET_ALLOW);
    CHECK_EQ_INT(verdict(CAPS_DEFAULT, ARCH, SYS_personality, 0x0040000), EPERM_RET);
    CHECK_EQ_INT(verdict(all, ARCH, SYS_personality, 0x0040000), EPERM_RET);
    CHECK_EQ_INT(verdict(CAPS_DEFAULT, ARCH, SYS_personality, 0x9), EPERM_RET);
    /* ioctl: TIOCSTI and TIOCLINUX refused whatever is kept, the rest allowed */
    CHECK_EQ_INT(verdict2(CAPS_DEFAULT, ARCH, SYS_ioctl, 0, 0x5412), EPERM_RET);
    CHECK_EQ_INT(verdict2(all, ARCH, SYS_ioctl, 0, 0x5412), EPERM_RET);
    CHECK_EQ_INT(verdict2(all, ARCH, SYS_ioctl, 7, 0x541C), EPERM_RET);
    CHECK_EQ_INT(verdict2(CAPS_DEFAULT, ARCH, SYS_ioctl, 0, 0x100005412ULL), EPERM_RET);
    CHECK_EQ_INT(verdict2(CAPS_DEFAULT, ARCH, SYS_ioctl, 0, 0x5401 /* TCGETS */), SECCOMP_RET_ALLOW);
    CHECK_EQ_INT(verdict2(CAPS_DEFAULT, ARCH, SYS_ioctl, 0x5412, 0x5413 /* TIOCGWINSZ */),
                 SECCOMP_RET_ALLOW);
    /* the rules after them still see the call's number */
    CHECK_EQ_INT(verdict(CAPS_DEFAULT, ARCH, SYS_clone, 0x10000000), EPERM_RET);
    CHECK_EQ_INT(verdict(CAPS_DEFAULT, ARCH, SYS_write, 0x5412), SECCOMP_RET_ALLOW);
}

static void test_cap_names(void)
{
    CHECK_EQ_INT(caps_from_name("NET_ADMIN"), 12);
    CHECK_EQ_INT(caps_from_name("cap_net_admin"), 12);
    CHECK_EQ_INT(caps_from_name("Sys_Admin"), 21);
    CHECK_EQ_INT(caps_from_name("all"), CAPS_NAME_ALL);
    CHECK_EQ_INT(caps_from_name("NET_FOO"), -1);
    CHECK_EQ_STR(caps_name(40), "CHECKPOINT_RESTORE");
    CHECK(caps_name(41) == NULL);
    /* Docker's default set, as /proc/PID/status shows it there */
    uint64_t docker = 0;
    const char *set[] = {"CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID",
                         "SETUID", "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL",
                         "AUDIT_WRITE"};
    for (size_t i = 0; i < sizeof set / sizeof *set; i++)
        docker |= CAPS_BIT(caps_from_name(set[i]));
    CHECK_EQ_INT(docker, CAPS_DEFAULT);
}

static void test_cgroup_mounts(void)
{
    struct cgroup_layout l;
    cgroup_parse_mounts("proc /proc proc rw 0 0\n"
                        "cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,relatime,cpu,cpuacct 0 0\n"
                        "cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n"
                        "cgroup /sys/fs/cgroup/systemd cgroup rw,name=systemd 0 0\n"
                        "cgroup /sys/fs/cgroup/devices cgroup rw,devices 0 0\n"
                        "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,nsdelegate 0 0\n",
                        &l);
    CHECK_EQ_STR(l.v1[4], "/sys/fs/cgroup/devices");
    CHECK_EQ_STR(l.v2, "/sys/fs/cgroup/unified");
    CHECK_EQ_STR(l.v1[0], "/sys/fs/cgroup/memory");
    CHECK_EQ_STR(l.v1[1], "");
    CHECK_EQ_STR(l.v1[2], "/sys/fs/cgroup/cpu,cpuacct");
    CHECK_EQ_STR(l.v1[3], "");
    cgroup_parse_mounts("cgroup2 /sys/fs/cgroup cgroup2 rw 0 0", &l);
    CHECK_EQ_STR(l.v2, "/sys/fs/cgroup");
    CHECK_EQ_STR(l.v1[0], "");
}

static void test_cpuset_lists(void)
{
    CHECK(cgroup_valid_cpuset("0"));
    CHECK(cgroup_valid_cpuset("0-3"));
    CHECK(cgroup_valid_cpuset("0-1,3,5-7"));
    CHECK(!cgroup_valid_cpuset(""));
    CHECK(!cgroup_valid_cpuset("3-1"));
    CHECK(!cgroup_valid_cpuset("0,"));
    CHECK(!cgroup_valid_cpuset("a"));
    CHECK(!cgroup_valid_cpuset("1-"));
    CHECK(!cgroup_valid_cpuset("-1"));
}

int main(void)
{
    test_default_filter();
    test_foreign_abis();
    test_capabilities_open_calls();
    test_argument_rules();
    test_every_rule();
    test_cap_names();
    test_cgroup_mounts();
    test_cpuset_lists();
    return check_summary("test_security");
}
