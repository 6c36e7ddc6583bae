/* sandbox.h — what an executor gives up before it touches a job.
 *
 * Applied once per executor, right after the fork and before its first job
 * (an executor may serve several jobs, one at a time: exec/executor.c):
 *   1. resource limits: address space, CPU time, file size, open files, no
 *      core dumps;
 *   2. Landlock: the file tree shrinks to the executor's own work directory
 *      (read/write; each job's directory is moved into it for the job and out
 *      again before the next) and the read-only system files the libraries
 *      load lazily (/usr, fonts, /proc/self …);
 *   3. seccomp-bpf (libseccomp): sockets, execve, fork, ptrace, mounting,
 *      namespaces, module and kernel-keyring calls, io_uring, raising limits
 *      and signalling other processes all fail with EPERM.
 * Memory, CPU time and wall time per job and per stage are also watched from
 * outside by the supervisor (pool.c), which kills an executor that exceeds
 * them. */
#ifndef AW_SANDBOX_H
#define AW_SANDBOX_H

#include "error.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct aw_sandbox_config {
    bool enabled;          /* --sandbox on|off */
    uint64_t memory_bytes; /* --job-memory: resident growth the supervisor allows */
    unsigned cpu_seconds;  /* --job-cpu: CPU time of one job (pool.c watches it) */
    unsigned jobs;         /* --executor-jobs: jobs one executor may serve */
    uint64_t file_bytes;   /* --job-file-size: RLIMIT_FSIZE, largest file written */
    unsigned open_files;   /* --job-open-files: RLIMIT_NOFILE */
} aw_sandbox_config;

/* The paths an executor may touch. */
typedef struct aw_sandbox_paths {
    const char *workdir;          /* read/write: its jobs' input, output and scratch live below */
    const char *const *read_only; /* more trees to read, NULL-terminated; or NULL */
} aw_sandbox_paths;

void aw_sandbox_defaults(aw_sandbox_config *cfg);

/* Landlock ABI version of the running kernel, 0 when it has none. */
int aw_sandbox_landlock_abi(void);

/* Applies limits, Landlock and seccomp to the calling process, for good.
 * Fails (and the job must not run) when a part that the kernel supports
 * cannot be applied. Without Landlock support the file tree stays open and
 * *confined is set false; the rest still applies. */
int aw_sandbox_enter(const aw_sandbox_config *cfg, const aw_sandbox_paths *paths, bool *confined,
                     aw_error *err);

#endif
