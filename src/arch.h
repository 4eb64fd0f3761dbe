/* arch: the build's own architecture as the seccomp filters check it (seccomp_data.arch), and
 * on x86_64 the bit of the x32 ABI's call numbers. Shared by seccomp.c and scmp.c. */
#ifndef HUTCH_ARCH_H
#define HUTCH_ARCH_H

#include <linux/audit.h>

#if defined(__x86_64__)
#define THIS_ARCH AUDIT_ARCH_X86_64
#define X32_SYSCALL_BIT 0x40000000u
#elif defined(__aarch64__)
#define THIS_ARCH AUDIT_ARCH_AARCH64
#elif defined(__arm__)
#define THIS_ARCH AUDIT_ARCH_ARM
#elif defined(__i386__)
#define THIS_ARCH AUDIT_ARCH_I386
#else
#error "hutch's seccomp filters do not know this architecture"
#endif

#endif
