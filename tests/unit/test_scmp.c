/* Unit tests of the seccomp compiler for OCI profiles: each filter is checked by the kernel's
 * rules for a classic-BPF program and run through a small interpreter, against a direct reading
 * of the profile (the reference) on many inputs. The Makefile builds it for each board too and
 * runs it under qemu-user, for that architecture's numbers and head. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "err.h"
#include "scmp.h"

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#define OTHER_ARCH AUDIT_ARCH_I386
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#define OTHER_ARCH AUDIT_ARCH_ARM
#elif defined(__arm__)
#define ARCH AUDIT_ARCH_ARM
#define OTHER_ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define ARCH AUDIT_ARCH_I386
#define OTHER_ARCH AUDIT_ARCH_X86_64
#endif

#define KILL_PROCESS SECCOMP_RET_KILL_PROCESS
#define ALLOW SECCOMP_RET_ALLOW
#define ERRNO(e) (SECCOMP_RET_ERRNO | (e))
#define BAD 0xdeadu /* the interpreter's answer to a program it cannot run */

/* ---- the kernel's side: its checks, an interpreter, and what the profile means ---- */

/* What the kernel's loader demands of the instructions the compiler may emit. */
static bool valid(const struct sock_filter *p, size_t n)
{
    if (n == 0 || n > BPF_MAXINSNS)
        return false;
    for (size_t pc = 0; pc < n; pc++) {
        const struct sock_filter *f = &p[pc];
        switch (f->code) {
        case BPF_LD | BPF_W | BPF_ABS:
            if (f->k % 4 || f->k + 4 > sizeof(struct seccomp_data))
                return false;
            break;
        case BPF_ALU | BPF_AND | BPF_K:
        case BPF_RET | BPF_K:
            break;
        case BPF_JMP | BPF_JA:
            if (f->k >= n - pc - 1)
                return false;
            break;
        case BPF_JMP | BPF_JEQ | BPF_K:
        case BPF_JMP | BPF_JGT | BPF_K:
        case BPF_JMP | BPF_JGE | BPF_K:
        case BPF_JMP | BPF_JSET | BPF_K:
            if (pc + 1 + f->jt >= n || pc + 1 + f->jf >= n)
                return false;
            break;
        default:
            return false;
        }
    }
    return BPF_CLASS(p[n - 1].code) == BPF_RET;
}

/* Run P on D; *STEPS counts the instructions executed. */
static uint32_t run(const struct sock_filter *p, size_t n, const struct seccomp_data *d,
                    size_t *steps)
{
    uint32_t a = 0;
    size_t count = 0;
    for (size_t pc = 0; pc < n; pc++) {
        const struct sock_filter *f = &p[pc];
        count++;
        switch (f->code) {
        case BPF_LD | BPF_W | BPF_ABS:
            if (f->k % 4 || f->k + 4 > sizeof *d)
                return BAD;
            memcpy(&a, (const char *)d + f->k, 4);
            break;
        case BPF_ALU | BPF_AND | BPF_K:
            a &= f->k;
            break;
        case BPF_JMP | BPF_JA:
            pc += f->k;
            break;
        case BPF_JMP | BPF_JEQ | BPF_K:
            pc += a == f->k ? f->jt : f->jf;
            break;
        case BPF_JMP | BPF_JGT | BPF_K:
            pc += a > f->k ? f->jt : f->jf;
            break;
        case BPF_JMP | BPF_JGE | BPF_K:
            pc += a >= f->k ? f->jt : f->jf;
            break;
        case BPF_JMP | BPF_JSET | BPF_K:
            pc += (a & f->k) ? f->jt : f->jf;
            break;
        case BPF_RET | BPF_K:
            if (steps)
                *steps = count;
            return f->k;
        default:
            return BAD;
        }
    }
    return BAD; /* fell off the end */
}

static bool holds(const struct scmp_arg *c, uint64_t v)
{
    switch (c->op) {
    case SCMP_OP_NE:
        return v != c->value;
    case SCMP_OP_LT:
        return v < c->value;
    case SCMP_OP_LE:
        return v <= c->value;
    case SCMP_OP_EQ:
        return v == c->value;
    case SCMP_OP_GE:
        return v >= c->value;
    case SCMP_OP_GT:
        return v > c->value;
    case SCMP_OP_MASKED_EQ:
        return (v & c->value) == c->value2;
    }
    return false;
}

/* The profile read directly: OR within an argument index, AND across them, first match wins. */
static uint32_t reference(const struct scmp_profile *p, const struct seccomp_data *d)
{
    if (d->arch != ARCH)
        return KILL_PROCESS;
#ifdef __x86_64__
    if ((uint32_t)d->nr >= 0x40000000u)
        return KILL_PROCESS;
#endif
    for (size_t i = 0; i < p->n_rules; i++) {
        const struct scmp_rule *r = &p->rules[i];
        if (r->nr != d->nr)
            continue;
        bool match = true;
        for (unsigned idx = 0; idx < 6 && match; idx++) {
            bool any = false, one = false;
            for (size_t j = 0; j < r->n_args; j++)
                if (r->args[j].index == idx) {
                    any = true;
                    one = one || holds(&r->args[j], d->args[idx]);
                }
            match = !any || one;
        }
        if (match)
            return r->action;
    }
    return p->default_action;
}

static struct seccomp_data data(uint32_t arch, int nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
    struct seccomp_data d;
    memset(&d, 0, sizeof d);
    d.arch = arch;
    d.nr = nr;
    d.args[0] = a0;
    d.args[1] = a1;
    d.args[2] = a2;
    return d;
}

/* A compiled profile. */
struct filter {
    struct sock_filter *p;
    size_t n;
};

static struct filter compile(const struct scmp_profile *p)
{
    struct filter f = {NULL, 0};
    int r = scmp_compile(p, &f.p, &f.n);
    if (r < 0 || !valid(f.p, f.n)) {
        check_failed++;
        fprintf(stderr, "compile: %d (%s), %zu instructions\n", r, r < 0 ? strerror(-r) : "invalid",
                f.n);
        free(f.p);
        f.p = NULL;
        f.n = 0;
    }
    return f;
}

static uint32_t verdict(const struct filter *f, const struct seccomp_data *d)
{
    return f->p ? run(f->p, f->n, d, NULL) : BAD;
}

