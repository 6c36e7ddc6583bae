/* timeutil.h — wall-clock timestamps for events, a monotonic clock for
 * durations and the process's CPU time. */
#ifndef AW_TIMEUTIL_H
#define AW_TIMEUTIL_H

#include <stddef.h>

/* Writes the current UTC time as "2026-11-21T14:22:07.123Z". */
void aw_time_iso8601(char *buf, size_t size);

/* Milliseconds on a monotonic clock, for measuring durations. */
double aw_time_mono_ms(void);

/* CPU time (user + system) this process has used, in ms. */
double aw_time_cpu_ms(void);

#endif
