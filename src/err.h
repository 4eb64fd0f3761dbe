/* err: the one error convention of hutch.
 * Functions return 0 (or a non-negative value) on success and a negative errno on failure.
 * The first failure records one message that names what failed, on which object, why, and
 * where useful what to do; callers may add context in front. Only main() prints it. */
#ifndef HUTCH_ERR_H
#define HUTCH_ERR_H

/* Record "MESSAGE: strerror(errnum)" unless a message is already recorded; return -errnum. */
int err_set(int errnum, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Record MESSAGE as it is (no strerror) unless one is recorded; return -errnum. */
int err_setx(int errnum, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Put "CONTEXT: " in front of the recorded message. */
void err_context(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The recorded message, or "" when none. */
const char *err_msg(void);
/* Forget the recorded message. */
void err_clear(void);

#endif
