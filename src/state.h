/* state: /run/hutch/NAME/, what `hutch list`, `exec`, `stop`, `wait` and `inspect` know of a
 * running container: one small file `state` with every field (pid, monitor, status, image, ip,
 * started, restarts, exit-code, options, ...), replaced whole (a new file renamed over it) on
 * state_commit, and an empty lock file that the hutch owning the container holds with flock for
 * the container's life. A foreground start commits once, when its command runs; /run is flash
 * on many boards. A state whose lock nobody holds is stale: its container is gone, and whoever
 * sees it first removes it. When the owner ends, it writes the exit code into the lock file
 * before it lets go, for `hutch wait`, when one waits (a wait holds a read lock there). */
#ifndef HUTCH_STATE_H
#define HUTCH_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cli.h"

struct state {
    char dir[256];  /* for messages */
    char name[HUTCH_NAME_MAX + 1];
    int base_fd, dir_fd;
    int lock_fd;    /* -1 when not held */
    bool claimed;   /* false: a container that keeps no state (state_none) */
    char *rec;      /* the fields, as records "KEY LEN\nVALUE\n" */
    size_t rec_len, rec_cap;
};

/* The most a state file holds (the command line, the environment and the options included). */
#define STATE_MAX (256 * 1024)

/* The directory that holds every container's state: $HUTCH_STATE_DIR, else /run/hutch for
 * root, else $XDG_RUNTIME_DIR/hutch or /tmp/hutch-UID. It must be the caller's and nobody
 * else's to write (an ordinary user's: to enter): else every command that uses it refuses, in
 * one line. Nothing in it is followed through a symlink. */
const char *state_base(void);

/* Take NAME: make its directory and hold its lock. -EBUSY (recorded) when a live container has
 * the name; a stale state of that name is removed first. */
int state_claim(const char *name, struct state *st);
/* A container that keeps no state: nothing is made or written, every put and commit is a no-op
 * (a foreground container without --name, limits or devices: nothing can name it). */
void state_none(const char *name, struct state *st);
/* Set one field, in memory; state_commit writes them all. */
int state_put(struct state *st, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* PID, with the time it started, so that a reader can tell it is still that process. */
int state_put_pid(struct state *st, const char *key, pid_t pid);
/* The command line the container was started with, NUL-separated (for exec and inspect). */
int state_put_argv(struct state *st, const char *key, int argc, char **argv);
/* Write the fields as the file `state` (atomically: a new file renamed over the old). */
int state_commit(struct state *st);
/* Pure: find KEY in the N bytes of records RECS (a state file's contents). 0 with VALUE and
 * LEN, -ENOENT, or -EINVAL for records that are not well formed (a length past the end). */
int state_field(const char *recs, size_t n, const char *key, const char **value, size_t *len);
/* Let go of the descriptors (and the fields in memory), not of the name: the process that
 * forked the monitor. */
void state_leave(struct state *st);
/* The container ended with EXIT_CODE (-1: unknown): remove the state and let go of the name. */
void state_release(struct state *st, int exit_code);

/* Read a field of container NAME into BUF (trailing newline removed). Returns its length, or
 * -ENOENT with a message when there is no such live container (or it has no such field). */
int state_get(const char *name, const char *key, char *buf, size_t len);
/* The same, with no message for -ENOENT (a field a container may lack). */
int state_peek(const char *name, const char *key, char *buf, size_t len);
/* The pid in field KEY ("pid", "monitor") of container NAME: above 1, and still the process
 * that was recorded (its start time); else -ENOENT (no such container), -EAGAIN (between two
 * runs), -EINVAL (not a pid), -ESRCH (that process ended). No message. */
int state_pid(const char *name, const char *key, pid_t *pid);
/* The same, with a message for each of those. */
int state_get_pid(const char *name, const char *key, pid_t *pid);
/* Whether PID is (still) the process recorded in KEY of NAME: 0, or -ESRCH with a message. */
int state_check_pid(const char *name, const char *key, pid_t pid);
/* A pid field as people read it: the pid alone (or "-"). Like state_peek. */
int state_peek_pid(const char *name, const char *key, char *buf, size_t len);
/* Whether container NAME is live: its lock is held, whether or not its state file is there yet
 * (a foreground start writes it once its command runs). No message. */
bool state_live(const char *name);
/* Call FN for each live container, in name order; removes the stale states it meets. */
int state_each(void (*fn)(const char *name, void *arg), void *arg);

/* Until container NAME ends (TIMEOUT_MS < 0: for as long as it takes). Returns its exit code,
 * -ETIMEDOUT, -ENOENT (no such container, no message), or -EIO (recorded). */
int state_wait(const char *name, int timeout_ms);

#endif
