#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <signal.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caps.h"
#include "cgroup.h"
#include "command.h"
#include "devices.h"
#include "dns.h"
#include "err.h"
#include "verity.h"

enum opt_id {
    O_HELP = 1,
    O_NAME,
    O_HOSTNAME,
    O_ENV,
    O_WORKDIR,
    O_USER,
    O_RO,
    O_BIND,
    O_NET,
    O_NO_INIT,
    O_IP,
    O_HOST_IP,
    O_GATEWAY,
    O_VETH,
    O_BRIDGE,
    O_MTU,
    O_MEMORY,
    O_PIDS,
    O_CPUS,
    O_CPUSET,
    O_CAP_ADD,
    O_CAP_DROP,
    O_SECCOMP,
    O_PRIVILEGED,
    O_USERNS,
    O_UIDMAP,
    O_GIDMAP,
    O_DETACH,
    O_PIDFILE,
    O_LOG,
    O_LOG_MAX,
    O_RESTART,
    O_CONFIG,
    O_QUIET,
    O_TIME,
    O_DEVICE,
    O_TTY,
    O_INTERACTIVE,
    O_ENTRYPOINT,
    O_OVERLAY,
    O_TMPFS,
    O_VERITY,
    O_VERITY_FILE,
    O_DNS,
    O_DNS_SEARCH,
    O_ADD_HOST,
    O_PUBLISH,
};

struct cli_option {
    const char *name;
    char short_name;
    const char *arg; /* NULL for a flag without a value */
    int id;
    const char *help;
};

static const struct cli_option run_options[] = {
    {"name", 0, "NAME", O_NAME, "name of the container (default hutch-PID)"},
    {"hostname", 0, "NAME", O_HOSTNAME, "hostname inside (default: the name)"},
    {"env", 'e', "K=V", O_ENV, "set an environment variable (repeatable)"},
    {"workdir", 'w', "DIR", O_WORKDIR, "working directory of the command (default /)"},
    {"user", 'u', "UID[:GID]", O_USER, "run the command as this user (number or name in the image)"},
    {"ro", 0, NULL, O_RO, "mount the root filesystem read-only"},
    {"entrypoint", 0, "CMD", O_ENTRYPOINT, "run CMD instead of the image's entrypoint (\"\": none)"},
    {"overlay", 0, "tmpfs|DIR", O_OVERLAY, "writable layer over a read-only root: forgotten (tmpfs) or kept in DIR"},
    {"tmpfs", 0, "DST[:OPTS]", O_TMPFS, "a tmpfs at DST (OPTS: size=N, mode=OCTAL, exec; repeatable)"},
    {"verity", 0, "ROOTHASH", O_VERITY, "check the image with dm-verity against ROOTHASH (64 hex; implies --ro)"},
    {"verity-file", 0, "FILE", O_VERITY_FILE, "the same, with the root hash read from FILE (IMAGE.roothash)"},
    {"bind", 'v', "SRC:DST[:ro]", O_BIND, "bind-mount host path SRC at DST (repeatable)"},
    {"device", 0, "HOST[:CTR][:rwm]", O_DEVICE, "give the container the host's device node HOST (repeatable)"},
    {"tty", 't', NULL, O_TTY, "give the command a pseudo-terminal (the caller's terminal relayed)"},
    {"interactive", 'i', NULL, O_INTERACTIVE, "keep stdin attached (always so in the foreground)"},
    {"net", 0, "MODE", O_NET, "none (lo only; default), host, veth, macvlan:PARENT[:MODE], ipvlan:PARENT[:l2|l3] or dev:IFACE"},
    {"ip", 0, "ADDR/PREFIX", O_IP, "address of eth0 inside (IPv4, and IPv6; implies --net veth)"},
    {"host-ip", 0, "ADDR/PREFIX", O_HOST_IP, "address of the host end; the default route inside"},
    {"gateway", 0, "ADDR", O_GATEWAY, "default route inside via ADDR instead of the host end"},
    {"veth", 0, "NAME", O_VETH, "name of the host end (default from the container's name)"},
    {"bridge", 0, "BR", O_BRIDGE, "attach the host end to the existing bridge BR"},
    {"mtu", 0, "N", O_MTU, "MTU of both ends of the veth pair (of eth0 for macvlan, ipvlan)"},
    {"publish", 'p', "[HOSTADDR:]HOSTPORT:PORT[/tcp|udp]", O_PUBLISH, "relay the host's port to the container's (--net veth; repeatable)"},
    {"dns", 0, "ADDR", O_DNS, "name server of the container's /etc/resolv.conf (repeatable)"},
    {"dns-search", 0, "DOMAIN", O_DNS_SEARCH, "search domain of the container's /etc/resolv.conf (repeatable)"},
    {"add-host", 0, "NAME:ADDR", O_ADD_HOST, "a line NAME ADDR in the container's /etc/hosts (repeatable)"},
    {"no-init", 0, NULL, O_NO_INIT, "exec the command as PID 1 instead of hutch's init"},
    {"memory", 'm', "SIZE", O_MEMORY, "memory limit, e.g. 64M (cgroup; no swap beyond it)"},
    {"pids", 0, "N", O_PIDS, "at most N processes and threads"},
    {"cpus", 0, "X", O_CPUS, "CPU time of at most X CPUs, e.g. 0.5"},
    {"cpuset", 0, "LIST", O_CPUSET, "run only on these CPUs, e.g. 0-1,3"},
    {"cap-add", 0, "CAP", O_CAP_ADD, "keep capability CAP too (NET_ADMIN, ..., or ALL)"},
    {"cap-drop", 0, "CAP", O_CAP_DROP, "drop capability CAP (or ALL) from the default set"},
    {"seccomp", 0, "MODE", O_SECCOMP, "default (the filter) or unconfined (none)"},
    {"privileged", 0, NULL, O_PRIVILEGED, "no hardening: all capabilities, no seccomp, /proc and /sys open"},
    {"userns", 0, NULL, O_USERNS, "own user namespace: root inside is 100000 outside"},
    {"uidmap", 0, "IN:OUT:N", O_UIDMAP, "map N user IDs from IN inside to OUT outside (implies --userns)"},
    {"gidmap", 0, "IN:OUT:N", O_GIDMAP, "the same for group IDs"},
    {"detach", 'd', NULL, O_DETACH, "return once the command runs; a monitor process stays"},
    {"pidfile", 0, "FILE", O_PIDFILE, "write the pid of the hutch that owns the container"},
    {"log", 0, "FILE", O_LOG, "append the container's output to FILE"},
    {"log-max", 0, "SIZE", O_LOG_MAX, "rotate the log to FILE.1 past SIZE (default 1M)"},
    {"restart", 0, "POLICY", O_RESTART, "no, on-failure[:N] or always, with a growing back-off"},
    {"config", 0, "FILE", O_CONFIG, "read options from FILE (key = value); flags here win"},
    {"help", 'h', NULL, O_HELP, "show this help"},
    {0},
};

