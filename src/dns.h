/* dns: the container's /etc/resolv.conf and /etc/hosts, as text (pure). hutch writes them when the
 * container has a network of its own beyond lo, or when --dns, --dns-search or --add-host is
 * given (dns_wanted); rootfs.c binds them, read-only, over the image's files. */
#ifndef HUTCH_DNS_H
#define HUTCH_DNS_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "spec.h"

#define DNS_HOST_MAX (64 * 1024) /* of the host's /etc/resolv.conf, at most, read */
#define DNS_LINE_MAX 1024        /* a line of it, at most, without its newline */
#define DNS_FILE_MAX (128 * 1024) /* each file written, at most (with its NUL) */

/* NAME as a host or domain name: 1 to 253 characters of letters, digits, '-', '_' and '.', in
 * labels of 1 to 63 (a last '.' allowed), not starting with '-'. 0, or -EINVAL with a message
 * that names WHAT ("--add-host", "--dns-search", "hostname"). */
int dns_check_hostname(const char *what, const char *name);

/* Whether hutch writes the container's /etc/resolv.conf and /etc/hosts: a network beyond lo
 * (veth, macvlan, ipvlan, dev), or any of --dns, --dns-search, --add-host; never for a
 * description of its own (OCI: the engine binds its own). */
bool dns_wanted(const struct run_opts *o);

struct dns_conf {
    const struct ip_addr *servers; /* --dns: replace the host's name servers; n 0: the host's */
    size_t n_servers;
    const char *const *search;     /* --dns-search: replace its search and domain lines */
    size_t n_search;
    bool host_net;                 /* the host's network namespace: its loopback servers work */
};

/* The container's resolv.conf into OUT (SIZE bytes, NUL-terminated) from the host's, HOST (LEN
 * bytes, any bytes; NULL or 0: none): its lines as they are, but its `nameserver` lines replaced
 * by C's servers when given, else without those on the loopback (127.0.0.0/8, ::1,
 * ::ffff:127.x) unless C->host_net, and its `search`/`domain` lines replaced by C's search when
 * given. No address is ever made up: with none left, a comment says so. Returns the length, or
 * -EINVAL (a host line over DNS_LINE_MAX, a bad domain) or -ENOSPC (OUT too small), recorded. */
int dns_resolv_conf(const struct dns_conf *c, const char *host, size_t len, char *out,
                    size_t size);

/* The container's hosts into OUT (SIZE bytes, NUL-terminated): localhost on 127.0.0.1 and ::1,
 * HOSTNAME on each of OWN[0] (IPv4) and OWN[1] (IPv6) that has a family, or on 127.0.1.1 when
 * neither has (as Debian does), then each of EXTRA (--add-host) as given. Returns the length,
 * or -EINVAL (a bad name) or -ENOSPC, recorded. */
int dns_hosts(const char *hostname, const struct ip_addr own[2], const struct host_entry *extra,
              size_t n_extra, char *out, size_t size);

#endif
