#include "seccomp.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "caps.h"
#include "arch.h"
#include "err.h"
#include "sys.h"


/* A call some architecture lacks is numbered -1 there and left out of the filter. 32-bit arm
 * knows some time calls only by their _time32 names. */
#define ABSENT (-1)
#if !defined(SYS_settimeofday) && defined(SYS_settimeofday_time32)
#define SYS_settimeofday SYS_settimeofday_time32
#endif
#if !defined(SYS_clock_settime) && defined(SYS_clock_settime32)
#define SYS_clock_settime SYS_clock_settime32
#endif
#if !defined(SYS_clock_adjtime) && defined(SYS_clock_adjtime32)
#define SYS_clock_adjtime SYS_clock_adjtime32
#endif
#ifndef SYS_call
#define SYS_call ABSENT
#endif
#ifndef SYS_add_key
#define SYS_add_key ABSENT
#endif
#ifndef SYS_keyctl
#define SYS_keyctl ABSENT
#endif
#ifndef SYS_request_key
#define SYS_request_key ABSENT
#endif
#ifndef SYS_userfaultfd
#define SYS_userfaultfd ABSENT
#endif
#ifndef SYS_uselib
#define SYS_uselib ABSENT
#endif
#ifndef SYS_ustat
#define SYS_ustat ABSENT
#endif
#ifndef SYS_sysfs
#define SYS_sysfs ABSENT
#endif
#ifndef SYS__sysctl
#define SYS__sysctl ABSENT
#endif
#ifndef SYS_vm86
#define SYS_vm86 ABSENT
#endif
#ifndef SYS_vm86old
#define SYS_vm86old ABSENT
#endif
#ifndef SYS_create_module
#define SYS_create_module ABSENT
#endif
#ifndef SYS_get_kernel_syms
#define SYS_get_kernel_syms ABSENT
#endif
#ifndef SYS_query_module
#define SYS_query_module ABSENT
#endif
#ifndef SYS_nfsservctl
#define SYS_nfsservctl ABSENT
#endif
#ifndef SYS_mount
#define SYS_mount ABSENT
#endif
#ifndef SYS_umount
#define SYS_umount ABSENT
#endif
#ifndef SYS_umount2
#define SYS_umount2 ABSENT
#endif
#ifndef SYS_pivot_root
#define SYS_pivot_root ABSENT
#endif
#ifndef SYS_unshare
#define SYS_unshare ABSENT
#endif
#ifndef SYS_setns
#define SYS_setns ABSENT
#endif
#ifndef SYS_open_tree
#define SYS_open_tree ABSENT
#endif
#ifndef SYS_move_mount
#define SYS_move_mount ABSENT
#endif
#ifndef SYS_fsopen
#define SYS_fsopen ABSENT
#endif
#ifndef SYS_fsconfig
#define SYS_fsconfig ABSENT
#endif
#ifndef SYS_fsmount
#define SYS_fsmount ABSENT
#endif
#ifndef SYS_fspick
#define SYS_fspick ABSENT
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr ABSENT
#endif
#ifndef SYS_swapon
#define SYS_swapon ABSENT
#endif
#ifndef SYS_swapoff
#define SYS_swapoff ABSENT
#endif
#ifndef SYS_bpf
#define SYS_bpf ABSENT
#endif
#ifndef SYS_perf_event_open
#define SYS_perf_event_open ABSENT
#endif
#ifndef SYS_quotactl
#define SYS_quotactl ABSENT
#endif
#ifndef SYS_fanotify_init
#define SYS_fanotify_init ABSENT
#endif
#ifndef SYS_lookup_dcookie
#define SYS_lookup_dcookie ABSENT
#endif
#ifndef SYS_init_module
#define SYS_init_module ABSENT
#endif
#ifndef SYS_finit_module
#define SYS_finit_module ABSENT
#endif
#ifndef SYS_delete_module
#define SYS_delete_module ABSENT
#endif
#ifndef SYS_reboot
#define SYS_reboot ABSENT
#endif
#ifndef SYS_kexec_load
#define SYS_kexec_load ABSENT
#endif
#ifndef SYS_kexec_file_load
#define SYS_kexec_file_load ABSENT
#endif
#ifndef SYS_settimeofday
#define SYS_settimeofday ABSENT
#endif
#ifndef SYS_stime
#define SYS_stime ABSENT
#endif
#ifndef SYS_clock_settime
#define SYS_clock_settime ABSENT
#endif
#ifndef SYS_clock_settime64
#define SYS_clock_settime64 ABSENT
#endif
#ifndef SYS_clock_adjtime
#define SYS_clock_adjtime ABSENT
#endif
#ifndef SYS_clock_adjtime64
#define SYS_clock_adjtime64 ABSENT
#endif
#ifndef SYS_adjtimex
#define SYS_adjtimex ABSENT
#endif
#ifndef SYS_ptrace
#define SYS_ptrace ABSENT
#endif
#ifndef SYS_process_vm_readv
#define SYS_process_vm_readv ABSENT
#endif
#ifndef SYS_process_vm_writev
#define SYS_process_vm_writev ABSENT
#endif
#ifndef SYS_kcmp
#define SYS_kcmp ABSENT
#endif
#ifndef SYS_acct
#define SYS_acct ABSENT
#endif
#ifndef SYS_get_mempolicy
#define SYS_get_mempolicy ABSENT
#endif
#ifndef SYS_set_mempolicy
#define SYS_set_mempolicy ABSENT
#endif
#ifndef SYS_mbind
#define SYS_mbind ABSENT
#endif
#ifndef SYS_move_pages
#define SYS_move_pages ABSENT
#endif
#ifndef SYS_iopl
#define SYS_iopl ABSENT
#endif
#ifndef SYS_ioperm
#define SYS_ioperm ABSENT
#endif
#ifndef SYS_open_by_handle_at
#define SYS_open_by_handle_at ABSENT
#endif
/* Newer calls have one number on every architecture. */
#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425
#endif
#ifndef SYS_io_uring_enter
#define SYS_io_uring_enter 426
#endif
#ifndef SYS_io_uring_register
#define SYS_io_uring_register 427
#endif
#ifndef SYS_syslog
#define SYS_syslog ABSENT
#endif

