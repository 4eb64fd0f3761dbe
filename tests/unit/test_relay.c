/* Unit tests of the port relay (-p), in a network namespace of their own with only lo: echo and
 * sum servers are forked children, the relay runs in this process (so that ASan sees it), each
 * client is a forked child that exits with the number of its failures. No traffic leaves. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "err.h"
#include "relay.h"
#include "sys.h"

enum { P_RELAY = 18080, P_ECHO = 18081, P_SUM_RELAY = 18082, P_SUM = 18083, P_DEAD_RELAY = 18084,
       P_DEAD = 18085, P_BUSY = 18086 };
#define BIG (8u << 20)

static bool have_v6;


static struct ip_addr ip(const char *s)
{
    struct ip_addr a;
    if (addr_parse("test", s, false, &a) < 0)
        abort();
    return a;
}

static socklen_t sa(int family, uint16_t port, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (family == AF_INET6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        s6->sin6_addr = in6addr_loopback;
        return sizeof *s6;
    }
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    s4->sin_family = AF_INET;
    s4->sin_port = htons(port);
    s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sizeof *s4;
}

/* ---- servers (children) ---- */

static int listen_on(int type, uint16_t port)
{
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(port)}; /* [::], dual */
    int fd = socket(have_v6 ? AF_INET6 : AF_INET, type, 0), one = 1, zero = 0;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (have_v6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    struct sockaddr_storage ss;
    socklen_t len = have_v6 ? sizeof a : sa(AF_INET, port, &ss);
    if (have_v6)
        memcpy(&ss, &a, sizeof a);
    if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0 ||
        (type == SOCK_STREAM && listen(fd, 64) < 0)) {
        perror("test server");
        _exit(1);
    }
    return fd;
}

static uint64_t hash(uint64_t h, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* Echo each connection back (ECHO), or read it to its end and answer "BYTES HASH" (sum). */
static void serve_conn(int c, bool echo)
{
    static unsigned char buf[65536];
    uint64_t h = 14695981039346656037ull, total = 0;
    ssize_t n;
    if (!echo)
        usleep(200000); /* let the relay's buffers fill: backpressure */
    while ((n = read(c, buf, sizeof buf)) > 0) {
        if (echo && write(c, buf, (size_t)n) != n)
            _exit(1);
        h = hash(h, buf, (size_t)n);
        total += (uint64_t)n;
    }
    if (!echo) {
        char out[64];
        int len = snprintf(out, sizeof out, "%llu %llx", (unsigned long long)total,
                           (unsigned long long)h);
        if (write(c, out, (size_t)len) != len)
            _exit(1);
    }
    _exit(0);
}

static pid_t tcp_server(uint16_t port, bool echo)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    signal(SIGCHLD, SIG_IGN);
    int l = listen_on(SOCK_STREAM, port);
    for (;;) {
        int c = accept(l, NULL, NULL);
        if (c < 0)
            continue;
        if (fork() == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            close(l);
            serve_conn(c, echo);
        }
        close(c);
    }
}

static pid_t udp_server(uint16_t port)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int fd = listen_on(SOCK_DGRAM, port);
    for (;;) {
        char buf[2048];
        struct sockaddr_storage from;
        socklen_t len = sizeof from;
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
        if (n > 0)
            sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, len);
    }
}

/* ---- clients (children): each returns its number of failures ---- */

#define FAIL(...) (fprintf(stderr, "test_relay client: " __VA_ARGS__), fputc('\n', stderr), 1)

static int dial(int family, uint16_t port)
{
    struct sockaddr_storage ss;
    socklen_t len = sa(family, port, &ss);
    int fd = socket(family, SOCK_STREAM, 0);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static bool send_all(int fd, const void *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return false;
        p = (const char *)p + w;
        n -= (size_t)w;
    }
    return true;
}

