/* executor.h — an executor process: forked by a zygote (zygote.h), it runs
 * one job and exits: one request line in, the sandbox entered (sandbox.h),
 * progress lines and one result line out, each a JSON object, over its end
 * of a socketpair. */
#ifndef AW_EXECUTOR_H
#define AW_EXECUTOR_H

#include "config.h"
#include "sandbox.h"

#include <stddef.h>

/* The executor's life, on socket fd; never returns. */
void aw_executor_main(int fd, const aw_config *cfg, const aw_sandbox_config *sandbox)
    __attribute__((noreturn));

/* A request line's fields, as the supervisor sends them. */
typedef struct aw_exec_request {
    const char *job_id, *asset_id, *mime, *input, *output, *scratch;
    unsigned stages;
} aw_exec_request;

/* The request as one JSON line (caller frees). */
char *aw_exec_request_encode(const aw_exec_request *req);

#endif