/* Compare the filter with the reference on D; report the first few differences. */
static size_t differences;
static void compare(const struct filter *f, const struct scmp_profile *p,
                    const struct seccomp_data *d)
{
    uint32_t got = verdict(f, d), want = reference(p, d);
    if (got == want)
        return;
    if (differences++ < 5)
        fprintf(stderr,
                "arch %#x nr %d args %#llx %#llx %#llx %#llx %#llx %#llx: "
                "filter %#x, profile %#x\n",
                d->arch, d->nr, (unsigned long long)d->args[0], (unsigned long long)d->args[1],
                (unsigned long long)d->args[2], (unsigned long long)d->args[3],
                (unsigned long long)d->args[4], (unsigned long long)d->args[5], got, want);
}

/* One check for a batch of comparisons. */
static void batch_start(void)
{
    differences = 0;
}
static void batch_end(const char *what)
{
    if (differences) {
        check_failed++;
        fprintf(stderr, "%s: %zu inputs differ from the profile\n", what, differences);
    } else {
        check_passed++;
    }
}

/* xorshift64*: the same inputs on every run and board */
static uint64_t seed = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
    seed ^= seed >> 12;
    seed ^= seed << 25;
    seed ^= seed >> 27;
    return seed * 0x2545f4914f6cdd1dULL;
}
static size_t below(size_t n)
{
    return (size_t)(rnd() % n);
}

static const uint64_t edges[] = {
    0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x100000000,
    0x100000001, 0x1fffffffe, 0x1ffffffff, 0x200000000, 0xffffffff00000000, 0xfffffffe00000001,
    0x7fffffffffffffff, 0x8000000000000000, 0xfffffffffffffffe, 0xffffffffffffffff,
};
#define N_EDGES (sizeof edges / sizeof edges[0])

/* A value near V: V itself, one off, its halves mixed with an edge's, or an edge. */
static uint64_t near_value(uint64_t v)
{
    uint64_t e = edges[below(N_EDGES)];
    switch (below(8)) {
    case 0:
        return v + 1;
    case 1:
        return v - 1;
    case 2:
        return (v & 0xffffffff00000000ULL) | (e & 0xffffffff);
    case 3:
        return (e & 0xffffffff00000000ULL) | (v & 0xffffffff);
    case 4:
        return e;
    case 5:
        return rnd();
    default:
        return v;
    }
}

/* Arguments that meet or miss C: for MASKED_EQ also VALUE2 with any bits outside the mask (a
 * match), or with bits inside it flipped (mostly not). */
static uint64_t value_for(const struct scmp_arg *c)
{
    if (c->op == SCMP_OP_MASKED_EQ && below(2))
        return below(2) ? c->value2 | (rnd() & ~c->value)
                        : near_value(c->value2) ^ (rnd() & c->value);
    return near_value(c->value);
}

/* Inputs for the rules of P: each call's own numbers (and their neighbours), arguments drawn
 * from its conditions. */
static void compare_many(const struct filter *f, const struct scmp_profile *p, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        struct seccomp_data d = data(ARCH, 0, 0, 0, 0);
        const struct scmp_rule *r = p->n_rules ? &p->rules[below(p->n_rules)] : NULL;
        d.nr = r ? r->nr : (int)below(500);
        if (below(8) == 0)
            d.nr += below(2) ? 1 : -1;
        if (below(50) == 0)
            d.nr = (int)(uint32_t)rnd();
        for (int a = 0; a < 6; a++) {
            if (r && r->n_args && below(4)) {
                d.args[a] = near_value(edges[below(N_EDGES)]);
                for (size_t j = 0; j < r->n_args; j++)
                    if (r->args[j].index == (unsigned)a && below(2))
                        d.args[a] = value_for(&r->args[j]);
            } else {
                d.args[a] = below(2) ? edges[below(N_EDGES)] : rnd();
            }
        }
        compare(f, p, &d);
    }
}

/* ---- names, actions, operators ---- */

struct name_counts {
    size_t n, wrong;
};
static void check_name(const char *name, int nr, void *arg)
{
    struct name_counts *c = arg;
    c->n++;
    if (nr < 0 || scmp_syscall_nr(name) != nr) {
        c->wrong++;
        fprintf(stderr, "name %s: listed as %d, looked up as %d\n", name, nr,
                scmp_syscall_nr(name));
    }
}

static void test_names(void)
{
    CHECK_EQ_INT(scmp_syscall_nr("read"), SYS_read);
    CHECK_EQ_INT(scmp_syscall_nr("write"), SYS_write);
    CHECK_EQ_INT(scmp_syscall_nr("openat"), SYS_openat);
    CHECK_EQ_INT(scmp_syscall_nr("exit_group"), SYS_exit_group);
    CHECK_EQ_INT(scmp_syscall_nr("clone3"), 435);
    CHECK_EQ_INT(scmp_syscall_nr("no_such_call"), -1);
    CHECK_EQ_INT(scmp_syscall_nr(""), -1);
    CHECK_EQ_INT(scmp_syscall_nr("READ"), -1);
    CHECK_EQ_INT(scmp_syscall_nr("SYS_read"), -1);
#ifdef SYS_open
    CHECK_EQ_INT(scmp_syscall_nr("open"), SYS_open);
#else
    CHECK_EQ_INT(scmp_syscall_nr("open"), -1); /* aarch64 has openat only */
#endif
#ifdef SYS_mmap2
    CHECK_EQ_INT(scmp_syscall_nr("mmap2"), SYS_mmap2);
#endif
#ifdef SYS__llseek
    CHECK_EQ_INT(scmp_syscall_nr("_llseek"), SYS__llseek);
    CHECK_EQ_INT(scmp_syscall_nr("_newselect"), SYS__newselect);
#endif
#ifdef SYS_clock_gettime64
    CHECK_EQ_INT(scmp_syscall_nr("clock_gettime64"), SYS_clock_gettime64);
#endif
    /* musl's names of 32-bit arm's time32 calls, under the kernel's names too */
#if defined(SYS_clock_gettime32) && !defined(SYS_clock_gettime)
    CHECK_EQ_INT(scmp_syscall_nr("clock_gettime"), SYS_clock_gettime32);
    CHECK_EQ_INT(scmp_syscall_nr("clock_gettime32"), SYS_clock_gettime32);
    CHECK_EQ_INT(scmp_syscall_nr("gettimeofday"), SYS_gettimeofday_time32);
#else
    CHECK_EQ_INT(scmp_syscall_nr("clock_gettime"), SYS_clock_gettime);
#endif
#ifdef __ARM_NR_cacheflush
    CHECK_EQ_INT(scmp_syscall_nr("cacheflush"), __ARM_NR_cacheflush);
    CHECK_EQ_INT(scmp_syscall_nr("set_tls"), __ARM_NR_set_tls);
#endif
    /* the numbers every architecture shares, known whatever the C library's age */
#ifdef SYS_futex_waitv
    CHECK_EQ_INT(scmp_syscall_nr("futex_waitv"), SYS_futex_waitv);
#endif
#ifdef SYS_quotactl_fd
    CHECK_EQ_INT(scmp_syscall_nr("quotactl_fd"), SYS_quotactl_fd);
#endif
#ifdef SYS_set_mempolicy_home_node
    CHECK_EQ_INT(scmp_syscall_nr("set_mempolicy_home_node"), SYS_set_mempolicy_home_node);
#endif
#ifdef SYS_fchmodat2
    CHECK_EQ_INT(scmp_syscall_nr("fchmodat2"), SYS_fchmodat2);
#endif
    CHECK_EQ_INT(scmp_syscall_nr("futex_waitv"), 449);
    CHECK_EQ_INT(scmp_syscall_nr("fchmodat2"), 452);
    CHECK_EQ_INT(scmp_syscall_nr("mseal"), 462);
    /* every name listed is found again (the table is sorted for bsearch) */
    struct name_counts c = {0, 0};
    scmp_each_syscall(check_name, &c);
    CHECK(c.n > 250);
    CHECK_EQ_INT(c.wrong, 0);
}

