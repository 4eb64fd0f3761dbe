/* tty: `-t`, a pseudo-terminal for the command from the container's own devpts. The container's
 * side opens it and sends the master to the parent over the channel; the parent relays between
 * the caller's terminal (in raw mode, its window size followed on SIGWINCH) and the master, and
 * puts the caller's terminal back as it was on every way out. */
#ifndef HUTCH_TTY_H
#define HUTCH_TTY_H

#include <stdbool.h>
#include <stddef.h>
#include <termios.h>

/* In the container, its /dev/pts mounted: open a pseudo-terminal, send its master over CHAN,
 * and keep the slave (*SLAVE, close-on-exec). 0 or a negative errno (recorded). */
int tty_open_pty(int chan, int *slave);
/* In the command's process, a session leader now: SLAVE becomes its controlling terminal and
 * its stdin, stdout and stderr. 0 or a negative errno (recorded). */
int tty_take_controlling(int slave);

/* The parent's side. */
struct tty_relay {
    int master;            /* the pseudo-terminal's master once it came, else -1 */
    int in;                /* the caller's input to relay into it, or -1 */
    int term;              /* the terminal put in raw mode (SAVED restores it), or -1 */
    struct termios saved;
    char buf[4096];        /* input read, not yet taken by the master */
    size_t pending;
    char last;             /* the last byte of input relayed */
};

/* Nothing relayed yet; IN (the caller's stdin, or -1) is relayed once a master comes. */
void tty_relay_init(struct tty_relay *t, int in);
/* The master came: IN's terminal in raw mode, its window size to the master. */
void tty_relay_start(struct tty_relay *t, int master);
/* SIGWINCH: the caller's window size to the master. */
void tty_relay_resize(const struct tty_relay *t);
/* Read what IN has (when nothing is pending) and pass it on; at the end of an IN that is no
 * terminal, pass the end on (the terminal's end-of-file character) and stop relaying it. */
void tty_relay_input(struct tty_relay *t);
/* Pass pending input to the master as far as it takes it (it polls POLLOUT while some is). */
void tty_relay_flush(struct tty_relay *t);
/* The caller's terminal as it was, the master closed. Safe to call again. */
void tty_relay_end(struct tty_relay *t);

#endif
