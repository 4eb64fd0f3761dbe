#include "command.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caps.h"
#include "channel.h"
#include "err.h"
#include "init.h"
#include "seccomp.h"

extern char **environ;

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
    if (n < 3 || !*field[0] || !isdigit((unsigned char)*field[2]))
        return -1;
    char *end;
    *name = field[0];
    *id = strtoul(field[2], &end, 10);
    if (*end)
        return -1;
    if (gid)
        *gid = n >= 4 && isdigit((unsigned char)*field[3]) ? strtoul(field[3], NULL, 10) : 0;
    if (home)
        *home = n >= 6 ? field[5] : NULL;
    return 0;
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

/* Look KEY (a name, or a number when BY_ID) up in FILE inside the container. 1 when found. */
static int lookup_id(const char *file, const char *key, bool by_id, unsigned long *id,
                     unsigned long *gid, char *home, size_t home_len)
{
    FILE *f = fopen(file, "re");
    if (!f)
        return 0;
    char line[1024];
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        const char *name, *h = NULL;
        unsigned long i, g;
        if (command_parse_id_line(line, &name, &i, &g, home ? &h : NULL) < 0)
            continue;
        if (by_id ? i == strtoul(key, NULL, 10) : strcmp(name, key) == 0) {
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
    char user[128], *group;
    snprintf(user, sizeof user, "%s", spec);
    group = strchr(user, ':');
    if (group)
        *group++ = '\0';
    unsigned long uid, gid = 0;
    bool numeric = all_digits(user);
    if (!lookup_id("/etc/passwd", user, numeric, &uid, &gid, home, home_len)) {
        if (!numeric)
            return err_setx(ENOENT, "--user %s: no such user in the image's /etc/passwd", user);
        uid = strtoul(user, NULL, 10);
        gid = 0;
    }
    if (group) {
        if (all_digits(group))
            gid = strtoul(group, NULL, 10);
        else if (!lookup_id("/etc/group", group, false, &gid, NULL, NULL, 0))
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
    if (r == 0 && term) {
        snprintf(term_kv, sizeof term_kv, "TERM=%s", term);
        r = env_add(&envp, &n, term_kv);
    }
    for (size_t i = 0; r == 0 && i < spec->n_env; i++)
        r = env_add(&envp, &n, spec->env[i]);
    cmd->envp = envp;
    return r;
}

void command_exec(void *arg)
{
    struct command *cmd = arg;
    init_reset_signals();
    if (cmd->set_user && (setgroups(0, NULL) < 0 || setgid(cmd->gid) < 0 || setuid(cmd->uid) < 0)) {
        err_set(errno, "--user %u:%u", (unsigned)cmd->uid, (unsigned)cmd->gid);
        chan_fail(cmd->chan, 125);
    }
    umask(022);
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

int command_prepare(struct command *cmd, const struct command_spec *spec)
{
    memset(cmd, 0, sizeof *cmd);
    cmd->argv = spec->argv;
    cmd->chan = spec->chan;
    char home[PATH_MAX] = "";
    int r;
    if (spec->user && (r = resolve_user(spec->user, cmd, home, sizeof home)) < 0)
        return r;
    if (!home[0])
        snprintf(home, sizeof home, "%s", cmd->uid == 0 ? "/root" : "/");
    if ((r = build_env(spec, home, cmd)) < 0)
        return r;
    const char *wd = spec->workdir ? spec->workdir : "/";
    if (chdir(wd) < 0)
        return err_set(errno, "--workdir %s", wd);
    return 0;
}

