/* Unit tests of the container's /etc/resolv.conf and /etc/hosts (dns.c): the host's file
 * filtered as Docker does, --dns, --dns-search, --add-host, names checked, and no overflow on
 * any input. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "dns.h"
#include "err.h"

static char out[DNS_FILE_MAX];

static struct ip_addr ip(const char *s)
{
    struct ip_addr a;
    if (addr_parse("test", s, false, &a) < 0)
        abort();
    return a;
}

static int resolv(const struct dns_conf *c, const char *host)
{
    err_clear();
    return dns_resolv_conf(c, host, host ? strlen(host) : 0, out, sizeof out);
}

static const char *body(void)
{
    const char *nl = strchr(out, '\n'); /* past the "written by hutch" line */
    return nl ? nl + 1 : out;
}

static void test_names(void)
{
    err_clear();
    CHECK_EQ_INT(dns_check_hostname("--add-host", "db"), 0);
    CHECK_EQ_INT(dns_check_hostname("--add-host", "db-1.lan.example."), 0);
    CHECK_EQ_INT(dns_check_hostname("--add-host", "_srv.x"), 0);
    CHECK_EQ_INT(dns_check_hostname("--add-host", "9z"), 0);
    const char *bad[] = {"", "a b", "a\nb", "a#b", "a\tb", "-a", ".a", "a..b", "a/b", "a:b",
                         "a\rb", "\xc3\xa9", "a;b", "a,b"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err_clear();
        CHECK_EQ_INT(dns_check_hostname("--add-host", bad[i]), -EINVAL);
        CHECK(strncmp(err_msg(), "--add-host '", 12) == 0);
        CHECK(!strchr(err_msg(), '\n') && !strchr(err_msg(), '\r'));
    }
    char label[80], name[300];
    memset(label, 'a', 64);
    label[64] = '\0';
    err_clear();
    CHECK_EQ_INT(dns_check_hostname("x", label), -EINVAL);
    label[63] = '\0';
    CHECK_EQ_INT(dns_check_hostname("x", label), 0);
    memset(name, 'a', sizeof name);
    for (size_t i = 50; i < sizeof name; i += 51)
        name[i] = '.';
    name[253] = '\0';
    CHECK_EQ_INT(dns_check_hostname("x", name), 0);
    name[253] = 'a';
    name[254] = '\0';
    err_clear();
    CHECK_EQ_INT(dns_check_hostname("x", name), -EINVAL);
    CHECK(strstr(err_msg(), "1 to 253") != NULL);
}

static void test_wanted(void)
{
    struct run_opts o = {0};
    CHECK(!dns_wanted(&o)); /* --net none */
    o.net = NET_HOST;
    CHECK(!dns_wanted(&o));
    const enum net_mode own[] = {NET_VETH, NET_MACVLAN, NET_IPVLAN, NET_DEV};
    for (size_t i = 0; i < 4; i++) {
        o.net = own[i];
        CHECK(dns_wanted(&o));
    }
    o.more.given = true;
    CHECK(!dns_wanted(&o));
    o = (struct run_opts){.n_dns = 1};
    CHECK(dns_wanted(&o));
    o = (struct run_opts){.net = NET_HOST, .n_dns_search = 1};
    CHECK(dns_wanted(&o));
    o = (struct run_opts){.n_add_hosts = 1};
    CHECK(dns_wanted(&o));
    o.more.given = true;
    CHECK(!dns_wanted(&o));
}

static void test_host_filtered(void)
{
    struct dns_conf c = {0};
    const char *host = "# the host's\n"
                       "nameserver 127.0.0.53\n"
                       "nameserver 10.1.2.3\n"
                       "nameserver 127.1.2.3 # another\n"
                       "nameserver\t::1\n"
                       "nameserver 0:0:0:0:0:0:0:1\n"
                       "nameserver ::ffff:127.0.0.1\n"
                       "nameserver fd00::53\n"
                       "nameserver fe80::1%eth0\n"
                       "nameserver 128.0.0.1\n"
                       "search lan.example\n"
                       "options edns0 trust-ad\n"
                       "nameservers-like-word 127.0.0.1\n";
    int n = resolv(&c, host);
    CHECK(n > 0 && (size_t)n == strlen(out));
    CHECK(strncmp(out, "# written by hutch", 18) == 0);
    CHECK_EQ_STR(body(), "# the host's\n"
                         "nameserver 10.1.2.3\n"
                         "nameserver fd00::53\n"
                         "nameserver fe80::1%eth0\n"
                         "nameserver 128.0.0.1\n"
                         "search lan.example\n"
                         "options edns0 trust-ad\n"
                         "nameservers-like-word 127.0.0.1\n");
    /* The host's network: its loopback servers work, nothing dropped. */
    c.host_net = true;
    CHECK(resolv(&c, "nameserver 127.0.0.53\noptions ndots:2") > 0);
    CHECK_EQ_STR(body(), "nameserver 127.0.0.53\noptions ndots:2\n");
}

