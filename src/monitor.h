/* monitor: the life of one named container, as `hutch run` and `hutch start` give it: its
 * name taken in the state directory, detached from the terminal when asked (one small monitor
 * process per container, no central daemon), run again as the restart policy says, its output
 * into a log, and everything released at the end. */
#ifndef HUTCH_MONITOR_H
#define HUTCH_MONITOR_H

#include "cli.h"

/* Run the container of O; ARGC/ARGV are run's arguments, kept in the state for inspect.
 * Returns the exit code of its last run (and, detached, 0 once the command runs), or a
 * negative errno (recorded). */
int monitor_run(const struct run_opts *o, int argc, char **argv);

#endif
