/* Fuzz the readers of state files (/run/hutch/NAME/FIELD): the input's first line is the field's
 * name, the rest its content. The harness holds one container's state of its own in a private
 * directory (HUTCH_STATE_DIR, made with mkdtemp under $TMPDIR or /tmp, removed at exit), writes
 * the field there, and reads it back the way `hutch exec`, `stop`, `kill` and `inspect` do:
 * state_get, state_peek_pid, state_pid (which reads /proc/PID/stat, no more) and control_inspect
 * (its output to /dev/null). Not called: control_list (as root it clears stale cgroups first)
 * and anything that signals or joins a process. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "cli.h"
#include "control.h"
#include "err.h"
#include "state.h"

static const char *const fields[] = {
    "pid", "monitor", "status", "image", "ip", "started", "restarts", "exit-code", "options",
    "command", "stop-signal", "origin", "caps", "security", "user", "workdir", "env", "loop",
    "cgroups", NULL,
};

static struct state st;
static char base[256];

static void put(const char *key, const void *v, size_t len)
{
    int fd = openat(st.dir_fd, key, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, v, len) != (ssize_t)len)
        abort();
    close(fd);
}

/* inspect reads nothing without an options field: a fixed one unless the input is that. */
static const char options[] = "run\0--name\0fuzz\0img\0sh\0";

static void cleanup(void)
{
    state_release(&st, 0);
    rmdir(base);
}

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(base, sizeof base, "%s/hutch-fuzz-state-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(base) || setenv("HUTCH_STATE_DIR", base, 1) < 0)
        abort();
    err_clear();
    if (state_claim("fuzz", &st) < 0) {
        fprintf(stderr, "fuzz_state: %s\n", err_msg());
        abort();
    }
    atexit(cleanup);
    put("options", options, sizeof options - 1);
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null < 0 || dup2(null, 1) < 0)
        abort();
    close(null);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!base[0])
        setup();
    if (size > 70000)
        return 0;
    const uint8_t *nl = memchr(data, '\n', size);
    if (!nl)
        return 0;
    size_t klen = (size_t)(nl - data);
    const char *key = NULL;
    for (size_t i = 0; fields[i]; i++)
        if (strlen(fields[i]) == klen && memcmp(fields[i], data, klen) == 0)
            key = fields[i];
    if (!key)
        return 0;
    const uint8_t *v = nl + 1;
    size_t vlen = size - klen - 1;
    put(key, v, vlen);

    char buf[4096];
    pid_t pid;
    err_clear();
    state_get("fuzz", key, buf, sizeof buf);
    err_clear();
    state_peek_pid("fuzz", key, buf, sizeof buf);
    err_clear();
    state_pid("fuzz", key, &pid);
    err_clear();
    state_get_pid("fuzz", key, &pid);
    struct ctl_opts c = {.name = "fuzz", .signal = 9, .timeout = 10, .quiet = false};
    err_clear();
    control_inspect(&c);
    fflush(stdout);
    if (strcmp(key, "options") == 0)
        put("options", options, sizeof options - 1);
    else if (unlinkat(st.dir_fd, key, 0) < 0)
        abort();
    return 0;
}