static void test_none_left(void)
{
    struct dns_conf c = {0};
    CHECK(resolv(&c, "nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n") > 0);
    CHECK(!strstr(out, "nameserver "));
    CHECK(strstr(out, "# hutch: no name server") != NULL);
    CHECK(strstr(out, "--dns ADDR") != NULL);
    CHECK(strstr(out, "options edns0 trust-ad\n") != NULL);
    CHECK(!strstr(out, "8.8.8.8"));
    /* No host file at all, or an empty one: nothing to say, nothing made up. */
    CHECK(resolv(&c, NULL) > 0);
    CHECK_EQ_STR(body(), "");
    CHECK(resolv(&c, "") > 0);
    CHECK_EQ_STR(body(), "");
}

static void test_given(void)
{
    struct ip_addr servers[] = {ip("10.3.0.1"), ip("fd00:3::1")};
    const char *search[] = {"a.example", "b.example."};
    struct dns_conf c = {.servers = servers, .n_servers = 2};
    const char *host = "nameserver 10.9.9.9\ndomain host.example\nsearch host.example\n"
                       "options rotate\n";
    CHECK(resolv(&c, host) > 0);
    CHECK_EQ_STR(body(), "nameserver 10.3.0.1\nnameserver fd00:3::1\n"
                         "domain host.example\nsearch host.example\noptions rotate\n");
    c.search = search;
    c.n_search = 2;
    CHECK(resolv(&c, host) > 0);
    CHECK_EQ_STR(body(), "nameserver 10.3.0.1\nnameserver fd00:3::1\n"
                         "search a.example b.example.\noptions rotate\n");
    /* --dns-search alone: the host's servers (minus loopback), its search replaced. */
    c.n_servers = 0;
    CHECK(resolv(&c, "nameserver 127.0.0.1\nnameserver 10.9.9.9\nsearch x\n") > 0);
    CHECK_EQ_STR(body(), "search a.example b.example.\nnameserver 10.9.9.9\n");
    /* A prefix on an address is never written. */
    struct ip_addr p = ip("10.3.0.1");
    p.prefix = 24;
    c = (struct dns_conf){.servers = &p, .n_servers = 1};
    CHECK(resolv(&c, NULL) > 0);
    CHECK_EQ_STR(body(), "nameserver 10.3.0.1\n");
    /* A bad domain given: refused, one line. */
    const char *bad[] = {"a b\nnameserver 6.6.6.6"};
    c = (struct dns_conf){.search = bad, .n_search = 1};
    CHECK_EQ_INT(resolv(&c, NULL), -EINVAL);
    CHECK(!strchr(err_msg(), '\n'));
}

