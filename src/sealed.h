/* sealed: no process inside a container runs from the host's hutch file (CVE-2019-5736). The
 * commands that start container processes (run, start, exec) first execute again from a sealed
 * copy of the binary in memory (memfd_create, sealed against any write): what a container
 * reaches through /proc/PID/exe, or a `#!/proc/self/exe` script, is that copy, which nobody can
 * change, never the file on the board's flash. */
#ifndef HUTCH_SEALED_H
#define HUTCH_SEALED_H

/* Returns 0 when this process runs from a sealed copy already; else execs ARGV from a new one
 * (and returns only on failure: a negative errno, recorded). */
int sealed_reexec(char **argv);

#endif
