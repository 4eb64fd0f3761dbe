/* Unit tests of the device policy: --device parsing, the rules, the v1 lines, and the eBPF
 * program, run through a small eBPF interpreter (and, as root, through the kernel's verifier). */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"
#include "devices.h"
#include "err.h"

/* ---- a small eBPF interpreter ---------------------------------------------------------- */

#define BAD_PROGRAM 0xdeadu /* the interpreter's verdict for a program it refuses */
#define MAX_STEPS 100000

/* Run P on CTX. Only what the builder emits: ALU64/ALU32 MOV, AND, RSH, LSH (K and X), LDX W
 * from the context in R1, JMP JEQ, JNE, JSET (K and X), JA, EXIT. Anything else, a jump out of
 * the program, a register read before it is written, a write to R1 or R10, or a program that
 * does not reach EXIT within MAX_STEPS fails the check and gives BAD_PROGRAM. */
static uint32_t run_bpf(const struct bpf_insn *p, int n, const struct bpf_cgroup_dev_ctx *ctx)
{
    uint64_t reg[11] = {0};
    unsigned init = 1u << BPF_REG_1 | 1u << BPF_REG_10; /* as the kernel starts a program */
    int pc = 0;
    const char *why = NULL;
    for (int steps = 0; steps < MAX_STEPS; steps++) {
        if (pc < 0 || pc >= n) {
            why = "ran out of the program";
            break;
        }
        const struct bpf_insn *f = &p[pc++];
        uint8_t cls = BPF_CLASS(f->code), dst = f->dst_reg, src = f->src_reg;
        if (dst > 10 || src > 10) {
            why = "bad register";
            break;
        }
        if (cls == BPF_ALU || cls == BPF_ALU64) {
            uint8_t op = BPF_OP(f->code);
            bool x = BPF_SRC(f->code) == BPF_X;
            if (op != BPF_MOV && op != BPF_AND && op != BPF_RSH && op != BPF_LSH) {
                why = "unexpected ALU operation";
                break;
            }
            if (dst == BPF_REG_1 || dst == BPF_REG_10) {
                why = "write to R1 or R10";
                break;
            }
            if ((x && !(init & 1u << src)) || (op != BPF_MOV && !(init & 1u << dst))) {
                why = "read of a register never written";
                break;
            }
            if (x && src == BPF_REG_1) {
                why = "arithmetic on the context pointer";
                break;
            }
            uint64_t v = x ? reg[src] : (uint64_t)(int64_t)f->imm, d = reg[dst];
            if (cls == BPF_ALU) {
                v = (uint32_t)v;
                d = (uint32_t)d;
            }
            unsigned width = cls == BPF_ALU ? 32 : 64;
            if ((op == BPF_RSH || op == BPF_LSH) && v >= width) {
                why = "shift too wide";
                break;
            }
            d = op == BPF_MOV ? v : op == BPF_AND ? d & v : op == BPF_RSH ? d >> v : d << v;
            reg[dst] = cls == BPF_ALU ? (uint32_t)d : d;
            init |= 1u << dst;
        } else if (f->code == (BPF_LDX | BPF_W | BPF_MEM)) {
            if (src != BPF_REG_1 || f->off < 0 || f->off % 4 ||
                (size_t)f->off + 4 > sizeof *ctx || dst == BPF_REG_1 || dst == BPF_REG_10) {
                why = "load from outside the context";
                break;
            }
            uint32_t w;
            memcpy(&w, (const char *)ctx + f->off, 4);
            reg[dst] = w;
            init |= 1u << dst;
        } else if (cls == BPF_JMP) {
            uint8_t op = BPF_OP(f->code);
            if (op == BPF_EXIT) {
                if (f->code != (BPF_JMP | BPF_EXIT)) {
                    why = "bad exit";
                    break;
                }
                if (!(init & 1u << BPF_REG_0)) {
                    why = "exit without R0";
                    break;
                }
                return (uint32_t)reg[BPF_REG_0];
            }
            bool taken;
            if (op == BPF_JA) {
                taken = true;
            } else {
                bool x = BPF_SRC(f->code) == BPF_X;
                if (op != BPF_JEQ && op != BPF_JNE && op != BPF_JSET) {
                    why = "unexpected jump";
                    break;
                }
                if (!(init & 1u << dst) || (x && !(init & 1u << src)) || dst == BPF_REG_1 ||
                    (x && src == BPF_REG_1)) {
                    why = "jump on an unwritten register or the context pointer";
                    break;
                }
                uint64_t a = reg[dst], b = x ? reg[src] : (uint64_t)(int64_t)f->imm;
                taken = op == BPF_JEQ ? a == b : op == BPF_JNE ? a != b : (a & b) != 0;
            }
            int to = pc + f->off;
            if (to < 0 || to >= n) {
                why = "jump out of the program";
                break;
            }
            if (taken)
                pc = to;
        } else {
            why = "unexpected instruction class";
            break;
        }
    }
    if (!why)
        why = "no EXIT within the step bound";
    check_failed++;
    fprintf(stderr, "eBPF program refused at %d (code %#x): %s\n", pc - 1,
            pc >= 1 && pc <= n ? p[pc - 1].code : 0, why);
    return BAD_PROGRAM;
}

