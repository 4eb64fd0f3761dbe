#include "relay.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "err.h"

#define BATCH 64       /* epoll events handled per dispatch */
#define ACCEPTS 16     /* connections accepted per listener event */
#define DATAGRAMS 16   /* datagrams read per UDP event */

/* What an epoll event points at: the first member of each object below. */
enum kind { K_TCP_LISTEN, K_UDP_LISTEN, K_END, K_SESSION, K_TIMER };
struct handle {
    enum kind kind;
    int fd;
};

struct listener {
    struct handle h;
    struct sockaddr_storage target;   /* the container's address and port */
    socklen_t target_len;
};

/* Bytes read from one end and not yet written to the other. */
struct dir {
    char *buf;        /* malloc'd only while bytes wait; NULL otherwise */
    size_t off, len;
    bool eof;         /* the end it comes from read EOF */
    bool shut;        /* passed on: shutdown(SHUT_WR) of the other end */
};

struct pair;
struct end {
    struct handle h;
    struct pair *p;
    int side;         /* 0: the client, 1: the container */
    int events;       /* registered with epoll; -1: not in the set */
    bool hup;         /* EPOLLHUP seen: kept out of the set while it has nothing to wait for */
};

/* A TCP connection: the client and the container's end. d[i] flows from end[i] to end[1-i]. */
struct pair {
    struct end end[2];
    struct dir d[2];
    bool connecting, dead;
    struct pair *next, **pprev;
};

struct session {
    struct handle h;
    struct listener *l;
    struct sockaddr_storage client;
    socklen_t client_len;
    time_t last;      /* CLOCK_MONOTONIC seconds of the last datagram either way */
    bool dead;
    struct session *prev, *next; /* most recently used first */
};

struct relay {
    int ep;
    struct handle timer;      /* fd -1 without UDP */
    struct listener *ls;
    size_t n_ls;
    struct pair *pairs, *dead_pairs;
    size_t n_pairs;
    struct session *newest, *oldest, *dead_sessions;
    size_t n_sessions;
    bool timer_armed;
    bool starved;             /* out of descriptors or memory: not accepting until a pair ends */
    char *scratch;            /* RELAY_BUF: what is read, before it is written on */
};

static time_t now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec;
}

static int ep_ctl(struct relay *r, int op, struct handle *h, int events)
{
    struct epoll_event e = {.events = (uint32_t)events, .data.ptr = h};
    return epoll_ctl(r->ep, op, h->fd, &e);
}

static socklen_t sockaddr_of(const struct ip_addr *a, uint16_t port, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (a->family == AF_INET6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        memcpy(&s6->sin6_addr, a->bytes, 16);
        return sizeof *s6;
    }
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    s4->sin_family = AF_INET;
    s4->sin_port = htons(port);
    if (a->family == AF_INET)
        memcpy(&s4->sin_addr, a->bytes, 4);
    return sizeof *s4;
}

/* Out of the epoll set, then closed: a close alone leaves it there while a forked child (a
 * restart's clone, before its exec) still holds a copy of the descriptor. */
static void drop_fd(struct relay *r, int fd)
{
    epoll_ctl(r->ep, EPOLL_CTL_DEL, fd, NULL);
    close(fd);
}

/* ---- TCP ---- */

static void set_accepting(struct relay *r, bool on)
{
    for (size_t i = 0; i < r->n_ls; i++)
        if (r->ls[i].h.kind == K_TCP_LISTEN)
            ep_ctl(r, EPOLL_CTL_MOD, &r->ls[i].h, on ? EPOLLIN : 0);
}

static void pair_kill(struct relay *r, struct pair *p)
{
    if (p->dead)
        return;
    p->dead = true;
    for (int i = 0; i < 2; i++) {
        drop_fd(r, p->end[i].h.fd);
        free(p->d[i].buf);
        p->d[i].buf = NULL;
    }
    if ((*p->pprev = p->next))
        p->next->pprev = p->pprev;
    p->next = r->dead_pairs; /* freed after the batch, which may still point at it */
    r->dead_pairs = p;
    if (r->n_pairs-- == RELAY_MAX_CONN || r->starved) {
        r->starved = false;
        set_accepting(r, true);
    }
}

