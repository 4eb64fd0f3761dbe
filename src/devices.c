#include "devices.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "err.h"
#include "sys.h"

/* DEV_* are the kernel's access bits, as the header promises. */
_Static_assert((int)DEV_MKNOD == (int)BPF_DEVCG_ACC_MKNOD &&
                   (int)DEV_READ == (int)BPF_DEVCG_ACC_READ &&
                   (int)DEV_WRITE == (int)BPF_DEVCG_ACC_WRITE,
               "DEV_* differ from BPF_DEVCG_ACC_*");
#ifndef BPF_F_ALLOW_MULTI
#define BPF_F_ALLOW_MULTI (1U << 1)
#endif
#ifndef SYS_bpf
#ifdef __NR_bpf
#define SYS_bpf __NR_bpf
#else
#error "hutch's device policy needs the number of the bpf system call"
#endif
#endif

/* The fields of struct bpf_cgroup_dev_ctx. */
#define CTX_ACCESS_TYPE 0
#define CTX_MAJOR 4
#define CTX_MINOR 8

#define SPEC_USAGE "expected HOST[:CONTAINER][:PERMS], e.g. /dev/ttyS1:/dev/ttyS1:rw"

/* --- parsing ----------------------------------------------------------------------------- */

/* PERMS: a non-empty subset of "rwm" without repeats, as DEV_* bits; -1 if not. */
static int parse_perms(const char *s)
{
    unsigned bits = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        unsigned b = *s == 'r' ? DEV_READ : *s == 'w' ? DEV_WRITE : *s == 'm' ? DEV_MKNOD : 0;
        if (!b || (bits & b))
            return -1;
        bits |= b;
    }
    return (int)bits;
}

static bool only_rwm(const char *s)
{
    return *s && strspn(s, "rwm") == strlen(s);
}

static bool has_dotdot(const char *p)
{
    for (const char *c = p; *c;) {
        while (*c == '/')
            c++;
        size_t len = strcspn(c, "/");
        if (len == 2 && c[0] == '.' && c[1] == '.')
            return true;
        c += len;
    }
    return false;
}

static bool only_slashes(const char *p)
{
    return strspn(p, "/") == strlen(p);
}

static int check_spec(const char *spec, const char *host, const char *path, const char *perms)
{
    if (!*host)
        return err_setx(EINVAL, "--device '%s': %s", spec, SPEC_USAGE);
    if (host[0] != '/')
        return err_setx(EINVAL, "--device '%s': the host path %s is not absolute; %s", spec,
                        host, SPEC_USAGE);
    if (path) {
        if (!*path)
            return err_setx(EINVAL, "--device '%s': %s", spec, SPEC_USAGE);
        if (path[0] != '/') {
            if (!strchr(path, '/'))
                return err_setx(EINVAL,
                                "--device '%s': %s is neither an absolute container path nor "
                                "PERMS (some of r, w, m); %s",
                                spec, path, SPEC_USAGE);
            return err_setx(EINVAL, "--device '%s': the container path %s is not absolute", spec,
                            path);
        }
        if (only_slashes(path))
            return err_setx(EINVAL, "--device '%s': the container path cannot be /", spec);
        if (has_dotdot(path))
            return err_setx(EINVAL, "--device '%s': the container path %s has a \"..\" component",
                            spec, path);
    }
    if (perms && parse_perms(perms) < 0) {
        if (!*perms)
            return err_setx(EINVAL, "--device '%s': PERMS is empty; give some of r, w, m, e.g. rw",
                            spec);
        return err_setx(EINVAL, "--device '%s': PERMS %s: only the letters r, w, m, each once",
                        spec, perms);
    }
    return 0;
}

int devices_parse_spec(const char *spec, struct device_spec *d)
{
    memset(d, 0, sizeof *d);
    if (!spec)
        spec = "";
    char *copy = strdup(spec);
    if (!copy)
        return -ENOMEM;
    char *host = copy, *path = NULL, *perms = NULL;
    char *c1 = strchr(copy, ':');
    if (c1) {
        *c1 = '\0';
        char *c2 = strchr(c1 + 1, ':');
        if (c2) {
            *c2 = '\0';
            if (strchr(c2 + 1, ':')) {
                free(copy);
                return err_setx(EINVAL, "--device '%s': %s", spec, SPEC_USAGE);
            }
            path = c1 + 1;
            perms = c2 + 1;
        } else if (only_rwm(c1 + 1)) {
            perms = c1 + 1; /* "HOST:rw", as Docker reads it */
        } else {
            path = c1 + 1;
        }
    }
    int r = check_spec(spec, host, path, perms);
    if (r < 0) {
        free(copy);
        return r;
    }
    d->host = strdup(host);
    d->path = strdup(path ? path : host);
    d->access = perms ? (unsigned)parse_perms(perms) : DEV_ALL;
    free(copy);
    if (!d->host || !d->path) {
        devices_spec_free(d);
        return -ENOMEM;
    }
    return 0;
}