enum { BLK = 1, CHR = 2 }; /* BPF_DEVCG_DEV_* */
#define M DEV_MKNOD
#define R DEV_READ
#define W DEV_WRITE

static uint32_t ask(const struct bpf_insn *p, int n, int type, unsigned maj, unsigned min,
                    unsigned access)
{
    struct bpf_cgroup_dev_ctx ctx = {access << 16 | (unsigned)type, maj, min};
    return run_bpf(p, n, &ctx);
}

/* What the program should say, straight from the rules. */
static uint32_t reference(const struct device_rule *r, size_t n, int type, unsigned maj,
                          unsigned min, unsigned access)
{
    for (size_t i = 0; i < n; i++) {
        int t = r[i].type == 'c' ? CHR : r[i].type == 'b' ? BLK : 0;
        if ((r[i].type == 'a' || t == type) &&
            (r[i].major == DEV_ANY || (unsigned)r[i].major == maj) &&
            (r[i].minor == DEV_ANY || (unsigned)r[i].minor == min) && !(access & ~r[i].access))
            return 1;
    }
    return 0;
}

/* Every request of a grid against the reference; returns the number that differ. */
static int compare_grid(const struct device_rule *rules, size_t n, const struct bpf_insn *p,
                        int count)
{
    static const unsigned majors[] = {0, 1, 4, 5, 7, 8, 10, 136, 189, 4095};
    static const unsigned minors[] = {0, 1, 2, 3, 5, 7, 8, 9, 64, 65, 200, 0xFFFFF};
    int wrong = 0;
    for (int type = 0; type <= 3; type++)
        for (size_t a = 0; a < sizeof majors / sizeof *majors; a++)
            for (size_t b = 0; b < sizeof minors / sizeof *minors; b++)
                for (unsigned acc = 0; acc <= 15; acc++) {
                    uint32_t got = ask(p, count, type, majors[a], minors[b], acc);
                    uint32_t want = reference(rules, n, type, majors[a], minors[b], acc);
                    if (got != want && wrong++ < 5)
                        fprintf(stderr, "request %d %u:%u access %u: got %u, want %u\n", type,
                                majors[a], minors[b], acc, got, want);
                }
    return wrong;
}

/* ---- parsing ----------------------------------------------------------------------------- */

static void good_spec(const char *spec, const char *host, const char *path, unsigned access)
{
    struct device_spec d;
    err_clear();
    CHECK_EQ_INT(devices_parse_spec(spec, &d), 0);
    CHECK_EQ_STR(d.host, host);
    CHECK_EQ_STR(d.path, path);
    CHECK_EQ_INT(d.access, access);
    CHECK_EQ_INT(d.type, 0);
    CHECK_EQ_STR(err_msg(), "");
    devices_spec_free(&d);
    CHECK(d.host == NULL && d.path == NULL);
}

