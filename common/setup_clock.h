/* setup_clock.h — the CPU a process spends setting itself up for a kind of
 * work: a library loaded (lazy.h), a stage's process-wide set-up (libvips'
 * loaders, FFmpeg's). An executor pays it on the first job that needs it
 * and never again for the jobs after (it is reused); `process` reports it
 * apart from the job's own CPU, so that a job's cost is comparable to a
 * command-line tool's with its start-up taken off. */
#ifndef AW_SETUP_CLOCK_H
#define AW_SETUP_CLOCK_H

/* Brackets one set-up on the calling thread. Nested brackets (a stage's
 * set-up that loads a library) count once, at the outermost. */
void aw_setup_clock_start(void);
void aw_setup_clock_stop(void);

/* CPU time counted by the brackets so far, every thread, in ms. */
double aw_setup_cpu_ms(void);

#endif
