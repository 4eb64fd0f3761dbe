#include "dns.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

int dns_check_hostname(const char *what, const char *name)
{
    size_t n = strlen(name), label = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (ch == '.') {
            if (label == 0)
                return err_setx(EINVAL, "%s '%s': an empty label", what, name);
            label = 0;
        } else if (isalnum(ch) || ch == '-' || ch == '_') {
            if (++label > 63)
                return err_setx(EINVAL, "%s '%.80s...': a label longer than 63 characters",
                                what, name);
        } else {
            /* the name itself only when it prints on one line */
            bool shown = ch >= 0x20 && ch < 0x7f;
            for (size_t k = i; shown && k < n; k++)
                shown = name[k] >= 0x20 && name[k] < 0x7f;
            return err_setx(EINVAL, "%s '%.*s': use only letters, digits, '-', '_' and '.' (no "
                                    "spaces, newlines or '#')", what, shown ? 80 : (int)i, name);
        }
    }
    if (n == 0 || n > 253)
        return err_setx(EINVAL, "%s '%.80s': must be 1 to 253 characters", what, name);
    if (name[0] == '-')
        return err_setx(EINVAL, "%s '%s': must not start with '-'", what, name);
    return 0;
}

bool dns_wanted(const struct run_opts *o)
{
    if (o->more.given)
        return false;
    if (o->n_dns || o->n_dns_search || o->n_add_hosts)
        return true;
    return o->net != NET_NONE && o->net != NET_HOST;
}

/* The output: appended to until it is full, which is remembered. */
struct out {
    char *p;
    size_t size, len;
    bool full;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->full || n >= o->size - o->len) {
        o->full = true;
        return;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
}

static void puts_(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

static void put_addr(struct out *o, const struct ip_addr *a)
{
    struct ip_addr bare = *a;
    char buf[ADDR_STRLEN];
    bare.prefix = -1;
    puts_(o, addr_format(&bare, buf));
}

static int done(struct out *o, const char *file)
{
    if (o->full)
        return err_setx(ENOSPC, "the container's %s: longer than %zu bytes", file, o->size - 1);
    return (int)o->len;
}

static int start(struct out *o, char *buf, size_t size)
{
    *o = (struct out){.p = buf, .size = size};
    if (size == 0)
        return -ENOSPC;
    buf[0] = '\0';
    return 0;
}

static bool blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r';
}

/* Whether LINE (N bytes) begins with the keyword WORD, then a blank or its end. */
static bool keyword(const char *line, size_t n, const char *word)
{
    size_t w = strlen(word);
    return n >= w && memcmp(line, word, w) == 0 && (n == w || blank(line[w]));
}

/* Whether the address of a nameserver LINE (N bytes) is on the loopback: 127.0.0.0/8, ::1, or
 * ::ffff:127.x.y.z. Anything that does not parse is not. */
static bool loopback_server(const char *line, size_t n)
{
    size_t i = strlen("nameserver");
    while (i < n && blank(line[i]))
        i++;
    size_t k = i;
    while (k < n && !blank(line[k]) && line[k] != '#' && line[k] != ';')
        k++;
    char tok[INET6_ADDRSTRLEN];
    if (k == i || k - i >= sizeof tok || memchr(line + i, '\0', k - i))
        return false;
    memcpy(tok, line + i, k - i);
    tok[k - i] = '\0';
    unsigned char b[16];
    static const unsigned char one[16] = {[15] = 1};
    static const unsigned char mapped[12] = {[10] = 0xff, [11] = 0xff};
    if (inet_pton(AF_INET, tok, b) == 1)
        return b[0] == 127;
    if (inet_pton(AF_INET6, tok, b) == 1)
        return memcmp(b, one, 16) == 0 || (memcmp(b, mapped, 12) == 0 && b[12] == 127);
    return false;
}

int dns_resolv_conf(const struct dns_conf *c, const char *host, size_t len, char *out,
                    size_t size)
{
    struct out o;
    if (start(&o, out, size) < 0)
        return err_setx(ENOSPC, "the container's /etc/resolv.conf: no room");
    for (size_t i = 0; i < c->n_search; i++)
        if (dns_check_hostname("--dns-search", c->search[i]) < 0)
            return -EINVAL;
    puts_(&o, "# written by hutch for this container\n");
    for (size_t i = 0; i < c->n_servers; i++) {
        puts_(&o, "nameserver ");
        put_addr(&o, &c->servers[i]);
        puts_(&o, "\n");
    }
    if (c->n_search) {
        puts_(&o, "search");
        for (size_t i = 0; i < c->n_search; i++) {
            puts_(&o, " ");
            puts_(&o, c->search[i]);
        }
        puts_(&o, "\n");
    }
    size_t servers = c->n_servers, dropped = 0, line_no = 0;
    for (size_t at = 0; host && at < len; line_no++) {
        const char *line = host + at;
        const char *nl = memchr(line, '\n', len - at);
        size_t n = nl ? (size_t)(nl - line) : len - at;
        at += n + (nl != NULL);
        if (n > DNS_LINE_MAX)
            return err_setx(EINVAL, "the host's /etc/resolv.conf: line %zu is longer than %d "
                                    "bytes", line_no + 1, DNS_LINE_MAX);
        if (keyword(line, n, "nameserver")) {
            if (c->n_servers)
                continue;
            if (!c->host_net && loopback_server(line, n)) {
                dropped++;
                continue;
            }
            servers++;
        } else if ((keyword(line, n, "search") || keyword(line, n, "domain")) && c->n_search) {
            continue;
        }
        put(&o, line, n);
        puts_(&o, "\n");
    }
    if (!servers && dropped)
        puts_(&o, "# hutch: no name server: the host's are on its loopback, which this "
                  "container cannot reach (give --dns ADDR)\n");
    return done(&o, "/etc/resolv.conf");
}

int dns_hosts(const char *hostname, const struct ip_addr own[2], const struct host_entry *extra,
              size_t n_extra, char *out, size_t size)
{
    struct out o;
    if (start(&o, out, size) < 0)
        return err_setx(ENOSPC, "the container's /etc/hosts: no room");
    if (dns_check_hostname("hostname", hostname) < 0)
        return err_context("the container's /etc/hosts"), -EINVAL;
    for (size_t i = 0; i < n_extra; i++)
        if (dns_check_hostname("--add-host", extra[i].name) < 0)
            return -EINVAL;
    puts_(&o, "# written by hutch for this container\n"
              "127.0.0.1\tlocalhost\n"
              "::1\tlocalhost ip6-localhost ip6-loopback\n");
    bool any = false;
    for (int i = 0; i < 2; i++) {
        if (!own[i].family)
            continue;
        any = true;
        put_addr(&o, &own[i]);
        puts_(&o, "\t");
        puts_(&o, hostname);
        puts_(&o, "\n");
    }
    if (!any) {
        puts_(&o, "127.0.1.1\t");
        puts_(&o, hostname);
        puts_(&o, "\n");
    }
    for (size_t i = 0; i < n_extra; i++) {
        put_addr(&o, &extra[i].addr);
        puts_(&o, "\t");
        puts_(&o, extra[i].name);
        puts_(&o, "\n");
    }
    return done(&o, "/etc/hosts");
}
