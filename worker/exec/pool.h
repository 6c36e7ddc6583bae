/* pool.h — the supervisor's view of its executors: which are idle, which run
 * which job, reading their progress and results without blocking, killing
 * the ones past their job or stage deadline or over their memory or CPU
 * allowance, and replacing each executor once it says it may not take
 * another job (executor.h), or it dies.
 *
 * Each executor is confined to a work directory of its own under the spool
 * (<spool>/executor-N). A job's directory is moved into it as job/ when the
 * job is handed over and moved back to where it was before the pool reports
 * the job's end, so the supervisor finds it where it left it; a work
 * directory that then holds anything else retires its executor. */
#ifndef AW_POOL_H
#define AW_POOL_H

#include "executor.h"
#include "zygote.h"

#include <jansson.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct aw_pool aw_pool;

/* Why a job's executor ended without a result. */
typedef struct aw_exec_loss {
    const char *reason;  /* timeout, stage_timeout, memory_limit, cpu_limit, crashed */
    const char *stage;   /* the stage it was in, "executor" before the first */
    const char *message; /* for people: what happened, with the limit */
    bool retry;          /* a crash may be the machine's; a limit is the file's */
} aw_exec_loss;

typedef struct aw_pool_callbacks {
    void (*progress)(void *owner, void *job, const char *stage, int percent);
    void (*result)(void *owner, void *job, json_t *result); /* borrowed */
    void (*lost)(void *owner, void *job, const aw_exec_loss *loss);
    /* an executor was replaced: job_done, a loss reason, reload, cancelled */
    void (*restarted)(void *owner, const char *reason);
} aw_pool_callbacks;

/* What the pool enforces from outside, besides each job's own deadline. */
typedef struct aw_pool_limits {
    double stage_timeout_ms; /* wall time of one stage */
    uint64_t memory_bytes;   /* anonymous resident memory an executor may add */
    double cpu_ms;           /* CPU time of one job */
    const char *work_root;   /* where the executors' work directories go (the spool) */
} aw_pool_limits;

/* Starts n executors through the zygote, which the pool then owns. */
aw_pool *aw_pool_new(aw_zygote *z, int n, const aw_pool_limits *limits, const aw_pool_callbacks *cb,
                     void *owner, aw_error *err);
void aw_pool_free(aw_pool *p);

int aw_pool_size(const aw_pool *p);
int aw_pool_idle_count(const aw_pool *p);
int aw_pool_alive_count(const aw_pool *p); /* idle or busy, not being replaced */

/* New executors come from z (ready; the pool owns it) from now on: idle
 * ones are replaced at once, busy ones when their job ends, and the old
 * zygote is stopped after its last executor. AW_ERROR while a previous
 * switch is still under way. */
int aw_pool_use_zygote(aw_pool *p, aw_zygote *z);
bool aw_pool_switching(const aw_pool *p);
aw_zygote *aw_pool_zygote(const aw_pool *p);

/* Hands a job to an idle executor (AW_ERROR when none is idle, or the job's
 * directory req->dir cannot be moved into its work directory). The
 * executor is killed if it has not answered after timeout_ms. */
int aw_pool_submit(aw_pool *p, void *job, const aw_exec_request *req, double timeout_ms);

/* Kills the executor running job, without a callback (job abandoned); its
 * directory is back where it was when this returns. */
void aw_pool_cancel(aw_pool *p, void *job);

/* The descriptors to poll (executor sockets and the zygote's exit channel);
 * returns how many were written (at most max). */
int aw_pool_pollfds(aw_pool *p, struct pollfd *fds, int max);

/* Reads whatever is ready, calls back, reaps and replaces dead executors,
 * kills overdue ones. Call after poll() with the same fds. */
void aw_pool_dispatch(aw_pool *p, const struct pollfd *fds, int n);

#endif