static const struct cli_option exec_options[] = {
    {"env", 'e', "K=V", O_ENV, "set an environment variable (repeatable)"},
    {"tty", 't', NULL, O_TTY, "give the command a pseudo-terminal (the caller's terminal relayed)"},
    {"interactive", 'i', NULL, O_INTERACTIVE, "keep stdin attached (always so)"},
    {"workdir", 'w', "DIR", O_WORKDIR, "working directory (default: the container's)"},
    {"user", 'u', "UID[:GID]", O_USER, "run as this user (default: the container's)"},
    {"help", 'h', NULL, O_HELP, "show this help"},
    {0},
};

static const struct cli_option list_options[] = {
    {"quiet", 'q', NULL, O_QUIET, "print the names only"},
    {"help", 'h', NULL, O_HELP, "show this help"},
    {0},
};

static const struct cli_option stop_options[] = {
    {"time", 't', "SECONDS", O_TIME, "wait this long after SIGTERM before SIGKILL (default 10)"},
    {"help", 'h', NULL, O_HELP, "show this help"},
    {0},
};

static const struct cli_option no_options[] = {
    {"help", 'h', NULL, O_HELP, "show this help"},
    {0},
};

/* ---- a small table-driven option scanner ---- */

struct scan {
    int argc, i;
    char **argv;
    int sub; /* within a cluster of short flags ("-it"): the next one's offset, else 0 */
};

/* Next option: returns its id with *VALUE set, 0 at the first operand (or after "--", which
 * is consumed), or -EINVAL. Short flags may come together ("-it", "-dit"); the last of them
 * may take a value ("-de K=V", "-deK=V"). */
static int scan_next(struct scan *s, const struct cli_option *table, const char **value)
{
    *value = NULL;
    if (s->i >= s->argc)
        return 0;
    const char *a = s->argv[s->i];
    if (!s->sub && (a[0] != '-' || a[1] == '\0'))
        return 0;
    if (!s->sub && strcmp(a, "--") == 0) {
        s->i++;
        return 0;
    }
    const struct cli_option *o = NULL;
    const char *inline_value = NULL;
    if (!s->sub && a[1] == '-') {
        const char *name = a + 2;
        size_t len = strcspn(name, "=");
        for (const struct cli_option *t = table; t->name; t++)
            if (strlen(t->name) == len && strncmp(t->name, name, len) == 0)
                o = t;
        if (!o)
            return err_setx(EINVAL, "unknown option '%s' (see --help)", a);
        if (name[len] == '=')
            inline_value = name + len + 1;
        s->i++;
        if (!o->arg && inline_value)
            return err_setx(EINVAL, "option --%s takes no value", o->name);
    } else {
        int at = s->sub ? s->sub : 1;
        for (const struct cli_option *t = table; t->name; t++)
            if (t->short_name && t->short_name == a[at])
                o = t;
        if (!o)
            return err_setx(EINVAL, "unknown option '-%c'%s%s%s (see --help)", a[at],
                            at > 1 ? " in '" : "", at > 1 ? a : "", at > 1 ? "'" : "");
        s->sub = 0;
        if (a[at + 1] != '\0') {
            if (o->arg)
                inline_value = a + at + 1;
            else
                s->sub = at + 1; /* more flags in this word */
        }
        if (!s->sub)
            s->i++;
    }
    if (!o->arg)
        return o->id;
    if (inline_value) {
        *value = inline_value;
    } else {
        if (s->i >= s->argc)
            return err_setx(EINVAL, "option --%s needs a value %s", o->name, o->arg);
        *value = s->argv[s->i++];
    }
    return o->id;
}

static void print_options(FILE *out, const struct cli_option *table)
{
    for (const struct cli_option *t = table; t->name; t++) {
        char left[64];
        if (t->short_name)
            snprintf(left, sizeof left, "-%c, --%s%s%s", t->short_name, t->name, t->arg ? " " : "",
                     t->arg ? t->arg : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", t->name, t->arg ? " " : "",
                     t->arg ? t->arg : "");
        fprintf(out, "  %-28s %s\n", left, t->help);
    }
}

void cli_usage(FILE *out)
{
    fputs("Usage: hutch run [OPTIONS] IMAGE [--] [COMMAND [ARG...]]\n"
          "       hutch run --config FILE [OPTIONS] [IMAGE [COMMAND...]]\n"
          "Run COMMAND in new namespaces with IMAGE (ext2/3/4, squashfs or erofs image file, or a\n"
          "directory) as its root filesystem. Without COMMAND: the image's entrypoint and cmd\n"
          "(from hutch-image's /.hutch/image.conf).\n\nOptions:\n",
          out);
    print_options(out, run_options);
    fputs("\nExit status: the command's own; 128+N if it died of signal N; 125 if hutch failed;\n"
          "126 if the command cannot be executed; 127 if it was not found.\n",
          out);
}

/* ---- values ---- */

size_t cli_writable_trees(const struct bind_spec *binds, size_t n_binds, const char *dir_root,
                          const char **out)
{
    size_t n = 0;
    for (size_t i = 0; i < n_binds; i++)
        if (!binds[i].ro)
            out[n++] = binds[i].src;
    if (dir_root)
        out[n++] = dir_root;
    return n;
}

bool cli_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > HUTCH_NAME_MAX || !isalnum((unsigned char)name[0]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && !strchr("_.-", name[i]))
            return false;
    return true;
}

int cli_check_name(const char *what, const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > HUTCH_NAME_MAX)
        return err_setx(EINVAL, "%s '%s': must be 1 to %d characters", what, name, HUTCH_NAME_MAX);
    if (!isalnum((unsigned char)name[0]))
        return err_setx(EINVAL, "%s '%s': must start with a letter or digit", what, name);
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && !strchr("_.-", name[i]))
            return err_setx(EINVAL, "%s '%s': use only letters, digits, '_', '.' and '-'", what,
                            name);
    return 0;
}