/* Read N bytes (or up to EOF when N is 0, at most CAP): the length, -1 on an error. */
static ssize_t recv_all(int fd, char *buf, size_t n, size_t cap)
{
    size_t got = 0;
    while (n ? got < n : got < cap) {
        ssize_t r = recv(fd, buf + got, (n ? n : cap) - got, 0);
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

static int echo_once(int family, uint16_t port, const char *msg)
{
    char buf[256];
    size_t n = strlen(msg);
    int fd = dial(family, port);
    if (fd < 0)
        return FAIL("connect to port %u: %s", port, strerror(errno));
    int bad = 0;
    if (!send_all(fd, msg, n) || recv_all(fd, buf, n, 0) != (ssize_t)n || memcmp(buf, msg, n))
        bad = FAIL("no echo of \"%s\" through port %u", msg, port);
    close(fd);
    return bad;
}

static int c_round_trip(void)
{
    return echo_once(AF_INET, P_RELAY, "hello through the relay");
}

static int c_round_trip_v6(void)
{
    return echo_once(AF_INET6, P_RELAY, "hello through the relay, IPv6");
}

static int c_hundred(void)
{
    int bad = 0;
    for (int i = 0; i < 100; i++) {
        char msg[32];
        snprintf(msg, sizeof msg, "connection %d", i);
        bad += echo_once(AF_INET, P_RELAY, msg);
    }
    return bad;
}

static int c_twenty_at_once(void)
{
    int fds[20], bad = 0;
    for (int i = 0; i < 20; i++)
        if ((fds[i] = dial(AF_INET, P_RELAY)) < 0)
            return FAIL("connect %d: %s", i, strerror(errno));
    for (int i = 0; i < 20; i++) { /* all open; then each says something and hears it back */
        char msg[32], buf[32];
        int n = snprintf(msg, sizeof msg, "at once %d", i);
        if (!send_all(fds[i], msg, (size_t)n) || recv_all(fds[i], buf, (size_t)n, 0) != n ||
            memcmp(buf, msg, (size_t)n))
            bad += FAIL("no echo on connection %d of 20", i);
    }
    for (int i = 0; i < 20; i++)
        close(fds[i]);
    return bad;
}

/* 8 MiB one way, then a half-close: the answer (bytes and hash) still comes back. */
static int c_big(void)
{
    unsigned char *data = malloc(BIG);
    uint32_t x = 12345;
    for (size_t i = 0; i < BIG; i++) {
        x = x * 1103515245u + 12345u;
        data[i] = (unsigned char)(x >> 16);
    }
    char want[64], got[64];
    snprintf(want, sizeof want, "%u %llx", BIG,
             (unsigned long long)hash(14695981039346656037ull, data, BIG));
    int fd = dial(AF_INET, P_SUM_RELAY), bad = 0;
    if (fd < 0)
        return FAIL("connect to the sum relay: %s", strerror(errno));
    if (!send_all(fd, data, BIG))
        bad = FAIL("sending 8 MiB: %s", strerror(errno));
    shutdown(fd, SHUT_WR);
    ssize_t n = recv_all(fd, got, 0, sizeof got - 1);
    got[n < 0 ? 0 : n] = 0;
    if (strcmp(got, want))
        bad += FAIL("sum server answered \"%s\", want \"%s\"", got, want);
    close(fd);
    free(data);
    return bad;
}

/* Half-close through the echo server: write, shut down writing, read all of it back, EOF. */
static int c_half_close(void)
{
    char msg[3000], buf[4000];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (char)('a' + i % 26);
    int fd = dial(AF_INET, P_RELAY), bad = 0;
    if (fd < 0)
        return FAIL("connect: %s", strerror(errno));
    if (!send_all(fd, msg, sizeof msg) || shutdown(fd, SHUT_WR) < 0)
        bad = FAIL("send, shutdown");
    ssize_t n = recv_all(fd, buf, 0, sizeof buf);
    if (n != (ssize_t)sizeof msg || memcmp(buf, msg, sizeof msg))
        bad += FAIL("after the half-close: %zd bytes back, want %zu", n, sizeof msg);
    close(fd);
    return bad;
}

/* Nothing listens behind the relay: the client's connection ends at once. */
static int c_refused(void)
{
    int fd = dial(AF_INET, P_DEAD_RELAY), bad = 0;
    if (fd < 0)
        return FAIL("connect to the relay: %s", strerror(errno));
    struct pollfd p = {.fd = fd, .events = POLLIN};
    char c;
    if (poll(&p, 1, 2000) != 1)
        bad = FAIL("no end within 2 s");
    else if (recv(fd, &c, 1, 0) > 0)
        bad = FAIL("data from nowhere");
    close(fd);
    return bad;
}

static int c_udp(void)
{
    int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0), bad = 0;
    struct sockaddr_storage to;
    socklen_t len = sa(AF_INET, P_RELAY, &to);
    for (int round = 0; round < 3; round++) {
        int fds[2] = {a, b};
        for (int k = 0; k < 2; k++) {
            char msg[32], buf[64];
            int n = snprintf(msg, sizeof msg, "datagram %d from %c", round, 'a' + k);
            sendto(fds[k], msg, (size_t)n, 0, (struct sockaddr *)&to, len);
            struct pollfd p = {.fd = fds[k], .events = POLLIN};
            struct sockaddr_storage from;
            socklen_t flen = sizeof from;
            ssize_t r = poll(&p, 1, 2000) == 1 ? recvfrom(fds[k], buf, sizeof buf, 0,
                                                         (struct sockaddr *)&from, &flen)
                                               : -1;
            if (r != n || memcmp(buf, msg, (size_t)n))
                bad += FAIL("no UDP echo of \"%s\"", msg);
            else if (flen != len || memcmp(&from, &to, len))
                bad += FAIL("the UDP answer came from another address");
        }
    }
    close(a);
    close(b);
    return bad;
}

/* More clients than sessions: each is answered; the relay keeps the newest RELAY_MAX_UDP. */
static int c_udp_many(void)
{
    int bad = 0;
    struct sockaddr_storage to;
    socklen_t len = sa(AF_INET, P_RELAY, &to);
    for (int k = 0; k < RELAY_MAX_UDP + 6; k++) {
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        char msg[32], buf[64];
        int n = snprintf(msg, sizeof msg, "client %d", k);
        sendto(fd, msg, (size_t)n, 0, (struct sockaddr *)&to, len);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 2000) != 1 || recv(fd, buf, sizeof buf, 0) != n ||
            memcmp(buf, msg, (size_t)n))
            bad += FAIL("no UDP echo for client %d", k);
        close(fd);
    }
    return bad;
}

