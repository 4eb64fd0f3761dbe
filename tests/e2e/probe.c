/* hutch-probe: a test tool run inside containers by the end-to-end tests, for the system calls
 * BusyBox has no applet for. Prints what happened; exits 0 when the call succeeded, 1 when the
 * kernel refused it, 2 on bad usage.
 *   hutch-probe handle PATH   name_to_handle_at + open_by_handle_at (the "shocker" escape)
 *   hutch-probe udp-echo PORT  answer each datagram on PORT with itself
 *   hutch-probe udp-ask ADDR PORT TEXT  send TEXT, print the answer (2 s at most)
 *   hutch-probe ptrace PID    PTRACE_ATTACH to PID, then detach
 *   hutch-probe alloc MIB     allocate and touch MIB mebibytes, one at a time
 *   hutch-probe as-user UID GID COMMAND...   run COMMAND as UID:GID, no supplementary groups
 *   hutch-probe tiocsti TEXT  push TEXT into the input of the terminal on fd 0 (TIOCSTI)
 *   hutch-probe tioclinux     ioctl TIOCLINUX on fd 0
 *   hutch-probe io-uring      io_uring_setup
 *   hutch-probe personality X personality(X), X in hex
 *   hutch-probe syslog        syslog(SYSLOG_ACTION_SIZE_BUFFER)
 *   hutch-probe fds           the open descriptors above 2, one "N -> TARGET" a line
 *   hutch-probe pty COMMAND...  run COMMAND on a new pseudo-terminal as its controlling
 *                             terminal, its output copied to stdout (where there is no script)
 *   hutch-probe typed         print what waits in the input of the terminal on fd 0, as
 *                             "typed: ..." (what a shell would read as its next line)
 *   hutch-probe write-exe PID  open /proc/PID/exe for writing and write a byte
 *   hutch-probe lock FILE COMMAND...  hold an flock on FILE (made if missing) while COMMAND runs
 *   hutch-probe keyctl        keyctl(KEYCTL_GET_KEYRING_ID, the session keyring)
 *   hutch-probe clone3        clone3 with a bad size (the kernel says EINVAL; a filter ENOSYS)
 *   hutch-probe abi x32|i386  getpid through the x32 ABI or int 0x80 (x86_64 only): printed
 *                             "pid" when it returns; a filter that kills the process ends it
 *   hutch-probe forks N SECS  a fork bomb that keeps trying: up to N children, each living until
 *                             SECS have passed; a refused fork is tried again 10 ms later (a
 *                             shell exits at its first "can't fork"); prints the most alive at
 *                             once and how many forks the kernel refused
 *   hutch-probe json KEY      stdin must be one valid JSON object (strictly: RFC 8259); print
 *                             its member KEY: a string unescaped, each string of an array on a
 *                             line of its own; exit 1 on invalid JSON, 3 when KEY is missing
 *   hutch-probe syscalls N    N cheap system calls of each kind: getppid, getuid and close(-1),
 *                             which seccomp profiles allow by name, and personality(0xffffffff),
 *                             which podman's allows by an argument rule; prints "NAME NS" (ns per
 *                             call, timed by CLOCK_MONOTONIC, a vDSO call) for each, then "all NS"
 *   hutch-probe dnsd ADDR NAME IPV4  a DNS responder on UDP ADDR:53 (for there is no BusyBox
 *                             dnsd in Debian's BusyBox): an A query for NAME gets IPV4, any
 *                             other type for it an empty answer, any other name NXDOMAIN; prints
 *                             "dnsd: ready" once bound, answers until killed
 *   hutch-probe append FILE [nosync]  append numbered records ("record 00000001\n", 16 bytes)
 *                             to FILE (made, and its directory synced, first), fsync each one,
 *                             then print "PC-ACK N" on stdout; forever (qemu/powercut's writer).
 *                             With nosync: print first, never fsync (to show that the power-cut
 *                             test catches a loss) */
#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dirent.h>
#include <stdbool.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <termios.h>
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

/* ---- a strict JSON reader, for `json` ---- */
static const char *js;
static int json_value(char *out, size_t len, int depth);

static void ws(void) { while (*js == ' ' || *js == '\t' || *js == '\n' || *js == '\r') js++; }