int cli_check_ifname(const char *what, const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > IFNAME_MAX)
        return err_setx(EINVAL, "%s '%s': an interface name has 1 to %d bytes", what, name,
                        IFNAME_MAX);
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strpbrk(name, "/: \t\n"))
        return err_setx(EINVAL, "%s '%s': not a valid interface name", what, name);
    return 0;
}

static int check_container_path(const char *what, const char *p)
{
    if (p[0] != '/')
        return err_setx(EINVAL, "%s '%s': must be an absolute path", what, p);
    for (const char *c = p; (c = strstr(c, "..")); c += 2)
        if ((c == p || c[-1] == '/') && (c[2] == '/' || c[2] == '\0'))
            return err_setx(EINVAL, "%s '%s': must not contain '..'", what, p);
    return 0;
}

int cli_parse_bind(const char *spec, struct bind_spec *b)
{
    /* SRC:DST[:ro|:rw]; SRC and DST may not hold ':' */
    const char *c1 = strchr(spec, ':');
    if (!c1 || c1 == spec)
        return err_setx(EINVAL, "--bind '%s': expected SRC:DST[:ro]", spec);
    const char *c2 = strchr(c1 + 1, ':');
    size_t dst_len = c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1);
    if (dst_len == 0)
        return err_setx(EINVAL, "--bind '%s': expected SRC:DST[:ro]", spec);
    b->ro = false;
    if (c2) {
        if (strcmp(c2 + 1, "ro") == 0)
            b->ro = true;
        else if (strcmp(c2 + 1, "rw") != 0)
            return err_setx(EINVAL, "--bind '%s': the mode after DST must be ro or rw", spec);
    }
    char *src = strndup(spec, (size_t)(c1 - spec));
    char *dst = strndup(c1 + 1, dst_len);
    if (!src || !dst) {
        free(src);
        free(dst);
        return err_set(ENOMEM, "--bind");
    }
    int r = check_container_path("--bind destination", dst);
    if (r == 0 && dst[strspn(dst, "/")] == '\0')
        r = err_setx(EINVAL, "--bind '%s': the destination cannot be / (the root is IMAGE)", spec);
    if (r < 0) {
        free(src);
        free(dst);
        return r;
    }
    b->src = src;
    b->dst = dst;
    return 0;
}

int cli_check_user(const char *what, const char *u)
{
    /* UID[:GID], each a number (0 to 4294967294) or a name; names resolved inside the
     * container. */
    size_t n = strlen(u);
    if (n == 0 || n > 130 || u[0] == ':' || u[n - 1] == ':' || strchr(u, ':') != strrchr(u, ':'))
        return err_setx(EINVAL, "%s '%s': expected UID[:GID]", what, u);
    for (const char *part = u; part; part = strchr(part, ':') ? strchr(part, ':') + 1 : NULL) {
        size_t len = strcspn(part, ":");
        char one[70];
        unsigned long id;
        if (len > 64)
            return err_setx(EINVAL, "%s '%s': a name has at most 64 characters", what, u);
        snprintf(one, sizeof one, "%.*s", (int)len, part);
        if (strspn(one, "0123456789") == len && command_parse_id(one, &id) < 0)
            return err_setx(EINVAL, "%s '%s': an ID is a number from 0 to 4294967294", what, u);
        for (const char *c = one; *c; c++)
            if (!isalnum((unsigned char)*c) && !strchr("_.-", *c))
                return err_setx(EINVAL, "%s '%s': expected UID[:GID]", what, u);
    }
    return 0;
}

/* Store the address for its family; one address per family. */
static int put_addr(const char *what, const char *v, bool want_prefix, struct ip_addr slots[2])
{
    struct ip_addr a;
    int r = addr_parse(what, v, want_prefix, &a);
    if (r < 0)
        return r;
    struct ip_addr *slot = &slots[addr_slot(a.family)];
    if (slot->family)
        return err_setx(EINVAL, "%s '%s': one IPv4 and one IPv6 address at most", what, v);
    *slot = a;
    return 0;
}

/* Pure: a decimal number from MIN to MAX, nothing else around it. */
static bool number_in(const char *v, unsigned long min, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(v, &end, 10);
    if (!isdigit((unsigned char)*v) || *end || errno || n < min || n > max)
        return false;
    *out = n;
    return true;
}

static int parse_uint(const char *what, const char *v, unsigned long min, unsigned long max,
                      unsigned long *out)
{
    if (!number_in(v, min, max, out))
        return err_setx(EINVAL, "%s '%s': expected a number from %lu to %lu", what, v, min, max);
    return 0;
}

/* SIZE: bytes, or with a k, m, g suffix (powers of 1024). */
static int parse_size(const char *what, const char *v, uint64_t min, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    unsigned shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    }
    if (*end == 'b' || *end == 'B')
        end++;
    if (!isdigit((unsigned char)v[0]) || *end || errno || n > (UINT64_MAX >> shift))
        return err_setx(EINVAL, "%s '%s': expected a size such as 64M, 512k or 1G", what, v);
    *out = (uint64_t)n << shift;
    if (*out < min)
        return err_setx(EINVAL, "%s '%s': at least %llu MiB", what, v,
                        (unsigned long long)(min >> 20));
    return 0;
}

