/* read_model_internal.h — what read_model*.c share: the handle and the
 * per-feed apply functions. */
#ifndef AW_READ_MODEL_INTERNAL_H
#define AW_READ_MODEL_INTERNAL_H

#include "read_model.h"

#include <pthread.h>
#include <sqlite3.h>

#define AW_RM_MAX_PARTITIONS 1024 /* distinct partitions in one batch */

typedef struct rm_offset {
    char topic[256];
    int32_t partition;
    int64_t next;
} rm_offset;

struct aw_read_model {
    sqlite3 *writer, *reader;
    pthread_mutex_t reader_lock; /* the API's connection */
    rm_offset batch[AW_RM_MAX_PARTITIONS];
    int n_batch;
    int64_t consumed, malformed, applied; /* in this batch */
};

/* Status ranks: a lower one never replaces a higher one. */
enum { RM_QUEUED = 0, RM_PROCESSING = 1, RM_TERMINAL = 2 };

/* The event's time in ms since the epoch: ce_time, else the broker's
 * timestamp, else 0. */
int64_t aw_rm_event_time(const aw_feed_message *m);

/* Apply one decoded message of a feed; AW_ERROR with err when malformed. */
int aw_rm_apply_upload(aw_read_model *rm, const aw_feed_message *m, aw_error *err);
int aw_rm_apply_regenerate(aw_read_model *rm, const aw_feed_message *m, aw_error *err);
int aw_rm_apply_event(aw_read_model *rm, const aw_feed_message *m, aw_error *err);
int aw_rm_apply_dead_letter(aw_read_model *rm, const aw_feed_message *m, aw_error *err);

/* Storing a job's outputs from a job.completed event's variants. */
int aw_rm_store_outputs(aw_read_model *rm, const char *job_id, const char *asset_id,
                        json_t *variants, int64_t at);

/* A time column as ISO 8601 UTC with milliseconds. */
#define ISO(col) "strftime('%Y-%m-%dT%H:%M:%fZ', " col " / 1000.0, 'unixepoch')"

/* SELECT … FROM jobs j LEFT JOIN assets a: a job as the API shows it. */
extern const char AW_RM_JOB_SELECT[];

/* Rows of a prepared statement (finalized) as objects; fix adjusts each
 * (may be NULL). */
json_t *aw_rm_rows(sqlite3_stmt *st, void (*fix)(json_t *));

/* A failed write: err set from the connection's last error. */
int aw_rm_sql_error(sqlite3 *db, aw_error *err);

#endif