void devices_spec_free(struct device_spec *d)
{
    free((char *)d->host);
    free((char *)d->path);
    memset(d, 0, sizeof *d);
}

int devices_stat(struct device_spec *d)
{
    struct stat st;
    if (stat(d->host, &st) < 0)
        return err_set(errno, "--device %s", d->host);
    if (S_ISCHR(st.st_mode))
        d->type = 'c';
    else if (S_ISBLK(st.st_mode))
        d->type = 'b';
    else
        return err_setx(ENODEV, "--device %s: not a device node", d->host);
    d->major = major(st.st_rdev);
    d->minor = minor(st.st_rdev);
    return 0;
}

/* --- the rules --------------------------------------------------------------------------- */

static const struct device_rule default_rules[] = {
    {'c', DEV_ANY, DEV_ANY, DEV_MKNOD}, /* mknod of any node, as Docker */
    {'b', DEV_ANY, DEV_ANY, DEV_MKNOD},
    {'c', 1, 3, DEV_ALL},   /* null */
    {'c', 1, 5, DEV_ALL},   /* zero */
    {'c', 1, 7, DEV_ALL},   /* full */
    {'c', 1, 8, DEV_ALL},   /* random */
    {'c', 1, 9, DEV_ALL},   /* urandom */
    {'c', 5, 0, DEV_ALL},   /* tty */
    {'c', 5, 2, DEV_ALL},   /* ptmx */
    {'c', 136, DEV_ANY, DEV_ALL}, /* /dev/pts/N */
};
#define N_DEFAULT_RULES (sizeof default_rules / sizeof default_rules[0])

int devices_rules(const struct device_spec *devs, size_t n_devs, struct device_rule *out,
                  size_t max)
{
    for (size_t i = 0; i < n_devs; i++)
        if ((devs[i].type != 'c' && devs[i].type != 'b') || devs[i].major > INT32_MAX ||
            devs[i].minor > INT32_MAX)
            return -EINVAL;
    if (n_devs > INT32_MAX - N_DEFAULT_RULES || max < N_DEFAULT_RULES + n_devs)
        return -ENOSPC;
    size_t n = 0;
    for (size_t i = 0; i < N_DEFAULT_RULES; i++)
        out[n++] = default_rules[i];
    for (size_t i = 0; i < n_devs; i++)
        out[n++] = (struct device_rule){devs[i].type, (int)devs[i].major, (int)devs[i].minor,
                                        devs[i].access};
    return (int)n;
}

static bool valid_number(int v)
{
    return v >= 0 || v == DEV_ANY;
}

int devices_v1_line(const struct device_rule *r, char *buf, size_t len)
{
    if (r->type != 'c' && r->type != 'b' && r->type != 'a')
        return -EINVAL;
    if (!valid_number(r->major) || !valid_number(r->minor) || !r->access ||
        (r->access & ~(unsigned)DEV_ALL))
        return -EINVAL;
    if (r->type == 'a' && (r->major != DEV_ANY || r->minor != DEV_ANY || r->access != DEV_ALL))
        return -EINVAL;
    char maj[16] = "*", min[16] = "*", acc[4];
    if (r->major != DEV_ANY)
        snprintf(maj, sizeof maj, "%d", r->major);
    if (r->minor != DEV_ANY)
        snprintf(min, sizeof min, "%d", r->minor);
    size_t a = 0;
    if (r->access & DEV_READ)
        acc[a++] = 'r';
    if (r->access & DEV_WRITE)
        acc[a++] = 'w';
    if (r->access & DEV_MKNOD)
        acc[a++] = 'm';
    acc[a] = '\0';
    int n = snprintf(buf, len, "%c %s:%s %s", r->type, maj, min, acc);
    if (n < 0 || (size_t)n >= len)
        return -ENOSPC;
    return n;
}

/* --- the eBPF program -------------------------------------------------------------------- */