int cli_parse_tmpfs(const char *spec, struct tmpfs_spec *t)
{
    /* Docker's defaults: mode 1777, noexec, nosuid, nodev; no size (half of the memory). */
    const char *colon = strchr(spec, ':');
    size_t dst_len = colon ? (size_t)(colon - spec) : strlen(spec);
    char opts[256] = "", data[128] = "mode=1777";
    if (colon && snprintf(opts, sizeof opts, "%s", colon + 1) >= (int)sizeof opts)
        return err_setx(EINVAL, "--tmpfs '%s': options too long", spec);
    uint64_t size = 0;
    unsigned mode = 01777;
    bool exec = false;
    char *save = NULL;
    for (char *w = strtok_r(opts, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        char *end;
        if (strncmp(w, "size=", 5) == 0) {
            if (parse_size("--tmpfs size", w + 5, 4096, &size) < 0)
                return -EINVAL;
        } else if (strncmp(w, "mode=", 5) == 0) {
            errno = 0;
            unsigned long m = strtoul(w + 5, &end, 8);
            if (!w[5] || *end || errno || m > 07777)
                return err_setx(EINVAL, "--tmpfs '%s': mode is an octal number such as 1777",
                                spec);
            mode = (unsigned)m;
        } else if (strcmp(w, "exec") == 0 || strcmp(w, "noexec") == 0) {
            exec = w[0] == 'e';
        } else {
            return err_setx(EINVAL, "--tmpfs '%s': unknown option '%s' (size=N, mode=OCTAL, "
                                    "exec)", spec, w);
        }
    }
    snprintf(data, sizeof data, "mode=%o", mode);
    if (size)
        snprintf(data + strlen(data), sizeof data - strlen(data), ",size=%llu",
                 (unsigned long long)size);
    char *dst = strndup(spec, dst_len);
    if (!dst)
        return err_set(ENOMEM, "--tmpfs");
    int r = check_container_path("--tmpfs", dst);
    if (r == 0 && dst[strspn(dst, "/")] == '\0')
        r = err_setx(EINVAL, "--tmpfs '%s': the destination cannot be / (use --overlay tmpfs)",
                     spec);
    if (r < 0 || !(t->data = strdup(data))) {
        free(dst);
        return r < 0 ? r : err_set(ENOMEM, "--tmpfs");
    }
    t->dst = dst;
    t->exec = exec;
    return 0;
}

/* X CPUs, with up to two decimals: the quota in microseconds per 100 ms period. */
static int parse_cpus(const char *v, uint64_t *quota_us)
{
    char *end;
    unsigned long whole = strtoul(v, &end, 10), frac = 0;
    bool ok = isdigit((unsigned char)v[0]);
    if (ok && *end == '.') {
        const char *f = end + 1;
        int digits = 0;
        for (; isdigit((unsigned char)*f) && digits < 2; f++, digits++)
            frac = frac * 10 + (unsigned long)(*f - '0');
        if (digits == 1)
            frac *= 10;
        ok = digits > 0 && *f == '\0';
    } else {
        ok = ok && *end == '\0';
    }
    uint64_t q = (uint64_t)whole * 100000 + frac * 1000;
    if (!ok || q < 1000 || whole > 4096)
        return err_setx(EINVAL, "--cpus '%s': expected a number of CPUs from 0.01, e.g. 0.5", v);
    *quota_us = q;
    return 0;
}

static int append(void *arrayp, size_t *n, size_t size, const void *item)
{
    void **array = arrayp;
    void *grown = realloc(*array, (*n + 1) * size);
    if (!grown)
        return err_set(ENOMEM, "options");
    memcpy((char *)grown + *n * size, item, size);
    *array = grown;
    (*n)++;
    return 0;
}

/* --cap-add and --cap-drop, kept in order and resolved once all are read. */
struct cap_changes {
    uint64_t add, drop;
    bool add_all, drop_all;
};

static int cap_change(const char *what, const char *v, uint64_t *set, bool *all)
{
    int cap = caps_from_name(v);
    if (cap == CAPS_NAME_ALL)
        *all = true;
    else if (cap >= 0)
        *set |= CAPS_BIT(cap);
    else
        return err_setx(EINVAL, "%s '%s': unknown capability (names as in capabilities(7), "
                                "e.g. NET_ADMIN)", what, v);
    return 0;
}

static char *own(struct run_opts *o, char *str);

static int apply_run_option(struct run_opts *o, struct cap_changes *cc, int id, const char *v)
{
    int r;
    switch (id) {
    case O_NAME:
        o->name = v;
        return cli_check_name("--name", v);
    case O_HOSTNAME:
        o->hostname = v;
        if (strlen(v) == 0 || strlen(v) > 64 || strchr(v, '/'))
            return err_setx(EINVAL, "--hostname '%s': must be 1 to 64 characters", v);
        return 0;
    case O_ENV:
        if (!strchr(v, '=') || v[0] == '=')
            return err_setx(EINVAL, "--env '%s': expected KEY=VALUE", v);
        return append(&o->env, &o->n_env, sizeof *o->env, &v);
    case O_WORKDIR:
        o->workdir = v;
        return check_container_path("--workdir", v);
    case O_USER:
        o->user = v;
        return cli_check_user("--user", v);
    case O_RO:
        o->ro = true;
        return 0;
    case O_ENTRYPOINT:
        o->entrypoint = v;
        return 0;
    case O_OVERLAY:
        o->overlay = v;
        if (strcmp(v, "tmpfs") != 0 && v[0] != '/')
            return err_setx(EINVAL, "--overlay '%s': expected tmpfs or an absolute directory", v);
        return 0;
    case O_TMPFS: {
        struct tmpfs_spec t;
        if ((r = cli_parse_tmpfs(v, &t)) < 0)
            return r;
        if ((r = append(&o->tmpfs, &o->n_tmpfs, sizeof t, &t)) < 0) {
            free((char *)t.dst);
            free((char *)t.data);
        }
        return r;
    }
    case O_VERITY:
        o->verity = v;
        if (!verity_roothash_ok(v))
            return err_setx(EINVAL, "--verity '%s': expected the root hash, 64 hex digits (as "
                                    "hutch-image prints it)", v);
        return 0;
    case O_VERITY_FILE:
        o->verity_file = v;
        return 0;
    case O_DEVICE: {
        struct device_spec d;
        if ((r = devices_parse_spec(v, &d)) < 0)
            return r;
        if ((r = append(&o->devices, &o->n_devices, sizeof d, &d)) < 0)
            devices_spec_free(&d);
        return r;
    }
    case O_TTY:
        o->tty = true;
        return 0;
    case O_INTERACTIVE:
        return 0; /* the foreground always relays stdin; -i is taken for Docker's -it */
    case O_BIND: {
        struct bind_spec b;
        r = cli_parse_bind(v, &b);
        if (r < 0)
            return r;
        r = append(&o->binds, &o->n_binds, sizeof b, &b);
        if (r < 0) {
            free((char *)b.src);
            free((char *)b.dst);
        }
        return r;
    }
    case O_NET:
        o->net_given = true;
        if (strcmp(v, "none") == 0)
            o->net = NET_NONE;
        else if (strcmp(v, "host") == 0)
            o->net = NET_HOST;
        else if (strcmp(v, "veth") == 0)
            o->net = NET_VETH;
        else if ((r = cli_parse_lan(v, &o->net, &o->veth)) < 0)
            return r;
        else if (!own(o, (char *)o->veth.parent))
            return err_set(ENOMEM, "--net");
        return 0;
    case O_IP:
        return put_addr("--ip", v, true, o->veth.ip);
    case O_HOST_IP:
        return put_addr("--host-ip", v, true, o->veth.host_ip);
    case O_GATEWAY:
        return put_addr("--gateway", v, false, o->veth.gateway);
    case O_VETH:
        o->veth.host_name = v;
        return cli_check_ifname("--veth", v);
    case O_BRIDGE:
        o->veth.bridge = v;
        return cli_check_ifname("--bridge", v);
    case O_PUBLISH: {
        struct publish_spec p;
        return (r = cli_parse_publish(v, &p)) < 0 ? r
                                                  : append(&o->publish, &o->n_publish, sizeof p, &p);
    }
    case O_DNS: {
        struct ip_addr a;
        return (r = addr_parse("--dns", v, false, &a)) < 0 ? r
                                                           : append(&o->dns, &o->n_dns, sizeof a, &a);
    }
    case O_DNS_SEARCH:
        if ((r = dns_check_hostname("--dns-search", v)) < 0)
            return r;
        return append(&o->dns_search, &o->n_dns_search, sizeof v, &v);
    case O_ADD_HOST: {
        struct host_entry h;
        if ((r = cli_parse_add_host(v, &h)) == 0 &&
            (r = append(&o->add_hosts, &o->n_add_hosts, sizeof h, &h)) < 0)
            free((char *)h.name);
        return r;
    }
    case O_MEMORY:
        return parse_size("--memory", v, 4 << 20, &o->limits.memory);
    case O_PIDS: {
        unsigned long n = 0;
        r = parse_uint("--pids", v, 1, 4194304, &n);
        o->limits.pids = n;
        return r;
    }
    case O_CPUS:
        return parse_cpus(v, &o->limits.cpu_quota_us);
    case O_CPUSET:
        o->limits.cpuset = v;
        if (!cgroup_valid_cpuset(v))
            return err_setx(EINVAL, "--cpuset '%s': expected a CPU list such as 0-1,3", v);
        return 0;
    case O_CAP_ADD:
        return cap_change("--cap-add", v, &cc->add, &cc->add_all);
    case O_CAP_DROP:
        return cap_change("--cap-drop", v, &cc->drop, &cc->drop_all);
    case O_SECCOMP:
        if (strcmp(v, "unconfined") == 0)
            o->seccomp_off = true;
        else if (strcmp(v, "default") == 0)
            o->seccomp_off = false;
        else
            return err_setx(EINVAL, "--seccomp '%s': expected default or unconfined", v);
        return 0;
    case O_PRIVILEGED:
        o->privileged = true;
        return 0;
    case O_USERNS:
        o->userns = true;
        return 0;
    case O_UIDMAP:
        o->userns = true;
        return userns_parse_map("--uidmap", v, &o->uidmap);
    case O_GIDMAP:
        o->userns = true;
        return userns_parse_map("--gidmap", v, &o->gidmap);
    case O_DETACH:
        o->detach = true;
        return 0;
    case O_PIDFILE:
        o->pidfile = v;
        return 0;
    case O_LOG:
        o->log = v;
        return 0;
    case O_LOG_MAX:
        return parse_size("--log-max", v, 1 << 10, &o->log_max);
    case O_RESTART: {
        unsigned long n = 0;
        o->restart_max = 0;
        if (strcmp(v, "no") == 0)
            o->restart = RESTART_NO;
        else if (strcmp(v, "always") == 0)
            o->restart = RESTART_ALWAYS;
        else if (strcmp(v, "on-failure") == 0)
            o->restart = RESTART_ON_FAILURE;
        else if (strncmp(v, "on-failure:", 11) == 0 && number_in(v + 11, 1, 1000000, &n)) {
            o->restart = RESTART_ON_FAILURE;
            o->restart_max = (unsigned)n;
        } else {
            return err_setx(EINVAL, "--restart '%s': expected no, on-failure[:N] (N from 1 to "
                                    "1000000) or always", v);
        }
        return 0;
    }
    case O_MTU: {
        unsigned long mtu = 0;
        r = parse_uint("--mtu", v, 68, 65535, &mtu);
        o->veth.mtu = (unsigned)mtu;
        return r;
    }
    case O_NO_INIT:
        o->no_init = true;
        return 0;
    }
    return err_setx(EINVAL, "internal: unhandled option %d", id);
}

/* Options that only make sense together. */
static int check_net(struct run_opts *o)
{
    struct veth_opts *v = &o->veth;
    bool any_veth = v->host_name || v->bridge || v->mtu;
    for (int i = 0; i < 2; i++)
        any_veth = any_veth || v->ip[i].family || v->host_ip[i].family || v->gateway[i].family;
    if (any_veth && !o->net_given)
        o->net = NET_VETH;
    bool lan = o->net == NET_MACVLAN || o->net == NET_IPVLAN || o->net == NET_DEV;
    if (lan) {
        const char *mode = o->net == NET_MACVLAN ? "macvlan" : o->net == NET_IPVLAN ? "ipvlan" : "dev";
        if (v->host_name || v->bridge || v->host_ip[0].family || v->host_ip[1].family)
            return err_setx(EINVAL, "--veth, --bridge and --host-ip are for --net veth, not --net "
                                    "%s (eth0 sits on %s's network: give --ip and --gateway)",
                            mode, v->parent);
        if (o->net == NET_DEV && v->mtu)
            return err_setx(EINVAL, "--mtu is for veth, macvlan and ipvlan, not --net dev (the "
                                    "interface keeps its own)");
    } else if (any_veth && o->net != NET_VETH) {
        return err_setx(EINVAL, "--ip, --host-ip, --gateway, --veth, --bridge and --mtu need "
                                "--net veth (or --ip, --gateway with macvlan, ipvlan, dev)");
    }
    if (o->n_publish && o->net != NET_VETH)
        return err_setx(EINVAL, "--publish needs --net veth and --ip (the relay connects to the "
                                "container's address over the veth)");
    for (size_t i = 0; i < o->n_publish; i++) {
        const struct publish_spec *p = &o->publish[i];
        int family = p->host.family ? p->host.family : AF_INET;
        if (!v->ip[addr_slot(family)].family)
            return err_setx(EINVAL, "--publish %u:%u: the container has no --ip of %s to relay to",
                            p->host_port, p->port, family == AF_INET ? "IPv4" : "IPv6");
        for (size_t k = 0; k < i; k++) {
            /* an address not given is every IPv4 one: it meets IPv4 listeners only */
            const struct ip_addr *q = &o->publish[k].host;
            int qfamily = q->family ? q->family : AF_INET;
            if (o->publish[k].host_port == p->host_port && o->publish[k].proto == p->proto &&
                qfamily == family && (!q->family || !p->host.family || addr_equal(q, &p->host)))
                return err_setx(EINVAL, "--publish: host port %u/%s given twice", p->host_port,
                                p->proto == IPPROTO_UDP ? "udp" : "tcp");
        }
    }
    if (v->bridge && (v->host_ip[0].family || v->host_ip[1].family))
        return err_setx(EINVAL, "--bridge and --host-ip exclude each other: the bridge holds the "
                                "host's address");
    for (int i = 0; i < 2; i++) {
        char a[ADDR_STRLEN], b[ADDR_STRLEN];
        const struct ip_addr *ip = &v->ip[i], *host = &v->host_ip[i], *gw = &v->gateway[i];
        if (gw->family && !ip->family)
            return err_setx(EINVAL, "--gateway %s needs an --ip of its family", addr_format(gw, a));
        if (ip->family && host->family && addr_equal(ip, host))
            return err_setx(EINVAL, "--ip and --host-ip are both %s", addr_format(ip, a));
        const struct ip_addr *via = gw->family ? gw : host;
        if (ip->family && via->family && !addr_same_net(ip, via))
            return err_setx(EINVAL, "%s %s is outside the container's network %s (use addresses "
                                    "of one network)", gw->family ? "--gateway" : "--host-ip",
                            addr_format(via, b), addr_format(ip, a));
    }
    return 0;
}

/* A string the options keep, read from a config file. */
static char *own(struct run_opts *o, char *str)
{
    if (!str)
        return NULL;
    char **grown = realloc(o->owned, (o->n_owned + 1) * sizeof *grown);
    if (!grown) {
        free(str);
        return NULL;
    }
    o->owned = grown;
    o->owned[o->n_owned++] = str;
    return str;
}

char *cli_trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

char *cli_unquote(char *v)
{
    size_t n = strlen(v);
    if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
        v[n - 1] = '\0';
        return v + 1;
    }
    return v;
}