#define ALWAYS (-1)
#define CAP_ADMIN 21
#define CAP_MODULE 16
#define CAP_BOOT 22
#define CAP_TIME 25
#define CAP_PTRACE 19
#define CAP_PACCT 20
#define CAP_NICE 23
#define CAP_RAWIO 17
#define CAP_DAC_READ_SEARCH 2
#define CAP_SYSLOG 34

#define RULE(call, cap) {#call, SYS_##call, cap}
static const struct {
    const char *name;
    int nr;
    int cap; /* the capability that allows the call, or ALWAYS: denied whatever is kept */
} rules[] = {
    /* keys, kernel code, and what containers never need */
    RULE(add_key, ALWAYS), RULE(keyctl, ALWAYS), RULE(request_key, ALWAYS),
    RULE(userfaultfd, ALWAYS), RULE(uselib, ALWAYS), RULE(ustat, ALWAYS), RULE(sysfs, ALWAYS),
    RULE(_sysctl, ALWAYS), RULE(vm86, ALWAYS), RULE(vm86old, ALWAYS), RULE(create_module, ALWAYS),
    RULE(get_kernel_syms, ALWAYS), RULE(query_module, ALWAYS), RULE(nfsservctl, ALWAYS),
    /* io_uring does its work out of the filter's sight (Docker's profile refuses it too) */
    RULE(io_uring_setup, ALWAYS), RULE(io_uring_enter, ALWAYS), RULE(io_uring_register, ALWAYS),
    /* mounts and namespaces */
    RULE(mount, CAP_ADMIN), RULE(umount, CAP_ADMIN), RULE(umount2, CAP_ADMIN),
    RULE(pivot_root, CAP_ADMIN), RULE(unshare, CAP_ADMIN), RULE(setns, CAP_ADMIN),
    RULE(open_tree, CAP_ADMIN), RULE(move_mount, CAP_ADMIN), RULE(fsopen, CAP_ADMIN),
    RULE(fsconfig, CAP_ADMIN), RULE(fsmount, CAP_ADMIN), RULE(fspick, CAP_ADMIN),
    RULE(mount_setattr, CAP_ADMIN), RULE(swapon, CAP_ADMIN), RULE(swapoff, CAP_ADMIN),
    RULE(bpf, CAP_ADMIN), RULE(perf_event_open, CAP_ADMIN), RULE(quotactl, CAP_ADMIN),
    RULE(fanotify_init, CAP_ADMIN), RULE(lookup_dcookie, CAP_ADMIN),
    /* modules, reboot, clock, tracing, accounting, memory policy, ports, handles */
    RULE(init_module, CAP_MODULE), RULE(finit_module, CAP_MODULE), RULE(delete_module, CAP_MODULE),
    RULE(reboot, CAP_BOOT), RULE(kexec_load, CAP_BOOT), RULE(kexec_file_load, CAP_BOOT),
    RULE(settimeofday, CAP_TIME), RULE(stime, CAP_TIME), RULE(clock_settime, CAP_TIME),
    RULE(clock_settime64, CAP_TIME), RULE(clock_adjtime, CAP_TIME), RULE(clock_adjtime64, CAP_TIME),
    RULE(adjtimex, CAP_TIME),
    RULE(ptrace, CAP_PTRACE), RULE(process_vm_readv, CAP_PTRACE),
    RULE(process_vm_writev, CAP_PTRACE), RULE(kcmp, CAP_PTRACE),
    RULE(acct, CAP_PACCT),
    RULE(get_mempolicy, CAP_NICE), RULE(set_mempolicy, CAP_NICE), RULE(mbind, CAP_NICE),
    RULE(move_pages, CAP_NICE),
    RULE(iopl, CAP_RAWIO), RULE(ioperm, CAP_RAWIO),
    RULE(open_by_handle_at, CAP_DAC_READ_SEARCH),
    RULE(syslog, CAP_SYSLOG),
};
#define N_RULES (sizeof rules / sizeof rules[0])

