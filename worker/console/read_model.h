/* read_model.h — the console's view of the jobs (docs/console.md): what the
 * topics said, folded into SQLite (WAL). Two connections: the consumer's
 * (writes the events, one transaction per batch, with the offsets it
 * consumed) and the API's (reads; writes only the visibility flag). Each is
 * used by one thread at a time, guarded by its own lock. */
#ifndef AW_READ_MODEL_H
#define AW_READ_MODEL_H

#include "error.h"
#include "event.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct aw_read_model aw_read_model;

/* Which topic a message came from. */
typedef enum {
    AW_FEED_UPLOADS,
    AW_FEED_REGENERATE,
    AW_FEED_EVENTS,
    AW_FEED_DLQ,
} aw_feed;

/* One consumed message, as the consumer hands it over. */
typedef struct aw_feed_message {
    aw_feed feed;
    const char *topic;
    int32_t partition;
    int64_t offset;
    const char *key; /* NUL-terminated copies; NULL when absent */
    const void *value;
    size_t value_len;
    aw_ce_headers ce;     /* CloudEvents headers (any may be NULL) */
    const char *ce_time;  /* header ce_time, NULL when absent */
    int64_t timestamp_ms; /* the broker's, -1 when none */
    json_t *headers;      /* every header as {name: value}, for dead letters */
} aw_feed_message;

/* Opens (creating when new) the database at path. */
aw_read_model *aw_read_model_open(const char *path, aw_error *err);
void aw_read_model_close(aw_read_model *rm);

/* The consumer's side. A batch: begin, apply each message, end. apply
 * returns AW_OK when the message was used or was a duplicate, AW_ERROR
 * with err when it was malformed (counted, skipped; the batch goes on).
 * end stores each partition's next offset and commits; AW_ERROR when the
 * transaction could not be committed (it is rolled back). */
int aw_read_model_begin(aw_read_model *rm, aw_error *err);
int aw_read_model_apply(aw_read_model *rm, const aw_feed_message *m, aw_error *err);
int aw_read_model_end(aw_read_model *rm, aw_error *err);

/* The offset to resume topic/partition at; -1 when none was stored. */
int64_t aw_read_model_resume_offset(aw_read_model *rm, const char *topic, int32_t partition);

/* ---- the API's side (read_model_query.c); safe from any one thread ---- */

/* The list's order: newest first (created_at), oldest first, or the
 * latest change first (updated_at); ties by id. */
typedef enum { AW_ORDER_NEWEST, AW_ORDER_OLDEST, AW_ORDER_UPDATED } aw_job_order;

typedef struct aw_job_filter {
    const char *statuses;             /* ",queued,failed,": any of them; NULL: any */
    const char *asset_type;           /* IMAGE|VIDEO|AUDIO|DOCUMENT, NULL: any */
    const char *query;                /* in the job id, asset id, title or storage key
                               (case-insensitive, literal); NULL: any */
    int64_t created_from, created_to; /* ms since the epoch, inclusive */
    aw_job_order order;
    int64_t limit, offset;
} aw_job_filter;

/* {jobs, total, limit, offset, counts}: counts holds each status's number
 * of jobs under the filter's other conditions (not its statuses). */
json_t *aw_read_model_jobs(aw_read_model *rm, const aw_job_filter *f);
/* One job with stages and errors; NULL when unknown. */
json_t *aw_read_model_job(aw_read_model *rm, const char *job_id);
/* The job's outputs (AssetResponse rows plus "key", without "url"); NULL
 * when the job is unknown. */
json_t *aw_read_model_job_outputs(aw_read_model *rm, const char *job_id);
/* One output by id (the latest job's row); NULL when unknown. */
json_t *aw_read_model_output(aw_read_model *rm, const char *output_id);
/* Sets an output's visibility; AW_ERROR when the output is unknown. */
int aw_read_model_set_public(aw_read_model *rm, const char *output_id, bool is_public);
/* {asset_id, storage_key, mime_type} of a job's source; NULL when unknown. */
json_t *aw_read_model_job_source(aw_read_model *rm, const char *job_id);
/* {dead_letters, total, limit, offset}, newest first. */
json_t *aw_read_model_dead_letters(aw_read_model *rm, int64_t limit, int64_t offset);
/* One dead letter {topic, partition, offset, key, headers, value} of the
 * dead-letter topic; NULL when unknown. */
json_t *aw_read_model_dead_letter(aw_read_model *rm, int32_t partition, int64_t offset);
/* {consumed, malformed, jobs}. */
json_t *aw_read_model_status(aw_read_model *rm);
/* "2026-11-28T06:00:00.123Z" or "…+03:00" → ms since the epoch; -1 when
 * it is not that. */
int64_t aw_read_model_parse_time(const char *rfc3339);
/* Grows whenever the view changes: the list's ETag. */
int64_t aw_read_model_revision(aw_read_model *rm);

#endif
