/* addr: IPv4 and IPv6 addresses with an optional prefix length; parse and format. Pure. */
#ifndef HUTCH_ADDR_H
#define HUTCH_ADDR_H

#include <stdbool.h>
#include <stdint.h>

struct ip_addr {
    int family;        /* AF_INET, AF_INET6, or 0 when unset */
    uint8_t bytes[16];
    int prefix;        /* -1 when none was given */
};

#define ADDR_STRLEN 64

/* Parse "ADDR" or "ADDR/PREFIX". WANT_PREFIX: the prefix is required (true) or refused (false).
 * 0, or -EINVAL with a message that names WHAT. */
int addr_parse(const char *what, const char *s, bool want_prefix, struct ip_addr *a);
/* "10.0.0.1" or "10.0.0.1/24" (when it has a prefix) into BUF. */
const char *addr_format(const struct ip_addr *a, char buf[ADDR_STRLEN]);
/* Whether B lies in A's network (A's prefix), same family. */
bool addr_same_net(const struct ip_addr *a, const struct ip_addr *b);
bool addr_equal(const struct ip_addr *a, const struct ip_addr *b);
/* The size in bytes of the family's address (4 or 16). */
int addr_len(int family);
/* 0 for IPv4, 1 for IPv6: the index of the family in per-family arrays. */
static inline int addr_slot(int family) { return family == 10 /* AF_INET6 */; }

#endif
