/* command: the container's command, from inside the container (its root in place): the user
 * from the image's /etc/passwd and /etc/group, the environment, the working directory, the
 * hardening (capabilities, no_new_privs, seccomp), and the exec itself. Used by the container's
 * first process and by `hutch exec`. */
#ifndef HUTCH_COMMAND_H
#define HUTCH_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct command_spec {
    char **argv;
    const char *user;           /* UID[:GID] or NAME[:GROUP]; NULL: root */
    const char *workdir;        /* NULL: / */
    const char *const *env;     /* K=V, over the fixed base */
    size_t n_env;
    const char *hostname;       /* for HOSTNAME */
    int chan;                   /* where a failure to exec is reported */
    bool tty;                   /* -t: a pseudo-terminal of the container's, its master sent
                                   over CHAN */
};

struct command {
    char **argv;
    const char *file;           /* what to execute when not argv[0] (a hook's path), or NULL */
    char **envp;
    int chan;
    uid_t uid;
    gid_t gid;
    bool set_user;
    int tty;                    /* the pseudo-terminal's slave with -t, else -1 */
};

/* Resolve the user (the image's /etc/passwd and /etc/group, read inside the root), build the
 * environment, change to the working directory (resolved inside the root), open the
 * pseudo-terminal with -t. */
int command_prepare(struct command *cmd, const struct command_spec *spec);
/* Keep only the capabilities CAPS, set no_new_privs, install the seccomp filter; nothing when
 * PRIVILEGED; no filter when SECCOMP_OFF. */
int command_harden(uint64_t caps, bool privileged, bool seccomp_off);
/* Become the command (ARG is a struct command): default signals, a session of its own (and the
 * pseudo-terminal as its controlling terminal with -t), the user, exec. A failure to exec goes
 * to the channel with 127 (not found) or 126, and the process exits with it. */
_Noreturn void command_exec(void *arg);

/* The OCI way: become the process a description (spec_more) gives, exactly: rlimits, the
 * capability sets, user, groups and umask as given, no_new_privs when asked, its seccomp
 * filter (FILTER, N; NULL: none), ENVP alone as the environment, descriptors 3 .. 3+PRESERVE-1
 * inherited. CMD from command_prepare (the working directory, the terminal). A failure goes to
 * CMD's channel (or stderr when it is -1), with 127 (not found), 126 or 125. */
struct spec_more;
struct sock_filter;
_Noreturn void command_exec_described(struct command *cmd, const struct spec_more *m,
                                      const struct sock_filter *filter, size_t n,
                                      int preserve);
/* The executable ARGV0 names, looked up in PATH of ENVP (NULL-terminated) as execvp would:
 * 0 when it is there and may be executed, else -ENOENT or -EACCES. No message. */
int command_find(const char *argv0, char *const *envp);

/* A directory as stdin, stdout or stderr would be a way out through /proc/self/fd/N: those
 * become /dev/null. On failure the message goes over CHAN (when >= 0) and the process exits. */
void command_safe_stdio(int chan);
/* Die with the parent (SIGKILL), and at once when it is gone already (its end of CHAN closed).
 * Call again after every change of credentials: the kernel forgets it then. */
void command_die_with_parent(int chan);

/* Pure: a user or group ID, decimal, 0 to 4294967294 (no wrap). 0 or -1. */
int command_parse_id(const char *s, unsigned long *id);

/* Pure: parse an /etc/passwd or /etc/group line "name:x:id:..."; returns 0 and fills the
 * fields (HOME only for passwd lines with a home field) or -1. Exposed for the unit tests. */
int command_parse_id_line(char *line, const char **name, unsigned long *id, unsigned long *gid,
                          const char **home);

#endif