static void bad_spec(const char *spec)
{
    struct device_spec d;
    err_clear();
    int r = devices_parse_spec(spec, &d);
    CHECK_EQ_INT(r, -EINVAL);
    char quoted[256];
    snprintf(quoted, sizeof quoted, "'%s'", spec);
    if (!strstr(err_msg(), quoted)) {
        check_failed++;
        fprintf(stderr, "bad spec %s: message \"%s\" does not quote it\n", spec, err_msg());
    } else {
        check_passed++;
    }
    CHECK(d.host == NULL && d.path == NULL);
    devices_spec_free(&d); /* safe on the zeroed struct */
}

static void test_parse(void)
{
    good_spec("/dev/ttyS1", "/dev/ttyS1", "/dev/ttyS1", DEV_ALL);
    good_spec("/dev/ttyS1:/dev/serial0", "/dev/ttyS1", "/dev/serial0", DEV_ALL);
    good_spec("/dev/ttyS1:rw", "/dev/ttyS1", "/dev/ttyS1", R | W);
    good_spec("/dev/ttyS1:/dev/x:r", "/dev/ttyS1", "/dev/x", R);
    good_spec("/dev/ttyS1:m", "/dev/ttyS1", "/dev/ttyS1", M);
    good_spec("/dev/sda:/dev/xvda:mwr", "/dev/sda", "/dev/xvda", DEV_ALL);
    good_spec("/dev/serial/by-id/usb-FTDI:/dev/ttyUSB0", "/dev/serial/by-id/usb-FTDI",
              "/dev/ttyUSB0", DEV_ALL);
    good_spec("/dev/a:/dev/..x/b..:w", "/dev/a", "/dev/..x/b..", W); /* no ".." component */

    bad_spec("dev/ttyS1");
    bad_spec("dev/ttyS1:/dev/ttyS1");
    bad_spec("/dev/ttyS1:dev/ttyS1");
    bad_spec("/dev/ttyS1:/dev/../etc/shadow");
    bad_spec("/dev/ttyS1:/dev/..");
    bad_spec("/dev/ttyS1:/..:rw");
    bad_spec("/dev/ttyS1:/");
    bad_spec("/dev/ttyS1://");
    bad_spec("/dev/ttyS1:/dev/x:");
    bad_spec("/dev/ttyS1:");
    bad_spec("/dev/ttyS1:rwx");
    bad_spec("/dev/ttyS1:/dev/x:rwx");
    bad_spec("/dev/ttyS1:rrw");
    bad_spec("/dev/ttyS1:/dev/x:rwmr");
    bad_spec("/dev/a:/dev/b:rw:extra");
    bad_spec("/dev/a::rw");
    bad_spec("");
    bad_spec(":");
    bad_spec("::");
    bad_spec(":/dev/x:rw");

    /* the usage is named where the shape is wrong */
    struct device_spec d;
    err_clear();
    devices_parse_spec("/dev/a:/dev/b:rw:extra", &d);
    CHECK_EQ_STR(err_msg(), "--device '/dev/a:/dev/b:rw:extra': expected "
                            "HOST[:CONTAINER][:PERMS], e.g. /dev/ttyS1:/dev/ttyS1:rw");
    err_clear();

    struct device_spec zero = {0};
    devices_spec_free(&zero);
}

static void test_stat(void)
{
    struct device_spec d;
    CHECK_EQ_INT(devices_parse_spec("/dev/null:/dev/mynull:rw", &d), 0);
    err_clear();
    CHECK_EQ_INT(devices_stat(&d), 0);
    CHECK_EQ_INT(d.type, 'c');
    CHECK_EQ_INT(d.major, 1);
    CHECK_EQ_INT(d.minor, 3);
    devices_spec_free(&d);

    CHECK_EQ_INT(devices_parse_spec("/etc/passwd", &d), 0);
    err_clear();
    CHECK_EQ_INT(devices_stat(&d), -ENODEV);
    CHECK_EQ_STR(err_msg(), "--device /etc/passwd: not a device node");
    devices_spec_free(&d);

    CHECK_EQ_INT(devices_parse_spec("/dev/hutch-no-such-node", &d), 0);
    err_clear();
    CHECK_EQ_INT(devices_stat(&d), -ENOENT);
    CHECK(strstr(err_msg(), "--device /dev/hutch-no-such-node: ") == err_msg());
    devices_spec_free(&d);

    /* a symlink to a node is followed, as /dev/serial/by-id links are */
    char dir[] = "/tmp/hutch-devices-XXXXXX", link[64];
    if (mkdtemp(dir)) {
        snprintf(link, sizeof link, "%s/link", dir);
        CHECK_EQ_INT(symlink("/dev/zero", link), 0);
        struct device_spec s = {.host = link, .path = "/dev/zero", .access = DEV_ALL};
        err_clear();
        CHECK_EQ_INT(devices_stat(&s), 0);
        CHECK_EQ_INT(s.type, 'c');
        CHECK_EQ_INT(s.major, 1);
        CHECK_EQ_INT(s.minor, 5);
        unlink(link);
        rmdir(dir);
    } else {
        check_failed++;
        perror("mkdtemp");
    }
    err_clear();
}

