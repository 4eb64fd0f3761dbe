#include "scmp.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "arch.h"
#include "err.h"


/* ---- names ---- */

/* The C library's calls, sorted by name (strcmp's order): build/<tree>/gen/scmp_names.h is made
 * by the Makefile from the macros of <sys/syscall.h>, SCMP_NAME(name) for each SYS_name and
 * SCMP_ARM_NAME(name) for each __ARM_NR_name. */
static const struct name {
    const char *name;
    int nr;
} names[] = {
#define SCMP_NAME(n) {#n, SYS_##n},
#define SCMP_ARM_NAME(n) {#n, __ARM_NR_##n}, /* arm's private calls: cacheflush, set_tls */
#include "scmp_names.h"
#undef SCMP_NAME
#undef SCMP_ARM_NAME
};
#define N_NAMES (sizeof names / sizeof names[0])

/* The kernel's names of calls musl renamed on 32-bit architectures (the time32 calls), looked up
 * under musl's name when the kernel's is not in the table. */
static const struct {
    const char *kernel, *libc;
} renamed[] = {
    {"clock_adjtime", "clock_adjtime32"},
    {"clock_getres", "clock_getres_time32"},
    {"clock_gettime", "clock_gettime32"},
    {"clock_nanosleep", "clock_nanosleep_time32"},
    {"clock_settime", "clock_settime32"},
    {"gettimeofday", "gettimeofday_time32"},
    {"settimeofday", "settimeofday_time32"},
    {"timer_gettime", "timer_gettime32"},
    {"timer_settime", "timer_settime32"},
    {"timerfd_gettime", "timerfd_gettime32"},
    {"timerfd_settime", "timerfd_settime32"},
};

/* From 424 on a call has one number on every architecture (but alpha); these are the ones an
 * older C library may not name yet. Used only when the table lacks the name. An architecture
 * that does not implement one answers ENOSYS to it, whatever the filter says. */
static const struct name common[] = {
    {"quotactl_fd", 443},
    {"memfd_secret", 447},
    {"process_mrelease", 448},
    {"futex_waitv", 449},
    {"set_mempolicy_home_node", 450},
    {"cachestat", 451},
    {"fchmodat2", 452},
    {"map_shadow_stack", 453},
    {"futex_wake", 454},
    {"futex_wait", 455},
    {"futex_requeue", 456},
    {"statmount", 457},
    {"listmount", 458},
    {"lsm_get_self_attr", 459},
    {"lsm_set_self_attr", 460},
    {"lsm_list_modules", 461},
    {"mseal", 462},
    {"setxattrat", 463},
    {"getxattrat", 464},
    {"listxattrat", 465},
    {"removexattrat", 466},
    {"open_tree_attr", 467},
    {"file_getattr", 468},
    {"file_setattr", 469},
};

static int by_name(const void *key, const void *entry)
{
    return strcmp(key, ((const struct name *)entry)->name);
}

static int table_nr(const char *name)
{
    const struct name *e = bsearch(name, names, N_NAMES, sizeof names[0], by_name);
    return e ? e->nr : -1;
}

int scmp_syscall_nr(const char *name)
{
    int nr = table_nr(name);
    if (nr >= 0)
        return nr;
    for (size_t i = 0; i < sizeof renamed / sizeof renamed[0]; i++)
        if (strcmp(name, renamed[i].kernel) == 0)
            return table_nr(renamed[i].libc);
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
        if (strcmp(name, common[i].name) == 0)
            return common[i].nr;
    return -1;
}

void scmp_each_syscall(void (*fn)(const char *name, int nr, void *arg), void *arg)
{
    for (size_t i = 0; i < N_NAMES; i++)
        fn(names[i].name, names[i].nr, arg);
    for (size_t i = 0; i < sizeof renamed / sizeof renamed[0]; i++)
        if (table_nr(renamed[i].kernel) < 0 && table_nr(renamed[i].libc) >= 0)
            fn(renamed[i].kernel, table_nr(renamed[i].libc), arg);
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
        if (table_nr(common[i].name) < 0)
            fn(common[i].name, common[i].nr, arg);
}