/* More connections than the relay takes at once: all open, then each echoed and closed in
 * turn; those past the limit wait in the listener's backlog until earlier ones end. */
static int c_over_limit(void)
{
    enum { N = RELAY_MAX_CONN + 40 };
    static int fds[N];
    int bad = 0;
    for (int i = 0; i < N; i++)
        if ((fds[i] = dial(AF_INET, P_RELAY)) < 0)
            return FAIL("connect %d: %s", i, strerror(errno));
    for (int i = 0; i < N; i++) {
        char msg[32], buf[32];
        int n = snprintf(msg, sizeof msg, "over the limit %d", i);
        if (!send_all(fds[i], msg, (size_t)n) || recv_all(fds[i], buf, (size_t)n, 0) != n ||
            memcmp(buf, msg, (size_t)n))
            bad += FAIL("no echo on connection %d of %d", i, N);
        close(fds[i]);
    }
    return bad;
}

/* ---- the parent: the relay ---- */

/* Run CLIENT in a child while this process drives the relay; the client's failures. */
static int max_fds; /* the most descriptors this process held while it drove the relay */

static int drive(struct relay *r, int (*client)(void))
{
    max_fds = 0;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        _exit(client() ? 1 : 0);
    int pidfd = sys_pidfd_open(pid, 0), status = 0;
    time_t end = time(NULL) + 30;
    for (;;) {
        struct pollfd p[2] = {{.fd = relay_fd(r), .events = POLLIN},
                              {.fd = pidfd, .events = POLLIN}};
        poll(p, 2, 500);
        if (p[0].revents)
            relay_dispatch(r);
        int n = check_open_fds();
        max_fds = n > max_fds ? n : max_fds;
        if (p[1].revents)
            break;
        if (time(NULL) > end) {
            fprintf(stderr, "test_relay: the client hangs; killed\n");
            kill(pid, SIGKILL);
        }
    }
    waitpid(pid, &status, 0);
    close(pidfd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 99;
}

/* Drive the relay until it holds no more than BASE descriptors (its connections have ended), or
 * 3 s; the number held. */
static int settle(struct relay *r, int base)
{
    for (int i = 0; i < 60 && check_open_fds() > base; i++) {
        struct pollfd p = {.fd = relay_fd(r), .events = POLLIN};
        if (poll(&p, 1, 50) > 0)
            relay_dispatch(r);
    }
    return check_open_fds();
}

static void test_traffic(void)
{
    struct publish_spec specs[] = {
        {ip("127.0.0.1"), P_RELAY, P_ECHO, IPPROTO_TCP},
        {ip("127.0.0.1"), P_SUM_RELAY, P_SUM, IPPROTO_TCP},
        {{0}, P_DEAD_RELAY, P_DEAD, IPPROTO_TCP}, /* 0.0.0.0 */
        {ip("127.0.0.1"), P_RELAY, P_ECHO, IPPROTO_UDP},
        {ip("::1"), P_RELAY, P_ECHO, IPPROTO_TCP},
    };
    struct ip_addr targets[2] = {ip("127.0.0.1"), ip("::1")};
    if (!have_v6)
        targets[1].family = 0;
    pid_t servers[] = {tcp_server(P_ECHO, true), tcp_server(P_SUM, false), udp_server(P_ECHO)};
    usleep(100000); /* the servers listen */

    int before = check_open_fds();
    struct relay *r = NULL;
    err_clear();
    CHECK_EQ_INT(relay_open(specs, have_v6 ? 5 : 4, targets, &r), 0);
    CHECK_EQ_STR(err_msg(), "");
    if (!r)
        return;
    int base = check_open_fds();
    CHECK_EQ_INT(base, before + 1 + (have_v6 ? 5 : 4) + 1); /* epoll, listeners, timerfd */

    CHECK_EQ_INT(drive(r, c_round_trip), 0);
    CHECK_EQ_INT(settle(r, base), base);
    if (have_v6) {
        CHECK_EQ_INT(drive(r, c_round_trip_v6), 0);
        CHECK_EQ_INT(settle(r, base), base);
    }
    CHECK_EQ_INT(drive(r, c_hundred), 0);
    CHECK_EQ_INT(settle(r, base), base);
    CHECK_EQ_INT(drive(r, c_twenty_at_once), 0);
    CHECK_EQ_INT(settle(r, base), base);
    CHECK_EQ_INT(drive(r, c_over_limit), 0);
    CHECK(max_fds > base + RELAY_MAX_CONN); /* many at once */
    CHECK_EQ_INT(max_fds, base + 1 + 2 * RELAY_MAX_CONN); /* the limit, and drive's pidfd */
    CHECK_EQ_INT(settle(r, base), base);
    CHECK_EQ_INT(drive(r, c_big), 0);
    CHECK_EQ_INT(settle(r, base), base);
    CHECK_EQ_INT(drive(r, c_half_close), 0);
    CHECK_EQ_INT(settle(r, base), base);
    CHECK_EQ_INT(drive(r, c_refused), 0);
    CHECK_EQ_INT(settle(r, base), base);
    CHECK_EQ_INT(drive(r, c_udp), 0);
    CHECK_EQ_INT(check_open_fds(), base + 2); /* two UDP sessions, until they expire */
    CHECK_EQ_INT(drive(r, c_udp_many), 0);
    CHECK_EQ_INT(check_open_fds(), base + RELAY_MAX_UDP); /* the oldest went */

    relay_close(r);
    CHECK_EQ_INT(check_open_fds(), before);
    for (size_t i = 0; i < sizeof servers / sizeof *servers; i++) {
        kill(servers[i], SIGKILL);
        waitpid(servers[i], NULL, 0);
    }
}

static void test_in_use(void)
{
    struct sockaddr_storage ss;
    socklen_t len = sa(AF_INET, P_BUSY, &ss);
    int busy = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(busy, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    CHECK(bind(busy, (struct sockaddr *)&ss, len) == 0 && listen(busy, 1) == 0);
    struct publish_spec specs[] = {{ip("127.0.0.1"), P_RELAY, P_ECHO, IPPROTO_UDP},
                                   {{0}, P_BUSY, 80, IPPROTO_TCP}};
    struct ip_addr targets[2] = {ip("10.0.0.2"), {0}};
    struct relay *r = NULL;
    int before = check_open_fds();
    err_clear();
    CHECK_EQ_INT(relay_open(specs, 2, targets, &r), -EADDRINUSE);
    CHECK(r == NULL);
    CHECK_EQ_STR(err_msg(), "--publish 18086:80/tcp: port 18086 is in use on 0.0.0.0 "
                            "(choose another host port)");
    CHECK_EQ_INT(check_open_fds(), before);
    close(busy);
}

static void test_no_target(void)
{
    struct publish_spec v6 = {ip("::1"), 8080, 80, IPPROTO_TCP};
    struct publish_spec v4 = {{0}, 8080, 80, IPPROTO_UDP};
    struct ip_addr only4[2] = {ip("10.0.0.2"), {0}}, only6[2] = {{0}, ip("fd00::2")};
    struct relay *r = NULL;
    int before = check_open_fds();
    err_clear();
    CHECK_EQ_INT(relay_open(&v6, 1, only4, &r), -EINVAL);
    CHECK(strstr(err_msg(), "--publish [::1]:8080:80/tcp") != NULL);
    CHECK(strstr(err_msg(), "--ip") != NULL);
    err_clear();
    CHECK_EQ_INT(relay_open(&v4, 1, only6, &r), -EINVAL);
    CHECK(strstr(err_msg(), "--publish 8080:80/udp") != NULL);
    CHECK(strstr(err_msg(), "IPv4") != NULL);
    CHECK(r == NULL);
    CHECK_EQ_INT(check_open_fds(), before);
    err_clear();
}

static void test_empty(void)
{
    struct relay *r = NULL;
    int before = check_open_fds();
    CHECK_EQ_INT(relay_open(NULL, 0, (struct ip_addr[2]){{0}, {0}}, &r), 0);
    CHECK(r != NULL && relay_fd(r) >= 0);
    relay_dispatch(r);
    relay_close(r);
    relay_close(NULL);
    CHECK_EQ_INT(check_open_fds(), before);
}

static bool lo_up(void)
{
    struct ifreq ifr = {0};
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    bool ok = fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0;
    ifr.ifr_flags |= IFF_UP;
    ok = ok && ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

int main(void)
{
    if (unshare(CLONE_NEWNET) < 0) {
        if (errno != EPERM)
            return fprintf(stderr, "test_relay: unshare: %s\n", strerror(errno)), 1;
        printf("test_relay: skipped: no network namespace of its own (unshare: EPERM)\n");
        return check_summary("test_relay");
    }
    signal(SIGPIPE, SIG_IGN);
    CHECK(lo_up());
    int s6 = socket(AF_INET6, SOCK_DGRAM, 0);
    struct sockaddr_storage ss;
    socklen_t len = sa(AF_INET6, 0, &ss);
    have_v6 = s6 >= 0 && bind(s6, (struct sockaddr *)&ss, len) == 0;
    if (s6 >= 0)
        close(s6);
    if (!have_v6)
        fprintf(stderr, "test_relay: no IPv6 on lo: the IPv6 case is left out\n");
    test_empty();
    test_no_target();
    test_in_use();
    test_traffic();
    return check_summary("test_relay");
}