/* Registers of the program: R1 the context on entry, R0 the verdict. */
enum { R0, R1, R2, R3, R4, R5 };
#define REG_TYPE R2   /* access_type & 0xFFFF: BPF_DEVCG_DEV_* */
#define REG_ACCESS R3 /* access_type >> 16: BPF_DEVCG_ACC_* */
#define REG_MAJOR R4
#define REG_MINOR R5

struct prog {
    struct bpf_insn *p;
    size_t n, max;
};

static void emit(struct prog *g, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
    if (g->n < g->max)
        g->p[g->n] = (struct bpf_insn){.code = code, .dst_reg = dst & 0xf, .src_reg = src & 0xf,
                                       .off = off, .imm = imm};
    g->n++;
}

static void emit_alu32_k(struct prog *g, uint8_t op, uint8_t dst, int32_t imm)
{
    emit(g, BPF_ALU | op | BPF_K, dst, 0, 0, imm);
}

static void emit_ldx_w(struct prog *g, uint8_t dst, int16_t off)
{
    emit(g, BPF_LDX | BPF_W | BPF_MEM, dst, R1, off, 0);
}

static void emit_exit_with(struct prog *g, int32_t verdict)
{
    emit(g, BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, verdict);
    emit(g, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

static bool valid_rule(const struct device_rule *r)
{
    return (r->type == 'c' || r->type == 'b' || r->type == 'a') && valid_number(r->major) &&
           valid_number(r->minor);
}

int devices_build_bpf(const struct device_rule *rules, size_t n, struct bpf_insn *out, size_t max)
{
    for (size_t i = 0; i < n; i++)
        if (!valid_rule(&rules[i]))
            return -EINVAL;
    if (n > (INT32_MAX - 8) / 6) /* the count must fit the return value */
        return -ENOSPC;
    struct prog g = {out, 0, max};
    /* R2 = type, R3 = access, R4 = major, R5 = minor; every one a 32-bit value, zero-extended. */
    emit_ldx_w(&g, REG_TYPE, CTX_ACCESS_TYPE);
    emit(&g, BPF_ALU | BPF_MOV | BPF_X, REG_ACCESS, REG_TYPE, 0, 0);
    emit_alu32_k(&g, BPF_AND, REG_TYPE, 0xFFFF);
    emit_alu32_k(&g, BPF_RSH, REG_ACCESS, 16);
    emit_ldx_w(&g, REG_MAJOR, CTX_MAJOR);
    emit_ldx_w(&g, REG_MINOR, CTX_MINOR);
    for (size_t i = 0; i < n; i++) {
        const struct device_rule *r = &rules[i];
        /* Each check jumps past the rest of the block (the checks left, then R0 = 1 and exit)
         * to the next rule's: OFF counts from the instruction after the jump. */
        int checks = (r->type != 'a') + (r->major != DEV_ANY) + (r->minor != DEV_ANY) + 1;
        int left = checks + 2; /* instructions of the block not emitted yet */
        if (r->type != 'a')
            emit(&g, BPF_JMP | BPF_JNE | BPF_K, REG_TYPE, 0, (int16_t)--left,
                 r->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK);
        if (r->major != DEV_ANY)
            emit(&g, BPF_JMP | BPF_JNE | BPF_K, REG_MAJOR, 0, (int16_t)--left, r->major);
        if (r->minor != DEV_ANY)
            emit(&g, BPF_JMP | BPF_JNE | BPF_K, REG_MINOR, 0, (int16_t)--left, r->minor);
        /* A bit asked that the rule lacks (known or not) means: not this rule. REG_ACCESS is
         * below 1 << 16 and the immediate is sign-extended, so this tests all its bits. */
        emit(&g, BPF_JMP | BPF_JSET | BPF_K, REG_ACCESS, 0, (int16_t)--left,
             (int32_t)~r->access);
        emit_exit_with(&g, 1);
    }
    emit_exit_with(&g, 0);
    return g.n <= max ? (int)g.n : -ENOSPC;
}

/* --- side effects ------------------------------------------------------------------------ */

int devices_apply_v1(int dirfd, const struct device_rule *rules, size_t n)
{
    int r = sys_write_text(dirfd, "devices.deny", "a");
    if (r == -ENOENT)
        return err_setx(ENOENT,
                        "the kernel has no devices cgroup controller (CONFIG_CGROUP_DEVICE)");
    if (r < 0)
        return err_set(-r, "write a to devices.deny");
    for (size_t i = 0; i < n; i++) {
        char line[64];
        if ((r = devices_v1_line(&rules[i], line, sizeof line)) < 0)
            return err_setx(-r, "device rule %zu: v1's devices.allow cannot express it", i);
        if ((r = sys_write_text(dirfd, "devices.allow", line)) < 0)
            return err_set(-r, "write %s to devices.allow", line);
    }
    return 0;
}

static long sys_bpf(int cmd, union bpf_attr *attr)
{
    return syscall(SYS_bpf, cmd, attr, sizeof *attr);
}

/* The verifier's reason in LOG: its last line but the statistics ("processed N insns ..."). */
static const char *verifier_reason(char *log, size_t size)
{
    log[size - 1] = '\0';
    const char *reason = "";
    for (char *line = log; *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (*line && strncmp(line, "processed ", 10) != 0)
            reason = line;
        if (!nl)
            break;
        line = nl + 1;
    }
    return reason;
}

/* -EOPNOTSUPP, with nothing recorded, when the kernel lacks cgroup device programs: the caller
 * says whether that is an error. */
static int load_program(const struct bpf_insn *insns, int n)
{
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = (uint64_t)(uintptr_t)insns;
    attr.insn_cnt = (uint32_t)n;
    attr.license = (uint64_t)(uintptr_t) "GPL";
    long fd = sys_bpf(BPF_PROG_LOAD, &attr);
    if (fd >= 0)
        return (int)fd;
    int e = errno;
    if (e == ENOSYS)
        return -EOPNOTSUPP;
    if (e == EPERM)
        return err_setx(EPERM, "load the cgroup device program: root is needed (CAP_SYS_ADMIN "
                               "or CAP_BPF)");
    if (e != EINVAL && e != EACCES)
        return err_set(e, "load the cgroup device program");
    /* Again with the verifier's log, to say why. */
    char *log = calloc(1, 4096);
    if (log) {
        attr.log_buf = (uint64_t)(uintptr_t)log;
        attr.log_size = 4096;
        attr.log_level = 1;
        fd = sys_bpf(BPF_PROG_LOAD, &attr);
        if (fd >= 0) { /* it failed once, not twice: take it */
            free(log);
            return (int)fd;
        }
        if (errno != ENOSPC) /* ENOSPC: the log was short */
            e = errno;
    }
    const char *reason = log ? verifier_reason(log, 4096) : "";
    int r;
    if (*reason)
        r = err_setx(e, "the kernel refused hutch's cgroup device program: %s", reason);
    else if (e == EINVAL)
        r = -EOPNOTSUPP; /* no reason from a verifier: it does not know the program type */
    else
        r = err_set(e, "load the cgroup device program");
    free(log);
    return r;
}

int devices_apply_v2(int dirfd, const struct device_rule *rules, size_t n, bool required)
{
    if (n > (SIZE_MAX / sizeof(struct bpf_insn) - 8) / 6)
        return err_setx(E2BIG, "too many device rules (%zu)", n);
    size_t max = 8 + 6 * n;
    struct bpf_insn *insns = calloc(max, sizeof *insns);
    if (!insns)
        return err_set(ENOMEM, "cgroup device program");
    int count = devices_build_bpf(rules, n, insns, max);
    if (count < 0) {
        free(insns);
        return err_setx(-count, "cgroup device program: a device rule is malformed");
    }
    int prog = load_program(insns, count);
    free(insns);
    if (prog == -EOPNOTSUPP)
        return required ? err_setx(EOPNOTSUPP, "the kernel lacks cgroup device programs "
                                               "(CONFIG_BPF_SYSCALL, CONFIG_CGROUP_BPF)")
                        : 0;
    if (prog < 0)
        return prog;
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.target_fd = (uint32_t)dirfd;
    attr.attach_bpf_fd = (uint32_t)prog;
    attr.attach_type = BPF_CGROUP_DEVICE;
    attr.attach_flags = BPF_F_ALLOW_MULTI;
    int r = 0;
    if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0) {
        int e = errno;
        if (e == EINVAL && !required)
            r = 0; /* the kernel cannot attach programs to cgroups: the nodev mounts stand */
        else if (e == EINVAL)
            r = err_setx(EINVAL, "attach the cgroup device program: the kernel cannot attach "
                                 "programs to cgroups (CONFIG_CGROUP_BPF)");
        else if (e == EBADF)
            r = err_setx(EBADF, "attach the cgroup device program: the directory is not a "
                                "cgroup v2 one");
        else if (e == EPERM)
            r = err_setx(EPERM, "attach the cgroup device program: root is needed "
                                "(CAP_NET_ADMIN)");
        else
            r = err_set(e, "attach the cgroup device program");
    }
    close(prog);
    return r;
}