int scmp_action(const char *name, uint32_t errno_ret, bool has_errno, uint32_t *action)
{
    uint32_t data = has_errno ? errno_ret : EPERM;
    if (strcmp(name, "SCMP_ACT_KILL") == 0 || strcmp(name, "SCMP_ACT_KILL_THREAD") == 0)
        *action = SECCOMP_RET_KILL_THREAD;
    else if (strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0)
        *action = SECCOMP_RET_KILL_PROCESS;
    else if (strcmp(name, "SCMP_ACT_TRAP") == 0)
        *action = SECCOMP_RET_TRAP;
    else if (strcmp(name, "SCMP_ACT_ERRNO") == 0 || strcmp(name, "SCMP_ACT_TRACE") == 0) {
        if (data > SECCOMP_RET_DATA)
            return -EINVAL;
        *action = (name[9] == 'E' ? SECCOMP_RET_ERRNO : SECCOMP_RET_TRACE) | data;
    } else if (strcmp(name, "SCMP_ACT_ALLOW") == 0)
        *action = SECCOMP_RET_ALLOW;
    else if (strcmp(name, "SCMP_ACT_LOG") == 0)
        *action = SECCOMP_RET_LOG;
    else if (strcmp(name, "SCMP_ACT_NOTIFY") == 0)
        return -EOPNOTSUPP;
    else
        return -EINVAL;
    return 0;
}

