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

/* Pure: the pause before a restart, from the last pause (0: none yet) and how long the run that
 * ended lasted: 100 ms at first and after a run of 10 s or more, else twice the last, at most
 * 30 s. */
int monitor_pause_ms(int last_pause_ms, long ran_ms);

#endif
