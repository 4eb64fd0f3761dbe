#include "command.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caps.h"
#include "scmp.h"
#include "spec.h"
#include "channel.h"
#include "err.h"
#include "init.h"
#include "resolve.h"
#include "seccomp.h"
#include "sys.h"
#include "trace.h"
#include "tty.h"

extern char **environ;

/* The largest user or group ID: (uid_t)-1 means "no change" to setuid and friends. */
#define ID_MAX 4294967294UL

int command_parse_id(const char *s, unsigned long *id)
{
    unsigned long long v = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (unsigned)(*s - '0');
        if (v > ID_MAX)
            return -1;
    }
    *id = (unsigned long)v;
    return 0;
}

int command_parse_id_line(char *line, const char **name, unsigned long *id, unsigned long *gid,
                          const char **home)
{
    char *field[7] = {0};
    int n = 0;
    line[strcspn(line, "\n")] = '\0';
    for (char *p = line; n < 7; n++) {
        field[n] = p;
        p = strchr(p, ':');
        if (!p) {
            n++;
            break;
        }
        *p++ = '\0';
    }
    if (n < 3 || !*field[0] || command_parse_id(field[2], id) < 0)
        return -1;
    /* A passwd line names its group by number; without a valid one it is no line at all
     * (never group 0 by default). */
    if (gid && (n < 4 || command_parse_id(field[3], gid) < 0))
        return -1;
    *name = field[0];
    if (home)
        *home = n >= 6 ? field[5] : NULL;
    return 0;
}

/* FILE of the image (/etc/passwd, /etc/group), opened inside the root: a regular file, or
 * nothing (a FIFO there would block, a magic link would lead out). */
static FILE *open_in_root(const char *file)
{
    int root SYS_AUTO_CLOSE = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return NULL;
    int fd SYS_AUTO_CLOSE = resolve_open(root, file, O_RDONLY | O_NONBLOCK, 0);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        return NULL;
    FILE *f = fdopen(fd, "r");
    if (f)
        sys_take_fd(&fd);
    return f;
}

/* Look KEY (a name, or the number ID when BY_ID) up in FILE inside the container. 1 when found,
 * 0 when not (or no such file). At most 1 MiB of it is read. */
static int lookup_id(const char *file, const char *key, bool by_id, unsigned long want,
                     unsigned long *id, unsigned long *gid, char *home, size_t home_len)
{
    FILE *f = open_in_root(file);
    if (!f)
        return 0;
    char line[1024];
    int found = 0;
    long read_so_far = 0;
    while (!found && read_so_far < (1L << 20) && fgets(line, sizeof line, f)) {
        read_so_far += (long)strlen(line);
        const char *name, *h = NULL;
        unsigned long i, g;
        if (command_parse_id_line(line, &name, &i, gid ? &g : NULL, home ? &h : NULL) < 0)
            continue;
        if (by_id ? i == want : strcmp(name, key) == 0) {
            *id = i;
            if (gid)
                *gid = g;
            if (home && h && *h)
                snprintf(home, home_len, "%s", h);
            found = 1;
        }
    }
    fclose(f);
    return found;
}

/* --user UID[:GID] against the container's /etc/passwd and /etc/group. */
static int resolve_user(const char *spec, struct command *cmd, char *home, size_t home_len)
{
    char user[160], *group;
    if (snprintf(user, sizeof user, "%s", spec) >= (int)sizeof user)
        return err_setx(EINVAL, "--user: too long");
    group = strchr(user, ':');
    if (group)
        *group++ = '\0';
    unsigned long uid, gid = 0, n = 0;
    bool numeric = command_parse_id(user, &n) == 0;
    if (!numeric && strspn(user, "0123456789") == strlen(user))
        return err_setx(EINVAL, "--user %s: a user ID is at most %lu", user, ID_MAX);
    if (!lookup_id("/etc/passwd", user, numeric, n, &uid, &gid, home, home_len)) {
        if (!numeric)
            return err_setx(ENOENT, "--user %s: no such user in the image's /etc/passwd", user);
        uid = n;
        gid = 0;
    }
    if (group && command_parse_id(group, &gid) < 0) {
        if (strspn(group, "0123456789") == strlen(group))
            return err_setx(EINVAL, "--user %s: a group ID is at most %lu", spec, ID_MAX);
        if (!lookup_id("/etc/group", group, false, 0, &gid, NULL, NULL, 0))
            return err_setx(ENOENT, "--user %s: no such group in the image's /etc/group", spec);
    }
    cmd->uid = (uid_t)uid;
    cmd->gid = (gid_t)gid;
    cmd->set_user = true;
    return 0;
}