/* ---- the rules and the v1 lines ---------------------------------------------------------- */

static const char *const want_lines[] = {
    "c *:* m",   "b *:* m",   "c 1:3 rwm", "c 1:5 rwm",   "c 1:7 rwm", "c 1:8 rwm",
    "c 1:9 rwm", "c 5:0 rwm", "c 5:2 rwm", "c 136:* rwm", "c 4:64 rw",
};
#define N_WANT (sizeof want_lines / sizeof *want_lines)

static void test_rules(void)
{
    struct device_spec dev = {.host = "/dev/tty0", .path = "/dev/tty0", .access = R | W,
                              .type = 'c', .major = 4, .minor = 64};
    struct device_rule rules[16];
    int n = devices_rules(&dev, 1, rules, 16);
    CHECK_EQ_INT(n, N_WANT);
    for (int i = 0; i < n && i < (int)N_WANT; i++) {
        char line[32];
        int len = devices_v1_line(&rules[i], line, sizeof line);
        CHECK_EQ_INT(len, strlen(want_lines[i]));
        CHECK_EQ_STR(len >= 0 ? line : NULL, want_lines[i]);
    }
    CHECK(rules[10].type == 'c' && rules[10].major == 4 && rules[10].minor == 64 &&
          rules[10].access == (R | W));
    CHECK(rules[0].type == 'c' && rules[0].major == DEV_ANY && rules[0].minor == DEV_ANY &&
          rules[0].access == M);
    CHECK_EQ_INT(devices_rules(NULL, 0, rules, 16), N_WANT - 1);
    CHECK_EQ_INT(devices_rules(&dev, 1, rules, N_WANT - 1), -ENOSPC);
    CHECK_EQ_INT(devices_rules(&dev, 1, rules, N_WANT), N_WANT);
    CHECK_EQ_INT(devices_rules(NULL, 0, rules, 0), -ENOSPC);
    struct device_spec unstat = {.host = "/dev/x", .path = "/dev/x", .access = DEV_ALL};
    CHECK_EQ_INT(devices_rules(&unstat, 1, rules, 16), -EINVAL);
    CHECK_EQ_STR(err_msg(), ""); /* pure: nothing recorded */
}

