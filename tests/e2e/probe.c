/* hutch-probe: a test tool run inside containers by the end-to-end tests, for the system calls
 * BusyBox has no applet for. Prints what happened; exits 0 when the call succeeded, 1 when the
 * kernel refused it, 2 on bad usage.
 *   hutch-probe handle PATH   name_to_handle_at + open_by_handle_at (the "shocker" escape)
 *   hutch-probe ptrace PID    PTRACE_ATTACH to PID, then detach
 *   hutch-probe alloc MIB     allocate and touch MIB mebibytes, one at a time
 *   hutch-probe as-user UID GID COMMAND...   run COMMAND as UID:GID, no supplementary groups */
#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

static int result(const char *what, int ok)
{
    printf("%s: %s\n", what, ok ? "ok" : strerror(errno));
    return ok ? 0 : 1;
}

static int handle(const char *path)
{
    struct file_handle *h = malloc(sizeof *h + MAX_HANDLE_SZ);
    int mount_id;
    h->handle_bytes = MAX_HANDLE_SZ;
    if (name_to_handle_at(AT_FDCWD, path, h, &mount_id, 0) < 0)
        return result("name_to_handle_at", 0);
    int mount_fd = open("/", O_RDONLY | O_DIRECTORY);
    int fd = open_by_handle_at(mount_fd, h, O_RDONLY);
    return result("open_by_handle_at", fd >= 0);
}

static int trace(pid_t pid)
{
    if (ptrace(PTRACE_ATTACH, pid, 0, 0) < 0)
        return result("ptrace attach", 0);
    waitpid(pid, NULL, __WALL);
    ptrace(PTRACE_DETACH, pid, 0, 0);
    return result("ptrace attach", 1);
}

static int alloc(long mib)
{
    for (long i = 0; i < mib; i++) {
        char *p = malloc(1 << 20);
        if (!p)
            return result("malloc", 0);
        memset(p, 1, 1 << 20);
    }
    printf("allocated %ld MiB\n", mib);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "handle") == 0)
        return handle(argv[2]);
    if (argc == 3 && strcmp(argv[1], "ptrace") == 0)
        return trace((pid_t)atoi(argv[2]));
    if (argc == 3 && strcmp(argv[1], "alloc") == 0)
        return alloc(atol(argv[2]));
    if (argc >= 5 && strcmp(argv[1], "as-user") == 0) {
        if (setgroups(0, NULL) < 0 || setgid((gid_t)atoi(argv[3])) < 0 ||
            setuid((uid_t)atoi(argv[2])) < 0)
            return result("set user", 0);
        execvp(argv[4], argv + 4);
        return result(argv[4], 0);
    }
    fprintf(stderr, "usage: hutch-probe handle PATH | ptrace PID | alloc MIB | "
                    "as-user UID GID COMMAND...\n");
    return 2;
}