static void test_actions(void)
{
    uint32_t a = 1;
    CHECK_EQ_INT(scmp_action("SCMP_ACT_KILL", 0, false, &a), 0);
    CHECK_EQ_INT(a, SECCOMP_RET_KILL_THREAD);
    CHECK_EQ_INT(scmp_action("SCMP_ACT_KILL_THREAD", 0, false, &a), 0);
    CHECK_EQ_INT(a, SECCOMP_RET_KILL_THREAD);
    CHECK_EQ_INT(scmp_action("SCMP_ACT_KILL_PROCESS", 0, false, &a), 0);
    CHECK_EQ_INT(a, SECCOMP_RET_KILL_PROCESS);
    CHECK_EQ_INT(scmp_action("SCMP_ACT_TRAP", 0, false, &a), 0);
    CHECK_EQ_INT(a, SECCOMP_RET_TRAP);
    CHECK_EQ_INT(scmp_action("SCMP_ACT_ERRNO", 0, false, &a), 0);
    CHECK_EQ_INT(a, ERRNO(EPERM));
    CHECK_EQ_INT(scmp_action("SCMP_ACT_ERRNO", 38, true, &a), 0);
    CHECK_EQ_INT(a, ERRNO(38));
    CHECK_EQ_INT(scmp_action("SCMP_ACT_ERRNO", 0, true, &a), 0);
    CHECK_EQ_INT(a, ERRNO(0));
    CHECK_EQ_INT(scmp_action("SCMP_ACT_TRACE", 0, false, &a), 0);
    CHECK_EQ_INT(a, SECCOMP_RET_TRACE | EPERM);
    CHECK_EQ_INT(scmp_action("SCMP_ACT_TRACE", 7, true, &a), 0);
    CHECK_EQ_INT(a, SECCOMP_RET_TRACE | 7);
    CHECK_EQ_INT(scmp_action("SCMP_ACT_ALLOW", 5, true, &a), 0);
    CHECK_EQ_INT(a, SECCOMP_RET_ALLOW);
    CHECK_EQ_INT(scmp_action("SCMP_ACT_LOG", 0, false, &a), 0);
    CHECK_EQ_INT(a, SECCOMP_RET_LOG);
    a = 1;
    CHECK_EQ_INT(scmp_action("SCMP_ACT_NOTIFY", 0, false, &a), -EOPNOTSUPP);
    CHECK_EQ_INT(scmp_action("SCMP_ACT_ERRNO", 0x10000, true, &a), -EINVAL);
    CHECK_EQ_INT(scmp_action("SCMP_ACT_TRACE", 0x10000, true, &a), -EINVAL);
    CHECK_EQ_INT(scmp_action("SCMP_ACT_ALOW", 0, false, &a), -EINVAL);
    CHECK_EQ_INT(scmp_action("scmp_act_allow", 0, false, &a), -EINVAL);
    CHECK_EQ_INT(scmp_action("", 0, false, &a), -EINVAL);
    CHECK_EQ_INT(a, 1); /* untouched on failure */

    enum scmp_op op = SCMP_OP_NE;
    static const struct {
        const char *name;
        enum scmp_op op;
    } ops[] = {
        {"SCMP_CMP_NE", SCMP_OP_NE}, {"SCMP_CMP_LT", SCMP_OP_LT},
        {"SCMP_CMP_LE", SCMP_OP_LE}, {"SCMP_CMP_EQ", SCMP_OP_EQ},
        {"SCMP_CMP_GE", SCMP_OP_GE}, {"SCMP_CMP_GT", SCMP_OP_GT},
        {"SCMP_CMP_MASKED_EQ", SCMP_OP_MASKED_EQ},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        CHECK_EQ_INT(scmp_op(ops[i].name, &op), 0);
        CHECK_EQ_INT(op, ops[i].op);
    }
    CHECK_EQ_INT(scmp_op("SCMP_CMP_MASKED", &op), -EINVAL);
    CHECK_EQ_INT(scmp_op("scmp_cmp_eq", &op), -EINVAL);
    CHECK_EQ_INT(scmp_op("", &op), -EINVAL);
}

/* ---- the filter ---- */

