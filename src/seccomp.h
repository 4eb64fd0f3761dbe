/* seccomp: the default system call filter, built by hutch as classic BPF. It checks the
 * architecture (a foreign one, and the x32 ABI on x86_64, kill the process), returns EPERM for
 * the calls Docker's default profile blocks, and for the calls that need a capability the
 * container was not given (mount and friends need CAP_SYS_ADMIN, and so on). */
#ifndef HUTCH_SECCOMP_H
#define HUTCH_SECCOMP_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

#define SECCOMP_MAX_INSNS 512

/* Pure: build the filter for a container that keeps the capabilities CAPS (a CAPS_BIT mask).
 * Returns the number of instructions written to OUT, or -ENOSPC. */
int seccomp_build(uint64_t caps, struct sock_filter *out, size_t max);

/* The calls denied whatever the capabilities, and those a capability allows, for the README,
 * `hutch defaults` and the tests: calls FN(name, number, cap or -1, arg) for each call this
 * architecture has. */
void seccomp_each_rule(void (*fn)(const char *name, int nr, int cap, void *arg), void *arg);

/* Install the filter in this process (needs no_new_privs or CAP_SYS_ADMIN). */
int seccomp_install(uint64_t caps);

#endif