static int parse_bool(const char *v, bool *b)
{
    const char *yes[] = {"true", "yes", "on", "1"}, *no[] = {"false", "no", "off", "0"};
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0)
            return *b = true, 0;
        if (strcasecmp(v, no[i]) == 0)
            return *b = false, 0;
    }
    return -EINVAL;
}

int cli_parse_lan(const char *spec, enum net_mode *mode, struct veth_opts *v)
{
    static const struct {
        const char *name;
        enum net_mode mode;
        const char *modes[4];
        int values[4];
    } kinds[] = {
        {"macvlan:", NET_MACVLAN, {"bridge", "private", "vepa", "passthru"}, {4, 1, 2, 8}},
        {"ipvlan:", NET_IPVLAN, {"l2", "l3", "l3s", NULL}, {0, 1, 2, 0}},
        {"dev:", NET_DEV, {NULL}, {0}},
    };
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        size_t len = strlen(kinds[k].name);
        if (strncmp(spec, kinds[k].name, len) != 0)
            continue;
        const char *parent = spec + len, *colon = strchr(parent, ':');
        size_t plen = colon ? (size_t)(colon - parent) : strlen(parent);
        char name[IFNAME_MAX + 2];
        snprintf(name, sizeof name, "%.*s", (int)(plen < IFNAME_MAX + 1 ? plen : IFNAME_MAX + 1),
                 parent);
        if (plen == 0 || plen > IFNAME_MAX || cli_check_ifname("--net", name) < 0)
            return err_setx(EINVAL, "--net '%s': expected %sIFACE%s with an interface name", spec,
                            kinds[k].name, kinds[k].modes[0] ? "[:MODE]" : "");
        *mode = kinds[k].mode;
        v->lan_mode = kinds[k].values[0];
        if (colon) {
            int found = -1;
            for (int m = 0; m < 4 && kinds[k].modes[m]; m++)
                if (strcmp(colon + 1, kinds[k].modes[m]) == 0)
                    found = m;
            if (found < 0)
                return err_setx(EINVAL, "--net '%s': %s", spec,
                                kinds[k].mode == NET_MACVLAN
                                    ? "the macvlan mode is bridge, private, vepa or passthru"
                                : kinds[k].mode == NET_IPVLAN ? "the ipvlan mode is l2, l3 or l3s"
                                                              : "dev:IFACE takes no mode");
            v->lan_mode = kinds[k].values[found];
        }
        v->parent = strndup(parent, plen); /* the caller's to free */
        return v->parent ? 0 : err_set(ENOMEM, "--net");
    }
    return err_setx(EINVAL, "--net '%s': expected none, host, veth, macvlan:PARENT[:MODE], "
                            "ipvlan:PARENT[:l2|l3|l3s] or dev:IFACE", spec);
}