static void test_bad_profiles(void)
{
    struct sock_filter *p = (struct sock_filter *)1;
    size_t n = 1;
    struct scmp_arg arg = {6, SCMP_OP_EQ, 0, 0};
    struct scmp_rule rule = {SYS_read, ALLOW, &arg, 1};
    struct scmp_profile prof = {ERRNO(EPERM), &rule, 1};
    CHECK_EQ_INT(scmp_compile(&prof, &p, &n), -EINVAL);
    CHECK(p == NULL && n == 0);
    arg.index = 5;
    arg.op = (enum scmp_op)7;
    CHECK_EQ_INT(scmp_compile(&prof, &p, &n), -EINVAL);
    arg.op = SCMP_OP_MASKED_EQ;
    rule.nr = -1;
    CHECK_EQ_INT(scmp_compile(&prof, &p, &n), -EINVAL);
    rule.nr = SYS_read;
    rule.args = NULL;
    CHECK_EQ_INT(scmp_compile(&prof, &p, &n), -EINVAL);
    rule.args = &arg;
    CHECK_EQ_INT(scmp_compile(&prof, &p, &n), 0);
    CHECK(p != NULL && n > 0 && valid(p, n));
    free(p);

    /* past BPF_MAXINSNS: 1500 calls with six 64-bit conditions each */
    enum { CALLS = 1500 };
    static struct scmp_arg many[6];
    static struct scmp_rule rules[CALLS];
    for (unsigned i = 0; i < 6; i++)
        many[i] = (struct scmp_arg){i, SCMP_OP_GT, 0x100000005ULL * (i + 1), 0};
    for (int i = 0; i < CALLS; i++)
        rules[i] = (struct scmp_rule){2 * i, ALLOW, many, 6};
    struct scmp_profile big = {ERRNO(EPERM), rules, CALLS};
    CHECK_EQ_INT(scmp_compile(&big, &p, &n), -E2BIG);
    CHECK(p == NULL && n == 0);
}

static void test_head(void)
{
    struct scmp_profile empty = {ALLOW, NULL, 0};
    struct filter f = compile(&empty);
#ifdef __x86_64__
    CHECK_EQ_INT(f.n, 6); /* arch, its check, kill, nr, its x32 bit, the default */
#else
    CHECK_EQ_INT(f.n, 5);
#endif
    struct seccomp_data d = data(ARCH, SYS_read, 0, 0, 0);
    CHECK_EQ_INT(verdict(&f, &d), ALLOW);
    d.nr = -1; /* on x86_64 past the x32 bit, as every number from 0x40000000 */
    CHECK_EQ_INT(verdict(&f, &d), reference(&empty, &d));
#ifndef __x86_64__
    CHECK_EQ_INT(verdict(&f, &d), ALLOW);
#endif
    d = data(OTHER_ARCH, SYS_read, 0, 0, 0);
    CHECK_EQ_INT(verdict(&f, &d), KILL_PROCESS);
    d.arch = 0;
    CHECK_EQ_INT(verdict(&f, &d), KILL_PROCESS);
#ifdef __x86_64__
    d = data(ARCH, 0x40000000 | SYS_read, 0, 0, 0);
    CHECK_EQ_INT(verdict(&f, &d), KILL_PROCESS);
    d.nr = 0x40000000;
    CHECK_EQ_INT(verdict(&f, &d), KILL_PROCESS);
    d.nr = 0x3fffffff;
    CHECK_EQ_INT(verdict(&f, &d), ALLOW);
#endif
    free(f.p);

    /* a foreign architecture is killed before any rule, whatever the default */
    struct scmp_rule r = {SYS_read, ERRNO(1), NULL, 0};
    struct scmp_profile p = {SECCOMP_RET_TRAP, &r, 1};
    f = compile(&p);
    d = data(ARCH, SYS_read, 0, 0, 0);
    CHECK_EQ_INT(verdict(&f, &d), ERRNO(1));
    d.nr = SYS_write;
    CHECK_EQ_INT(verdict(&f, &d), SECCOMP_RET_TRAP);
    d = data(OTHER_ARCH, SYS_read, 0, 0, 0);
    CHECK_EQ_INT(verdict(&f, &d), KILL_PROCESS);
#ifdef __x86_64__
    d = data(ARCH, 0x40000000 | SYS_read, 0, 0, 0);
    CHECK_EQ_INT(verdict(&f, &d), KILL_PROCESS);
#endif
    free(f.p);
}

static void test_rules(void)
{
    /* personality: 0 or 8 (one rule, OR on one index); a 64-bit value is not its low word */
    const struct scmp_arg pers[] = {{0, SCMP_OP_EQ, 0, 0}, {0, SCMP_OP_EQ, 8, 0}};
    /* socket: ERRNO(EINVAL) for (16, any, 9) (AND across indexes), then allowed */
    const struct scmp_arg sock[] = {{0, SCMP_OP_EQ, 16, 0}, {2, SCMP_OP_EQ, 9, 0}};
    /* clone: namespaces refused (any of the bits), the rest allowed */
    const struct scmp_arg clone[] = {{0, SCMP_OP_MASKED_EQ, 0x7E020000, 0}};
    /* write: first match wins, the KILL after an unconditional ALLOW is never reached */
    const struct scmp_arg big_fd[] = {{0, SCMP_OP_GT, 10, 0}};
    const struct scmp_rule rules[] = {
        {SYS_personality, ALLOW, pers, 2},
        {SYS_socket, ERRNO(EINVAL), sock, 2},
        {SYS_socket, ALLOW, NULL, 0},
        {SYS_clone, ALLOW, clone, 1},
        {SYS_write, ERRNO(EBADF), big_fd, 1},
        {SYS_write, ALLOW, NULL, 0},
        {SYS_write, SECCOMP_RET_KILL_THREAD, NULL, 0},
        {SYS_read, ALLOW, NULL, 0},
    };
    struct scmp_profile p = {ERRNO(ENOSYS), rules, sizeof rules / sizeof rules[0]};
    struct filter f = compile(&p);
    struct seccomp_data d;
#define EXPECT(nr, a0, a1, a2, want)                                                              \
    do {                                                                                          \
        d = data(ARCH, nr, a0, a1, a2);                                                           \
        CHECK_EQ_INT(verdict(&f, &d), want);                                                      \
        CHECK_EQ_INT(reference(&p, &d), want);                                                    \
    } while (0)
    EXPECT(SYS_personality, 0, 0, 0, ALLOW);
    EXPECT(SYS_personality, 8, 0, 0, ALLOW);
    EXPECT(SYS_personality, 9, 0, 0, ERRNO(ENOSYS));
    EXPECT(SYS_personality, 0x100000000ULL, 0, 0, ERRNO(ENOSYS));
    EXPECT(SYS_personality, 0x100000008ULL, 0, 0, ERRNO(ENOSYS));
    EXPECT(SYS_socket, 16, 3, 9, ERRNO(EINVAL));
    EXPECT(SYS_socket, 16, 3, 0, ALLOW);
    EXPECT(SYS_socket, 2, 1, 9, ALLOW);
    EXPECT(SYS_socket, 16 | (1ULL << 32), 1, 9, ALLOW);
    EXPECT(SYS_clone, 0x11, 0, 0, ALLOW);
    EXPECT(SYS_clone, 0x10000000, 0, 0, ERRNO(ENOSYS));
    EXPECT(SYS_clone, 0x00020000, 0, 0, ERRNO(ENOSYS));
    EXPECT(SYS_clone, 0x8000000000000011ULL, 0, 0, ALLOW);
    EXPECT(SYS_write, 11, 0, 0, ERRNO(EBADF));
    EXPECT(SYS_write, 10, 0, 0, ALLOW);
    EXPECT(SYS_write, 1ULL << 32, 0, 0, ERRNO(EBADF));
    EXPECT(SYS_read, 1, 2, 3, ALLOW);
    EXPECT(SYS_getpid, 0, 0, 0, ERRNO(ENOSYS));
#undef EXPECT
    batch_start();
    compare_many(&f, &p, 20000);
    batch_end("rules");
    free(f.p);
}

