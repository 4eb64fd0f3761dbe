#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

int addr_len(int family)
{
    return family == AF_INET6 ? 16 : 4;
}

int addr_parse(const char *what, const char *s, bool want_prefix, struct ip_addr *a)
{
    char host[INET6_ADDRSTRLEN];
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    memset(a, 0, sizeof *a);
    a->prefix = -1;
    const char *form = want_prefix ? "ADDR/PREFIX, e.g. 10.0.0.2/24" : "ADDR, e.g. 10.0.0.1";
    if (n == 0 || n >= sizeof host)
        return err_setx(EINVAL, "%s '%s': expected %s", what, s, form);
    memcpy(host, s, n);
    host[n] = '\0';
    if (inet_pton(AF_INET, host, a->bytes) == 1)
        a->family = AF_INET;
    else if (inet_pton(AF_INET6, host, a->bytes) == 1)
        a->family = AF_INET6;
    else
        return err_setx(EINVAL, "%s '%s': '%s' is not an IPv4 or IPv6 address", what, s, host);
    if (!slash) {
        if (want_prefix)
            return err_setx(EINVAL, "%s '%s': the prefix length is missing (expected %s)", what, s,
                            form);
        return 0;
    }
    if (!want_prefix)
        return err_setx(EINVAL, "%s '%s': expected %s, without a prefix", what, s, form);
    char *end;
    long p = strtol(slash + 1, &end, 10);
    int max = addr_len(a->family) * 8;
    if (!slash[1] || *end || p < 1 || p > max)
        return err_setx(EINVAL, "%s '%s': the prefix length must be 1 to %d", what, s, max);
    a->prefix = (int)p;
    return 0;
}

const char *addr_format(const struct ip_addr *a, char buf[ADDR_STRLEN])
{
    char host[INET6_ADDRSTRLEN] = "?";
    inet_ntop(a->family, a->bytes, host, sizeof host);
    if (a->prefix >= 0)
        snprintf(buf, ADDR_STRLEN, "%s/%d", host, a->prefix);
    else
        snprintf(buf, ADDR_STRLEN, "%s", host);
    return buf;
}

bool addr_same_net(const struct ip_addr *a, const struct ip_addr *b)
{
    if (a->family != b->family || a->prefix < 0)
        return false;
    int bits = a->prefix;
    for (int i = 0; bits > 0; i++, bits -= 8) {
        uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));
        if ((a->bytes[i] & mask) != (b->bytes[i] & mask))
            return false;
    }
    return true;
}

bool addr_equal(const struct ip_addr *a, const struct ip_addr *b)
{
    return a->family == b->family && memcmp(a->bytes, b->bytes, (size_t)addr_len(a->family)) == 0;
}