/* A string; its text, unescaped (UTF-8 for \u escapes of the BMP), into OUT when given. */
static int json_string(char *out, size_t len)
{
    size_t n = 0;
    if (*js++ != '"')
        return -1;
    for (;;) {
        unsigned c = (unsigned char)*js++;
        if (c == '"')
            break;
        if (c < 0x20)
            return -1;
        if (c == '\\') {
            c = (unsigned char)*js++;
            const char *map = strchr("\"\"\\\\//b\bf\fn\nr\rt\t", (int)c);
            if (c == 'u') {
                unsigned v = 0;
                for (int i = 0; i < 4; i++, js++) {
                    char h = *js;
                    if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F')))
                        return -1;
                    v = v * 16 + (unsigned)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
                }
                c = v < 0x80 ? v : '?';
            } else if (map && ((map - "\"\"\\\\//b\bf\fn\nr\rt\t") % 2) == 0) {
                c = (unsigned char)map[1];
            } else {
                return -1;
            }
        }
        if (out && n + 1 < len)
            out[n++] = (char)c;
    }
    if (out)
        out[n] = '\0';
    return 0;
}

static int json_number(void)
{
    if (*js == '-')
        js++;
    if (*js == '0')
        js++;
    else if (*js >= '1' && *js <= '9')
        while (*js >= '0' && *js <= '9')
            js++;
    else
        return -1;
    if (*js == '.') {
        js++;
        if (*js < '0' || *js > '9')
            return -1;
        while (*js >= '0' && *js <= '9')
            js++;
    }
    if (*js == 'e' || *js == 'E') {
        js++;
        if (*js == '+' || *js == '-')
            js++;
        if (*js < '0' || *js > '9')
            return -1;
        while (*js >= '0' && *js <= '9')
            js++;
    }
    return 0;
}

/* Members or elements; the strings of an array are appended to OUT, a line each. */
static int json_value(char *out, size_t len, int depth)
{
    ws();
    if (depth > 64)
        return -1;
    if (*js == '"')
        return json_string(out, len);
    if (*js == '{' || *js == '[') {
        char close = *js == '{' ? '}' : ']';
        bool object = *js++ == '{';
        size_t used = 0;
        if (out)
            out[0] = '\0';
        ws();
        if (*js == close) {
            js++;
            return 0;
        }
        for (;;) {
            ws();
            if (object) {
                if (json_string(NULL, 0) < 0)
                    return -1;
                ws();
                if (*js++ != ':')
                    return -1;
                if (json_value(NULL, 0, depth + 1) < 0)
                    return -1;
            } else {
                char item[4096];
                ws();
                bool str = *js == '"';
                if (json_value(item, sizeof item, depth + 1) < 0)
                    return -1;
                if (out && str)
                    used += (size_t)snprintf(out + used, used < len ? len - used : 0, "%s\n", item);
            }
            ws();
            if (*js == ',') {
                js++;
                continue;
            }
            if (*js++ != close)
                return -1;
            return 0;
        }
    }
    if (strncmp(js, "true", 4) == 0 || strncmp(js, "null", 4) == 0) {
        js += 4;
        return 0;
    }
    if (strncmp(js, "false", 5) == 0) {
        js += 5;
        return 0;
    }
    return json_number();
}

static int json_get(const char *key)
{
    static char in[1 << 20], value[1 << 16];
    size_t n = fread(in, 1, sizeof in - 1, stdin);
    in[n] = '\0';
    js = in;
    ws();
    int found = 0;
    if (*js++ != '{')
        goto bad;
    ws();
    if (*js == '}') {
        js++;
    } else {
        for (;;) {
            char name[256];
            ws();
            if (json_string(name, sizeof name) < 0)
                goto bad;
            ws();
            if (*js++ != ':')
                goto bad;
            bool want = strcmp(name, key) == 0;
            if (json_value(want ? value : NULL, sizeof value, 1) < 0)
                goto bad;
            found |= want;
            ws();
            if (*js == ',') {
                js++;
                continue;
            }
            if (*js++ != '}')
                goto bad;
            break;
        }
    }
    ws();
    if (*js)
        goto bad;
    if (!found)
        return 3;
    fputs(value, stdout);
    if (value[0] && value[strlen(value) - 1] != '\n')
        putchar('\n');
    return 0;
bad:
    fprintf(stderr, "json: invalid at offset %ld\n", (long)(js - in));
    return 1;
}

static int tiocsti(const char *text)
{
    for (const char *c = text; *c; c++)
        if (ioctl(0, TIOCSTI, c) < 0)
            return result("tiocsti", 0);
    return result("tiocsti", 1);
}

