/* crash_signals.c — crash signals back to their defaults (crash_signals.h). */
#include "crash_signals.h"

#include <signal.h>
#include <stddef.h>

void aw_die_on_crash_signals(void)
{
    static const int crashes[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
    for (size_t i = 0; i < sizeof crashes / sizeof *crashes; i++)
        signal(crashes[i], SIG_DFL);
}
