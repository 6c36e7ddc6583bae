/* message.c — one input message's life in the supervisor: download the source
 * into the spool, run it in an executor (retried once if the executor dies),
 * store the outputs, publish scan and job events, and only then mark the
 * offset done. Downloads and uploads run on the transfer pool
 * (message_transfers.c); this file is the state machine around them.
 * Transient storage and delivery faults retry with exponential backoff and
 * jitter; a job whose attempts run out ends failed and is also copied to the
 * dead-letter topic. */
#define _GNU_SOURCE
#include "supervisor.h"

#include "alloc.h"
#include "kafka.h"
#include "media.h"
#include "pipeline.h"
#include "timeutil.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define EXECUTOR_ATTEMPTS 2 /* a job whose executor dies is retried once */
#define PROGRESS_INTERVAL_MS 500.0

static void *copy_bytes(const void *p, size_t n)
{
    void *c = aw_xmalloc(n ? n : 1);
    if (n > 0)
        memcpy(c, p, n);
    return c;
}

aw_message *aw_message_from_kafka(aw_supervisor *sv, const rd_kafka_message_t *m)
{
    aw_message *r = aw_xcalloc(1, sizeof *r);
    snprintf(r->topic, sizeof r->topic, "%s", rd_kafka_topic_name(m->rkt));
    r->partition = m->partition, r->offset = m->offset;
    r->key = copy_bytes(m->key, m->key_len), r->key_len = m->key_len;
    r->value = copy_bytes(m->payload, m->len), r->value_len = m->len;
    rd_kafka_headers_t *h = NULL;
    if (rd_kafka_message_headers(m, &h) == RD_KAFKA_RESP_ERR_NO_ERROR)
        r->headers = rd_kafka_headers_copy(h);
    aw_ce_headers ce;
    char buf[6][256];
    aw_kafka_ce_headers(m, &ce, buf);
    aw_error_clear(&r->failure);
    if (aw_event_decode(m->payload, m->len, &ce, &r->ev, &r->failure) != AW_OK)
        r->dead_letter_only = true;
    r->stages_asked = r->ev.stages;
    r->state = MSG_QUEUED;
    r->taken_ms = aw_time_mono_ms();
    aw_offsets_begin(sv->offsets, r->topic, r->partition, r->offset);
    return r;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* name inside the message's spool directory ("source", "out", "out/x.webp"). */
void aw_message_spool_path(const aw_message *r, const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", r->spool, name);
}

json_t *aw_message_spool_json(const aw_message *r, const char *name)
{
    char path[PATH_MAX + 32];
    aw_message_spool_path(r, name, path, sizeof path);
    json_t *v = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
    if (v != NULL && !json_is_object(v)) {
        json_decref(v);
        v = NULL;
    }
    return v;
}

/* The spool goes once no transfer uses it any more. */
void aw_message_clear_spool(aw_message *r)
{
    if (r->transfers > 0)
        return; /* cleared when the last one comes back */
    if (r->spool[0] != '\0')
        nftw(r->spool, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
    r->spool[0] = '\0';
}

void aw_message_free(aw_message *r)
{
    if (r == NULL)
        return;
    aw_message_clear_spool(r);
    json_decref(r->completed);
    json_decref(r->manifest);
    json_decref(r->reuse);
    if (r->headers != NULL)
        rd_kafka_headers_destroy(r->headers);
    free(r->key), free(r->value), free(r);
}

bool aw_message_asset_busy(const aw_supervisor *sv, const aw_message *r)
{
    for (const aw_message *o = sv->messages; o != NULL && o != r; o = o->next)
        if (!o->dead_letter_only && o->state != MSG_DONE &&
            strcmp(o->ev.asset_id, r->ev.asset_id) == 0)
            return true; /* an earlier event of the same asset is not finished */
    return false;
}

/* Exponential backoff with jitter: base·2^(n-1), capped, times [0.5, 1). */
static void back_off(aw_supervisor *sv, aw_message *r, int attempt)
{
    double delay = sv->cfg->backoff_base_ms;
    for (int i = 1; i < attempt && delay < sv->cfg->backoff_max_ms; i++)
        delay *= 2;
    if (delay > sv->cfg->backoff_max_ms)
        delay = sv->cfg->backoff_max_ms;
    r->not_before = aw_time_mono_ms() + delay * (0.5 + 0.5 * drand48());
}

static void finish(aw_supervisor *sv, aw_message *r)
{
    if (!r->abandoned) {
        aw_message_report_finished(sv, r);
        int64_t commit = aw_offsets_done(sv->offsets, r->topic, r->partition, r->offset);
        if (commit >= 0) {
            rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
            rd_kafka_topic_partition_list_add(l, r->topic, r->partition)->offset = commit;
            if (rd_kafka_offsets_store(sv->consumer, l) != RD_KAFKA_RESP_ERR_NO_ERROR ||
                l->elems[0].err != RD_KAFKA_RESP_ERR_NO_ERROR)
                aw_log_error("cannot store offset %lld of %s[%d]: %s", (long long)commit, r->topic,
                             (int)r->partition, rd_kafka_err2str(l->elems[0].err));
            rd_kafka_topic_partition_list_destroy(l);
        }
        sv->active--;
    }
    aw_message_clear_spool(r);
    r->state = MSG_DONE;
}

static void publish(aw_supervisor *sv, aw_message *r, const char *type, const char *discriminator,
                    json_t *data)
{
    char id[33];
    aw_event_id(id, r->ev.job_id, type, discriminator);
    int err = aw_kafka_publish(sv->producer, sv->cfg->topic_events, r->ev.asset_id, type, id,
                               sv->cfg->source, r->ev.traceparent, data, r);
    if (err == 0)
        r->deliveries++;
    else
        r->delivery_failed = true;
    json_decref(data);
}

static void publish_dead_letter(aw_supervisor *sv, aw_message *r)
{
    int err = aw_kafka_dead_letter(sv->producer, sv->cfg->topic_dlq, r->key, r->key_len, r->value,
                                   r->value_len, r->headers, aw_code_name(r->failure.code),
                                   r->failure.message, r->executor_attempts + r->io_attempts + 1,
                                   r->topic, r->partition, r->offset, r);
    if (err == 0)
        r->deliveries++;
    else
        r->delivery_failed = true;
}

/* Everything this message must tell: scan verdict, final status, DLQ copy. */
void aw_message_publish_final(aw_supervisor *sv, aw_message *r)
{
    r->state = MSG_PUBLISHING;
    r->delivery_failed = false;
    r->not_before = 0;
    if (r->dead_letter_only) {
        publish_dead_letter(sv, r);
        return;
    }
    const char *scan = json_string_value(json_object_get(r->completed, "scanStatus"));
    if (scan != NULL && strcmp(scan, "PENDING") != 0 && !r->no_scan_event)
        publish(sv, r, AW_TYPE_SCAN, "", aw_event_scan_completed(r->completed));
    publish(sv, r, AW_TYPE_COMPLETED, "", json_incref(r->completed));
    if (r->to_dead_letter)
        publish_dead_letter(sv, r);
}

/* The job ends failed without an executor result (storage, executor loss). */
static void fail_job(aw_supervisor *sv, aw_message *r, const char *stage, const aw_error *err,
                     bool dead_letter)
{
    aw_job job = {.job_id = r->ev.job_id, .asset_id = r->ev.asset_id};
    aw_result res;
    aw_result_init(&res);
    res.status = AW_JOB_FAILED;
    const aw_media_type *t = aw_media_by_mime(r->ev.mime);
    json_object_set_new(res.metadata, "type", json_string(aw_family_asset_type(t ? t->family : 0)));
    aw_result_add_error(&res, stage, err);
    json_object_set_new(res.metadata, "processing",
                        json_pack("{s:b,s:b,s:b}", "thumbnailGenerated", 0, "previewGenerated", 0,
                                  "metadataExtracted", 0));
    json_decref(r->completed);
    r->completed = aw_result_to_json(&res, &job);
    aw_result_free(&res);
    r->failure = *err;
    r->to_dead_letter = dead_letter;
    aw_message_clear_spool(r);
    aw_message_publish_final(sv, r);
}

/* A storage fault: retry later while attempts last, else fail the job. */
void aw_message_storage_fault(aw_supervisor *sv, aw_message *r, const aw_error *err)
{
    if (err->retriable && ++r->io_attempts < sv->cfg->max_attempts) {
        aw_message_report_retry(sv, r, "storage", err->message);
        back_off(sv, r, r->io_attempts);
        return;
    }
    fail_job(sv, r, "storage", err, err->retriable);
}

static void progress_event(aw_supervisor *sv, aw_message *r, const char *stage, int percent)
{
    char disc[96];
    snprintf(disc, sizeof disc, "%s:%d:%d", stage, percent, r->executor_attempts);
    json_t *data = aw_event_progress(r->ev.job_id, r->ev.asset_id, stage, percent, "processing");
    char id[33];
    aw_event_id(id, r->ev.job_id, AW_TYPE_PROGRESS, disc);
    /* progress is informative: not awaited before the offset is stored */
    aw_kafka_publish(sv->producer, sv->cfg->topic_events, r->ev.asset_id, AW_TYPE_PROGRESS, id,
                     sv->cfg->source, r->ev.traceparent, data, NULL);
    json_decref(data);
    r->last_progress = aw_time_mono_ms();
    r->progress_seq++;
}

/* Hands the fetched source to an idle executor, if there is one. */
static void start_execution(aw_supervisor *sv, aw_message *r)
{
    char input[PATH_MAX + 16], output[PATH_MAX + 16], scratch[PATH_MAX + 16];
    aw_message_spool_path(r, "source", input, sizeof input);
    aw_message_spool_path(r, "out", output, sizeof output);
    aw_message_spool_path(r, "tmp", scratch, sizeof scratch);
    aw_exec_request req = {r->ev.job_id, r->ev.asset_id, r->ev.mime,  input,
                           output,       scratch,        r->ev.stages};
    if (aw_pool_submit(sv->pool, r, &req, sv->cfg->job_timeout_ms) != AW_OK)
        return; /* no executor after all: try again on the next turn */
    r->state = MSG_EXECUTING;
    r->executing_since = aw_time_mono_ms();
    progress_event(sv, r, "queued", 0);
}

/* The executor is done with it, one way or another. */
static void count_busy_time(aw_supervisor *sv, const aw_message *r)
{
    aw_metrics_add(sv->metrics, AW_M_EXECUTOR_BUSY_SECONDS,
                   (aw_time_mono_ms() - r->executing_since) / 1000.0, NULL);
}

void aw_message_on_result(aw_supervisor *sv, aw_message *r, json_t *result)
{
    count_busy_time(sv, r);
    if (aw_message_reuse_after_scan(sv, r, result))
        return; /* a scan was all it needed: the outputs are copied */
    json_decref(r->completed);
    r->completed = json_deep_copy(result);
    aw_message_report_timings(sv, r);
    r->state = MSG_STORING;
    r->not_before = 0;
    aw_message_store_outputs(sv, r);
}

void aw_message_on_progress(aw_supervisor *sv, aw_message *r, const char *stage, int percent)
{
    if (stage == NULL || aw_time_mono_ms() - r->last_progress < PROGRESS_INTERVAL_MS)
        return;
    progress_event(sv, r, stage, percent);
}

/* A crash is retried once in a fresh executor (it may have been the
 * machine's, e.g. the kernel's OOM killer); a job or stage deadline, the
 * memory or CPU limit is what the file does, so it fails at once. */
void aw_message_on_lost(aw_supervisor *sv, aw_message *r, const aw_exec_loss *loss)
{
    count_busy_time(sv, r);
    aw_message_clear_spool(r);
    aw_log_fields f = aw_message_log_fields(r, loss->stage);
    aw_log(AW_LOG_WARN, &f, "executor lost (%s): %s", loss->reason, loss->message);
    if (loss->retry && ++r->executor_attempts < EXECUTOR_ATTEMPTS) {
        aw_message_report_retry(sv, r, "executor", loss->message);
        r->state = MSG_QUEUED;
        back_off(sv, r, r->executor_attempts);
        return;
    }
    aw_error err;
    aw_error_set(&err, AW_CODE_PROCESSING_FAILED, loss->reason, "%s (attempt %d)", loss->message,
                 r->executor_attempts + (loss->retry ? 0 : 1));
    fail_job(sv, r, loss->stage, &err, true);
}

void aw_message_on_delivery(aw_supervisor *sv, aw_message *r, rd_kafka_resp_err_t err)
{
    (void)sv;
    r->deliveries--;
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        r->delivery_failed = true;
}

void aw_message_abandon(aw_supervisor *sv, aw_message *r)
{
    if (r->state == MSG_DONE || r->abandoned)
        return;
    if (r->state == MSG_EXECUTING) {
        aw_pool_cancel(sv->pool, r);
        count_busy_time(sv, r);
    }
    r->abandoned = true;
    sv->active--;
    aw_message_clear_spool(r); /* or when its transfers come back */
    if (r->deliveries == 0)
        r->state = MSG_DONE;
}

bool aw_message_not_started(const aw_message *r)
{
    return !r->dead_letter_only && (r->state == MSG_QUEUED || r->state == MSG_PLANNING ||
                                    r->state == MSG_FETCHING || r->state == MSG_FETCHED);
}

/* Publishing is over: done, or produce again after a pause. Deliveries are
 * retried without limit: the offset is not stored meanwhile, so nothing is
 * lost, and the ids are deterministic, so the API tier drops duplicates. */
static void step_publishing(aw_supervisor *sv, aw_message *r)
{
    if (r->deliveries > 0)
        return;
    if (r->abandoned) {
        r->state = MSG_DONE;
        return;
    }
    if (!r->delivery_failed) {
        finish(sv, r);
        return;
    }
    if (r->not_before == 0) {
        aw_message_report_retry(sv, r, "delivery", "an event was not acknowledged by the broker");
        back_off(sv, r, ++r->io_attempts < 8 ? r->io_attempts : 8);
        return;
    }
    if (aw_time_mono_ms() >= r->not_before) {
        r->not_before = 0;
        aw_message_publish_final(sv, r);
    }
}

void aw_message_step(aw_supervisor *sv, aw_message *r)
{
    double now = aw_time_mono_ms();
    switch (r->state) {
    case MSG_QUEUED:
        if (r->dead_letter_only)
            aw_message_publish_final(sv, r);
        else if (aw_message_needs_plan(r) && now >= r->not_before && !aw_message_asset_busy(sv, r))
            aw_message_start_plan(sv, r);
        else if (!aw_message_needs_plan(r) && now >= r->not_before &&
                 aw_message_fetch_room(sv) > 0 && !aw_message_asset_busy(sv, r))
            aw_message_start_fetch(sv, r);
        break;
    case MSG_FETCHED:
        if (aw_pool_idle_count(sv->pool) > 0)
            start_execution(sv, r);
        break;
    case MSG_STORING:
        if (r->transfers == 0 && now >= r->not_before)
            aw_message_store_outputs(sv, r); /* the next attempt */
        break;
    case MSG_PUBLISHING: step_publishing(sv, r); break;
    default: break;
    }
}
