/* control: the commands that look at or act on running containers through their state:
 * list, kill, stop, wait, inspect. */
#ifndef HUTCH_CONTROL_H
#define HUTCH_CONTROL_H

#include "cli.h"

/* Each returns the exit status for main (0, or the container's for wait), or a negative errno
 * (recorded). */
int control_list(const struct ctl_opts *c);
int control_kill(const struct ctl_opts *c);
int control_stop(const struct ctl_opts *c);
int control_wait(const struct ctl_opts *c);
int control_inspect(const struct ctl_opts *c);

#endif
