/* scmp: a seccomp filter compiler for OCI profiles (runtime-spec linux.seccomp), data-driven and
 * pure: a profile of rules in, classic BPF out. The JSON is read elsewhere; this module knows the
 * system call names of the build's own architecture, the OCI action and operator names, and
 * how to turn rules into a filter that checks the architecture, finds the call's rules by a
 * binary search over its number, and tests 64-bit arguments. */
#ifndef HUTCH_SCMP_H
#define HUTCH_SCMP_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum scmp_op {
    SCMP_OP_NE,
    SCMP_OP_LT,
    SCMP_OP_LE,
    SCMP_OP_EQ,
    SCMP_OP_GE,
    SCMP_OP_GT,
    SCMP_OP_MASKED_EQ,
};

/* One condition on a call's argument, compared as an unsigned 64-bit number. */
struct scmp_arg {
    unsigned index; /* 0..5 */
    enum scmp_op op;
    uint64_t value, value2; /* MASKED_EQ: (arg & value) == value2 (OCI's value and valueTwo) */
};

/* A call's rule. It matches when all its conditions hold, except that the conditions on one
 * argument index are OR'ed among themselves (those on different indexes are AND'ed); one with
 * no conditions always matches. */
struct scmp_rule {
    int nr;          /* this architecture's call number (>= 0; leave out the calls it lacks) */
    uint32_t action; /* a SECCOMP_RET_* value with its data, e.g. SECCOMP_RET_ERRNO|EPERM */
    const struct scmp_arg *args;
    size_t n_args;
};

/* The rules of one call are tried in the order given and the first that matches decides; a call
 * no rule matches gets DEFAULT_ACTION. Another architecture than the build's, and on x86_64 the
 * x32 ABI, get SECCOMP_RET_KILL_PROCESS. */
struct scmp_profile {
    uint32_t default_action;
    const struct scmp_rule *rules;
    size_t n_rules;
};

/* This architecture's number of a system call name ("openat"), or -1 when it has none. Knows
 * the C library's names (<sys/syscall.h> at build time), the kernel's names where the C library
 * renamed a call (32-bit arm's "clock_gettime" is musl's clock_gettime32), and the numbers that
 * are the same on every architecture (424 and up) for the calls a C library does not know yet. */
int scmp_syscall_nr(const char *name);

/* The calls scmp_syscall_nr knows, for tests and listings: FN(name, number, ARG) for each. */
void scmp_each_syscall(void (*fn)(const char *name, int nr, void *arg), void *arg);

/* An OCI action name ("SCMP_ACT_ERRNO") into *ACTION, a SECCOMP_RET_* value. ERRNO and TRACE take
 * ERRNO_RET as their data when HAS_ERRNO, EPERM otherwise. -EINVAL for an unknown name or an
 * errno past 16 bits, -EOPNOTSUPP for SCMP_ACT_NOTIFY. Pure. */
int scmp_action(const char *name, uint32_t errno_ret, bool has_errno, uint32_t *action);

/* An OCI operator name ("SCMP_CMP_MASKED_EQ") into *OP; -EINVAL for an unknown one. Pure. */
int scmp_op(const char *name, enum scmp_op *op);

/* Compile P to classic BPF, malloc'd into *OUT (*N instructions). -EINVAL for a bad call number,
 * argument index or operator, -E2BIG past BPF_MAXINSNS (4096), -ENOMEM. Pure. */
int scmp_compile(const struct scmp_profile *p, struct sock_filter **out, size_t *n);

/* Install the filter F of N instructions in this process (needs no_new_privs or CAP_SYS_ADMIN). */
int scmp_install(const struct sock_filter *f, size_t n);

#endif
