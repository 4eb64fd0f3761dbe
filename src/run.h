/* run: the parent's side of a container's life: attach the image, clone the child into new
 * namespaces, prepare what lives outside, let the child go, forward signals, wait, clean up. */
#ifndef HUTCH_RUN_H
#define HUTCH_RUN_H

#include "cli.h"

/* Run the container to its end. Returns its exit code (>= 0), with a message recorded when
 * the code is hutch's (125) or the command's failure to start (126, 127); or a negative errno
 * with a message when hutch failed before the container existed. */
int run_container(const struct run_opts *o);

#endif
