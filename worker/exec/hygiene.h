/* hygiene.h — what an executor does and checks between two jobs, so that
 * nothing of job k is reachable in job k+1 (the pool checks the files: the
 * executor's work directory must hold nothing once the job's directory is
 * moved out of it).
 *
 *   memory   malloc overwrites every chunk it hands out and every chunk it
 *            frees (M_PERTURB), so a decoder reading uninitialised memory
 *            finds the perturb byte, not an earlier picture; blocks that
 *            malloc maps on their own go back to the kernel, which zeroes
 *            them; libvips' caches are dropped. Free pages stay in the
 *            process (no malloc_trim, glibc's mmap threshold left to grow):
 *            giving them back made the next job fault them in again, a
 *            quarter of a small photo's CPU. Anonymous resident memory may
 *            not grow past a margin over what it was after the first job,
 *            and the whole resident set (libraries included) may not be
 *            over AW_HYGIENE_RESIDENT_MAX: a job starts from at most that,
 *            so an executor's peak is at most that plus one job's memory.
 *   files    exactly the descriptors that were open before the first job.
 *   threads  no more than after the first job, libvips' pool workers apart
 *            (its pool grows and shrinks by itself; at most 16 of them).
 *
 * Threads and memory are measured again after a job that loaded a library
 * (common/lazy.h: FFmpeg's relocated tables alone are megabytes), so the
 * code a job needed is not taken for something the job left.
 *
 * Any miss retires the executor: the next job gets a fresh one. */
#ifndef AW_HYGIENE_H
#define AW_HYGIENE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AW_HYGIENE_FDS_MAX 64
#define AW_HYGIENE_GROWTH_BYTES (64ULL << 20) /* anonymous memory over the first job's */
#define AW_HYGIENE_RESIDENT_MAX (96L << 10)   /* KiB resident to start the next job with */

typedef struct aw_hygiene {
    int fds[AW_HYGIENE_FDS_MAX]; /* open before the first job, ascending */
    int nfds;
    int threads;         /* after the first job; 0 before it */
    uint64_t anon_bytes; /* after the first job */
    unsigned libraries;  /* lazily loaded libraries then (common/lazy.h) */
} aw_hygiene;

/* malloc's settings for a process that serves several jobs; before the
 * first allocation that matters (right after the fork). */
void aw_hygiene_prepare_malloc(void);

/* What is open now, before the first job. */
void aw_hygiene_baseline(aw_hygiene *h);

/* After a job: lets go of what the libraries keep, then checks. True when
 * the process may serve another job; else why in `why`. */
bool aw_hygiene_after_job(aw_hygiene *h, char *why, size_t size);

#endif
