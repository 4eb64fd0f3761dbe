/* Fuzz the readers of the state file (/run/hutch/NAME/state): the input's first line is a
 * field's name and the rest its content, written as that field's record beside a fixed
 * `options` one; or the first line is "raw" and the rest is the whole file, records and
 * framing as they come. The harness holds one container's state of its own in a private
 * directory (HUTCH_STATE_DIR, made with mkdtemp under $TMPDIR or /tmp, removed at exit), writes
 * the file there, and reads it back the way `hutch exec`, `stop`, `kill` and `inspect` do:
 * state_get, state_peek_pid, state_pid (which reads /proc/PID/stat, no more) and control_inspect
 * (its output to /dev/null), and the pure state_field. Not called: control_list (as root it
 * clears stale cgroups first) and anything that signals or joins a process. */
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

/* The state file as it is, bytes V. */
static void put_raw(const void *v, size_t len)
{
    int fd = openat(st.dir_fd, "state", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, v, len) != (ssize_t)len)
        abort();
    close(fd);
}

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
    const uint8_t *v = nl + 1;
    size_t vlen = size - klen - 1;
    const char *key = NULL;
    if (klen == 3 && memcmp(data, "raw", 3) == 0) {
        put_raw(v, vlen);
        key = fields[size % (sizeof fields / sizeof *fields - 1)];
    } else {
        for (size_t i = 0; fields[i]; i++)
            if (strlen(fields[i]) == klen && memcmp(fields[i], data, klen) == 0)
                key = fields[i];
        if (!key)
            return 0;
        /* The harness's own records (state_put's framing), then committed as hutch does. */
        err_clear();
        free(st.rec);
        st.rec = NULL;
        st.rec_len = st.rec_cap = 0;
        char *val = malloc(vlen + 1);
        if (!val)
            abort();
        memcpy(val, v, vlen);
        val[vlen] = '\0';
        /* a value with NULs (argv fields) is put as the argv it is */
        int n = 0;
        char *argv[64];
        for (size_t i = 0; i < vlen && n < 64; i += strlen(val + i) + 1)
            argv[n++] = val + i;
        int r = memchr(val, '\0', vlen) ? state_put_argv(&st, key, n, argv)
                                        : state_put(&st, key, "%s", val);
        free(val);
        /* inspect reads nothing without an options field: a fixed one unless the input is that */
        if (r == 0 && strcmp(key, "options") != 0)
            r = state_put_argv(&st, "options", 5, (char *[]){"run", "--name", "fuzz", "img", "sh"});
        if (r < 0 || state_commit(&st) < 0)
            return 0;
    }
    {
        const char *fv;
        size_t fl;
        state_field((const char *)v, vlen, key, &fv, &fl);
    }
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
    if (unlinkat(st.dir_fd, "state", 0) < 0)
        abort();
    return 0;
}
