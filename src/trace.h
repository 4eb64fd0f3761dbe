/* trace: with HUTCH_TRACE=1 in its environment, hutch writes a line to its stderr at the start
 * of each phase of a container's start and end:
 *     hutch-trace: T PHASE
 * T in microseconds since the start of this hutch (CLOCK_MONOTONIC; its children, the
 * container's own process included, keep the same origin), PHASE the phase that begins there;
 * a phase ends where the next line (by T) begins, and the last one is `end`. For measuring
 * (bench/): nothing else reads it, and without the variable nothing is written. */
#ifndef HUTCH_TRACE_H
#define HUTCH_TRACE_H

/* Read HUTCH_TRACE and take the origin: once, first thing in main. */
void trace_init(void);
/* The start of PHASE (a static string), when tracing. */
void trace(const char *phase);

#endif