/* Neighbouring numbers share code only when their rules are the same in every field; rules that
 * can never match leave the default. */
static void test_neighbours(void)
{
    const struct scmp_arg a[] = {
        {0, SCMP_OP_MASKED_EQ, 0xf0, 0x10}, {0, SCMP_OP_MASKED_EQ, 0xf0, 0x20},
        {1, SCMP_OP_MASKED_EQ, 0xf0, 0x20}, {1, SCMP_OP_EQ, 0xf0, 0x20},
        {1, SCMP_OP_EQ, 0xf1, 0x20},        {0, SCMP_OP_MASKED_EQ, 0, 1}, /* never */
    };
    const struct scmp_rule rules[] = {
        {100, ALLOW, &a[0], 1}, {101, ALLOW, &a[1], 1},    {102, ALLOW, &a[2], 1},
        {103, ALLOW, &a[3], 1}, {104, ALLOW, &a[4], 1},    {105, ERRNO(1), &a[4], 1},
        {106, ALLOW, &a[4], 1}, {107, ALLOW, NULL, 0},     {108, ALLOW, &a[4], 1},
        {109, ALLOW, &a[4], 1}, {110, ALLOW, NULL, 0},     {111, ALLOW, &a[4], 2},
        {200, ALLOW, &a[5], 1}, {201, ERRNO(3), &a[0], 1}, {201, ALLOW, &a[5], 1},
    };
    struct scmp_profile p = {ERRNO(2), rules, sizeof rules / sizeof rules[0]};
    struct filter f = compile(&p);
    batch_start();
    for (int nr = 98; nr < 204; nr++)
        for (uint64_t v = 0; v < 0x200; v++) {
            struct seccomp_data d = data(ARCH, nr, v, v, 0);
            compare(&f, &p, &d);
            d.args[0] = 0x10;
            compare(&f, &p, &d);
        }
    batch_end("neighbours");
    free(f.p);
    /* the only call's only rule never matches: the search ends at once at the default */
    struct scmp_rule never = {SYS_read, ALLOW, &a[5], 1};
    struct scmp_profile q = {ERRNO(2), &never, 1};
    f = compile(&q);
    struct seccomp_data d = data(ARCH, SYS_read, 1, 1, 1);
    CHECK_EQ_INT(verdict(&f, &d), ERRNO(2));
    free(f.p);
    /* a call whose rule never matches, after a rule's RET was placed */
    const struct scmp_arg two[] = {{0, SCMP_OP_EQ, 1, 0}, {1, SCMP_OP_MASKED_EQ, 0, 1}};
    struct scmp_rule late = {SYS_read, ALLOW, two, 2};
    q.rules = &late;
    f = compile(&q);
    CHECK_EQ_INT(verdict(&f, &d), ERRNO(2));
    d.nr = SYS_write;
    CHECK_EQ_INT(verdict(&f, &d), ERRNO(2));
    free(f.p);
}

/* Every operator against values at the edges of both halves: one rule, compared on inputs
 * around the value. */
static void test_operators(void)
{
    static const uint64_t masks[] = {
        0, 1, 0x80, 0xff, 0x7E020000, 0xffffffff, 0x100000000, 0xffffffff00000000,
        0x8000000000000001, 0xffffffffffffffff, 0x0000ffff0000ffff,
    };
    batch_start();
    for (int op = SCMP_OP_NE; op <= SCMP_OP_MASKED_EQ; op++)
        for (size_t i = 0; i < N_EDGES + 4; i++) {
            struct scmp_arg c = {1, (enum scmp_op)op, i < N_EDGES ? edges[i] : rnd(), 0};
            if (op == SCMP_OP_MASKED_EQ) {
                c.value = masks[i % (sizeof masks / sizeof masks[0])];
                /* within the mask mostly; a value outside it never matches */
                c.value2 = i % 5 == 4 ? rnd() : (i % 3 == 0 ? c.value : rnd() & c.value);
            }
            struct scmp_rule r = {SYS_ioctl, ERRNO(1), &c, 1};
            struct scmp_profile p = {ALLOW, &r, 1};
            struct filter f = compile(&p);
            for (size_t k = 0; k < 600; k++) {
                uint64_t v = k < N_EDGES ? edges[k] : value_for(&c);
                struct seccomp_data d = data(ARCH, SYS_ioctl, 0, v, 0);
                compare(&f, &p, &d);
            }
            free(f.p);
        }
    batch_end("operators");
}

/* Random profiles: a few calls with many rules, repeated and mixed indexes, every operator. */
static const uint32_t actions[] = {
    ALLOW, ERRNO(1), ERRNO(2), ERRNO(38), SECCOMP_RET_KILL_THREAD, SECCOMP_RET_TRAP,
    SECCOMP_RET_LOG, SECCOMP_RET_TRACE | 1,
};
#define N_ACTIONS (sizeof actions / sizeof actions[0])

