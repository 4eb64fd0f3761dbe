/* relay: the userland port forwarder of -p/--publish, for kernels without netfilter NAT. It lives
 * in the process that supervises the container: one epoll set holds every listener, connection
 * and UDP session; the caller polls relay_fd and calls relay_dispatch, so there is no thread or
 * process per connection. TCP: each accepted connection gets a non-blocking connect to the
 * container's address and port, and bytes are copied both ways, at most RELAY_BUF bytes pending
 * per direction (a side is not read while its bytes wait), with half-closes passed on; at most
 * RELAY_MAX_CONN connections at once: at the limit the relay stops accepting (clients wait in
 * the kernel's backlog) until one ends. UDP: one session (a socket connected to the
 * container) per client address, at most RELAY_MAX_UDP (the least recently used goes), each
 * dropped after RELAY_UDP_IDLE seconds without traffic; replies go back from the listener. A host
 * address not given is 0.0.0.0 (every IPv4 address); IPv6 needs one, e.g. [::]:8080:80. During
 * dispatch nothing is printed: a connection that fails is closed. The container sees every
 * client as the host end's address (as with Docker's userland proxy). */
#ifndef HUTCH_RELAY_H
#define HUTCH_RELAY_H

#include <stddef.h>

#include "addr.h"
#include "spec.h"

#define RELAY_BUF (64 * 1024) /* bytes read at once; at most pending per direction */
#define RELAY_MAX_CONN 256     /* TCP connections at once, per relay */
#define RELAY_MAX_UDP 64       /* UDP sessions at once, per relay */
#define RELAY_UDP_IDLE 60      /* seconds */

struct relay;

/* Bind and listen on every spec's host address and port (TCP: listen; UDP: bind), before the
 * container is made: a port in use is -EADDRINUSE with a message that names the spec, the port
 * and the address. TARGETS[0] is the container's IPv4 address, TARGETS[1] its IPv6 address
 * (family 0 when absent; prefix ignored); a spec whose listener family has no target is -EINVAL
 * (the message names the spec and --ip). On success *OUT owns everything. */
int relay_open(const struct publish_spec *specs, size_t n, const struct ip_addr targets[2],
               struct relay **out);
/* The epoll descriptor to watch for POLLIN in the caller's poll loop. */
int relay_fd(const struct relay *r);
/* Handle what is ready, without blocking (epoll_wait with timeout 0, a bounded batch). */
void relay_dispatch(struct relay *r);
/* Close every listener and connection. NULL is fine. */
void relay_close(struct relay *r);

#endif
