/* init: hutch's PID 1 inside the container. It starts the command, forwards SIGTERM, SIGINT,
 * SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 to it, reaps every process that ends up as its child,
 * and exits with the command's status (128+N when the command died of signal N). */
#ifndef HUTCH_INIT_H
#define HUTCH_INIT_H

#include <signal.h>

/* Remember where the process's argument strings lie (from main), so that init can show itself
 * as "hutch-init" in the container's ps instead of hutch's own command line. */
void init_title_area(int argc, char **argv);

/* Fill SET with the signals init forwards. */
void init_forwarded_signals(sigset_t *set);

/* Become init: fork, run START(ARG) in the child (it must exec or _exit), close CLOSE_FD in
 * init itself, then forward, reap, and exit. Expects the forwarded signals and SIGCHLD blocked. */
_Noreturn void init_main(void (*start)(void *arg), void *arg, int close_fd);

/* For a process about to exec the command: default dispositions and an empty signal mask. */
void init_reset_signals(void);

/* The exit code that a wait status stands for. */
int init_exit_code(int status);

#endif
