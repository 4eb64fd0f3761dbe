/* exec: `hutch exec NAME COMMAND`: a command in a running container, joining every namespace of
 * it and its cgroups, under the same capabilities, seccomp filter, user and environment. */
#ifndef HUTCH_EXEC_H
#define HUTCH_EXEC_H

#include "cli.h"

/* Returns the command's exit code, or a negative errno (recorded). */
int exec_in(const struct exec_opts *e);

#endif