int cli_parse_publish(const char *spec, struct publish_spec *p)
{
    /* [HOSTADDR:]HOSTPORT:PORT[/tcp|udp]; an IPv6 HOSTADDR in brackets */
    char buf[128];
    memset(p, 0, sizeof *p);
    p->proto = IPPROTO_TCP;
    if (strlen(spec) >= sizeof buf)
        return err_setx(EINVAL, "--publish '%s': too long", spec);
    snprintf(buf, sizeof buf, "%s", spec);
    char *slash = strrchr(buf, '/');
    if (slash) {
        *slash = '\0';
        if (strcmp(slash + 1, "udp") == 0)
            p->proto = IPPROTO_UDP;
        else if (strcmp(slash + 1, "tcp") != 0)
            return err_setx(EINVAL, "--publish '%s': the protocol is tcp or udp", spec);
    }
    char *ports = buf;
    if (buf[0] == '[') {
        char *end = strchr(buf, ']');
        if (!end || end[1] != ':')
            return err_setx(EINVAL, "--publish '%s': expected [ADDR]:HOSTPORT:PORT for IPv6", spec);
        *end = '\0';
        if (addr_parse("--publish", buf + 1, false, &p->host) < 0)
            return -EINVAL;
        if (p->host.family != AF_INET6)
            return err_setx(EINVAL, "--publish '%s': brackets are for an IPv6 address", spec);
        ports = end + 2;
    } else {
        char *last = strrchr(buf, ':'), *first = strchr(buf, ':');
        if (last && first != last) {
            *first = '\0';
            if (addr_parse("--publish", buf, false, &p->host) < 0)
                return -EINVAL;
            if (p->host.family != AF_INET)
                return err_setx(EINVAL, "--publish '%s': write an IPv6 address in brackets, "
                                        "[ADDR]:HOSTPORT:PORT", spec);
            ports = first + 1;
        }
    }
    char *colon = strchr(ports, ':');
    unsigned long hp = 0, cp = 0;
    if (!colon || (*colon = '\0', !number_in(ports, 1, 65535, &hp)) ||
        !number_in(colon + 1, 1, 65535, &cp))
        return err_setx(EINVAL, "--publish '%s': expected [HOSTADDR:]HOSTPORT:PORT[/tcp|udp] with "
                                "ports from 1 to 65535", spec);
    p->host_port = (uint16_t)hp;
    p->port = (uint16_t)cp;
    return 0;
}