static int env_add(char ***envp, size_t *n, const char *kv)
{
    size_t key_len = strcspn(kv, "=");
    for (size_t i = 0; i < *n; i++)
        if (strncmp((*envp)[i], kv, key_len) == 0 && (*envp)[i][key_len] == '=') {
            (*envp)[i] = (char *)kv;
            return 0;
        }
    char **grown = realloc(*envp, (*n + 2) * sizeof *grown);
    if (!grown)
        return err_set(ENOMEM, "environment");
    grown[(*n)++] = (char *)kv;
    grown[*n] = NULL;
    *envp = grown;
    return 0;
}

/* The command's environment: a fixed base (nothing leaks in from the host), then --env. */
static int build_env(const struct command_spec *spec, const char *home, struct command *cmd)
{
    static char hostname_kv[80], home_kv[PATH_MAX + 8], term_kv[80];
    char **envp = NULL;
    size_t n = 0;
    int r = env_add(&envp, &n, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    snprintf(hostname_kv, sizeof hostname_kv, "HOSTNAME=%s", spec->hostname);
    snprintf(home_kv, sizeof home_kv, "HOME=%s", home);
    if (r == 0)
        r = env_add(&envp, &n, hostname_kv);
    if (r == 0)
        r = env_add(&envp, &n, home_kv);
    if (r == 0)
        r = env_add(&envp, &n, "container=hutch");
    const char *term = getenv("TERM");
    if (r == 0 && (term || spec->tty)) {
        snprintf(term_kv, sizeof term_kv, "TERM=%s", term ? term : "xterm");
        r = env_add(&envp, &n, term_kv);
    }
    for (size_t i = 0; r == 0 && i < spec->n_env; i++)
        r = env_add(&envp, &n, spec->env[i]);
    cmd->envp = envp;
    return r;
}

void command_die_with_parent(int chan)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    /* The parent may have died before: then its end of the channel is closed. */
    struct pollfd p = {.fd = chan, .events = POLLIN};
    if (chan >= 0 && poll(&p, 1, 0) > 0 && (p.revents & POLLHUP))
        _exit(125); /* nobody is left to tell */
}

void command_safe_stdio(int chan)
{
    for (int fd = 0; fd < 3; fd++) {
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode))
            continue;
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null < 0 || dup2(null, fd) < 0) {
            err_set(errno, "replace a directory as fd %d with /dev/null", fd);
            if (chan >= 0)
                chan_fail(chan, 125);
            _exit(125);
        }
        close(null);
    }
}

void command_exec(void *arg)
{
    struct command *cmd = arg;
    init_reset_signals();
    command_safe_stdio(cmd->chan);
    /* A session of its own: the caller's terminal is nobody's controlling terminal in here. */
    setsid();
    if (cmd->tty >= 0) {
        if (cmd->set_user && fchown(cmd->tty, cmd->uid, (gid_t)-1) < 0) {
            /* the command still holds it open: it works, only its owner stays root */
        }
        if (tty_take_controlling(cmd->tty) < 0)
            chan_fail(cmd->chan, 125);
    }
    if (cmd->set_user) {
        if (setgroups(0, NULL) < 0 || setgid(cmd->gid) < 0 || setuid(cmd->uid) < 0) {
            err_set(errno, "--user %u:%u", (unsigned)cmd->uid, (unsigned)cmd->gid);
            chan_fail(cmd->chan, 125);
        }
        command_die_with_parent(cmd->chan); /* a change of credentials cleared it */
    }
    umask(022);
    trace("exec");
    environ = cmd->envp;
    execvp(cmd->argv[0], cmd->argv);
    int e = errno;
    if (e == ENOENT || e == ENOTDIR) {
        err_setx(e, "%s: command not found in the container", cmd->argv[0]);
        chan_fail(cmd->chan, 127);
    }
    err_set(e, "%s: cannot execute", cmd->argv[0]);
    chan_fail(cmd->chan, 126);
}

int command_harden(uint64_t caps, bool privileged, bool seccomp_off)
{
    if (privileged)
        return 0;
    int r = caps_apply(caps);
    if (r < 0)
        return r;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return err_set(errno, "no_new_privs");
    return seccomp_off ? 0 : seccomp_install(caps);
}

/* The working directory, resolved inside the container's root. */
static int change_dir(const char *wd)
{
    int root SYS_AUTO_CLOSE = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return err_set(errno, "open /");
    int fd SYS_AUTO_CLOSE = resolve_open(root, wd, O_PATH | O_DIRECTORY, 0);
    if (fd == -ELOOP)
        return err_setx(ELOOP, "--workdir %s: a symlink loop or a /proc magic link: refused", wd);
    if (fd < 0)
        return err_set(-fd, "--workdir %s", wd);
    if (fchdir(fd) < 0)
        return err_set(errno, "--workdir %s", wd);
    return 0;
}

