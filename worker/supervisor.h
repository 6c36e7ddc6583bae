/* supervisor.h — the supervisor's state, shared by supervisor.c (the loop,
 * intake, rebalances, shutdown) and run.c (one input message's life:
 * download, execute, store outputs, publish, commit). Internal to worker/. */
#ifndef AW_SUPERVISOR_H
#define AW_SUPERVISOR_H

#include "engines.h"
#include "event.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "offsets.h"
#include "pool.h"
#include "service.h"
#include "storage.h"

#include <librdkafka/rdkafka.h>
#include <limits.h>
#include <stdbool.h>

typedef enum {
    RUN_QUEUED,     /* waiting: for its asset, an executor, or a retry time */
    RUN_EXECUTING,  /* in an executor */
    RUN_STORING,    /* outputs being stored (retried on transient errors) */
    RUN_PUBLISHING, /* events produced, waiting for the broker's acks */
    RUN_DONE,
} run_state;

typedef struct aw_run {
    struct aw_run *next;
    run_state state;
    aw_input_event ev;   /* valid unless dead_letter_only */
    bool dead_letter_only; /* malformed input: DLQ, nothing else */
    aw_error failure;    /* why it goes to the DLQ */
    /* the input message, kept for the DLQ and for committing */
    char topic[256];
    int32_t partition;
    int64_t offset;
    void *key, *value;
    size_t key_len, value_len;
    rd_kafka_headers_t *headers;
    /* progress of the job */
    int executor_attempts, io_attempts;
    double not_before;    /* monotonic ms: backoff */
    double last_progress; /* monotonic ms of the last progress event */
    int progress_seq;
    char spool[PATH_MAX];
    json_t *completed;    /* asset.job.completed data, once known */
    bool to_dead_letter;  /* failed after retries: also copied to the DLQ */
    int deliveries;       /* produced, not yet acknowledged */
    bool delivery_failed;
    bool abandoned;       /* partition revoked or shutdown: never commit */
    double taken_ms;      /* monotonic ms when the message was taken */
} aw_run;

typedef struct aw_supervisor {
    aw_service_config *cfg;
    rd_kafka_t *consumer, *producer;
    aw_storage *storage;
    aw_pool *pool;
    aw_offsets *offsets;
    aw_run *runs; /* in arrival order */
    int active;   /* runs not done */
    bool paused;
    bool stopping;
    bool ever_assigned; /* a rebalance has completed for this member */
    aw_metrics *metrics;
    aw_engines engines;  /* the ClamAV engine's zygotes */
    aw_http *http;
    bool brokers_down;   /* librdkafka: all brokers down, until a statistics
                            report shows one up again */
} aw_supervisor;

/* run.c */
aw_run *aw_run_from_message(aw_supervisor *sv, const rd_kafka_message_t *m);
void aw_run_step(aw_supervisor *sv, aw_run *r);           /* advance what is due */
void aw_run_on_progress(aw_supervisor *sv, aw_run *r, const char *stage, int percent);
void aw_run_on_result(aw_supervisor *sv, aw_run *r, json_t *result);
void aw_run_on_lost(aw_supervisor *sv, aw_run *r, const aw_exec_loss *loss);
void aw_run_on_delivery(aw_supervisor *sv, aw_run *r, rd_kafka_resp_err_t err);
void aw_run_abandon(aw_supervisor *sv, aw_run *r);
void aw_run_free(aw_run *r);
bool aw_run_asset_busy(const aw_supervisor *sv, const aw_run *r);

/* run_report.c */
aw_log_fields aw_run_log_fields(const aw_run *r, const char *stage);
void aw_run_report_finished(aw_supervisor *sv, const aw_run *r);
void aw_run_report_timings(aw_supervisor *sv, const aw_run *r);
void aw_run_report_retry(aw_supervisor *sv, const aw_run *r, const char *kind, const char *why);
void aw_run_report_bytes(aw_supervisor *sv, const char *direction, const char *path);

/* health.c */
void aw_health_update(aw_supervisor *sv); /* readiness, heartbeat, gauges */
void aw_health_on_kafka_error(aw_supervisor *sv, rd_kafka_resp_err_t err, const char *reason);
void aw_health_on_statistics(aw_supervisor *sv, const char *json);

#endif
