/* run: the parent's side of a container's life: attach the image, clone the child into new
 * namespaces, prepare what lives outside, let the child go, forward signals, wait, clean up. */
#ifndef HUTCH_RUN_H
#define HUTCH_RUN_H

#include <sys/types.h>

#include "cli.h"
#include "imgconf.h"
#include "log.h"

struct run_hooks {
    /* Called once the command runs, with the container's init (as this namespace sees it). A
     * negative errno (recorded) ends the container, as a failed start (125). */
    int (*started)(pid_t pid, void *arg);
    void *arg;
    struct log *log;  /* the container's output goes there; NULL: to hutch's own stdout, stderr */
    int sigfd;        /* the caller's signals (supervise_signals): forwarded, or a stop */
    bool foreground;  /* hutch's stdin is the caller's: -t relays it */
    int stop_signal;  /* out: SIGTERM, SIGINT or SIGQUIT when one came (a stop, not a restart) */
    const struct effective *effective; /* during STARTED: what the container runs, and where
                         each setting came from (the image's config, the command line) */
    const char *loop; /* out, before STARTED: how the image was attached ("LOOP_CONFIGURE",
                         "LOOP_SET_FD"), or NULL for a directory */
};

/* OCI create: what the caller gives, and what it gets back. */
struct sock_filter;
struct run_create {
    const char *fifo;         /* the container's process waits on it until `start` writes it */
    int console;              /* --console-socket (connected), or -1: the terminal's master */
    int preserve_fds;         /* descriptors 3 .. 3+N-1 stay open for the process */
    const struct sock_filter *filter; /* the compiled seccomp filter, or NULL */
    size_t n_filter;
    /* Called when the container is set up and waits, before it is let go on: the pid file,
     * the state, the hooks. A negative errno (recorded) ends it all again. */
    int (*created)(pid_t pid, void *arg);
    void *arg;
    pid_t pid;                /* out: the container's process, as this namespace sees it */
};

/* Set up container NAME as O describes (an OCI config), up to its process waiting on CR's
 * fifo, and leave it so: the process outlives this one (no monitor, no init). 0, or a negative
 * errno (recorded) with nothing left: no process, cgroup, or mount. */
int run_create(const struct run_opts *o, const char *name, struct run_create *cr);

/* Run the container NAME to its end. Returns its exit code (>= 0; 128+N when signal N came
 * before the command ran, and nothing was left), with a message recorded when the code is
 * hutch's (125) or the command's failure to start (126, 127); or a negative errno with a
 * message when hutch failed before the container existed. */
int run_container(const struct run_opts *o, const char *name, struct run_hooks *hooks);

#endif