static int fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        int fd = atoi(e->d_name);
        char path[64], target[512];
        if (e->d_name[0] == '.' || fd <= 2 || fd == dirfd(d))
            continue;
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(path, target, sizeof target - 1);
        target[n > 0 ? n : 0] = '\0';
        printf("%d -> %s\n", fd, target);
    }
    if (d)
        closedir(d);
    return 0;
}

/* What is waiting in the input of the terminal on fd 0: a shell would read it as its next
 * command line. */
static int typed(void)
{
    struct termios t;
    if (tcgetattr(0, &t) < 0)
        return result("tcgetattr", 0);
    t.c_lflag &= ~(unsigned)(ICANON | ECHO);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 5;
    tcsetattr(0, TCSANOW, &t);
    char buf[256];
    ssize_t n = read(0, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    for (char *p = buf; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    printf("typed: %s\n", buf);
    return 0;
}

static int pty(char **cmd)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
        return result("posix_openpt", 0);
    const char *name = ptsname(master);
    pid_t pid = fork();
    if (pid == 0) {
        setsid();
        int s = open(name, O_RDWR); /* the first terminal a session leader opens: its own */
        if (s < 0)
            _exit(2);
        dup2(s, 0);
        dup2(s, 1);
        dup2(s, 2);
        close(master);
        execvp(cmd[0], cmd);
        _exit(127);
    }
    /* Copy the terminal's output until every slave is closed. */
    char buf[4096];
    ssize_t n;
    while ((n = read(master, buf, sizeof buf)) > 0)
        fwrite(buf, 1, (size_t)n, stdout);
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int forks(int n, int secs)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int alive = 0, most = 0;
    long refused = 0;
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long left_ms = (start.tv_sec + secs - now.tv_sec) * 1000 + (start.tv_nsec - now.tv_nsec) / 1000000;
        if (left_ms <= 0)
            break;
        if (alive < n) {
            pid_t pid = fork();
            if (pid == 0) {
                struct timespec t = {left_ms / 1000, (left_ms % 1000) * 1000000};
                nanosleep(&t, NULL);
                _exit(0);
            }
            if (pid > 0) {
                if (++alive > most)
                    most = alive;
                continue;
            }
            refused++;
        }
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    while (alive > 0 && wait(NULL) > 0)
        alive--;
    printf("forks: most %d alive, %ld refused\n", most, refused);
    return 0;
}

/* An engine's console socket (runc's --console-socket): listen at PATH, take the terminal's
 * master that the runtime sends (SCM_RIGHTS), write INPUT into it, and copy what comes out of
 * it to stdout until the terminal closes. Prints "tty" first when the fd is a terminal. */
static int console(const char *path, const char *input)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 1) < 0)
        return result("console socket", 0);
    int c = accept(l, NULL, NULL);
    if (c < 0)
        return result("accept", 0);
    char buf[4096], ctl[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {buf, sizeof buf};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
                       .msg_controllen = sizeof ctl};
    if (recvmsg(c, &m, 0) < 0)
        return result("recvmsg", 0);
    struct cmsghdr *h = CMSG_FIRSTHDR(&m);
    if (!h || h->cmsg_type != SCM_RIGHTS)
        return result("no descriptor came", 0);
    int master;
    memcpy(&master, CMSG_DATA(h), sizeof master);
    close(c);
    close(l);
    unlink(path);
    printf("%s\n", isatty(master) ? "tty" : "not-a-tty");
    fflush(stdout);
    if (*input && write(master, input, strlen(input)) < 0)
        return result("write the terminal", 0);
    ssize_t n;
    while ((n = read(master, buf, sizeof buf)) > 0)
        fwrite(buf, 1, (size_t)n, stdout);
    return 0;
}

/* syscalls N: each kind in a loop of its own, after a short warm-up. */
static double ns_since(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) * 1e9 + (double)(b.tv_nsec - a->tv_nsec);
}

static int syscalls(long n)
{
    static const struct {
        const char *name;
        long nr, arg;
    } kinds[] = {
        {"getppid", SYS_getppid, 0},
        {"getuid", SYS_getuid, 0},
        {"close", SYS_close, -1},
        {"personality", SYS_personality, 0xffffffffL},
    };
    if (n < 1)
        return 2;
    double total = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        for (long i = 0; i < 1000; i++)
            syscall(kinds[k].nr, kinds[k].arg, 0, 0);
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        for (long i = 0; i < n; i++)
            syscall(kinds[k].nr, kinds[k].arg, 0, 0);
        double ns = ns_since(&t);
        total += ns;
        printf("%s %.2f\n", kinds[k].name, ns / (double)n);
    }
    printf("all %.2f\n", total / (double)n / (double)(sizeof kinds / sizeof kinds[0]));
    return 0;
}