static uint64_t random_value(void)
{
    return below(3) ? edges[below(N_EDGES)] + below(3) - 1 : (below(2) ? rnd() : rnd() & 0xffff);
}

static void random_profile(struct scmp_profile *p, struct scmp_rule *rules, size_t n_rules,
                           struct scmp_arg *args, int n_calls, int spread)
{
    int base = (int)below(300);
    size_t used = 0;
    for (size_t i = 0; i < n_rules; i++) {
        struct scmp_rule *r = &rules[i];
        r->nr = base + (int)below((size_t)n_calls) * spread;
        r->action = actions[below(N_ACTIONS)];
        r->n_args = below(4) ? below(5) : 0;
        r->args = &args[used];
        for (size_t j = 0; j < r->n_args; j++) {
            struct scmp_arg *c = &args[used++];
            c->index = (unsigned)below(3);
            c->op = (enum scmp_op)below(7);
            c->value = random_value();
            c->value2 = below(2) ? c->value & random_value() : random_value();
        }
    }
    p->default_action = actions[below(N_ACTIONS)];
    p->rules = rules;
    p->n_rules = n_rules;
}

static void test_random_profiles(void)
{
    static struct scmp_rule rules[40];
    static struct scmp_arg args[40 * 4];
    batch_start();
    for (int round = 0; round < 400; round++) {
        struct scmp_profile p;
        random_profile(&p, rules, 1 + below(40), args, 1 + (int)below(12), 1 + (int)below(3));
        struct filter f = compile(&p);
        compare_many(&f, &p, 1500);
        free(f.p);
    }
    batch_end("random profiles");
}

static size_t count_code(const struct filter *f, uint16_t code)
{
    size_t n = 0;
    for (size_t i = 0; i < f->n; i++)
        n += f->p[i].code == code;
    return n;
}

/* The farthest a jump of P goes: more than 255 needs a BPF_JA in between. */
static size_t longest_jump(const struct filter *f)
{
    size_t most = 0;
    for (size_t i = 0; i < f->n; i++) {
        const struct sock_filter *x = &f->p[i];
        size_t d = 0;
        if (x->code == (BPF_JMP | BPF_JA))
            d = x->k;
        else if (BPF_CLASS(x->code) == BPF_JMP)
            d = x->jt > x->jf ? x->jt : x->jf;
        most = d > most ? d : most;
    }
    return most;
}

/* A huge profile: 1000 rules over 400 numbers (runs and gaps), many with conditions. */
static void test_huge_profile(void)
{
    enum { RULES = 1000, CALLS = 400 };
    static struct scmp_rule rules[RULES];
    static struct scmp_arg args[RULES * 4];
    int nrs[CALLS];
    for (int i = 0, nr = 0; i < CALLS; i++) {
        nr += below(3) ? 1 : 1 + (int)below(20);
        nrs[i] = nr;
    }
    size_t used = 0;
    for (size_t i = 0; i < RULES; i++) {
        struct scmp_rule *r = &rules[i];
        r->nr = nrs[i < CALLS ? i : below(CALLS)];
        r->action = actions[below(N_ACTIONS)];
        r->n_args = below(3) ? 0 : 1 + below(4);
        r->args = &args[used];
        for (size_t j = 0; j < r->n_args; j++) {
            struct scmp_arg *c = &args[used++];
            *c = (struct scmp_arg){(unsigned)below(6), (enum scmp_op)below(7), random_value(), 0};
            c->value2 = c->value & random_value();
        }
    }
    /* later rules come after earlier ones for the same call: put the conditional ones first */
    for (size_t i = 0; i < RULES; i++)
        if (rules[i].n_args == 0 && below(2)) {
            size_t j = below(RULES);
            struct scmp_rule t = rules[i];
            if (rules[j].nr == t.nr || below(2)) {
                rules[i] = rules[j];
                rules[j] = t;
            }
        }
    struct scmp_profile p = {ERRNO(38), rules, RULES};
    struct filter f = compile(&p);
    CHECK(f.n > 1000);
    CHECK(longest_jump(&f) > 255);                   /* it needed the trampolines */
    CHECK(count_code(&f, BPF_JMP | BPF_JA) > 0);     /* and has them */
    batch_start();
    compare_many(&f, &p, 60000);
    for (int nr = -2; nr < nrs[CALLS - 1] + 3; nr++) {
        struct seccomp_data d = data(ARCH, nr, rnd(), rnd(), rnd());
        compare(&f, &p, &d);
        d.arch = OTHER_ARCH;
        compare(&f, &p, &d);
    }
    batch_end("huge profile");
    printf("test_scmp: %d rules over %d calls: %zu instructions, jumps up to %zu\n", RULES, CALLS,
           f.n, longest_jump(&f));
    free(f.p);

    /* one call with a long chain of rules: its default and its early rules' successes are far */
    static struct scmp_arg chain_args[600];
    for (size_t i = 0; i < 600; i++) {
        rules[i] = (struct scmp_rule){SYS_ioctl, i % 2 ? ERRNO(1) : ALLOW, &chain_args[i], 1};
        chain_args[i] =
            (struct scmp_arg){(unsigned)(i % 6), (enum scmp_op)(i % 7), random_value(), 0};
        chain_args[i].value2 = chain_args[i].value & random_value();
    }
    rules[600] = (struct scmp_rule){SYS_read, ALLOW, NULL, 0};
    struct scmp_profile q = {SECCOMP_RET_TRAP, rules, 601};
    f = compile(&q);
    CHECK(f.n > 1200); /* the far RETs are copied near their jumps */
    batch_start();
    compare_many(&f, &q, 40000);
    batch_end("long chain");
    free(f.p);
}

static size_t longest_path(const struct filter *f, const struct scmp_profile *p)
{
    size_t most = 0;
    for (size_t i = 0; i < p->n_rules + 1; i++) {
        int nr = i < p->n_rules ? p->rules[i].nr : -1;
        for (int k = -1; k <= 1; k++) {
            struct seccomp_data d = data(ARCH, nr + k, 0, 0, 0);
            size_t steps = 0;
            if (run(f->p, f->n, &d, &steps) != reference(p, &d))
                return 9999;
            most = steps > most ? steps : most;
        }
    }
    return most;
}

