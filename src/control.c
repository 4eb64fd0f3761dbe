#include "control.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "err.h"
#include "state.h"
#include "sys.h"

/* A field of container NAME, or "-" when it has none. */
static const char *field(const char *name, const char *key, char *buf, size_t len)
{
    bool is_pid = strcmp(key, "pid") == 0 || strcmp(key, "monitor") == 0;
    if ((is_pid ? state_peek_pid(name, key, buf, len) : state_peek(name, key, buf, len)) <= 0)
        snprintf(buf, len, "-");
    return buf;
}

static void uptime(const char *started, char *buf, size_t len)
{
    /* A start time is hutch's own seconds since the epoch; anything else (before 1970, after
     * now, or too long for its type) is shown as unknown, never subtracted into an overflow. */
    char *end;
    errno = 0;
    long long t = strtoll(started, &end, 10), now = (long long)time(NULL);
    long long s = errno || end == started || t < 0 || t > now ? -1 : now - t;
    if (s < 0)
        snprintf(buf, len, "-");
    else if (s < 120)
        snprintf(buf, len, "%llds", s);
    else if (s < 7200)
        snprintf(buf, len, "%lldm", s / 60);
    else if (s < 172800)
        snprintf(buf, len, "%lldh", s / 3600);
    else
        snprintf(buf, len, "%lldd", s / 86400);
}

static void list_one(const char *name, void *arg)
{
    const struct ctl_opts *c = arg;
    if (c->quiet) {
        printf("%s\n", name);
        return;
    }
    char pid[32], status[32], image[256], ip[64], started[32], up[32];
    field(name, "status", status, sizeof status);
    uptime(strcmp(status, "running") == 0 ? field(name, "started", started, sizeof started) : "-",
           up, sizeof up);
    field(name, "image", image, sizeof image);
    const char *base = strrchr(image, '/');
    printf("%-16s %-7s %-10s %-20s %-15s %s\n", name, field(name, "pid", pid, sizeof pid), status,
           base ? base + 1 : image, field(name, "ip", ip, sizeof ip), up);
}

int control_list(const struct ctl_opts *c)
{
    /* Looking is also when the remains of killed containers are cleared away. */
    if (geteuid() == 0)
        cgroup_clean_stale();
    if (!c->quiet)
        printf("%-16s %-7s %-10s %-20s %-15s %s\n", "NAME", "PID", "STATUS", "IMAGE", "IP",
               "UPTIME");
    return state_each(list_one, (void *)c);
}

/* Send SIG to the process in field KEY of container NAME, once it is sure to be that process:
 * through a pidfd where the kernel has them, so that the pid cannot be another's by then. */
static int signal_pid(const char *name, const char *key, int sig)
{
    pid_t pid;
    int r = state_get_pid(name, key, &pid);
    if (r < 0)
        return r;
    int pidfd SYS_AUTO_CLOSE = sys_pidfd_open(pid, 0);
    if (pidfd >= 0 && (r = state_check_pid(name, key, pid)) < 0)
        return r;
    if ((pidfd >= 0 ? sys_pidfd_send_signal(pidfd, sig) : kill(pid, sig)) < 0 && errno != ESRCH)
        return err_set(errno, "signal %s", name);
    return 0;
}

/* The same, for a process that may have ended already: nothing said. */
static void signal_pid_quietly(const char *name, const char *key, int sig)
{
    pid_t pid;
    if (state_pid(name, key, &pid) < 0)
        return;
    int pidfd SYS_AUTO_CLOSE = sys_pidfd_open(pid, 0);
    pid_t again;
    if (pidfd >= 0 && (state_pid(name, key, &again) < 0 || again != pid))
        return;
    if (pidfd >= 0)
        sys_pidfd_send_signal(pidfd, sig);
    else
        kill(pid, sig);
}

int control_kill(const struct ctl_opts *c)
{
    return signal_pid(c->name, "pid", c->signal);
}

int control_stop(const struct ctl_opts *c)
{
    /* A foreground container writes its state once, when its command runs: until then only
     * its lock says that it is there, and its monitor is not known yet. Waited for (as long as
     * the stop may take), not taken for "no container": the start that holds the name is
     * stopped once it has written its state. */
    pid_t monitor;
    for (long waited = 0; waited < (long)c->timeout * 1000 &&
                          state_pid(c->name, "monitor", &monitor) == -ENOENT && state_live(c->name);
         waited += 20)
        nanosleep(&(struct timespec){0, 20000000}, NULL);
    /* The hutch that owns the container forwards SIGTERM and will not restart it. */
    int r = signal_pid(c->name, "monitor", SIGTERM);
    if (r < 0)
        return r;
    r = state_wait(c->name, (int)c->timeout * 1000);
    if (r == -ETIMEDOUT) {
        /* Its init, if it runs now; between two runs the monitor is ending anyway. */
        signal_pid_quietly(c->name, "pid", SIGKILL);
        r = state_wait(c->name, 10000);
    }
    if (r == -ETIMEDOUT)
        return err_setx(ETIMEDOUT, "%s did not stop", c->name);
    return r < 0 && r != -ENOENT ? r : 0; /* -ENOENT: it ended between two looks */
}

int control_wait(const struct ctl_opts *c)
{
    int code = state_wait(c->name, -1);
    if (code == -ENOENT)
        return err_setx(ENOENT, "no container named %s (hutch list shows the running ones)",
                        c->name);
    if (code >= 0)
        printf("%d\n", code);
    return code;
}

static void json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            printf("\\%c", ch);
        else if (ch < 0x20)
            printf("\\u%04x", ch);
        else
            putchar(ch);
    }
    putchar('"');
}

int control_inspect(const struct ctl_opts *c)
{
    char buf[4096];
    int n = state_get(c->name, "options", buf, sizeof buf);
    if (n < 0)
        return n;
    static const char *const keys[] = {"status", "pid", "monitor", "image", "ip", "started",
                                       "restarts", "exit-code", "caps", "security", "user",
                                       "workdir", "loop"};
    printf("{\n  \"name\": ");
    json_string(c->name);
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        char v[512];
        printf(",\n  \"%s\": ", keys[i]);
        json_string(field(c->name, keys[i], v, sizeof v));
    }
    printf(",\n  \"run\": [");
    for (int i = 0; i < n; i += (int)strlen(buf + i) + 1) {
        printf(i ? ", " : "");
        json_string(buf + i);
    }
    printf("]");
    /* What runs, and where each part came from (the image's config, the command line). */
    char cmd[4096], v[512];
    int m = state_peek(c->name, "command", cmd, sizeof cmd);
    if (m >= 0) {
        printf(",\n  \"command\": [");
        for (int i = 0; i < m; i += (int)strlen(cmd + i) + 1) {
            printf(i ? ", " : "");
            json_string(cmd + i);
        }
        printf("]");
    }
    if (state_peek(c->name, "stop-signal", v, sizeof v) > 0)
        printf(",\n  \"stop-signal\": %d", atoi(v));
    if (state_peek(c->name, "origin", v, sizeof v) > 0) {
        printf(",\n  \"origin\": {");
        char *save = NULL;
        int k = 0;
        for (char *w = strtok_r(v, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
            char *eq = strchr(w, '=');
            if (!eq)
                continue;
            *eq = '\0';
            printf(k++ ? ", " : "");
            json_string(w);
            printf(": ");
            json_string(eq + 1);
        }
        printf("}");
    }
    printf("\n}\n");
    return 0;
}