static void test_hostile_host(void)
{
    struct dns_conf c = {0};
    /* CRLF, no final newline, NUL bytes, a keyword with no address. */
    const char crlf[] = "nameserver 127.0.0.1\r\nnameserver 10.0.0.1\r\nnameserver";
    err_clear();
    int n = dns_resolv_conf(&c, crlf, sizeof crlf - 1, out, sizeof out);
    CHECK(n > 0);
    CHECK_EQ_STR(body(), "nameserver 10.0.0.1\r\nnameserver\n");
    const char nul[] = "nameserver 127.0.0.1\0x\nnameserver 10.0.0.1\n";
    err_clear();
    n = dns_resolv_conf(&c, nul, sizeof nul - 1, out, sizeof out);
    CHECK(n > 0 && memmem(out, (size_t)n, "127.0.0.1\0x\n", 12) != NULL); /* kept: not parsed */
    /* A line at the limit, and one over it. */
    char *big = malloc(DNS_HOST_MAX + 1);
    memset(big, 'x', DNS_LINE_MAX);
    big[DNS_LINE_MAX] = '\n';
    err_clear();
    CHECK(dns_resolv_conf(&c, big, DNS_LINE_MAX + 1, out, sizeof out) > DNS_LINE_MAX);
    memset(big, 'x', DNS_LINE_MAX + 1);
    err_clear();
    CHECK_EQ_INT(dns_resolv_conf(&c, big, DNS_LINE_MAX + 1, out, sizeof out), -EINVAL);
    CHECK(strstr(err_msg(), "line 1 is longer") != NULL);
    /* The largest host file: many short lines fit; the output is bounded. */
    for (size_t i = 0; i < DNS_HOST_MAX; i += 16)
        memcpy(big + i, "options ndots:1\n", 16);
    err_clear();
    n = dns_resolv_conf(&c, big, DNS_HOST_MAX, out, sizeof out);
    CHECK(n > DNS_HOST_MAX && (size_t)n < sizeof out);
    /* A small output: -ENOSPC, recorded, always NUL-terminated, never past its end. */
    char small[64];
    for (size_t size = 1; size <= sizeof small; size++) {
        memset(small, '#', sizeof small);
        err_clear();
        int r = dns_resolv_conf(&c, big, DNS_HOST_MAX, small, size);
        CHECK_EQ_INT(r, -ENOSPC);
        CHECK(memchr(small, '\0', size) != NULL);
        for (size_t k = size; k < sizeof small; k++)
            if (small[k] != '#')
                CHECK(!"written past the end");
    }
    CHECK(strstr(err_msg(), "/etc/resolv.conf") != NULL);
    err_clear();
    CHECK_EQ_INT(dns_resolv_conf(&c, "", 0, small, 0), -ENOSPC);
    /* Random bytes: never a crash, a length that matches. */
    srand(13);
    for (int round = 0; round < 2000; round++) {
        size_t len = (size_t)rand() % 300;
        for (size_t i = 0; i < len; i++) {
            static const char pick[] = "nameserver search domain options 127.0.0.1 ::1 \n\r\t#";
            big[i] = rand() % 4 ? pick[rand() % (sizeof pick - 1)] : (char)rand();
        }
        err_clear();
        n = dns_resolv_conf(&c, big, len, out, (size_t)rand() % 400 + 1);
        CHECK(n == -ENOSPC || n == -EINVAL || (n > 0 && memchr(out, '\0', (size_t)n + 1)));
    }
    free(big);
}

static void test_hosts(void)
{
    struct ip_addr own[2] = {{0}, {0}};
    err_clear();
    CHECK(dns_hosts("box", own, NULL, 0, out, sizeof out) > 0);
    CHECK_EQ_STR(body(), "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                         "127.0.1.1\tbox\n");
    own[0] = ip("10.3.0.2");
    own[0].prefix = 24;
    own[1] = ip("fd00:3::2");
    struct host_entry extra[] = {{"db", ip("10.3.0.9")}, {"v6.lan", ip("fd00::9")}};
    CHECK(dns_hosts("web", own, extra, 2, out, sizeof out) > 0);
    CHECK_EQ_STR(body(), "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                         "10.3.0.2\tweb\nfd00:3::2\tweb\n10.3.0.9\tdb\nfd00::9\tv6.lan\n");
    own[0].family = 0;
    CHECK(dns_hosts("web", own, NULL, 0, out, sizeof out) > 0);
    CHECK(strstr(out, "fd00:3::2\tweb\n") && !strstr(out, "127.0.1.1"));
    /* Hostile names: one line, refused. */
    err_clear();
    CHECK_EQ_INT(dns_hosts("my host", own, NULL, 0, out, sizeof out), -EINVAL);
    CHECK(strstr(err_msg(), "the container's /etc/hosts: hostname 'my host'") != NULL);
    struct host_entry evil[] = {{"x\n10.6.6.6 bank", ip("10.3.0.9")}};
    err_clear();
    CHECK_EQ_INT(dns_hosts("web", own, evil, 1, out, sizeof out), -EINVAL);
    CHECK(!strchr(err_msg(), '\n'));
    /* Too small: -ENOSPC, NUL-terminated, nothing past the end. */
    char small[100];
    for (size_t size = 1; size < 90; size++) {
        memset(small, '#', sizeof small);
        err_clear();
        CHECK_EQ_INT(dns_hosts("web", own, extra, 2, small, size), -ENOSPC);
        CHECK(memchr(small, '\0', size) != NULL && small[size] == '#');
    }
}

int main(void)
{
    test_names();
    test_wanted();
    test_host_filtered();
    test_none_left();
    test_given();
    test_hostile_host();
    test_hosts();
    return check_summary("test_dns");
}
