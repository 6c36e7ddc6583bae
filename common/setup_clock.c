/* setup_clock.c — CPU spent on set-up, apart from a job's (setup_clock.h).
 * Each bracket reads its own thread's CPU clock: a library's constructors
 * run on the thread that loads it, and other threads' work meanwhile is
 * not set-up. */
#define _POSIX_C_SOURCE 200809L
#include "setup_clock.h"

#include <stdatomic.h>
#include <time.h>

static _Atomic long long total_ns;
static _Thread_local int depth;
static _Thread_local long long started_ns;

static long long thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void aw_setup_clock_start(void)
{
    if (depth++ == 0)
        started_ns = thread_cpu_ns();
}

void aw_setup_clock_stop(void)
{
    if (depth > 0 && --depth == 0)
        atomic_fetch_add(&total_ns, thread_cpu_ns() - started_ns);
}

double aw_setup_cpu_ms(void)
{
    return (double)atomic_load(&total_ns) / 1e6;
}