static void test_v1_lines(void)
{
    char buf[32];
    struct device_rule r = {'c', 1, 3, DEV_ALL};
    CHECK_EQ_INT(devices_v1_line(&r, buf, sizeof buf), 9);
    CHECK_EQ_STR(buf, "c 1:3 rwm");
    r = (struct device_rule){'b', 7, DEV_ANY, M | R};
    CHECK_EQ_INT(devices_v1_line(&r, buf, sizeof buf), 8);
    CHECK_EQ_STR(buf, "b 7:* rm");
    r = (struct device_rule){'c', DEV_ANY, 5, W | M};
    devices_v1_line(&r, buf, sizeof buf);
    CHECK_EQ_STR(buf, "c *:5 wm");
    r = (struct device_rule){'c', 189, 1048575, W};
    devices_v1_line(&r, buf, sizeof buf);
    CHECK_EQ_STR(buf, "c 189:1048575 w");
    r = (struct device_rule){'a', DEV_ANY, DEV_ANY, DEV_ALL};
    CHECK_EQ_INT(devices_v1_line(&r, buf, sizeof buf), 9);
    CHECK_EQ_STR(buf, "a *:* rwm");
    /* v1 reads "a" as everything: a narrower 'a' rule cannot be said */
    r = (struct device_rule){'a', DEV_ANY, DEV_ANY, M};
    CHECK_EQ_INT(devices_v1_line(&r, buf, sizeof buf), -EINVAL);
    r = (struct device_rule){'a', 1, 3, DEV_ALL};
    CHECK_EQ_INT(devices_v1_line(&r, buf, sizeof buf), -EINVAL);
    r = (struct device_rule){'x', 1, 3, DEV_ALL};
    CHECK_EQ_INT(devices_v1_line(&r, buf, sizeof buf), -EINVAL);
    r = (struct device_rule){'c', 1, 3, 0};
    CHECK_EQ_INT(devices_v1_line(&r, buf, sizeof buf), -EINVAL);
    r = (struct device_rule){'c', -2, 3, R};
    CHECK_EQ_INT(devices_v1_line(&r, buf, sizeof buf), -EINVAL);
    /* short buffers */
    r = (struct device_rule){'c', 1, 3, DEV_ALL};
    CHECK_EQ_INT(devices_v1_line(&r, buf, 9), -ENOSPC);
    CHECK_EQ_INT(devices_v1_line(&r, buf, 10), 9);
    CHECK_EQ_INT(devices_v1_line(&r, buf, 0), -ENOSPC);
}

/* ---- the eBPF program --------------------------------------------------------------------- */

static void test_bpf_policy(void)
{
    struct device_spec devs[] = {
        {.type = 'c', .major = 4, .minor = 64, .access = R | W}, /* --device /dev/tty0:rw */
        {.type = 'c', .major = 4, .minor = 66, .access = R},     /* read only */
        {.type = 'b', .major = 179, .minor = 1, .access = DEV_ALL},
    };
    struct device_rule rules[32];
    int nr = devices_rules(devs, 3, rules, 32);
    CHECK_EQ_INT(nr, 13);
    if (nr < 0)
        return;
    struct bpf_insn p[256];
    int n = devices_build_bpf(rules, (size_t)nr, p, 256);
    CHECK(n > 0 && n <= 8 + 6 * nr);
    if (n <= 0)
        return;
    /* allowed */
    CHECK_EQ_INT(ask(p, n, CHR, 1, 3, R | W), 1);       /* /dev/null */
    CHECK_EQ_INT(ask(p, n, CHR, 1, 3, R | W | M), 1);
    CHECK_EQ_INT(ask(p, n, CHR, 1, 9, R), 1);           /* urandom */
    CHECK_EQ_INT(ask(p, n, CHR, 136, 7, R | W), 1);     /* /dev/pts/7 */
    CHECK_EQ_INT(ask(p, n, CHR, 5, 2, R | W), 1);       /* ptmx */
    CHECK_EQ_INT(ask(p, n, CHR, 5, 0, R | W), 1);       /* tty */
    CHECK_EQ_INT(ask(p, n, BLK, 7, 0, M), 1);           /* mknod of any node */
    CHECK_EQ_INT(ask(p, n, CHR, 10, 200, M), 1);
    CHECK_EQ_INT(ask(p, n, CHR, 4, 64, R | W), 1);      /* the --device */
    CHECK_EQ_INT(ask(p, n, CHR, 4, 64, W), 1);
    CHECK_EQ_INT(ask(p, n, CHR, 4, 66, R), 1);
    CHECK_EQ_INT(ask(p, n, BLK, 179, 1, R | W), 1);
    /* denied */
    CHECK_EQ_INT(ask(p, n, CHR, 4, 66, W), 0);          /* r only: no w */
    CHECK_EQ_INT(ask(p, n, CHR, 4, 66, R | W), 0);
    CHECK_EQ_INT(ask(p, n, CHR, 4, 64, R | W | M), 0);  /* rw, asked m too: mknod alone is ok */
    CHECK_EQ_INT(ask(p, n, BLK, 8, 0, R | W), 0);       /* the host's disk */
    CHECK_EQ_INT(ask(p, n, BLK, 8, 0, R), 0);
    CHECK_EQ_INT(ask(p, n, CHR, 4, 65, R | W), 0);      /* the tty next to the --device */
    CHECK_EQ_INT(ask(p, n, CHR, 10, 200, R | W), 0);    /* /dev/net/tun */
    CHECK_EQ_INT(ask(p, n, CHR, 10, 200, M | R), 0);    /* mknod+read on an m-only rule */
    CHECK_EQ_INT(ask(p, n, BLK, 1, 3, R | W), 0);       /* null's numbers, but a block node */
    CHECK_EQ_INT(ask(p, n, CHR, 179, 1, R), 0);         /* the block --device's, as char */
    CHECK_EQ_INT(ask(p, n, CHR, 1, 3, R | 8), 0);       /* an access bit unknown today */
    CHECK_EQ_INT(ask(p, n, 3, 1, 3, R), 0);             /* a type unknown today */
    CHECK_EQ_INT(ask(p, n, 0, 1, 3, R), 0);
    CHECK_EQ_INT(ask(p, n, 0x100 | CHR, 1, 3, R), 0);
    CHECK_EQ_INT(compare_grid(rules, (size_t)nr, p, n), 0);

    /* too small a buffer, at every size */
    for (int max = 0; max < n; max++)
        CHECK_EQ_INT(devices_build_bpf(rules, (size_t)nr, p, (size_t)max), -ENOSPC);
    CHECK_EQ_INT(devices_build_bpf(rules, (size_t)nr, p, (size_t)n), n);
}

