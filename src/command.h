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
};

struct command {
    char **argv;
    char **envp;
    int chan;
    uid_t uid;
    gid_t gid;
    bool set_user;
};

/* Resolve the user, build the environment, change to the working directory. */
int command_prepare(struct command *cmd, const struct command_spec *spec);
/* Keep only the capabilities CAPS, set no_new_privs, install the seccomp filter; nothing when
 * PRIVILEGED; no filter when SECCOMP_OFF. */
int command_harden(uint64_t caps, bool privileged, bool seccomp_off);
/* Become the command (ARG is a struct command): default signals, the user, exec. A failure to
 * exec goes to the channel with 127 (not found) or 126, and the process exits with it. */
_Noreturn void command_exec(void *arg);

/* Pure: parse an /etc/passwd or /etc/group line "name:x:id:..."; returns 0 and fills the
 * fields (HOME only for passwd lines with a home field) or -1. Exposed for the unit tests. */
int command_parse_id_line(char *line, const char **name, unsigned long *id, unsigned long *gid,
                          const char **home);

#endif
