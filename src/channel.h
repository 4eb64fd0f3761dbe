/* channel: the parent's and the child's talk over a SOCK_SEQPACKET pair: "go" from the parent
 * once its side is ready, an error record from the child (or the command it starts) when a step
 * inside fails, the master of the command's pseudo-terminal with -t. End of file means every copy in the container was closed: the command runs. */
#ifndef HUTCH_CHANNEL_H
#define HUTCH_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>

enum chan_kind { CHAN_GO = 1, CHAN_ERROR = 2, CHAN_TTY = 3 /* carries the -t master */,
                 CHAN_READY = 4 /* OCI create: set up, waiting for start; a GO lets it go on */,
                 CHAN_IMAGE = 5 /* the image's config file (passed), code: its stop signal */ };

struct chan_msg {
    int32_t kind;
    int32_t code;    /* for CHAN_ERROR: the exit code the failure means (125, 126, 127) */
    char text[480];
};

/* fds[0] for the parent, fds[1] for the child; both close-on-exec. */
int chan_pair(int fds[2]);
/* PASS_FD, when >= 0, travels along (SCM_RIGHTS). */
int chan_send(int fd, int kind, int code, const char *text, int pass_fd);
/* 1 with *M filled, 0 at end of file, or a negative errno (-EAGAIN: nothing there and not
 * WAIT). A descriptor that came along is put in *GOT_FD when given (else closed), -1 if none. */
int chan_recv(int fd, struct chan_msg *m, bool wait, int *got_fd);
/* In the container: send the recorded error message with CODE and _exit(CODE). With FD < 0
 * (nobody left to tell: an OCI container after create), the message goes to stderr. */
_Noreturn void chan_fail(int fd, int code);

#endif