/* The size and the cost of a call: allowlists of N calls, apart (the worst case) or in runs. */
static void test_sizes(void)
{
    static struct scmp_rule rules[400];
    size_t paths[5];
    static const size_t sizes[] = {25, 50, 100, 200, 400};
    for (size_t s = 0; s < 5; s++) {
        for (size_t i = 0; i < sizes[s]; i++)
            rules[i] = (struct scmp_rule){(int)(3 * i + 1), ALLOW, NULL, 0};
        struct scmp_profile p = {ERRNO(1), rules, sizes[s]};
        struct filter f = compile(&p);
        paths[s] = longest_path(&f, &p);
        if (sizes[s] == 400) {
            printf("test_scmp: 400 calls apart: %zu instructions, at most %zu executed\n", f.n,
                   paths[s]);
            CHECK(f.n < 600);
            CHECK(paths[s] < 40);
        }
        free(f.p);
    }
    /* doubling the calls adds a step or two */
    for (size_t s = 1; s < 5; s++)
        CHECK(paths[s] <= paths[s - 1] + 2);
    CHECK(paths[4] <= paths[0] + 8);

    /* in runs (as a real allowlist mostly is): a search over the runs' ends */
    for (size_t i = 0; i < 400; i++)
        rules[i] = (struct scmp_rule){(int)(i + i / 40 * 7), ALLOW, NULL, 0};
    struct scmp_profile p = {ERRNO(1), rules, 400};
    struct filter f = compile(&p);
    printf("test_scmp: 400 calls in 10 runs: %zu instructions, at most %zu executed\n", f.n,
           longest_path(&f, &p));
    CHECK(f.n < 40);
    CHECK(longest_path(&f, &p) < 15);
    free(f.p);
}
static const char *const podman_errno[] = {
    "bdflush", "io_pgetevents", "kexec_file_load", "kexec_load", "migrate_pages", "move_pages",
    "nfsservctl", "nice", "oldfstat", "oldlstat", "oldolduname", "oldstat", "olduname",
    "pciconfig_iobase", "pciconfig_read", "pciconfig_write", "sgetmask", "ssetmask",
    "swapcontext", "swapoff", "swapon", "sysfs", "uselib", "userfaultfd", "ustat", "vm86",
    "vm86old", "vmsplice"
};
static const char *const podman_allow[] = {
    "_llseek", "_newselect", "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk",
    "capget", "capset", "chdir", "chmod", "chown", "chown32", "clock_adjtime",
    "clock_adjtime64", "clock_getres", "clock_getres_time64", "clock_gettime",
    "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "clone", "clone3", "close",
    "close_range", "connect", "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create",
    "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait",
    "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat", "exit", "exit_group",
    "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate", "fanotify_mark",
    "fchdir", "fchmod", "fchmodat", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64",
    "fdatasync", "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr", "fsconfig",
    "fsetxattr", "fsmount", "fsopen", "fspick", "fstat", "fstat64", "fstatat64", "fstatfs",
    "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex", "futex_time64", "futimesat",
    "get_mempolicy", "get_robust_list", "get_thread_area", "getcpu", "getcwd", "getdents",
    "getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32",
    "getgroups", "getgroups32", "getitimer", "getpeername", "getpgid", "getpgrp", "getpid",
    "getppid", "getpriority", "getrandom", "getresgid", "getresgid32", "getresuid",
    "getresuid32", "getrlimit", "getrusage", "getsid", "getsockname", "getsockopt", "gettid",
    "gettimeofday", "getuid", "getuid32", "getxattr", "inotify_add_watch", "inotify_init",
    "inotify_init1", "inotify_rm_watch", "io_cancel", "io_destroy", "io_getevents", "io_setup",
    "io_submit", "ioctl", "ioprio_get", "ioprio_set", "ipc", "keyctl", "kill",
    "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "lchown",
    "lchown32", "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr",
    "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "madvise", "mbind", "membarrier",
    "memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock",
    "mlock2", "mlockall", "mmap", "mmap2", "mount", "mount_setattr", "move_mount", "mprotect",
    "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
    "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "mremap", "msgctl", "msgget", "msgrcv",
    "msgsnd", "msync", "munlock", "munlockall", "munmap", "name_to_handle_at", "nanosleep",
    "newfstatat", "open", "open_tree", "openat", "openat2", "pause", "pidfd_getfd",
    "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pivot_root", "pkey_alloc", "pkey_free",
    "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl", "pread64", "preadv", "preadv2",
    "prlimit64", "process_mrelease", "process_vm_readv", "process_vm_writev", "pselect6",
    "pselect6_time64", "ptrace", "pwrite64", "pwritev", "pwritev2", "read", "readahead",
    "readdir", "readlink", "readlinkat", "readv", "reboot", "recv", "recvfrom", "recvmmsg",
    "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr", "rename", "renameat",
    "renameat2", "restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending",
    "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
    "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_get_priority_max",
    "sched_get_priority_min", "sched_getaffinity", "sched_getattr", "sched_getparam",
    "sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64",
    "sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield",
    "seccomp", "select", "semctl", "semget", "semop", "semtimedop", "semtimedop_time64", "send",
    "sendfile", "sendfile64", "sendmmsg", "sendmsg", "sendto", "set_mempolicy",
    "set_robust_list", "set_thread_area", "set_tid_address", "setfsgid", "setfsgid32",
    "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32", "setitimer",
    "setns", "setpgid", "setpriority", "setregid", "setregid32", "setresgid", "setresgid32",
    "setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit", "setsid", "setsockopt",
    "setuid", "setuid32", "setxattr", "shmat", "shmctl", "shmdt", "shmget", "shutdown",
    "sigaction", "sigaltstack", "signal", "signalfd", "signalfd4", "sigpending", "sigprocmask",
    "sigreturn", "sigsuspend", "socketcall", "socketpair", "splice", "stat", "stat64", "statfs",
    "statfs64", "statx", "symlink", "symlinkat", "sync", "sync_file_range", "syncfs", "syscall",
    "sysinfo", "syslog", "tee", "tgkill", "time", "timer_create", "timer_delete",
    "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64",
    "timerfd", "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime",
    "timerfd_settime64", "times", "tkill", "truncate", "truncate64", "ugetrlimit", "umask",
    "umount", "umount2", "uname", "unlink", "unlinkat", "unshare", "utime", "utimensat",
    "utimensat_time64", "utimes", "vfork", "wait4", "waitid", "waitpid", "write", "writev",
    "arm_fadvise64_64", "arm_sync_file_range", "breakpoint", "cacheflush", "set_tls",
    "sync_file_range2", "arch_prctl", "modify_ldt"
};
static const char *const podman_no_cap[] = {
    "open_by_handle_at", "bpf", "fanotify_init", "lookup_dcookie", "perf_event_open",
    "quotactl", "setdomainname", "sethostname", "setns", "delete_module", "finit_module",
    "init_module", "query_module", "acct", "kcmp", "process_madvise", "ioperm", "iopl",
    "clock_settime", "clock_settime64", "settimeofday", "stime", "vhangup"
};

