/* supervisor.h — the supervisor's state, shared by supervisor*.c (the
 * loop and intake, set-up, rebalances and shutdown), message*.c (one input
 * message's life: its state machine in message.c, its steps' work beside
 * it) and health.c. Internal to worker/service/ */
#ifndef AW_SUPERVISOR_H
#define AW_SUPERVISOR_H

#include "embedded.h"
#include "engines.h"
#include "office_service.h"
#include "event.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "offsets.h"
#include "pool.h"
#include "service.h"
#include "service_config.h"
#include "storage.h"
#include "transfers.h"

#include <librdkafka/rdkafka.h>
#include <limits.h>
#include <stdbool.h>

/* One message's states, in the order a job goes through them. Every
 * transition between them is in message.c and nowhere else. */
typedef enum {
    MSG_QUEUED,     /* waiting: for its asset, room to fetch, or a retry time */
    MSG_PLANNING,   /* a regenerate reading the asset's manifest */
    MSG_FETCHING,   /* its source downloading into the spool */
    MSG_LOOKUP,     /* an upload's bytes looked up in the reuse index */
    MSG_FETCHED,    /* source in the spool, waiting for an idle executor */
    MSG_EXECUTING,  /* in an executor */
    MSG_REUSING,    /* an earlier asset's outputs being copied to this one's keys */
    MSG_STORING,    /* outputs being stored, or waiting to try again */
    MSG_RECORDING,  /* the asset's manifest (and index entry) being written */
    MSG_PUBLISHING, /* events produced, waiting for the broker's acks */
    MSG_DONE,       /* offset marked done (or abandoned): freed once nothing is out */
} message_state;

typedef struct aw_message {
    struct aw_message *next;
    message_state state;
    aw_input_event ev;     /* valid unless dead_letter_only */
    bool dead_letter_only; /* malformed input: DLQ, nothing else */
    aw_error failure;      /* why it goes to the DLQ */
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
    json_t *completed;   /* asset.job.completed data, once known */
    bool to_dead_letter; /* failed after retries: also copied to the DLQ */
    int deliveries;      /* produced, not yet acknowledged */
    bool delivery_failed;
    bool abandoned;         /* partition revoked or shutdown: never commit */
    double taken_ms;        /* monotonic ms when the message was taken */
    double executing_since; /* monotonic ms when an executor took it */
    int transfers;          /* storage requests in flight: the spool stays meanwhile */
    bool store_failed;      /* a PUT of this round failed (store_error) */
    aw_error store_error;
    /* recipes (message_plan.c) */
    bool planned;           /* a regenerate has read the asset's manifest */
    json_t *manifest;       /* the asset's manifest before this job, or NULL */
    char source_sha256[65]; /* of the source as downloaded, "" when not known */
    bool no_scan_event;     /* nothing ran: the verdict is not news */
    /* content-hash reuse (message_reuse.c) */
    unsigned stages_asked; /* the event's stages, before a reuse narrowed them */
    bool reuse_tried;      /* the index was looked up */
    json_t *reuse;         /* the index entry being reused, or NULL */
} aw_message;

typedef struct aw_supervisor {
    aw_service_config *cfg;
    rd_kafka_t *consumer, *producer;
    aw_storage *storage;
    aw_transfers *transfers; /* every GET and PUT runs there, off the loop */
    aw_pool *pool;
    aw_offsets *offsets;
    aw_message *messages; /* in arrival order */
    int active;           /* messages not done */
    bool paused;
    bool stopping;
    bool ever_assigned; /* a rebalance has completed for this member */
    aw_metrics *metrics;
    aw_engines engines; /* the ClamAV engine's zygotes */
    aw_office *office;  /* LibreOfficeKit for Office thumbnails, or NULL */
    aw_http *http;
    bool brokers_down; /* librdkafka: all brokers down, until a statistics
                            report shows one up again */
} aw_supervisor;

/* supervisor.c: the loop; one pass of everything but taking new messages */
void aw_supervisor_pump(aw_supervisor *sv, int timeout_ms);

/* supervisor_setup.c: everything before the loop (HTTP, the first zygote
 * and the executors, the embedded cluster, spool, storage, Kafka clients) */
int aw_supervisor_start(aw_supervisor *sv, aw_embedded **mock);
void aw_supervisor_log_sandbox(const aw_service_config *cfg);

/* supervisor_drain.c: partitions given back */
void aw_supervisor_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                             rd_kafka_topic_partition_list_t *parts, void *opaque);
/* Messages no executor has taken yet, of the partitions in l (or all). */
void aw_supervisor_hand_back_queued(aw_supervisor *sv, const rd_kafka_topic_partition_list_t *l);
void aw_supervisor_shut_down(aw_supervisor *sv); /* after the loop */

/* message.c: the state machine. A message is taken QUEUED; each of these
 * wakes it, and it moves on as far as it can. */