/* Register each end for what it waits for; an end that hung up and waits for nothing leaves
 * the set, so that its EPOLLHUP does not come back in every batch. */
static void pair_update(struct relay *r, struct pair *p)
{
    for (int i = 0; i < 2; i++) {
        struct end *e = &p->end[i];
        int want = 0;
        if (p->connecting)
            want = i == 1 ? EPOLLOUT : 0;
        else
            want = (!p->d[i].eof && !p->d[i].len ? EPOLLIN : 0) |
                   (p->d[1 - i].len ? EPOLLOUT : 0);
        int op = e->events < 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
        if (!want && e->hup) {
            if (e->events >= 0)
                epoll_ctl(r->ep, EPOLL_CTL_DEL, e->h.fd, NULL);
            e->events = -1;
        } else if (want != e->events) {
            if (ep_ctl(r, op, &e->h, want) < 0) {
                pair_kill(r, p);
                return;
            }
            e->events = want;
        }
    }
}

/* Write what waits in D to FD; false on an error. */
static bool flush(struct dir *d, int fd)
{
    while (d->len) {
        ssize_t w = send(fd, d->buf + d->off, d->len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0)
            return errno == EAGAIN || errno == EINTR;
        d->off += (size_t)w;
        d->len -= (size_t)w;
    }
    free(d->buf);
    d->buf = NULL;
    d->off = 0;
    return true;
}

/* Read once from end I and write it on to the other end; what it does not take waits in d[I]. */
static bool pump(struct relay *r, struct pair *p, int i)
{
    struct dir *d = &p->d[i];
    ssize_t n = recv(p->end[i].h.fd, r->scratch, RELAY_BUF, MSG_DONTWAIT);
    if (n == 0)
        d->eof = true;
    if (n <= 0)
        return n == 0 || errno == EAGAIN || errno == EINTR;
    ssize_t w = send(p->end[1 - i].h.fd, r->scratch, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0 && errno != EAGAIN && errno != EINTR)
        return false;
    if (w < 0)
        w = 0;
    if (w < n) {
        if (!(d->buf = malloc((size_t)(n - w))))
            return false;
        memcpy(d->buf, r->scratch + w, (size_t)(n - w));
        d->len = (size_t)(n - w);
    }
    return true;
}

