/* oci: hutch as an OCI runtime, the front end that containerd's shim, podman's conmon and other
 * engines drive as they drive runc: runc's command line (global --root, --log, --log-format;
 * create, start, state, kill, delete, exec, ps, pause, resume, update, features, run, list,
 * spec), an OCI bundle's config.json turned into hutch's description (oci_config.h), and the
 * state of each container in ROOT/ID/. Called as hutch-oci, or as `hutch oci ...`. */
#ifndef HUTCH_OCI_H
#define HUTCH_OCI_H

/* The default --root: podman 4.3 calls `state ID` without --root. */
#define OCI_ROOT_DEFAULT "/run/hutch-oci"

/* ARGV[0] is the program's name (or "oci"). Returns the exit status (0, or the command's own
 * for run and exec), or a negative errno with a message recorded: then oci_report prints it. */
int oci_main(int argc, char **argv);
/* The recorded failure, once, on stderr and in the --log file (text, or a JSON object with
 * level, msg and time). Returns 1, runc's exit status for a failure. */
int oci_report(const char *msg);

#endif