/* clone() flags that make namespaces; CLONE_NEWTIME (0x80) is part of the exit signal there. */
#define CLONE_NAMESPACE_FLAGS 0x7E020000u

#define DATA_NR offsetof(struct seccomp_data, nr)
#define DATA_ARCH offsetof(struct seccomp_data, arch)
#define DATA_ARG0_LO offsetof(struct seccomp_data, args[0]) /* little-endian targets */
#define DATA_ARG1_LO offsetof(struct seccomp_data, args[1])

/* personality(2) values Docker's default profile allows (the kernel reads 32 bits of it):
 * PER_LINUX, PER_LINUX32, UNAME26, PER_LINUX32|UNAME26, and 0xffffffff (a query). */
static const uint32_t personalities[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff};
/* ioctl(2) requests refused whatever the capabilities (the kernel reads 32 bits of them):
 * TIOCSTI pushes input into a terminal, TIOCLINUX reaches into the console. */
static const uint32_t refused_ioctls[] = {0x5412 /* TIOCSTI */, 0x541C /* TIOCLINUX */};

struct prog {
    struct sock_filter *p;
    size_t n, max;
};

static void emit(struct prog *g, uint16_t code, uint32_t k, uint8_t jt, uint8_t jf)
{
    if (g->n < g->max)
        g->p[g->n] = (struct sock_filter){code, jt, jf, k};
    g->n++;
}

