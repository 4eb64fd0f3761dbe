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

/* A field of container NAME, or "-" when it has none. */
static const char *field(const char *name, const char *key, char *buf, size_t len)
{
    if (state_get(name, key, buf, len) <= 0) {
        err_clear();
        snprintf(buf, len, "-");
    }
    return buf;
}

static void uptime(const char *started, char *buf, size_t len)
{
    long long s = strcmp(started, "-") ? time(NULL) - atoll(started) : -1;
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

/* The container's init, when it runs now. */
static int running_pid(const char *name, pid_t *pid)
{
    char buf[32];
    int r = state_get(name, "pid", buf, sizeof buf);
    if (r < 0)
        return r;
    if (strcmp(buf, "-") == 0 || atoi(buf) <= 0)
        return err_setx(EAGAIN, "container %s is not running now (it is being restarted)", name);
    *pid = atoi(buf);
    return 0;
}

int control_kill(const struct ctl_opts *c)
{
    pid_t pid;
    int r = running_pid(c->name, &pid);
    if (r < 0)
        return r;
    if (kill(pid, c->signal) < 0)
        return err_set(errno, "kill %s", c->name);
    return 0;
}

int control_stop(const struct ctl_opts *c)
{
    char buf[32];
    int r = state_get(c->name, "monitor", buf, sizeof buf);
    if (r < 0)
        return r;
    /* The hutch that owns the container forwards SIGTERM and will not restart it. */
    if (kill(atoi(buf), SIGTERM) < 0 && errno != ESRCH)
        return err_set(errno, "stop %s", c->name);
    r = state_wait(c->name, (int)c->timeout * 1000);
    if (r == -ETIMEDOUT) {
        pid_t pid;
        if (running_pid(c->name, &pid) == 0)
            kill(pid, SIGKILL);
        err_clear();
        r = state_wait(c->name, 10000);
    }
    if (r == -ENOENT) /* it ended between the two looks */
        err_clear();
    else if (r < 0)
        return r == -ETIMEDOUT ? err_setx(ETIMEDOUT, "%s did not stop", c->name) : r;
    return 0;
}

int control_wait(const struct ctl_opts *c)
{
    int code = state_wait(c->name, -1);
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
                                       "workdir"};
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
    printf("]\n}\n");
    return 0;
}
