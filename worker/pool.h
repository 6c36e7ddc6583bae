/* pool.h — the supervisor's view of its executors: which are idle, which run
 * which job, reading their progress and results without blocking, killing
 * the ones past their deadline and replacing any that die. */
#ifndef AW_POOL_H
#define AW_POOL_H

#include "executor.h"

#include <jansson.h>
#include <poll.h>

typedef struct aw_pool aw_pool;

typedef struct aw_pool_callbacks {
    void (*progress)(void *owner, void *job, const char *stage, int percent);
    void (*result)(void *owner, void *job, json_t *result); /* borrowed */
    void (*lost)(void *owner, void *job, const char *why);  /* crashed, killed, timed out */
} aw_pool_callbacks;

/* Starts n executors through the zygote. */
aw_pool *aw_pool_new(aw_zygote *z, int n, const aw_pool_callbacks *cb, void *owner,
                     aw_error *err);
void aw_pool_free(aw_pool *p);

int aw_pool_size(const aw_pool *p);
int aw_pool_idle_count(const aw_pool *p);

/* Hands a job to an idle executor (AW_ERROR when none is idle). The
 * executor is killed if it has not answered after timeout_ms. */
int aw_pool_submit(aw_pool *p, void *job, const aw_exec_request *req, double timeout_ms);

/* Kills the executor running job, without a callback (job abandoned). */
void aw_pool_cancel(aw_pool *p, void *job);

/* The descriptors to poll (executor sockets and the zygote's exit channel);
 * returns how many were written (at most max). */
int aw_pool_pollfds(aw_pool *p, struct pollfd *fds, int max);

/* Reads whatever is ready, calls back, reaps and replaces dead executors,
 * kills overdue ones. Call after poll() with the same fds. */
void aw_pool_dispatch(aw_pool *p, const struct pollfd *fds, int n);

#endif
