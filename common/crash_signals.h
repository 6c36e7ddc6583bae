/* crash_signals.h — a process that should end at once on a crash: no
 * handler (a library's, a sanitizer's) runs on the state the crash
 * corrupted, and whoever waits for it sees the signal now. */
#ifndef AW_CRASH_SIGNALS_H
#define AW_CRASH_SIGNALS_H

/* SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT back to their defaults. */
void aw_die_on_crash_signals(void);

#endif
