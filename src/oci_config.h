/* oci_config: an OCI bundle's config.json (runtime-spec 1.x) into the description of a container
 * (spec.h), the same one that hutch run's options make. Every path and field is input to check:
 * unknown fields are ignored, a known field hutch cannot honour is an error that names it.
 * Pure: reads no file but the text it is given, and the host facts the caller passes in. */
#ifndef HUTCH_OCI_CONFIG_H
#define HUTCH_OCI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "spec.h"

/* What of the host the reading depends on. */
struct oci_host {
    const char *bundle;        /* absolute path of the bundle: a relative root.path is under it */
    uint64_t caps_own;         /* the capabilities hutch has: the most a container can keep */
    bool apparmor;             /* AppArmor is enabled: a profile named would be one not applied */
};

/* The parts of a config that are not the container's description, for the lifecycle. */
struct oci_extra {
    char *annotations;         /* the annotations object as raw JSON ("{}" when none) */
    bool userns_new;           /* a new user namespace */
};

/* Parse TEXT into O (zeroed first; free with oci_config_free). 0, or a negative errno with a
 * message that names the field ("process.args: ..."). */
int oci_config_parse(const char *text, size_t len, const struct oci_host *host,
                     struct run_opts *o, struct oci_extra *x);
void oci_config_free(struct run_opts *o, struct oci_extra *x);

/* A process.json (`exec --process`): the process object alone, into the fields of O that it
 * sets (argv, env, workdir, tty, ids, capabilities, rlimits, no_new_privs). O's other fields
 * stay as they are. Strings go into O's owned list. */
int oci_process_parse(const char *text, size_t len, const struct oci_host *host,
                      struct run_opts *o);

/* `update --resources`: a LinuxResources object into O's limits (memory, cpu, pids, unified). */
int oci_resources_parse(const char *text, size_t len, struct run_opts *o);

/* Pure: whether sysctl KEY belongs to a namespace the container has of its own (NAMESPACES made,
 * JOINS joined); 0, or -EPERM with a message. */
int oci_sysctl_allowed(const char *key, unsigned long namespaces, const struct ns_join *joins,
                       size_t n_joins);

/* Pure: a mount option ("nosuid", "rbind", "rprivate", "mode=755") into FLAGS, PROPAGATION,
 * BIND, or DATA (appended, comma-separated, room LEN). 0, or -EINVAL for an option hutch does
 * not know how to honour (tmpcopyup, idmap). */
int oci_mount_option(const char *opt, unsigned long *flags, unsigned long *propagation,
                     bool *bind, char *data, size_t len);

#endif