int scmp_op(const char *name, enum scmp_op *op)
{
    static const char *const ops[] = {
        [SCMP_OP_NE] = "SCMP_CMP_NE", [SCMP_OP_LT] = "SCMP_CMP_LT", [SCMP_OP_LE] = "SCMP_CMP_LE",
        [SCMP_OP_EQ] = "SCMP_CMP_EQ", [SCMP_OP_GE] = "SCMP_CMP_GE", [SCMP_OP_GT] = "SCMP_CMP_GT",
        [SCMP_OP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(name, ops[i]) == 0) {
            *op = (enum scmp_op)i;
            return 0;
        }
    return -EINVAL;
}

/* ---- the code generator ----
 * The program is written backwards, from its last instruction to its first, as Chromium's
 * sandbox does: classic BPF jumps only forward, so every jump's targets are already placed and
 * their distances known. A place in the program (a label) is its index in the reversed buffer;
 * a conditional jump reaches 255 instructions, and a target farther away gets a stub right
 * after the jump: a copy of the target when that is a RET, else a BPF_JA (32-bit offset). */

#define MAX_JUMP 255
#define N_RETS 16 /* the RETs remembered for reuse, per action */

struct gen {
    struct sock_filter *r; /* r[0] is the program's last instruction */
    size_t n;
    int err;
    struct {
        uint32_t k;
        size_t at;
    } rets[N_RETS];
    size_t n_rets, next_ret;
};

static size_t emit(struct gen *g, uint16_t code, uint32_t k, uint8_t jt, uint8_t jf)
{
    if (g->err)
        return 0;
    if (g->n >= BPF_MAXINSNS) {
        g->err = -E2BIG;
        return 0;
    }
    g->r[g->n] = (struct sock_filter){code, jt, jf, k};
    return g->n++;
}

static void remember_ret(struct gen *g, uint32_t k, size_t at)
{
    for (size_t i = 0; i < g->n_rets; i++)
        if (g->rets[i].k == k) {
            g->rets[i].at = at;
            return;
        }
    size_t i = g->n_rets < N_RETS ? g->n_rets++ : g->next_ret++ % N_RETS;
    g->rets[i].k = k;
    g->rets[i].at = at;
}

/* A RET K: the one placed last when there is one (a jump too far from it makes a copy). */
static size_t ret(struct gen *g, uint32_t k)
{
    for (size_t i = 0; i < g->n_rets; i++)
        if (g->rets[i].k == k)
            return g->rets[i].at;
    size_t at = emit(g, BPF_RET | BPF_K, k, 0, 0);
    if (!g->err)
        remember_ret(g, k, at);
    return at;
}

/* An instruction right here that does what the one at TO does. */
static size_t stub(struct gen *g, size_t to)
{
    if (g->err)
        return 0;
    if (BPF_CLASS(g->r[to].code) == BPF_RET) {
        size_t at = emit(g, g->r[to].code, g->r[to].k, 0, 0);
        if (!g->err)
            remember_ret(g, g->r[to].k, at);
        return at;
    }
    return emit(g, BPF_JMP | BPF_JA, (uint32_t)(g->n - to - 1), 0, 0);
}

/* TO, or a stub for it, reachable by a conditional jump placed after SLACK more instructions. */
static size_t near(struct gen *g, size_t to, size_t slack)
{
    if (g->err || g->n - to - 1 + slack <= MAX_JUMP)
        return to;
    return stub(g, to);
}

/* if (A OP K) goto T else goto F; OP one of BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET. */
static size_t jump(struct gen *g, uint16_t op, uint32_t k, size_t t, size_t f)
{
    if (g->err || t == f)
        return t;
    f = near(g, f, 1); /* T's stub, if it needs one, comes between */
    t = near(g, t, 0);
    return emit(g, BPF_JMP | op | BPF_K, k, (uint8_t)(g->n - t - 1), (uint8_t)(g->n - f - 1));
}

/* An instruction that goes on to NEXT (loads and arithmetic). */
static size_t then(struct gen *g, uint16_t code, uint32_t k, size_t next)
{
    if (g->err)
        return 0;
    if (next != g->n - 1)
        stub(g, next);
    return emit(g, code, k, 0, 0);
}

/* ---- conditions on 64-bit arguments ----
 * Each half is a 32-bit word of seccomp_data.args[i]; the comparisons are unsigned. */

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define LO_WORD 0
#else
#define LO_WORD 4
#endif
#define ARG_LO(i) ((uint32_t)(offsetof(struct seccomp_data, args) + 8 * (i) + LO_WORD))
#define ARG_HI(i) ((uint32_t)(offsetof(struct seccomp_data, args) + 8 * (i) + (4 - LO_WORD)))
#define LOAD (BPF_LD | BPF_W | BPF_ABS)

/* Load the word at OFF; if (word OP K) goto T else goto F. */
static size_t word(struct gen *g, uint32_t off, uint16_t op, uint32_t k, size_t t, size_t f)
{
    if ((op == BPF_JGT && k == UINT32_MAX) || (op == BPF_JSET && k == 0))
        return f; /* never */
    if (op == BPF_JGE && k == 0)
        return t; /* always */
    if (t == f)
        return t;
    return then(g, LOAD, off, jump(g, op, k, t, f));
}

/* Load the word at OFF and go to GT, EQ or LT as it compares with K. */
static size_t three_way(struct gen *g, uint32_t off, uint32_t k, size_t gt, size_t eq, size_t lt)
{
    if (k == UINT32_MAX)
        gt = eq; /* nothing is above K: "at least K" is "equal" */
    if (k == 0)
        lt = eq; /* nothing is below K: "at most K" is "equal" */
    size_t j;
    if (gt == eq && eq == lt)
        return gt;
    if (gt == eq)
        j = jump(g, BPF_JGE, k, gt, lt);
    else if (eq == lt)
        j = jump(g, BPF_JGT, k, gt, lt);
    else
        j = jump(g, BPF_JGT, k, gt, jump(g, BPF_JEQ, k, eq, lt));
    return then(g, LOAD, off, j);
}

/* (word at OFF & M) == V */
static size_t masked_word(struct gen *g, uint32_t off, uint32_t m, uint32_t v, size_t t, size_t f)
{
    if (v & ~m)
        return f;
    if (m == 0 || t == f)
        return t;
    if (v == 0)
        return then(g, LOAD, off, jump(g, BPF_JSET, m, f, t));
    if (v == m && (m & (m - 1)) == 0)
        return then(g, LOAD, off, jump(g, BPF_JSET, m, t, f));
    size_t j = jump(g, BPF_JEQ, v, t, f);
    if (m != UINT32_MAX)
        j = then(g, BPF_ALU | BPF_AND | BPF_K, m, j);
    return then(g, LOAD, off, j);
}

/* Code that goes to T when the condition C holds, to F when not. */
static size_t condition(struct gen *g, const struct scmp_arg *c, size_t t, size_t f)
{
    uint32_t lo = ARG_LO(c->index), hi = ARG_HI(c->index);
    uint32_t vl = (uint32_t)c->value, vh = (uint32_t)(c->value >> 32);
    size_t x;
    switch (c->op) {
    case SCMP_OP_EQ:
        x = word(g, lo, BPF_JEQ, vl, t, f);
        return word(g, hi, BPF_JEQ, vh, x, f);
    case SCMP_OP_NE:
        x = word(g, lo, BPF_JEQ, vl, f, t);
        return word(g, hi, BPF_JEQ, vh, x, t);
    case SCMP_OP_GT: /* hi > vh, or hi == vh and lo > vl */
        x = word(g, lo, BPF_JGT, vl, t, f);
        return three_way(g, hi, vh, t, x, f);
    case SCMP_OP_LE: /* not GT */
        x = word(g, lo, BPF_JGT, vl, f, t);
        return three_way(g, hi, vh, f, x, t);
    case SCMP_OP_GE:
        x = word(g, lo, BPF_JGE, vl, t, f);
        return three_way(g, hi, vh, t, x, f);
    case SCMP_OP_LT: /* not GE */
        x = word(g, lo, BPF_JGE, vl, f, t);
        return three_way(g, hi, vh, f, x, t);
    case SCMP_OP_MASKED_EQ: {
        uint32_t ml = (uint32_t)c->value, mh = (uint32_t)(c->value >> 32);
        uint32_t wl = (uint32_t)c->value2, wh = (uint32_t)(c->value2 >> 32);
        if (c->value2 & ~c->value)
            return f; /* bits outside the mask never match */
        x = masked_word(g, lo, ml, wl, t, f);
        return masked_word(g, hi, mh, wh, x, f);
    }
    }
    return f; /* not reached: scmp_compile checked the operators */
}

/* Code that returns R's action when R matches, else goes to FAIL. The conditions on one index
 * are OR'ed, the indexes AND'ed. */
static size_t rule(struct gen *g, const struct scmp_rule *r, size_t fail)
{
    size_t next = ret(g, r->action);
    for (unsigned idx = 6; idx-- > 0;) {
        size_t start = fail;
        bool any = false;
        for (size_t j = r->n_args; j-- > 0;)
            if (r->args[j].index == idx) {
                start = condition(g, &r->args[j], next, start);
                any = true;
            }
        if (any)
            next = start;
    }
    return next;
}

/* ---- the dispatch over call numbers ---- */

struct key {
    uint32_t nr;
    size_t pos; /* in the profile */
};

static int by_nr(const void *a, const void *b)
{
    const struct key *x = a, *y = b;
    if (x->nr != y->nr)
        return x->nr < y->nr ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* The rules of one call number, keys[a..b) (none: the default action). */
struct call {
    size_t a, b;
};

/* The numbers from LO up to the next span's LO, all with the code of CALL (NULL: default). */
struct span {
    uint64_t lo;
    const struct call *call;
};

struct compiler {
    struct gen g;
    const struct scmp_profile *p;
    const struct key *keys;
    const struct span *spans; /* spans[n_spans].lo is 2^32 */
    size_t n_spans;
};

static bool same_rule(const struct scmp_rule *x, const struct scmp_rule *y)
{
    if (x->action != y->action || x->n_args != y->n_args)
        return false;
    for (size_t i = 0; i < x->n_args; i++)
        if (x->args[i].index != y->args[i].index || x->args[i].op != y->args[i].op ||
            x->args[i].value != y->args[i].value || x->args[i].value2 != y->args[i].value2)
            return false;
    return true;
}

static bool same_code(const struct compiler *c, const struct call *x, const struct call *y)
{
    if (!x || !y)
        return x == y;
    if (x->b - x->a != y->b - y->a)
        return false;
    for (size_t i = 0; i < x->b - x->a; i++)
        if (!same_rule(&c->p->rules[c->keys[x->a + i].pos], &c->p->rules[c->keys[y->a + i].pos]))
            return false;
    return true;
}

/* The code for the numbers of span S. */
static size_t span_code(struct compiler *c, const struct span *s)
{
    size_t at = ret(&c->g, c->p->default_action);
    if (s->call)
        for (size_t i = s->call->b; i-- > s->call->a && !c->g.err;)
            at = rule(&c->g, &c->p->rules[c->keys[i].pos], at);
    return at;
}

/* At most this many single numbers end the search as a chain of BPF_JEQ. */
#define CHAIN 3

/* The code for a number known to be in spans [I, J): a balanced tree of BPF_JGE. */
static size_t tree(struct compiler *c, size_t i, size_t j)
{
    const struct span *s = c->spans;
    if (j - i == 1)
        return span_code(c, &s[i]);
    size_t chain[CHAIN], n = 0;
    for (size_t k = i; k < j && n <= CHAIN; k++)
        if (s[k].call) {
            if (s[k + 1].lo - s[k].lo != 1)
                n = CHAIN + 1;
            else if (n < CHAIN)
                chain[n++] = k;
            else
                n++;
        }
    if (n <= CHAIN) {
        size_t code[CHAIN];
        for (size_t k = n; k-- > 0;)
            code[k] = span_code(c, &s[chain[k]]);
        size_t at = ret(&c->g, c->p->default_action);
        for (size_t k = n; k-- > 0;)
            at = jump(&c->g, BPF_JEQ, (uint32_t)s[chain[k]].lo, code[k], at);
        return at;
    }
    size_t mid = i + (j - i) / 2;
    size_t above = tree(c, mid, j);
    size_t below = tree(c, i, mid);
    return jump(&c->g, BPF_JGE, (uint32_t)s[mid].lo, above, below);
}

static int check_profile(const struct scmp_profile *p)
{
    if (p->n_rules && !p->rules)
        return -EINVAL;
    for (size_t i = 0; i < p->n_rules; i++) {
        const struct scmp_rule *r = &p->rules[i];
        if (r->nr < 0 || (r->n_args && !r->args))
            return -EINVAL;
        for (size_t j = 0; j < r->n_args; j++)
            if (r->args[j].index > 5 || (unsigned)r->args[j].op > SCMP_OP_MASKED_EQ)
                return -EINVAL;
    }
    return 0;
}

/* Add the span from LO with CODE, or let the last span go on when it has the same code. */
static size_t push(const struct compiler *c, struct span *spans, size_t n, uint64_t lo,
                   const struct call *code)
{
    if (n > 0 && same_code(c, spans[n - 1].call, code))
        return n;
    spans[n] = (struct span){lo, code};
    return n + 1;
}

/* Sort the rules by number into KEYS, and cut the numbers into spans of the same code (CALLS
 * has room for n_rules, SPANS for 2 n_rules + 2). Returns the number of spans. */
static size_t plan(struct compiler *c, struct key *keys, struct call *calls, struct span *spans)
{
    const struct scmp_profile *p = c->p;
    for (size_t i = 0; i < p->n_rules; i++)
        keys[i] = (struct key){(uint32_t)p->rules[i].nr, i};
    qsort(keys, p->n_rules, sizeof *keys, by_nr);
    size_t n_spans = 0;
    uint64_t end = 0; /* of the spans so far */
    for (size_t a = 0, b; a < p->n_rules; a = b) {
        uint32_t nr = keys[a].nr;
        for (b = a; b < p->n_rules && keys[b].nr == nr; b++)
            ;
        /* A rule after one without conditions is never tried; a last rule whose action is the
         * default changes nothing. */
        size_t last = a;
        while (last < b && p->rules[keys[last].pos].n_args)
            last++;
        last = last < b ? last + 1 : b;
        while (last > a && p->rules[keys[last - 1].pos].action == p->default_action)
            last--;
        calls[a] = (struct call){a, last};
        if (nr > end)
            n_spans = push(c, spans, n_spans, end, NULL);
        n_spans = push(c, spans, n_spans, nr, last > a ? &calls[a] : NULL);
        end = (uint64_t)nr + 1;
    }
    n_spans = push(c, spans, n_spans, end, NULL); /* numbers are below 2^31: END is too */
    spans[n_spans].lo = (uint64_t)1 << 32;
    return n_spans;
}

int scmp_compile(const struct scmp_profile *p, struct sock_filter **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    int r = check_profile(p);
    if (r < 0)
        return r;
    if (p->n_rules > (SIZE_MAX / 4 - 2) / sizeof(struct span))
        return -ENOMEM;
    struct compiler c = {.p = p};
    struct key *keys = malloc((p->n_rules + 1) * sizeof *keys);
    struct call *calls = malloc((p->n_rules + 1) * sizeof *calls);
    struct span *spans = malloc((2 * p->n_rules + 3) * sizeof *spans);
    c.g.r = malloc(BPF_MAXINSNS * sizeof *c.g.r);
    if (!keys || !calls || !spans || !c.g.r) {
        r = -ENOMEM;
        goto out;
    }
    c.keys = keys;
    c.spans = spans;
    c.n_spans = plan(&c, keys, calls, spans);

    struct gen *g = &c.g;
    size_t at = tree(&c, 0, c.n_spans);
    /* The head, before the search: the architecture, then the number (and its x32 bit). */
#ifdef X32_SYSCALL_BIT
    at = jump(g, BPF_JGE, X32_SYSCALL_BIT, ret(g, SECCOMP_RET_KILL_PROCESS), at);
#endif
    at = then(g, LOAD, offsetof(struct seccomp_data, nr), at);
    at = jump(g, BPF_JEQ, THIS_ARCH, at, ret(g, SECCOMP_RET_KILL_PROCESS));
    then(g, LOAD, offsetof(struct seccomp_data, arch), at);
    if (g->err) {
        r = g->err;
        goto out;
    }
    *out = malloc(g->n * sizeof **out);
    if (!*out) {
        r = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < g->n; i++)
        (*out)[i] = g->r[g->n - 1 - i];
    *n = g->n;
out:
    free(keys);
    free(calls);
    free(spans);
    free(c.g.r);
    return r;
}

int scmp_install(const struct sock_filter *f, size_t n)
{
    if (n == 0 || n > BPF_MAXINSNS)
        return err_setx(EINVAL, "a seccomp filter of %zu instructions (1 to %d)", n, BPF_MAXINSNS);
    struct sock_fprog prog = {(unsigned short)n, (struct sock_filter *)f};
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0) {
        if (errno == EINVAL)
            return err_setx(EINVAL, "the kernel lacks seccomp filters (CONFIG_SECCOMP_FILTER) or "
                                    "refused the profile's filter; run with --seccomp unconfined");
        return err_set(errno, "install the seccomp filter");
    }
    return 0;
}
