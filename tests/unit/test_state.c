/* Unit tests of the state file (src/state.c): the records' framing (state_field, pure), and a
 * container's state in a private HUTCH_STATE_DIR: fields set in memory reach the one file only
 * on state_commit, which replaces it whole; state_none writes nothing; the exit code goes to
 * the lock file only when a `hutch wait` waits (its read lock), and a waiter gets it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "err.h"
#include "state.h"

static char base[256];

/* The names in DIR, sorted, joined by spaces ("" when empty, "-" when DIR is missing). */
static const char *names(const char *dir)
{
    static char out[512];
    struct dirent **list;
    int n = scandir(dir, &list, NULL, alphasort);
    if (n < 0)
        return "-";
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (strcmp(list[i]->d_name, ".") != 0 && strcmp(list[i]->d_name, "..") != 0) {
            if (out[0])
                strcat(out, " ");
            strcat(out, list[i]->d_name);
        }
        free(list[i]);
    }
    free(list);
    return out;
}

static void framing(void)
{
    const char *v;
    size_t n;
    const char good[] = "pid 3\n123\nenv 7\nA=1\0B=2\nstatus 7\nrunning\n";
    CHECK_EQ_INT(state_field(good, sizeof good - 1, "env", &v, &n), 0);
    CHECK_EQ_INT(n, 7);
    CHECK(n == 7 && memcmp(v, "A=1\0B=2", 7) == 0);
    CHECK_EQ_INT(state_field(good, sizeof good - 1, "status", &v, &n), 0);
    CHECK(n == 7 && memcmp(v, "running", 7) == 0);
    CHECK_EQ_INT(state_field(good, sizeof good - 1, "ip", &v, &n), -ENOENT);
    /* a prefix of a key is not the key */
    CHECK_EQ_INT(state_field(good, sizeof good - 1, "pi", &v, &n), -ENOENT);
    CHECK_EQ_INT(state_field("", 0, "pid", &v, &n), -ENOENT);
    /* lengths past the end, a missing newline, no length, a huge or signed length */
    static const char *const bad[] = {"pid 9\n123\n", "pid 3\n1234", "pid 3\n123", "pid\n1\n",
                                      "pid x\n1\n", "pid 18446744073709551615\n1\n",
                                      "pid -1\n\n", "pid +3\n123\n", " 3\n123\n", "pid 3 \n123\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK_EQ_INT(state_field(bad[i], strlen(bad[i]), "status", &v, &n), -EINVAL);
}

static void one_file(void)
{
    char dir[300], buf[256];
    struct state st;
    snprintf(dir, sizeof dir, "%s/c1", base);
    CHECK_EQ_INT(state_claim("c1", &st), 0);
    CHECK_EQ_STR(names(dir), "lock");
    CHECK_EQ_INT(state_put(&st, "status", "starting"), 0);
    CHECK_EQ_INT(state_put_argv(&st, "env", 2, (char *[]){"A=1", "B=2"}), 0);
    CHECK_EQ_INT(state_put_pid(&st, "pid", getpid()), 0);
    /* nothing written before the commit: the container is not visible yet */
    CHECK_EQ_STR(names(dir), "lock");
    CHECK_EQ_INT(state_peek("c1", "status", buf, sizeof buf), -ENOENT);
    CHECK(state_live("c1")); /* but its lock says it is there (hutch stop waits for the state) */
    CHECK_EQ_INT(state_commit(&st), 0);
    CHECK_EQ_STR(names(dir), "lock state");
    CHECK_EQ_INT(state_peek("c1", "status", buf, sizeof buf), 8);
    CHECK_EQ_STR(buf, "starting");
    /* a field set again replaces its record, the others stay */
    CHECK_EQ_INT(state_put(&st, "status", "running"), 0);
    CHECK_EQ_INT(state_commit(&st), 0);
    CHECK_EQ_INT(state_peek("c1", "status", buf, sizeof buf), 7);
    CHECK_EQ_STR(buf, "running");
    CHECK_EQ_INT(state_peek("c1", "env", buf, sizeof buf), 8);
    CHECK(memcmp(buf, "A=1\0B=2", 8) == 0);
    pid_t pid = 0;
    CHECK_EQ_INT(state_pid("c1", "pid", &pid), 0);
    CHECK_EQ_INT(pid, getpid());
    /* a short buffer gets the start of the value */
    CHECK_EQ_INT(state_peek("c1", "status", buf, 4), 3);
    CHECK_EQ_STR(buf, "run");
    /* a second claim of the name is refused while it is held */
    struct state other;
    CHECK_EQ_INT(state_claim("c1", &other), -EBUSY);
    err_clear();
    /* no waiter: no exit code written; the directory is gone */
    state_release(&st, 3);
    CHECK_EQ_STR(names(dir), "-");
    CHECK_EQ_INT(state_peek("c1", "status", buf, sizeof buf), -ENOENT);
    CHECK(!state_live("c1"));
}

/* The exit code is written only for a waiter: RDLOCK says whether this test holds a waiter's
 * read lock on the lock file while the owner lets go. What the lock file holds then. */
static const char *code_written(const char *name, bool rdlock)
{
    static char got[32];
    char lock[300];
    struct state st;
    got[0] = '\0';
    if (state_claim(name, &st) < 0)
        return "(claim failed)";
    snprintf(lock, sizeof lock, "%s/%s/lock", base, name);
    int fd = open(lock, O_RDONLY | O_CLOEXEC);
    struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
    if (fd < 0 || (rdlock && fcntl(fd, F_OFD_SETLK, &fl) < 0))
        return "(no lock file)";
    state_release(&st, 7);
    ssize_t n = pread(fd, got, sizeof got - 1, 0);
    got[n > 0 ? n : 0] = '\0';
    close(fd);
    return got;
}

static void none(void)
{
    char dir[300];
    struct state st;
    state_none("c2", &st);
    CHECK_EQ_INT(state_put(&st, "status", "running"), 0);
    CHECK_EQ_INT(state_put_pid(&st, "pid", getpid()), 0);
    CHECK_EQ_INT(state_commit(&st), 0);
    snprintf(dir, sizeof dir, "%s/c2", base);
    CHECK_EQ_STR(names(dir), "-");
    state_release(&st, 0);
    CHECK_EQ_STR(names(base), "");
}

/* A waiter (a child: state_wait) gets the exit code; the owner wrote it because one waited. */
static void waiter(void)
{
    struct state st;
    CHECK_EQ_INT(state_claim("c3", &st), 0);
    CHECK_EQ_INT(state_put(&st, "status", "running"), 0);
    CHECK_EQ_INT(state_commit(&st), 0);
    pid_t child = fork();
    if (child == 0) {
        state_leave(&st); /* the child is not the owner */
        /* the parent releases once it sees the child's read lock (has_waiters) */
        int code = state_wait("c3", -1);
        _exit(code >= 0 && code < 256 ? code : 255);
    }
    /* wait until the child holds its read lock on the lock file's first byte */
    char lock[300];
    snprintf(lock, sizeof lock, "%s/c3/lock", base);
    int fd = open(lock, O_RDONLY | O_CLOEXEC);
    for (int i = 0; i < 500; i++) {
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
        if (fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
            break;
        usleep(2000);
    }
    close(fd);
    state_release(&st, 42);
    int status = 0;
    CHECK(waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 42);
}

/* A value too big for the state is refused, and the field keeps the value it had. */
static void too_big_keeps_old(void)
{
    struct state st;
    char buf[64];
    CHECK_EQ_INT(state_claim("c6", &st), 0);
    CHECK_EQ_INT(state_put_argv(&st, "env", 1, (char *[]){"A=1"}), 0);
    char *huge = malloc(STATE_MAX);
    CHECK(huge != NULL);
    if (huge) {
        memset(huge, 'x', STATE_MAX - 1);
        huge[STATE_MAX - 1] = '\0';
        CHECK_EQ_INT(state_put_argv(&st, "env", 1, (char *[]){huge}), -E2BIG);
        free(huge);
    }
    CHECK_EQ_INT(state_commit(&st), 0);
    CHECK_EQ_INT(state_peek("c6", "env", buf, sizeof buf), 4);
    CHECK_EQ_STR(buf, "A=1");
    state_release(&st, 0);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(base, sizeof base, "%s/hutch-test-state-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(base) || chmod(base, 0700) < 0 || setenv("HUTCH_STATE_DIR", base, 1) < 0)
        return 1;
    int fds = check_open_fds();
    framing();
    one_file();
    none();
    waiter();
    too_big_keeps_old();
    CHECK_EQ_STR(code_written("c4", false), "");
    CHECK_EQ_STR(code_written("c5", true), "7\n");
    CHECK_EQ_INT(check_open_fds(), fds);
    rmdir(base);
    return check_summary("test_state");
}