static int dnsd(const char *addr, const char *name, const char *ipv4)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(53)};
    unsigned char answer_ip[4];
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1 || inet_pton(AF_INET, ipv4, answer_ip) != 1)
        return 2;
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
        return result("dnsd: bind", 0);
    printf("dnsd: ready\n");
    fflush(stdout);
    for (;;) {
        unsigned char q[512], r[512 + 16];
        struct sockaddr_in peer;
        socklen_t plen = sizeof peer;
        ssize_t n = recvfrom(fd, q, sizeof q, 0, (struct sockaddr *)&peer, &plen);
        if (n < 12 || (q[2] & 0x80))
            continue;
        /* the question's name, dotted and lowercased; queries never compress it */
        char qname[256];
        size_t at = 12, len = 0;
        while (at < (size_t)n && q[at] && q[at] < 64 && at + 1 + q[at] < (size_t)n &&
               len + q[at] + 1 < sizeof qname) {
            for (size_t i = 0; i < q[at]; i++)
                qname[len++] = (char)tolower(q[at + 1 + i]);
            qname[len++] = '.';
            at += 1 + q[at];
        }
        if (at + 5 > (size_t)n || q[at])
            continue;
        if (len)
            len--;
        qname[len] = '\0';
        at += 5; /* the zero, qtype, qclass */
        int qtype = q[at - 4] << 8 | q[at - 3];
        bool ours = strcasecmp(qname, name) == 0, a = ours && qtype == 1;
        memcpy(r, q, at);
        r[2] = 0x84 | (q[2] & 0x01);  /* a response, authoritative, RD as asked */
        r[3] = ours ? 0 : 3;          /* NOERROR or NXDOMAIN */
        r[4] = 0, r[5] = 1, r[6] = 0, r[7] = a, memset(r + 8, 0, 4);
        size_t out = at;
        if (a) {
            static const unsigned char rr[] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4};
            memcpy(r + out, rr, sizeof rr);
            memcpy(r + out + sizeof rr, answer_ip, 4);
            out += sizeof rr + 4;
        }
        sendto(fd, r, out, 0, (struct sockaddr *)&peer, plen);
    }
}

/* udp-echo PORT: answer every datagram on PORT (IPv4, any address) with itself. */
static int udp_echo(int port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
        return result("udp-echo: bind", 0);
    printf("udp-echo: ready\n");
    fflush(stdout);
    for (;;) {
        char buf[65536];
        struct sockaddr_in peer;
        socklen_t plen = sizeof peer;
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&peer, &plen);
        if (n >= 0)
            sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&peer, plen);
    }
}

/* udp-ask ADDR PORT TEXT: send TEXT to ADDR:PORT (IPv4) and print the answer (2 s at most,
 * asked again every 200 ms: the echo may not listen yet). */
static int udp_ask(const char *addr, int port, const char *text)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
        return 2;
    for (int tries = 0; tries < 10; tries++) {
        sendto(fd, text, strlen(text), 0, (struct sockaddr *)&sa, sizeof sa);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        char buf[65536];
        ssize_t n;
        if (poll(&p, 1, 200) == 1 && (n = recv(fd, buf, sizeof buf - 1, 0)) >= 0) {
            buf[n] = '\0';
            printf("%s\n", buf);
            return 0;
        }
    }
    return result("udp-ask: no answer", 0);
}

/* qemu/powercut's writer: every record printed as acknowledged has been fsynced first. */
static int append(const char *file, bool sync)
{
    char dir[4096], line[64];
    snprintf(dir, sizeof dir, "%s", file);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    int fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || dfd < 0 || fsync(fd) < 0 || fsync(dfd) < 0)
        return result("append: open and sync", 0);
    close(dfd);
    for (unsigned long n = 1;; n++) {
        char rec[17];
        snprintf(rec, sizeof rec, "record %08lu\n", n);
        int len = snprintf(line, sizeof line, "PC-ACK %lu\n", n);
        if (!sync && write(1, line, (size_t)len) != len)
            return result("append: print", 0);
        if (write(fd, rec, 16) != 16 || (sync && fsync(fd) < 0))
            return result("append: write and fsync", 0);
        if (sync && write(1, line, (size_t)len) != len)
            return result("append: print", 0);
    }
}

