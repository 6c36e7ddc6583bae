/* executor.h — an executor process: forked by a zygote (zygote.h), it enters
 * the sandbox (sandbox.h) confined to its work directory, then serves jobs
 * one at a time over its end of a socketpair: a request line in, progress
 * lines and one result line out, each a JSON object. The result line says
 * whether it may take another job ({"result":{…},"reusable":true}); if not,
 * it exits (hygiene.h says when). */
#ifndef AW_EXECUTOR_H
#define AW_EXECUTOR_H

#include "config.h"
#include "sandbox.h"

#include <stddef.h>

/* The executor's life, on socket fd, confined to workdir; never returns. */
void aw_executor_main(int fd, const aw_config *cfg, const aw_sandbox_config *sandbox,
                      const char *workdir) __attribute__((noreturn));

/* A job as the supervisor hands it over: its directory in the spool, which
 * holds the source and the out/ and tmp/ directories; the pool moves it into
 * the executor's work directory for the job (pool.h). */
typedef struct aw_exec_request {
    const char *job_id, *asset_id, *mime, *dir;
    unsigned stages;
} aw_exec_request;

/* The request line, with the job's directory at dir (caller frees). */
char *aw_exec_request_encode(const aw_exec_request *req, const char *dir);

#endif