int cli_parse_add_host(const char *spec, struct host_entry *h)
{
    /* NAME:ADDR; ADDR may be IPv6 and so hold ':' itself */
    const char *colon = strchr(spec, ':');
    if (!colon || colon == spec)
        return err_setx(EINVAL, "--add-host '%s': expected NAME:ADDR", spec);
    char name[256];
    size_t n = (size_t)(colon - spec);
    if (n >= sizeof name)
        return err_setx(EINVAL, "--add-host '%s': the name is too long", spec);
    memcpy(name, spec, n);
    name[n] = '\0';
    int r = dns_check_hostname("--add-host", name);
    if (r < 0)
        return r;
    if ((r = addr_parse("--add-host", colon + 1, false, &h->addr)) < 0)
        return r;
    h->name = strndup(spec, n);
    return h->name ? 0 : err_set(ENOMEM, "--add-host");
}

static int config_line(struct run_opts *o, struct cap_changes *cc, char *line)
{
    char *eq = strchr(line, '=');
    if (!eq)
        return err_setx(EINVAL, "expected KEY = VALUE");
    *eq = '\0';
    char *key = cli_trim(line), *value = cli_unquote(cli_trim(eq + 1));
    if (strcmp(key, "image") == 0) {
        o->image = own(o, strdup(value));
        return o->image ? 0 : err_set(ENOMEM, "config");
    }
    if (strcmp(key, "command") == 0) {
        char **words;
        int r = cli_split_words(value, &words);
        if (r < 0)
            return r;
        if (!words[0]) {
            free(words);
            return err_setx(EINVAL, "command: empty");
        }
        o->argv = (char **)own(o, (char *)words);
        return o->argv ? 0 : err_set(ENOMEM, "config");
    }
    const struct cli_option *opt = NULL;
    for (const struct cli_option *t = run_options; t->name; t++)
        if (strcmp(t->name, key) == 0)
            opt = t;
    if (!opt || opt->id == O_CONFIG || opt->id == O_HELP)
        return err_setx(EINVAL, "unknown key '%s' (keys are run's long options, image, command)",
                        key);
    if (!opt->arg) {
        bool on;
        if (parse_bool(value, &on) < 0)
            return err_setx(EINVAL, "%s = %s: expected true or false", key, value);
        return on ? apply_run_option(o, cc, opt->id, NULL) : 0;
    }
    char *v = own(o, strdup(value));
    return v ? apply_run_option(o, cc, opt->id, v) : err_set(ENOMEM, "config");
}

static int load_config(const char *path, struct run_opts *o, struct cap_changes *cc)
{
    /* Not blocking: a FIFO given as the file must not hang hutch. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return err_set(errno, "--config %s", path);
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return err_setx(EINVAL, "--config %s: not a regular file", path);
    }
    FILE *f = fdopen(fd, "r");
    if (!f) {
        close(fd);
        return err_set(errno, "--config %s", path);
    }
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, r = 0;
    while (r == 0 && getline(&line, &cap, f) >= 0) {
        lineno++;
        char *l = cli_trim(line);
        if (*l == '\0' || *l == '#')
            continue;
        if ((r = config_line(o, cc, l)) < 0)
            err_context("%s:%d", path, lineno);
    }
    free(line);
    fclose(f);
    return r;
}

int cli_parse_run(int argc, char **argv, struct run_opts *o, FILE *out)
{
    memset(o, 0, sizeof *o);
    struct cap_changes cc = {0, 0, false, false};
    const char *v;
    int id;
    /* The config file first, so that the command line's flags win. */
    struct scan s = {.argc = argc, .argv = argv, .i = 0};
    while ((id = scan_next(&s, run_options, &v)) > 0)
        if (id == O_CONFIG)
            o->config = v;
    if (id < 0)
        return id;
    if (o->config) {
        int r = load_config(o->config, o, &cc);
        if (r < 0)
            return r;
    }
    s.i = s.sub = 0;
    while ((id = scan_next(&s, run_options, &v)) > 0) {
        if (id == O_CONFIG)
            continue;
        if (id == O_HELP) {
            cli_usage(out);
            return 1;
        }
        int r = apply_run_option(o, &cc, id, v);
        if (r < 0)
            return r;
    }
    if (s.i < argc) {
        o->image = argv[s.i++];
        if (s.i < argc && strcmp(argv[s.i], "--") == 0)
            s.i++;
        if (s.i < argc)
            o->argv = argv + s.i;
    }
    if (!o->image)
        return err_setx(EINVAL, "no IMAGE given (usage: hutch run [OPTIONS] IMAGE COMMAND...)");
    /* Docker's order: ALL first, then the named ones; a drop beats an add. */
    o->caps = cc.drop_all ? 0 : CAPS_DEFAULT;
    o->caps_all = cc.add_all || o->privileged;
    if (o->caps_all)
        o->caps = CAPS_ALL_KNOWN;
    o->caps = (o->caps | cc.add) & ~cc.drop;
    return check_net(o);
}

int cli_split_words(const char *s, char ***argv_out)
{
    /* One block: the pointers, then the words' bytes (never more than the input's). */
    size_t len = strlen(s), max_words = len / 2 + 2;
    char **argv = malloc(max_words * sizeof *argv + len + 1);
    if (!argv)
        return err_set(ENOMEM, "command");
    char *out = (char *)(argv + max_words);
    size_t n = 0;
    const char *p = s;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        argv[n++] = out;
        while (*p && !isspace((unsigned char)*p)) {
            if (*p == '\'') {
                const char *end = strchr(p + 1, '\'');
                if (!end) {
                    free(argv);
                    return err_setx(EINVAL, "command: a ' is not closed");
                }
                memcpy(out, p + 1, (size_t)(end - p - 1));
                out += end - p - 1;
                p = end + 1;
            } else if (*p == '"') {
                for (p++; *p && *p != '"'; p++) {
                    if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                        p++;
                    *out++ = *p;
                }
                if (*p != '"') {
                    free(argv);
                    return err_setx(EINVAL, "command: a \" is not closed");
                }
                p++;
            } else if (*p == '\\' && p[1]) {
                *out++ = p[1];
                p += 2;
            } else {
                *out++ = *p++;
            }
        }
        *out++ = '\0';
    }
    argv[n] = NULL;
    *argv_out = argv;
    return 0;
}