static void test_bpf_shapes(void)
{
    struct bpf_insn p[128];
    /* no rules: everything denied */
    int n = devices_build_bpf(NULL, 0, p, 128);
    CHECK(n > 0);
    CHECK_EQ_INT(compare_grid(NULL, 0, p, n), 0);
    CHECK_EQ_INT(ask(p, n, CHR, 1, 3, R), 0);
    CHECK_EQ_INT(ask(p, n, BLK, 0, 0, M), 0);

    /* 'a' and wildcards in every position, and overlapping rules */
    const struct device_rule rules[] = {
        {'a', 7, DEV_ANY, R},
        {'a', DEV_ANY, 3, W},
        {'b', DEV_ANY, DEV_ANY, DEV_ALL},
        {'c', 10, 200, M},
        {'c', 10, 200, R},
        {'c', DEV_ANY, 9, R | M},
    };
    size_t nr = sizeof rules / sizeof *rules;
    for (size_t k = 0; k <= nr; k++) { /* every prefix of the list */
        n = devices_build_bpf(rules, k, p, 128);
        CHECK(n > 0);
        if (n > 0)
            CHECK_EQ_INT(compare_grid(rules, k, p, n), 0);
    }
    n = devices_build_bpf(rules, nr, p, 128);
    CHECK_EQ_INT(ask(p, n, CHR, 7, 1, R), 1);
    CHECK_EQ_INT(ask(p, n, BLK, 7, 1, R), 1);
    CHECK_EQ_INT(ask(p, n, CHR, 10, 200, R), 1); /* each bit by its own rule */
    CHECK_EQ_INT(ask(p, n, CHR, 10, 200, M), 1);
    CHECK_EQ_INT(ask(p, n, CHR, 10, 200, R | M), 0); /* but no rule has both */

    const struct device_rule all[] = {{'a', DEV_ANY, DEV_ANY, DEV_ALL}};
    n = devices_build_bpf(all, 1, p, 128);
    CHECK_EQ_INT(ask(p, n, BLK, 8, 0, R | W | M), 1);
    CHECK_EQ_INT(ask(p, n, CHR, 4095, 0xFFFFF, R), 1);
    CHECK_EQ_INT(compare_grid(all, 1, p, n), 0);

    /* malformed rules */
    const struct device_rule bad_type[] = {{'x', 1, 3, R}};
    CHECK_EQ_INT(devices_build_bpf(bad_type, 1, p, 128), -EINVAL);
    const struct device_rule bad_major[] = {{'c', -5, 3, R}};
    CHECK_EQ_INT(devices_build_bpf(bad_major, 1, p, 128), -EINVAL);
    CHECK_EQ_STR(err_msg(), "");
}

/* ---- the kernel, as root: its verifier, and the side effects' error paths ----------------- */