int main(int argc, char **argv)
{
    if ((argc == 3 || (argc == 4 && strcmp(argv[3], "nosync") == 0)) &&
        strcmp(argv[1], "append") == 0)
        return append(argv[2], argc == 3);
    if (argc == 3 && strcmp(argv[1], "udp-echo") == 0)
        return udp_echo(atoi(argv[2]));
    if (argc == 5 && strcmp(argv[1], "udp-ask") == 0)
        return udp_ask(argv[2], atoi(argv[3]), argv[4]);
    if (argc == 5 && strcmp(argv[1], "dnsd") == 0)
        return dnsd(argv[2], argv[3], argv[4]);
    if (argc == 3 && strcmp(argv[1], "syscalls") == 0)
        return syscalls(atol(argv[2]));
    if (argc == 4 && strcmp(argv[1], "console") == 0)
        return console(argv[2], argv[3]);
    if (argc == 4 && strcmp(argv[1], "forks") == 0)
        return forks(atoi(argv[2]), atoi(argv[3]));
    if (argc == 3 && strcmp(argv[1], "tiocsti") == 0)
        return tiocsti(argv[2]);
    if (argc == 2 && strcmp(argv[1], "tioclinux") == 0) {
        char arg = 12; /* TIOCL_GETKMSGREDIRECT: harmless */
        return result("tioclinux", ioctl(0, TIOCLINUX, &arg) == 0);
    }
    if (argc == 2 && strcmp(argv[1], "io-uring") == 0) {
        char params[120] = {0};
        long fd = syscall(425 /* io_uring_setup */, 1, params);
        return result("io_uring_setup", fd >= 0);
    }
    if (argc == 3 && strcmp(argv[1], "personality") == 0)
        return result("personality", personality(strtoul(argv[2], NULL, 16)) != -1);
    if (argc == 2 && strcmp(argv[1], "syslog") == 0)
        return result("syslog", syscall(SYS_syslog, 10, NULL, 0) >= 0);
    if (argc == 2 && strcmp(argv[1], "fds") == 0)
        return fds();
    if (argc >= 3 && strcmp(argv[1], "pty") == 0)
        return pty(argv + 2);
    if (argc == 2 && strcmp(argv[1], "typed") == 0)
        return typed();
    if (argc == 2 && strcmp(argv[1], "keyctl") == 0)
        return result("keyctl", syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -3 /* session */, 0) >= 0);
    if (argc == 2 && strcmp(argv[1], "clone3") == 0) {
        char args[8] = {0};
        return result("clone3", syscall(435, args, (size_t)1) >= 0);
    }
    if (argc == 3 && strcmp(argv[1], "abi") == 0) {
#ifdef __x86_64__
        long r;
        if (strcmp(argv[2], "x32") == 0)
            r = syscall(0x40000000 | SYS_getpid);
        else
            __asm__ volatile("int $0x80" : "=a"(r) : "a"(20 /* i386 getpid */) : "memory");
        printf("pid %ld\n", r);
        return 0;
#else
        printf("abi: not on this architecture\n");
        return 2;
#endif
    }
    if (argc == 3 && strcmp(argv[1], "json") == 0)
        return json_get(argv[2]);
    if (argc >= 4 && strcmp(argv[1], "lock") == 0) {
        int fd = open(argv[2], O_RDWR | O_CREAT, 0600);
        if (fd < 0 || flock(fd, LOCK_EX) < 0)
            return result("lock", 0);
        execvp(argv[3], argv + 3);
        return result(argv[3], 0);
    }
    if (argc == 3 && strcmp(argv[1], "write-exe") == 0) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%s/exe", argv[2]);
        int fd = open(path, O_WRONLY | O_APPEND);
        return result("write exe", fd >= 0 && write(fd, "x", 1) == 1);
    }
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
                    "as-user UID GID COMMAND... | tiocsti TEXT | tioclinux | io-uring | "
                    "personality HEX | syslog | fds | pty COMMAND... | typed | write-exe PID | lock FILE COMMAND... | json KEY | "
                    "dnsd ADDR NAME IPV4 | append FILE [nosync]\n");
    return 2;
}
