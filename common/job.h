/* job.h — what the pipeline is asked to do: one file, the stages wanted,
 * and where progress goes. What it answers is result.h. */
#ifndef AW_JOB_H
#define AW_JOB_H

#include "stage_kind.h"

typedef void (*aw_progress_fn)(void *ctx, const char *stage, int percent);

typedef struct aw_job {
    const char *job_id;
    const char *asset_id;       /* also names the output keys derived/{assetId}/… */
    const char *declared_mime;  /* what the uploader said; NULL or "" = trust the content */
    unsigned stages;            /* aw_stage_kind bits */
    aw_progress_fn on_progress; /* optional: stage boundaries, 0–100 */
    void *progress_ctx;
} aw_job;

#endif