static void end_event(struct relay *r, struct end *e, uint32_t ev)
{
    struct pair *p = e->p;
    int i = e->side;
    if (p->dead)
        return;
    if (ev & EPOLLHUP)
        e->hup = true;
    if (ev & EPOLLERR) {
        pair_kill(r, p);
        return;
    }
    if (p->connecting) {
        int soerr = 0;
        socklen_t len = sizeof soerr;
        if (i == 1 && (getsockopt(e->h.fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0 || soerr)) {
            pair_kill(r, p); /* refused, unreachable: the client sees its connection end */
            return;
        }
        if (i == 1)
            p->connecting = false;
    } else {
        if ((ev & EPOLLOUT) && !flush(&p->d[1 - i], e->h.fd)) {
            pair_kill(r, p);
            return;
        }
        if ((ev & (EPOLLIN | EPOLLHUP)) && !p->d[i].eof && !p->d[i].len && !pump(r, p, i)) {
            pair_kill(r, p);
            return;
        }
    }
    /* An EOF passes on once what came before it is written; both passed on: done. */
    for (int k = 0; k < 2; k++) {
        struct dir *d = &p->d[k];
        if (d->eof && !d->len && !d->shut) {
            d->shut = true;
            shutdown(p->end[1 - k].h.fd, SHUT_WR);
        }
    }
    if (p->d[0].shut && p->d[1].shut)
        pair_kill(r, p);
    else
        pair_update(r, p);
}

/* accept4 or socket failed for want of descriptors or memory: the listener stays readable, so
 * stop watching it (no busy loop) until a pair ends and gives some back. With no pair to end,
 * there is nothing of the relay's own to wait for: keep trying. */
static bool starved(struct relay *r, int e)
{
    if ((e != EMFILE && e != ENFILE && e != ENOBUFS && e != ENOMEM) || r->n_pairs == 0)
        return false;
    r->starved = true;
    set_accepting(r, false);
    return true;
}

static void tcp_accept(struct relay *r, struct listener *l)
{
    for (int k = 0; k < ACCEPTS && r->n_pairs < RELAY_MAX_CONN && !r->starved; k++) {
        int c = accept4(l->h.fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (c < 0) {
            starved(r, errno);
            return;
        }
        int t = socket(l->target.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        int e = t < 0 ? errno : ENOMEM;
        struct pair *p = t >= 0 ? calloc(1, sizeof *p) : NULL;
        if (!p || (connect(t, (struct sockaddr *)&l->target, l->target_len) < 0 &&
                   errno != EINPROGRESS)) {
            close(c);
            if (t >= 0)
                close(t);
            free(p);
            if (!p && starved(r, e))
                return;
            continue;
        }
        for (int i = 0; i < 2; i++)
            p->end[i] = (struct end){{K_END, i ? t : c}, p, i, -1, false};
        p->connecting = true;
        if ((p->next = r->pairs))
            r->pairs->pprev = &p->next;
        r->pairs = p;
        p->pprev = &r->pairs;
        if (++r->n_pairs == RELAY_MAX_CONN)
            set_accepting(r, false); /* the rest wait in the backlog */
        pair_update(r, p);
    }
}

/* ---- UDP ---- */

static void session_unlink(struct relay *r, struct session *s)
{
    *(s->prev ? &s->prev->next : &r->newest) = s->next;
    *(s->next ? &s->next->prev : &r->oldest) = s->prev;
    s->prev = s->next = NULL;
}

static void session_push(struct relay *r, struct session *s)
{
    s->prev = NULL;
    s->next = r->newest;
    *(r->newest ? &r->newest->prev : &r->oldest) = s;
    r->newest = s;
}

static void session_kill(struct relay *r, struct session *s)
{
    if (s->dead)
        return;
    s->dead = true;
    drop_fd(r, s->h.fd);
    session_unlink(r, s);
    s->next = r->dead_sessions;
    r->dead_sessions = s;
    r->n_sessions--;
}

/* Wake up when the least recently used session would expire (it may have been used since: then
 * the timer is set again), or never when there are none. */
static void arm_timer(struct relay *r)
{
    struct itimerspec t = {{0, 0}, {0, 0}};
    if (r->oldest)
        t.it_value.tv_sec = r->oldest->last + RELAY_UDP_IDLE;
    r->timer_armed = r->oldest != NULL;
    timerfd_settime(r->timer.fd, TFD_TIMER_ABSTIME, &t, NULL);
}

static void expire(struct relay *r)
{
    uint64_t ticks;
    if (read(r->timer.fd, &ticks, sizeof ticks) < 0 && errno != EAGAIN)
        return;
    time_t t = now();
    while (r->oldest && r->oldest->last + RELAY_UDP_IDLE <= t)
        session_kill(r, r->oldest);
    arm_timer(r);
}

static struct session *session_for(struct relay *r, struct listener *l,
                                   const struct sockaddr_storage *from, socklen_t len)
{
    for (struct session *s = r->newest; s; s = s->next)
        if (s->l == l && s->client_len == len && !memcmp(&s->client, from, len))
            return s;
    if (r->n_sessions == RELAY_MAX_UDP)
        session_kill(r, r->oldest);
    struct session *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->h = (struct handle){K_SESSION, -1};
    s->h.fd = socket(l->target.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s->h.fd < 0 || connect(s->h.fd, (struct sockaddr *)&l->target, l->target_len) < 0 ||
        ep_ctl(r, EPOLL_CTL_ADD, &s->h, EPOLLIN) < 0) {
        if (s->h.fd >= 0)
            close(s->h.fd);
        free(s);
        return NULL;
    }
    s->l = l;
    memcpy(&s->client, from, len);
    s->client_len = len;
    session_push(r, s);
    r->n_sessions++;
    return s;
}

/* The session was used: it goes to the front, and the timer runs while there are sessions. */
static void session_touch(struct relay *r, struct session *s)
{
    s->last = now();
    session_unlink(r, s);
    session_push(r, s);
    if (!r->timer_armed)
        arm_timer(r);
}

static void udp_from_client(struct relay *r, struct listener *l)
{
    for (int k = 0; k < DATAGRAMS; k++) {
        struct sockaddr_storage from;
        socklen_t len = sizeof from;
        ssize_t n = recvfrom(l->h.fd, r->scratch, RELAY_BUF, MSG_DONTWAIT,
                             (struct sockaddr *)&from, &len);
        if (n < 0)
            return;
        struct session *s = session_for(r, l, &from, len);
        if (!s)
            continue;
        session_touch(r, s);
        send(s->h.fd, r->scratch, (size_t)n, MSG_DONTWAIT); /* a datagram lost is UDP's way */
    }
}

static void udp_from_container(struct relay *r, struct session *s)
{
    for (int k = 0; k < DATAGRAMS && !s->dead; k++) {
        ssize_t n = recv(s->h.fd, r->scratch, RELAY_BUF, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n < 0)
            continue; /* ECONNREFUSED: nothing listens inside (yet) */
        session_touch(r, s);
        sendto(s->l->h.fd, r->scratch, (size_t)n, MSG_DONTWAIT, (struct sockaddr *)&s->client,
               s->client_len);
    }
}

/* ---- the relay ---- */

/* What was closed in a batch is freed after it: a later event of the batch may point at it. */
static void free_dead(struct relay *r)
{
    while (r->dead_pairs) {
        struct pair *p = r->dead_pairs;
        r->dead_pairs = p->next;
        free(p);
    }
    while (r->dead_sessions) {
        struct session *s = r->dead_sessions;
        r->dead_sessions = s->next;
        free(s);
    }
}

int relay_fd(const struct relay *r)
{
    return r->ep;
}

void relay_dispatch(struct relay *r)
{
    struct epoll_event ev[BATCH];
    int n = epoll_wait(r->ep, ev, BATCH, 0);
    for (int i = 0; i < n; i++) {
        struct handle *h = ev[i].data.ptr;
        switch (h->kind) {
        case K_TCP_LISTEN:
            tcp_accept(r, (struct listener *)h);
            break;
        case K_UDP_LISTEN:
            udp_from_client(r, (struct listener *)h);
            break;
        case K_END:
            end_event(r, (struct end *)h, ev[i].events);
            break;
        case K_SESSION:
            if (!((struct session *)h)->dead)
                udp_from_container(r, (struct session *)h);
            break;
        case K_TIMER:
            expire(r);
            break;
        }
    }
    free_dead(r);
}

void relay_close(struct relay *r)
{
    if (!r)
        return;
    while (r->pairs)
        pair_kill(r, r->pairs);
    while (r->newest)
        session_kill(r, r->newest);
    free_dead(r);
    for (size_t i = 0; i < r->n_ls; i++)
        if (r->ls[i].h.fd >= 0)
            close(r->ls[i].h.fd);
    if (r->timer.fd >= 0)
        close(r->timer.fd);
    if (r->ep >= 0)
        close(r->ep);
    free(r->ls);
    free(r->scratch);
    free(r);
}

/* "--publish [HOSTADDR:]HOSTPORT:PORT/PROTO", as the user could have written it. */
static const char *spec_name(const struct publish_spec *s, char buf[128])
{
    char a[ADDR_STRLEN];
    const char *proto = s->proto == IPPROTO_UDP ? "udp" : "tcp";
    if (!s->host.family)
        snprintf(buf, 128, "--publish %u:%u/%s", s->host_port, s->port, proto);
    else {
        struct ip_addr h = s->host;
        h.prefix = -1;
        snprintf(buf, 128, h.family == AF_INET6 ? "--publish [%s]:%u:%u/%s"
                                                : "--publish %s:%u:%u/%s",
                 addr_format(&h, a), s->host_port, s->port, proto);
    }
    return buf;
}

static int open_listener(struct relay *r, struct listener *l, const struct publish_spec *s,
                         const struct ip_addr targets[2])
{
    char name[128], a[ADDR_STRLEN];
    struct ip_addr host = s->host;
    if (!host.family)
        host.family = AF_INET; /* 0.0.0.0 */
    host.prefix = -1;
    struct ip_addr target = targets[addr_slot(host.family)];
    if (target.family != host.family)
        return err_setx(EINVAL, "%s: the container has no %s address to forward to (give it one "
                        "with --ip)",
                        spec_name(s, name), host.family == AF_INET6 ? "IPv6" : "IPv4");
    l->target_len = sockaddr_of(&target, s->port, &l->target);
    bool tcp = s->proto != IPPROTO_UDP;
    l->h.kind = tcp ? K_TCP_LISTEN : K_UDP_LISTEN;
    l->h.fd = socket(host.family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC | SOCK_NONBLOCK,
                     0);
    if (l->h.fd < 0)
        return err_set(errno, "%s: socket", spec_name(s, name));
    int one = 1;
    if (tcp && setsockopt(l->h.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
        return err_set(errno, "%s: SO_REUSEADDR", spec_name(s, name));
    if (host.family == AF_INET6 &&
        setsockopt(l->h.fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0)
        return err_set(errno, "%s: IPV6_V6ONLY", spec_name(s, name));
    struct sockaddr_storage ss;
    socklen_t len = sockaddr_of(&host, s->host_port, &ss);
    if (bind(l->h.fd, (struct sockaddr *)&ss, len) < 0) {
        if (errno == EADDRINUSE)
            return err_setx(EADDRINUSE, "%s: port %u is in use on %s (choose another host port)",
                            spec_name(s, name), s->host_port, addr_format(&host, a));
        return err_set(errno, "%s: bind to port %u on %s", spec_name(s, name), s->host_port,
                       addr_format(&host, a));
    }
    if (tcp && listen(l->h.fd, 128) < 0)
        return err_set(errno, "%s: listen", spec_name(s, name));
    if (ep_ctl(r, EPOLL_CTL_ADD, &l->h, EPOLLIN) < 0)
        return err_set(errno, "%s: epoll_ctl", spec_name(s, name));
    return 0;
}

int relay_open(const struct publish_spec *specs, size_t n, const struct ip_addr targets[2],
               struct relay **out)
{
    struct relay *r = calloc(1, sizeof *r);
    if (!r)
        return err_setx(ENOMEM, "--publish: out of memory");
    r->timer = (struct handle){K_TIMER, -1};
    r->ep = epoll_create1(EPOLL_CLOEXEC);
    r->ls = calloc(n ? n : 1, sizeof *r->ls);
    r->scratch = malloc(RELAY_BUF);
    int e = 0;
    if (r->ep < 0)
        e = err_set(errno, "--publish: epoll_create1");
    else if (!r->ls || !r->scratch)
        e = err_setx(ENOMEM, "--publish: out of memory");
    for (size_t i = 0; i < n && e == 0; i++) {
        r->ls[i].h.fd = -1;
        r->n_ls = i + 1;
        e = open_listener(r, &r->ls[i], &specs[i], targets);
        if (e == 0 && specs[i].proto == IPPROTO_UDP && r->timer.fd < 0) {
            r->timer.fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
            if (r->timer.fd < 0 || ep_ctl(r, EPOLL_CTL_ADD, &r->timer, EPOLLIN) < 0)
                e = err_set(errno, "--publish: timerfd");
        }
    }
    if (e < 0) {
        relay_close(r);
        return e;
    }
    *out = r;
    return 0;
}