aw_message *aw_message_from_kafka(aw_supervisor *sv, const rd_kafka_message_t *m);
void aw_message_step(aw_supervisor *sv, aw_message *r);         /* the loop's turn */
void aw_message_on_transfer(aw_supervisor *sv, aw_transfer *t); /* takes t */
void aw_message_on_result(aw_supervisor *sv, aw_message *r, json_t *result);
void aw_message_on_lost(aw_supervisor *sv, aw_message *r, const aw_exec_loss *loss);
void aw_message_on_delivery(aw_supervisor *sv, aw_message *r, rd_kafka_resp_err_t err);
void aw_message_abandon(aw_supervisor *sv, aw_message *r);
bool aw_message_not_started(const aw_message *r); /* no executor has taken it yet */
void aw_message_free(aw_message *r);

/* The steps' work. Each submits a request or judges what came back and
 * reports an outcome to the machine; none calls the machine or another step. */

/* message_spool.c: the message's spool directory and its storage requests */
int aw_message_make_spool(aw_supervisor *sv, aw_message *r, aw_error *err);
void aw_message_spool_path(const aw_message *r, const char *name, char *buf, size_t size);
/* The JSON object in the spool file name, or NULL (absent, not JSON, not an object). */
json_t *aw_message_spool_json(const aw_message *r, const char *name);
void aw_message_clear_spool(aw_message *r); /* once no transfer uses it */
void aw_message_submit(aw_supervisor *sv, aw_message *r, aw_transfer *t);

/* message_transfers.c: the source into the spool, the outputs out of it */
void aw_message_get_source(aw_supervisor *sv, aw_message *r);
void aw_message_put_outputs(aw_supervisor *sv, aw_message *r);

/* message_plan.c: the asset's manifest read before a regenerate and
 * written after every job that made something */
typedef enum {
    AW_PLAN_FETCH,       /* read (or none): fetch the source and run */
    AW_PLAN_FAULT,       /* the GET failed: a storage fault (t->err) */
    AW_PLAN_ALL_CURRENT, /* nothing is outdated: r->completed says so, publish it */
} aw_plan_outcome;
bool aw_message_needs_plan(const aw_message *r);
void aw_message_get_manifest(aw_supervisor *sv, aw_message *r);
aw_plan_outcome aw_message_read_manifest(aw_supervisor *sv, aw_message *r, const aw_transfer *t);
bool aw_message_put_manifest(aw_supervisor *sv, aw_message *r); /* false: nothing to write */
bool aw_message_manifest_failed(const aw_message *r, const aw_transfer *t);

/* message_reuse.c: outputs of the same bytes and recipes copied, not made */
typedef enum {
    AW_LOOKUP_NONE,       /* no entry that fits: process normally */
    AW_LOOKUP_COPY,       /* an entry, verdict included: copy its outputs */
    AW_LOOKUP_SCAN_FIRST, /* an entry of another ClamAV database: scan, then copy */
} aw_lookup_outcome;
bool aw_message_may_reuse(const aw_supervisor *sv, const aw_message *r);
void aw_message_get_index_entry(aw_supervisor *sv, aw_message *r);
aw_lookup_outcome aw_message_judge_index_entry(aw_supervisor *sv, aw_message *r,
                                               const aw_transfer *t);
bool aw_message_scan_lets_reuse(aw_message *r, json_t *result);
void aw_message_copy_outputs(aw_supervisor *sv, aw_message *r, json_t *scanned);
void aw_message_forget_reuse(aw_message *r, const char *why);
void aw_message_put_index_entry(aw_supervisor *sv, aw_message *r);

/* message_publish.c: the events a job ends with, and its progress */
void aw_message_publish_final(aw_supervisor *sv, aw_message *r);
void aw_message_set_failed(aw_message *r, const char *stage, const aw_error *err);
void aw_message_publish_progress(aw_supervisor *sv, aw_message *r, const char *stage, int percent);
void aw_message_on_progress(aw_supervisor *sv, aw_message *r, const char *stage, int percent);

/* message_report.c */
aw_log_fields aw_message_log_fields(const aw_message *r, const char *stage);
void aw_message_report_finished(aw_supervisor *sv, const aw_message *r);
void aw_message_report_timings(aw_supervisor *sv, const aw_message *r);
void aw_message_report_retry(aw_supervisor *sv, const aw_message *r, const char *kind,
                             const char *why);
void aw_message_report_transfer(aw_supervisor *sv, const aw_transfer *t);

/* health.c */
void aw_health_update(aw_supervisor *sv); /* readiness, heartbeat, gauges */
void aw_health_on_kafka_error(aw_supervisor *sv, rd_kafka_resp_err_t err, const char *reason);
void aw_health_on_statistics(aw_supervisor *sv, const char *json);

#endif