/* A profile like podman's default (containers-common seccomp.json, with Docker's capabilities:
 * the calls of the capabilities not kept refused, socket's AUDIT rules as without
 * CAP_AUDIT_WRITE), built as the JSON reader would: names this architecture lacks are left out. */
static size_t podman_profile(struct scmp_rule *rules, size_t max)
{
    static const struct scmp_arg pers[] = {
        {0, SCMP_OP_EQ, 0, 0}, {0, SCMP_OP_EQ, 8, 0}, {0, SCMP_OP_EQ, 131072, 0},
        {0, SCMP_OP_EQ, 131080, 0}, {0, SCMP_OP_EQ, 4294967295, 0},
    };
    static const struct scmp_arg sock[] = {
        {0, SCMP_OP_EQ, 16, 0}, {2, SCMP_OP_EQ, 9, 0}, /* (AF_NETLINK, NETLINK_AUDIT) */
        {2, SCMP_OP_NE, 9, 0},  {0, SCMP_OP_NE, 16, 0},
    };
    size_t n = 0;
    const struct {
        const char *const *names;
        size_t n;
        uint32_t action;
    } groups[] = {
        {podman_errno, sizeof podman_errno / sizeof *podman_errno, ERRNO(EPERM)},
        {podman_allow, sizeof podman_allow / sizeof *podman_allow, ALLOW},
        {podman_no_cap, sizeof podman_no_cap / sizeof *podman_no_cap, ERRNO(EPERM)},
    };
    for (size_t g = 0; g < 3; g++)
        for (size_t i = 0; i < groups[g].n && n < max; i++) {
            int nr = scmp_syscall_nr(groups[g].names[i]);
            if (nr >= 0)
                rules[n++] = (struct scmp_rule){nr, groups[g].action, NULL, 0};
        }
    for (size_t i = 0; i < 5 && n < max; i++)
        rules[n++] = (struct scmp_rule){SYS_personality, ALLOW, &pers[i], 1};
    if (n + 3 <= max) {
        rules[n++] = (struct scmp_rule){SYS_socket, ERRNO(EINVAL), &sock[0], 2};
        rules[n++] = (struct scmp_rule){SYS_socket, ALLOW, &sock[2], 1};
        rules[n++] = (struct scmp_rule){SYS_socket, ALLOW, &sock[3], 1};
    }
    return n;
}

static void test_podman_profile(void)
{
    static struct scmp_rule rules[500];
    size_t n = podman_profile(rules, 500);
    CHECK(n > 300);
    struct scmp_profile p = {ERRNO(38), rules, n};
    struct filter f = compile(&p);
    size_t path = longest_path(&f, &p);
    printf("test_scmp: a podman-like profile, %zu rules: %zu instructions, at most %zu executed\n",
           n, f.n, path);
    CHECK(f.n < 400);
    CHECK(path < 30);
    struct seccomp_data d;
#define EXPECT(nr, a0, a2, want)                                                                  \
    do {                                                                                          \
        d = data(ARCH, nr, a0, 0, a2);                                                            \
        CHECK_EQ_INT(verdict(&f, &d), want);                                                      \
    } while (0)
    EXPECT(SYS_read, 0, 0, ALLOW);
    EXPECT(SYS_openat, 0, 0, ALLOW);
    EXPECT(SYS_kexec_load, 0, 0, ERRNO(EPERM));
    EXPECT(SYS_init_module, 0, 0, ERRNO(EPERM));
    EXPECT(SYS_personality, 8, 0, ALLOW);
    EXPECT(SYS_personality, 0xffffffff, 0, ALLOW);
    EXPECT(SYS_personality, 9, 0, ERRNO(38));
    EXPECT(SYS_socket, 16, 9, ERRNO(EINVAL));
    EXPECT(SYS_socket, 16, 0, ALLOW);
    EXPECT(SYS_socket, 2, 9, ALLOW);
    EXPECT(1000, 0, 0, ERRNO(38));
#undef EXPECT
    batch_start();
    for (int nr = -1; nr < 1000; nr++) {
        d = data(ARCH, nr, below(2) ? 16 : edges[below(N_EDGES)], 0, below(2) ? 9 : rnd());
        compare(&f, &p, &d);
    }
    compare_many(&f, &p, 5000);
    batch_end("podman-like profile");
    free(f.p);
}

/* Install a filter in a child: getppid refused with EACCES, the rest allowed. qemu-user and some
 * sandboxes refuse filters (EINVAL): then the check is skipped. */
static void test_install(void)
{
    CHECK_EQ_INT(scmp_install(NULL, 0), -EINVAL);
    CHECK(err_msg()[0] != '\0');
    err_clear();
    struct scmp_rule r = {SYS_getppid, ERRNO(EACCES), NULL, 0};
    struct scmp_profile p = {ALLOW, &r, 1};
    struct sock_filter *prog;
    size_t n;
    CHECK_EQ_INT(scmp_compile(&p, &prog, &n), 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
            _exit(77);
        int e = scmp_install(prog, n);
        if (e == -EINVAL)
            _exit(77);
        if (e < 0)
            _exit(2);
        long got = syscall(SYS_getppid);
        _exit(got == -1 && errno == EACCES && getpid() > 0 ? 0 : 1);
    }
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
        printf("test_scmp: installing a filter: skipped (refused here)\n");
    else
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    free(prog);
}

int main(void)
{
    test_names();
    test_actions();
    test_bad_profiles();
    test_head();
    test_rules();
    test_neighbours();
    test_operators();
    test_random_profiles();
    test_huge_profile();
    test_sizes();
    test_podman_profile();
    test_install();
    return check_summary("test_scmp");
}