static void test_kernel_load(void)
{
    if (getuid() != 0) {
        fprintf(stderr, "note: not root: the kernel's verifier was not asked\n");
        return;
    }
    struct device_spec dev = {.type = 'c', .major = 4, .minor = 64, .access = R | W};
    struct device_rule rules[16];
    int nr = devices_rules(&dev, 1, rules, 16);
    struct bpf_insn p[128];
    int n = nr > 0 ? devices_build_bpf(rules, (size_t)nr, p, 128) : -1;
    CHECK(n > 0);
    if (n <= 0)
        return;
    for (int k = 0; k < 2; k++) { /* the full program, and the one that denies everything */
        static char log[8192];
        union bpf_attr attr;
        memset(&attr, 0, sizeof attr);
        attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
        attr.insns = (uint64_t)(uintptr_t)p;
        attr.insn_cnt = (uint32_t)n;
        attr.license = (uint64_t)(uintptr_t) "GPL";
        attr.log_buf = (uint64_t)(uintptr_t)log;
        attr.log_size = sizeof log;
        attr.log_level = 1;
        log[0] = '\0';
        long fd = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
        if (fd < 0 && (errno == EPERM || errno == ENOSYS)) {
            fprintf(stderr, "note: bpf(BPF_PROG_LOAD): %s: the kernel's verifier was not asked\n",
                    strerror(errno));
            return;
        }
        if (fd < 0) {
            check_failed++;
            fprintf(stderr, "BPF_PROG_LOAD: %s\n%s\n", strerror(errno), log);
        } else {
            check_passed++;
            close((int)fd);
        }
        n = devices_build_bpf(NULL, 0, p, 128);
    }
    fprintf(stderr, "note: the kernel's verifier accepted the programs\n");

    /* devices_apply_v2 loads for real, then fails to attach to a directory that is no cgroup:
     * nothing is attached anywhere, and the message says the load went through. */
    char dir[] = "/tmp/hutch-devices-XXXXXX";
    if (!mkdtemp(dir)) {
        check_failed++;
        perror("mkdtemp");
        return;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    CHECK(dfd >= 0);
    err_clear();
    int r = devices_apply_v2(dfd, rules, (size_t)nr, true);
    CHECK(r < 0);
    CHECK(strstr(err_msg(), "attach the cgroup device program") == err_msg());
    err_clear();
    close(dfd);
    rmdir(dir);
}

static void test_apply_v1_files(void)
{
    char dir[] = "/tmp/hutch-devices-XXXXXX", path[64], buf[16] = "";
    if (!mkdtemp(dir)) {
        check_failed++;
        perror("mkdtemp");
        return;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    CHECK(dfd >= 0);
    struct device_rule rules[16];
    int nr = devices_rules(NULL, 0, rules, 16);
    /* no devices controller: no devices.deny */
    err_clear();
    CHECK_EQ_INT(devices_apply_v1(dfd, rules, (size_t)nr), -ENOENT);
    CHECK_EQ_STR(err_msg(), "the kernel has no devices cgroup controller (CONFIG_CGROUP_DEVICE)");
    /* with both files: "a" denied, the last line written last (each line is one write at 0) */
    snprintf(path, sizeof path, "%s/devices.deny", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    close(fd);
    snprintf(path, sizeof path, "%s/devices.allow", dir);
    fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    close(fd);
    err_clear();
    CHECK_EQ_INT(devices_apply_v1(dfd, rules, (size_t)nr), 0);
    CHECK_EQ_STR(err_msg(), "");
    snprintf(path, sizeof path, "%s/devices.deny", dir);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    CHECK(fd >= 0 && read(fd, buf, sizeof buf - 1) == 1);
    close(fd);
    CHECK_EQ_STR(buf, "a");
    unlink(path);
    snprintf(path, sizeof path, "%s/devices.allow", dir);
    unlink(path);
    close(dfd);
    rmdir(dir);
}

int main(void)
{
    test_parse();
    test_stat();
    test_rules();
    test_v1_lines();
    test_bpf_policy();
    test_bpf_shapes();
    test_apply_v1_files();
    test_kernel_load();
    return check_summary("devices");
}