int seccomp_build(uint64_t caps, struct sock_filter *out, size_t max)
{
    struct prog g = {out, 0, max};
    bool admin = caps & CAPS_BIT(CAP_ADMIN);
    emit(&g, BPF_LD | BPF_W | BPF_ABS, DATA_ARCH, 0, 0);
    emit(&g, BPF_JMP | BPF_JEQ | BPF_K, THIS_ARCH, 1, 0);
    emit(&g, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS, 0, 0);
    emit(&g, BPF_LD | BPF_W | BPF_ABS, DATA_NR, 0, 0);
#ifdef X32_SYSCALL_BIT
    emit(&g, BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 1);
    emit(&g, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS, 0, 0);
#endif
    for (size_t i = 0; i < N_RULES; i++) {
        if (rules[i].nr == ABSENT || (rules[i].cap != ALWAYS && (caps & CAPS_BIT(rules[i].cap))))
            continue;
        emit(&g, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)rules[i].nr, 0, 1);
        emit(&g, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM, 0, 0);
    }
    /* Calls allowed or not by an argument. Each block is jumped over whole when the number is
     * another, so the accumulator still holds the number after it. */
    size_t np = sizeof personalities / sizeof *personalities;
    emit(&g, BPF_JMP | BPF_JEQ | BPF_K, SYS_personality, 0, (uint8_t)(np + 3));
    emit(&g, BPF_LD | BPF_W | BPF_ABS, DATA_ARG0_LO, 0, 0);
    for (size_t i = 0; i < np; i++)
        emit(&g, BPF_JMP | BPF_JEQ | BPF_K, personalities[i], (uint8_t)(np - i), 0);
    emit(&g, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM, 0, 0);
    emit(&g, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
    size_t ni = sizeof refused_ioctls / sizeof *refused_ioctls;
    emit(&g, BPF_JMP | BPF_JEQ | BPF_K, SYS_ioctl, 0, (uint8_t)(ni + 3));
    emit(&g, BPF_LD | BPF_W | BPF_ABS, DATA_ARG1_LO, 0, 0);
    for (size_t i = 0; i < ni; i++)
        emit(&g, BPF_JMP | BPF_JEQ | BPF_K, refused_ioctls[i], (uint8_t)(ni - i), 0);
    emit(&g, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
    emit(&g, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM, 0, 0);
    if (!admin) {
        /* clone3 hides its flags in memory the filter cannot read: ENOSYS makes the C library
         * fall back to clone, whose flags it can. */
        emit(&g, BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1);
        emit(&g, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS, 0, 0);
        emit(&g, BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 3);
        emit(&g, BPF_LD | BPF_W | BPF_ABS, DATA_ARG0_LO, 0, 0);
        emit(&g, BPF_JMP | BPF_JSET | BPF_K, CLONE_NAMESPACE_FLAGS, 0, 1);
        emit(&g, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM, 0, 0);
    }
    emit(&g, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
    return g.n <= max ? (int)g.n : -ENOSPC;
}

void seccomp_each_rule(void (*fn)(const char *name, int nr, int cap, void *arg), void *arg)
{
    for (size_t i = 0; i < N_RULES; i++)
        if (rules[i].nr != ABSENT)
            fn(rules[i].name, rules[i].nr, rules[i].cap, arg);
}

int seccomp_install(uint64_t caps)
{
    struct sock_filter insns[SECCOMP_MAX_INSNS];
    int n = seccomp_build(caps, insns, SECCOMP_MAX_INSNS);
    if (n < 0)
        return err_set(-n, "seccomp filter");
    struct sock_fprog prog = {(unsigned short)n, insns};
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0) {
        if (errno == EINVAL)
            return err_setx(EINVAL, "the kernel lacks seccomp filters (CONFIG_SECCOMP_FILTER); "
                                    "run with --seccomp unconfined");
        return err_set(errno, "install the seccomp filter");
    }
    return 0;
}
