/* executor.h — executor processes and the zygote that forks them.
 *
 * The zygote is forked once, after aw_pipeline_init (ClamAV engine loaded,
 * libvips and libmagic ready) and before the supervisor starts any thread.
 * It forks executors on request, so every executor shares the engine
 * copy-on-write and starts from a single-threaded parent. An executor runs
 * one job and exits: one request line in, the sandbox entered (sandbox.h),
 * progress lines and one result line out, each a JSON object, over its end
 * of a socketpair. Executors die with
 * the zygote, and the zygote dies with the supervisor (PR_SET_PDEATHSIG). */
#ifndef AW_EXECUTOR_H
#define AW_EXECUTOR_H

#include "config.h"
#include "error.h"
#include "sandbox.h"

#include <sys/types.h>

typedef struct aw_zygote aw_zygote;

/* Forks the zygote. Call after aw_pipeline_init, before any thread. */
aw_zygote *aw_zygote_start(const aw_config *cfg, const aw_sandbox_config *sandbox,
                           aw_error *err);

/* Asks for a new executor: its pid and the supervisor's end of its socket. */
int aw_zygote_spawn(aw_zygote *z, pid_t *pid, int *fd, aw_error *err);

/* Readable when an executor has exited; read them with aw_zygote_next_exit. */
int aw_zygote_exit_fd(const aw_zygote *z);

/* 1 and the pid and wait status of an exited executor; 0 when none is
 * waiting; -1 when the zygote is gone. */
int aw_zygote_next_exit(aw_zygote *z, pid_t *pid, int *status);

/* Stops the zygote; its executors die with it. Accepts NULL. */
void aw_zygote_stop(aw_zygote *z);

/* A request line's fields, as the supervisor sends them. */
typedef struct aw_exec_request {
    const char *job_id, *asset_id, *mime, *input, *output, *scratch;
    unsigned stages;
} aw_exec_request;

/* The request as one JSON line (caller frees). */
char *aw_exec_request_encode(const aw_exec_request *req);

#endif
