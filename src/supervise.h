/* supervise: the parent's side while a child in a container lives: forward signals to it, read
 * what it says on the channel, copy its output into a log, and wait for its end. Used by
 * `hutch run` (the child is the container's init) and `hutch exec` (the child is the command). */
#ifndef HUTCH_SUPERVISE_H
#define HUTCH_SUPERVISE_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "log.h"
#include "relay.h"
#include "tty.h"

struct supervise {
    pid_t pid;                  /* the child; -1 once reaped */
    int sigfd;                  /* from supervise_signals */
    int chan;                   /* the channel, or -1 (set to -1 at its end; the owner closes) */
    int out;                    /* read end of the container's output, or -1 (likewise) */
    struct log *log;            /* where the output goes (from OUT and the pseudo-terminal);
                                   NULL: hutch's stdout */
    struct tty_relay *tty;      /* -t: the relay, its master coming over CHAN; or NULL */
    int (*started)(void *arg);  /* called once the channel ends: the command runs; a negative
                                   errno (recorded) ends the child at once, and supervise
                                   returns 125 */
    void *arg;
    int stop_signal;            /* out: SIGTERM, SIGINT or SIGQUIT when one came (a stop) */
    bool failed;                /* out: the child reported a failure before the command ran, or
                                   STARTED failed */
    bool image_conf;            /* out: the image's config came (CHAN_IMAGE): IMAGE_FD is open
                                   on it, for the owner to read and close */
    int image_fd;
    bool start_failed;          /* STARTED failed (private) */
    int stop_as;                /* the image's stop signal: sent for a SIGTERM; 0: SIGTERM */
    struct relay *relay;        /* -p: the port relay, run beside the container; or NULL */
};

/* Block the signals that are forwarded, SIGCHLD and SIGWINCH, and read them from a signalfd
 * (non-blocking). */
int supervise_signals(int *sigfd, sigset_t *old_mask);
/* Before the child runs: the first signal waiting in SIGFD that ends a start (any forwarded one,
 * not SIGCHLD or SIGWINCH), or 0. */
int supervise_stop_pending(int sigfd);

/* Until the child ends. Returns its exit code, with a message recorded when the child sent
 * one; a signal that comes before the command runs ends the child at once (128+N). */
int supervise(struct supervise *s);

#endif