int command_prepare(struct command *cmd, const struct command_spec *spec)
{
    memset(cmd, 0, sizeof *cmd);
    cmd->argv = spec->argv;
    cmd->chan = spec->chan;
    cmd->tty = -1;
    char home[PATH_MAX] = "";
    int r;
    if (spec->user && (r = resolve_user(spec->user, cmd, home, sizeof home)) < 0)
        return r;
    if (!home[0])
        snprintf(home, sizeof home, "%s", cmd->uid == 0 ? "/root" : "/");
    if ((r = build_env(spec, home, cmd)) < 0)
        return r;
    if ((r = change_dir(spec->workdir ? spec->workdir : "/")) < 0)
        return r;
    if (spec->tty && (r = tty_open_pty(spec->chan, &cmd->tty)) < 0)
        return r;
    return 0;
}

int command_find(const char *argv0, char *const *envp)
{
    if (!argv0[0])
        return -ENOENT;
    if (strchr(argv0, '/'))
        return access(argv0, X_OK) == 0 ? 0 : errno == EACCES ? -EACCES : -ENOENT;
    const char *path = "/usr/local/bin:/bin:/usr/bin"; /* musl's execvp default */
    for (size_t i = 0; envp && envp[i]; i++)
        if (strncmp(envp[i], "PATH=", 5) == 0)
            path = envp[i] + 5;
    int r = -ENOENT;
    while (*path) {
        size_t len = strcspn(path, ":");
        char full[PATH_MAX];
        if (snprintf(full, sizeof full, "%.*s%s%s", (int)len, path, len ? "/" : "", argv0) <
            (int)sizeof full) {
            struct stat st;
            if (stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
                if (access(full, X_OK) == 0)
                    return 0;
                r = -EACCES;
            }
        }
        path += len;
        if (*path == ':')
            path++;
    }
    return r;
}


void command_exec_described(struct command *cmd, const struct spec_more *m,
                            const struct sock_filter *filter, size_t n, int preserve)
{
    init_reset_signals();
    command_safe_stdio(-1);
    if (cmd->tty >= 0 && tty_take_controlling(cmd->tty) < 0)
        chan_fail(cmd->chan, 125);
    for (size_t i = 0; i < m->n_rlimits; i++) {
        struct rlimit l = {(rlim_t)m->rlimits[i].soft, (rlim_t)m->rlimits[i].hard};
        if (setrlimit(m->rlimits[i].resource, &l) < 0) {
            err_set(errno, "process.rlimits: resource %d to %llu/%llu", m->rlimits[i].resource,
                    (unsigned long long)m->rlimits[i].soft, (unsigned long long)m->rlimits[i].hard);
            chan_fail(cmd->chan, 125);
        }
    }
    for (int fd = 3; fd < 3 + preserve; fd++) {
        int fl = fcntl(fd, F_GETFD);
        if (fl >= 0)
            fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
    }
    /* Without no_new_privs the filter goes on while this process still may (CAP_SYS_ADMIN);
     * with it, last, so that it need not allow the steps between. */
    if (filter && !m->no_new_privs && scmp_install(filter, n) < 0)
        chan_fail(cmd->chan, 125);
    if (caps_drop_bounding(m->capsets[CAPSET_BOUNDING]) < 0)
        chan_fail(cmd->chan, 125);
    /* No groups where setgroups is denied (a user namespace an ordinary user made): none. */
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 ||
        (setgroups(m->n_groups, m->n_groups ? m->groups : NULL) < 0 &&
         !(errno == EPERM && m->n_groups == 0)) ||
        setgid(m->gid) < 0 ||
        setuid(m->uid) < 0 || prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) {
        err_set(errno, "process.user %u:%u", (unsigned)m->uid, (unsigned)m->gid);
        chan_fail(cmd->chan, 125);
    }
    if (caps_set(m->capsets[CAPSET_EFFECTIVE], m->capsets[CAPSET_PERMITTED],
                 m->capsets[CAPSET_INHERITABLE], m->capsets[CAPSET_AMBIENT]) < 0)
        chan_fail(cmd->chan, 125);
    umask(m->umask >= 0 ? (mode_t)m->umask : 022);
    if (m->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        err_set(errno, "process.noNewPrivileges");
        chan_fail(cmd->chan, 125);
    }
    if (filter && m->no_new_privs && scmp_install(filter, n) < 0)
        chan_fail(cmd->chan, 125);
    environ = cmd->envp;
    const char *file = cmd->file ? cmd->file : cmd->argv[0];
    execvp(file, cmd->argv);
    int e = errno;
    if (e == ENOENT || e == ENOTDIR) {
        err_setx(e, "exec: \"%s\": executable file not found in $PATH", file);
        chan_fail(cmd->chan, 127);
    }
    err_set(e, "exec: \"%s\": permission denied or not executable", file);
    chan_fail(cmd->chan, 126);
}