int cli_parse_signal(const char *s)
{
    static const struct {
        const char *name;
        int sig;
    } names[] = {{"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"KILL", SIGKILL},
                 {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"TERM", SIGTERM}, {"ALRM", SIGALRM},
                 {"CONT", SIGCONT}, {"STOP", SIGSTOP}, {"WINCH", SIGWINCH}, {"PWR", SIGPWR}};
    const char *n = strncasecmp(s, "SIG", 3) == 0 ? s + 3 : s;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcasecmp(n, names[i].name) == 0)
            return names[i].sig;
    char *end;
    long v = strtol(s, &end, 10);
    if (isdigit((unsigned char)*s) && !*end && v >= 1 && v <= 64)
        return (int)v;
    return err_setx(EINVAL, "bad signal '%s' (a name such as TERM, HUP, KILL, or a number)", s);
}

static void print_usage(FILE *out, const char *usage, const struct cli_option *table)
{
    fprintf(out, "Usage: %s\n\nOptions:\n", usage);
    print_options(out, table);
}

int cli_parse_exec(int argc, char **argv, struct exec_opts *e, FILE *out)
{
    memset(e, 0, sizeof *e);
    struct scan s = {.argc = argc, .argv = argv, .i = 0};
    const char *v;
    int id;
    while ((id = scan_next(&s, exec_options, &v)) > 0) {
        switch (id) {
        case O_HELP:
            print_usage(out, "hutch exec [OPTIONS] NAME COMMAND [ARG...]", exec_options);
            return 1;
        case O_ENV: {
            if (!strchr(v, '=') || v[0] == '=')
                return err_setx(EINVAL, "--env '%s': expected KEY=VALUE", v);
            int r = append(&e->env, &e->n_env, sizeof *e->env, &v);
            if (r < 0)
                return r;
            break;
        }
        case O_WORKDIR:
            e->workdir = v;
            if (check_container_path("--workdir", v) < 0)
                return -EINVAL;
            break;
        case O_USER:
            e->user = v;
            if (cli_check_user("--user", v) < 0)
                return -EINVAL;
            break;
        case O_TTY:
            e->tty = true;
            break;
        }
    }
    if (id < 0)
        return id;
    if (s.i >= argc)
        return err_setx(EINVAL, "no NAME given (usage: hutch exec [OPTIONS] NAME COMMAND...)");
    e->name = argv[s.i++];
    if (cli_check_name("container name", e->name) < 0)
        return -EINVAL;
    if (s.i < argc && strcmp(argv[s.i], "--") == 0)
        s.i++;
    if (s.i >= argc)
        return err_setx(EINVAL, "no COMMAND given (usage: hutch exec [OPTIONS] NAME COMMAND...)");
    e->argv = argv + s.i;
    return 0;
}

void exec_opts_free(struct exec_opts *e)
{
    free(e->env);
    memset(e, 0, sizeof *e);
}

int cli_parse_ctl(const char *cmd, int argc, char **argv, struct ctl_opts *c, FILE *out)
{
    memset(c, 0, sizeof *c);
    c->signal = SIGKILL;
    c->timeout = 10;
    bool list = strcmp(cmd, "list") == 0, stop = strcmp(cmd, "stop") == 0,
         kill_cmd = strcmp(cmd, "kill") == 0;
    const struct cli_option *table = list ? list_options : stop ? stop_options : no_options;
    char usage[96];
    snprintf(usage, sizeof usage, "hutch %s%s%s", cmd, list ? " [OPTIONS]" : stop ? " [OPTIONS] NAME" : " NAME",
             kill_cmd ? " [SIGNAL]" : "");
    struct scan s = {.argc = argc, .argv = argv, .i = 0};
    const char *v;
    int id;
    while ((id = scan_next(&s, table, &v)) > 0) {
        if (id == O_HELP) {
            print_usage(out, usage, table);
            return 1;
        }
        if (id == O_QUIET)
            c->quiet = true;
        if (id == O_TIME) {
            unsigned long t = 0;
            if (parse_uint("--time", v, 0, 86400, &t) < 0)
                return -EINVAL;
            c->timeout = (unsigned)t;
        }
    }
    if (id < 0)
        return id;
    int operands = argc - s.i, want = list ? 0 : 1, extra = kill_cmd ? 1 : 0;
    if (operands < want)
        return err_setx(EINVAL, "no NAME given (usage: %s)", usage);
    if (operands > want + extra)
        return err_setx(EINVAL, "too many arguments (usage: %s)", usage);
    if (!list) {
        c->name = argv[s.i];
        if (cli_check_name("container name", c->name) < 0)
            return -EINVAL;
    }
    if (kill_cmd && operands == 2) {
        int sig = cli_parse_signal(argv[s.i + 1]);
        if (sig < 0)
            return sig;
        c->signal = sig;
    }
    return 0;
}

void run_opts_free(struct run_opts *o)
{
    for (size_t i = 0; i < o->n_owned; i++)
        free(o->owned[i]);
    free(o->owned);
    for (size_t i = 0; i < o->n_binds; i++) {
        free((char *)o->binds[i].src);
        free((char *)o->binds[i].dst);
    }
    free(o->binds);
    for (size_t i = 0; i < o->n_tmpfs; i++) {
        free((char *)o->tmpfs[i].dst);
        free((char *)o->tmpfs[i].data);
    }
    free(o->tmpfs);
    for (size_t i = 0; i < o->n_devices; i++)
        devices_spec_free(&o->devices[i]);
    free(o->devices);
    free(o->env);
    free(o->dns);
    free(o->dns_search);
    for (size_t i = 0; i < o->n_add_hosts; i++)
        free((char *)o->add_hosts[i].name);
    free(o->add_hosts);
    free(o->publish);
    memset(o, 0, sizeof *o);
}
