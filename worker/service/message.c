/* message.c — one input message's life, as one state machine: its states
 * (message_state, supervisor.h) and every transition between them are in
 * this file and nowhere else.
 *
 * Something wakes a message: the loop's turn (time has passed, an
 * executor or a fetch may be free), one of its storage requests coming
 * back, its executor's result or loss, a delivery report. run() hands the
 * wake to the handler of the message's state, which returns the next
 * state; a state reached that way runs at once on a plain turn, and so on
 * until one stays, waiting for its next wake (curl's multi_runsingle is
 * the model). Entering a state starts its work (enter_*).
 *
 * The work is beside it; each file reports an outcome back and calls
 * neither this file nor another step (scripts/call-pairs keeps it so):
 *   message_plan.c       the asset's manifest: read (PLANNING), written (RECORDING)
 *   message_transfers.c  the source fetched (FETCHING), the outputs stored (STORING)
 *   message_reuse.c      the reuse index looked up (LOOKUP), outputs copied (REUSING)
 *   message_publish.c    the final events (PUBLISHING), a failure's event, progress
 *   message_spool.c      the spool directory and the storage requests
 *   message_report.c     metrics and log lines
 *
 * A job whose executor dies is retried once. Transient storage and
 * delivery faults retry with exponential backoff and jitter; a job whose
 * storage attempts run out ends failed and is also copied to the
 * dead-letter topic. The offset is marked done only in DONE. */
#define _GNU_SOURCE
#include "supervisor.h"

#include "alloc.h"
#include "kafka.h"
#include "timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXECUTOR_ATTEMPTS 2      /* a job whose executor dies is retried once */
#define DELIVERY_BACKOFF_STEPS 8 /* deliveries retry forever; the delay stops growing */

typedef enum { WAKE_TURN, WAKE_TRANSFER, WAKE_RESULT, WAKE_LOST, WAKE_DELIVERY } wake_kind;

typedef struct wake {
    wake_kind kind;
    const aw_transfer *transfer; /* WAKE_TRANSFER: the request that came back */
    json_t *result;              /* WAKE_RESULT: the executor's result */
    const aw_exec_loss *loss;    /* WAKE_LOST: how the executor was lost */
} wake;

static message_state enter_planning(aw_supervisor *sv, aw_message *r);
static message_state enter_fetching(aw_supervisor *sv, aw_message *r);
static message_state enter_lookup(aw_supervisor *sv, aw_message *r);
static message_state enter_executing(aw_supervisor *sv, aw_message *r);
static message_state enter_reusing(aw_supervisor *sv, aw_message *r, json_t *scanned);
static message_state enter_storing(aw_supervisor *sv, aw_message *r);
static message_state enter_recording(aw_supervisor *sv, aw_message *r);
static message_state enter_publishing(aw_supervisor *sv, aw_message *r);
static message_state enter_done(aw_supervisor *sv, aw_message *r);

/* ---- guards ------------------------------------------------------------ */

static bool due(const aw_message *r)
{
    return aw_time_mono_ms() >= r->not_before;
}

/* An earlier event of the same asset is not finished: one job per asset. */
static bool asset_busy(const aw_supervisor *sv, const aw_message *r)
{
    for (const aw_message *o = sv->messages; o != NULL && o != r; o = o->next)
        if (!o->dead_letter_only && o->state != MSG_DONE &&
            strcmp(o->ev.asset_id, r->ev.asset_id) == 0)
            return true;
    return false;
}

/* Messages holding a source or fetching one: each is an executor's next job. */
static int staged(const aw_supervisor *sv)
{
    int n = 0;
    for (const aw_message *r = sv->messages; r != NULL; r = r->next)
        n += !r->abandoned &&
             (r->state == MSG_FETCHING || r->state == MSG_LOOKUP || r->state == MSG_FETCHED);
    return n;
}

/* Fetches may run ahead of the executors: one for each idle executor, plus
 * --prefetch for the busy ones, so a finished executor finds its next
 * source already in the spool. */
static int fetch_room(const aw_supervisor *sv)
{
    return aw_pool_idle_count(sv->pool) + sv->cfg->prefetch - staged(sv);
}

/* ---- retries and failures ---------------------------------------------- */

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

/* The job ends failed without an executor result: its event says why. */
static message_state fail(aw_supervisor *sv, aw_message *r, const char *stage, const aw_error *err,
                          bool dead_letter)
{
    aw_message_set_failed(r, stage, err);
    r->to_dead_letter = dead_letter;
    aw_message_clear_spool(r);
    return enter_publishing(sv, r);
}

/* A storage fault: wait in retry_in for another attempt while they last,
 * else fail the job. */
static message_state storage_fault(aw_supervisor *sv, aw_message *r, const aw_error *err,
                                   message_state retry_in)
{
    if (err->retriable && ++r->io_attempts < sv->cfg->max_attempts) {
        aw_message_report_retry(sv, r, "storage", err->message);
        back_off(sv, r, r->io_attempts);
        return retry_in;
    }
    return fail(sv, r, "storage", err, err->retriable);
}

/* A fault before the job ran: the spool goes (a retry makes the next
 * attempt's) and the message waits QUEUED, or fails. */
static message_state back_to_queue(aw_supervisor *sv, aw_message *r, const aw_error *err)
{
    aw_message_clear_spool(r);
    return storage_fault(sv, r, err, MSG_QUEUED);
}

/* The first failed request of a round of PUTs or COPYs is its error. */
static void note_failure(aw_message *r, const aw_transfer *t)
{
    if (t->rc != AW_OK && !r->store_failed)
        r->store_failed = true, r->store_error = t->err;
}

static void count_busy_time(aw_supervisor *sv, const aw_message *r)
{
    aw_metrics_add(sv->metrics, AW_M_EXECUTOR_BUSY_SECONDS,
                   (aw_time_mono_ms() - r->executing_since) / 1000.0, NULL);
}

/* A crash is retried once in a fresh executor (it may have been the
 * machine's, e.g. the kernel's OOM killer); a job or stage deadline, the
 * memory or CPU limit is what the file does, so it fails at once. */
static message_state executor_lost(aw_supervisor *sv, aw_message *r, const aw_exec_loss *loss)
{
    count_busy_time(sv, r);
    aw_message_clear_spool(r);
    aw_log_fields f = aw_message_log_fields(r, loss->stage);
    aw_log(AW_LOG_WARN, &f, "executor lost (%s): %s", loss->reason, loss->message);
    if (loss->retry && ++r->executor_attempts < EXECUTOR_ATTEMPTS) {
        aw_message_report_retry(sv, r, "executor", loss->message);
        back_off(sv, r, r->executor_attempts);
        return MSG_QUEUED;
    }
    aw_error err;
    aw_error_set(&err, AW_CODE_PROCESSING_FAILED, loss->reason, "%s (attempt %d)", loss->message,
                 r->executor_attempts + (loss->retry ? 0 : 1));
    return fail(sv, r, loss->stage, &err, true);
}

/* ---- the states, in a job's order: each on what woke it ---------------- */

/* Waits for its time, its asset and, to fetch, room; a regenerate plans
 * first. A malformed message only goes to the dead-letter topic. */
static message_state queued(aw_supervisor *sv, aw_message *r, const wake *w)
{
    (void)w;
    if (r->dead_letter_only)
        return enter_publishing(sv, r);
    if (!due(r) || asset_busy(sv, r))
        return MSG_QUEUED;
    if (aw_message_needs_plan(r))
        return enter_planning(sv, r);
    return fetch_room(sv) > 0 ? enter_fetching(sv, r) : MSG_QUEUED;
}

static message_state planning(aw_supervisor *sv, aw_message *r, const wake *w)
{
    if (w->kind != WAKE_TRANSFER)
        return MSG_PLANNING;
    switch (aw_message_read_manifest(sv, r, w->transfer)) {
    case AW_PLAN_FAULT: return back_to_queue(sv, r, &w->transfer->err);
    case AW_PLAN_ALL_CURRENT: aw_message_clear_spool(r); return enter_publishing(sv, r);
    case AW_PLAN_FETCH: break;
    }
    return MSG_QUEUED; /* planned: its fetch waits for room like any other */
}

static message_state fetching(aw_supervisor *sv, aw_message *r, const wake *w)
{
    if (w->kind != WAKE_TRANSFER)
        return MSG_FETCHING;
    if (w->transfer->rc != AW_OK)
        return back_to_queue(sv, r, &w->transfer->err);
    memcpy(r->source_sha256, w->transfer->sha256, sizeof r->source_sha256);
    return aw_message_may_reuse(sv, r) ? enter_lookup(sv, r) : MSG_FETCHED;
}

static message_state lookup(aw_supervisor *sv, aw_message *r, const wake *w)
{
    if (w->kind != WAKE_TRANSFER)
        return MSG_LOOKUP;
    switch (aw_message_judge_index_entry(sv, r, w->transfer)) {
    case AW_LOOKUP_COPY: return enter_reusing(sv, r, NULL);
    case AW_LOOKUP_SCAN_FIRST: break; /* the executor scans; EXECUTING judges it */
    case AW_LOOKUP_NONE: break;
    }
    return MSG_FETCHED;
}

static message_state fetched(aw_supervisor *sv, aw_message *r, const wake *w)
{
    (void)w;
    return aw_pool_idle_count(sv->pool) > 0 ? enter_executing(sv, r) : MSG_FETCHED;
}

/* The result: stored, or (a clean scan ahead of a reuse) all it needed. */
static message_state executing(aw_supervisor *sv, aw_message *r, const wake *w)
{
    if (w->kind == WAKE_LOST)
        return executor_lost(sv, r, w->loss);
    if (w->kind != WAKE_RESULT)
        return MSG_EXECUTING;
    count_busy_time(sv, r);
    if (r->reuse != NULL && aw_message_scan_lets_reuse(r, w->result))
        return enter_reusing(sv, r, w->result);
    json_decref(r->completed);
    r->completed = json_deep_copy(w->result);
    aw_message_report_timings(sv, r);
    return enter_storing(sv, r);
}

/* Every copy back: recorded, or (one failed) processed normally after all. */
static message_state reusing(aw_supervisor *sv, aw_message *r, const wake *w)
{
    if (w->kind != WAKE_TRANSFER)
        return MSG_REUSING;
    note_failure(r, w->transfer);
    if (r->transfers > 0)
        return MSG_REUSING;
    if (!r->store_failed)
        return enter_recording(sv, r);
    aw_message_forget_reuse(r, r->store_error.message);
    return MSG_FETCHED;
}

/* Every PUT back: recorded, or the round again after a pause. */
static message_state storing(aw_supervisor *sv, aw_message *r, const wake *w)
{
    if (w->kind == WAKE_TURN && r->transfers == 0 && due(r))
        return enter_storing(sv, r); /* the next attempt */
    if (w->kind != WAKE_TRANSFER)
        return MSG_STORING;
    note_failure(r, w->transfer);
    if (r->transfers > 0)
        return MSG_STORING;
    if (r->store_failed)
        return storage_fault(sv, r, &r->store_error, MSG_STORING);
    return enter_recording(sv, r);
}

/* The manifest (and index entry) back: published, or stored again. */
static message_state recording(aw_supervisor *sv, aw_message *r, const wake *w)
{
    if (w->kind != WAKE_TRANSFER)
        return MSG_RECORDING;
    if (aw_message_manifest_failed(r, w->transfer))
        note_failure(r, w->transfer);
    if (r->transfers > 0)
        return MSG_RECORDING;
    if (r->store_failed) /* the next attempt stores the outputs and this again */
        return storage_fault(sv, r, &r->store_error, MSG_STORING);
    aw_message_clear_spool(r);
    return enter_publishing(sv, r);
}

/* Every delivery reported: done, or produce again after a pause.
 * Deliveries are retried without limit: the offset is not stored
 * meanwhile, so nothing is lost, and the ids are deterministic, so the API
 * tier drops duplicates. An abandoned message only waits for its reports. */
static message_state publishing(aw_supervisor *sv, aw_message *r, const wake *w)
{
    (void)w;
    if (r->deliveries > 0)
        return MSG_PUBLISHING;
    if (r->abandoned)
        return MSG_DONE;
    if (!r->delivery_failed)
        return enter_done(sv, r);
    if (r->not_before == 0) {
        aw_message_report_retry(sv, r, "delivery", "an event was not acknowledged by the broker");
        int attempt = ++r->io_attempts;
        back_off(sv, r, attempt < DELIVERY_BACKOFF_STEPS ? attempt : DELIVERY_BACKOFF_STEPS);
        return MSG_PUBLISHING;
    }
    return due(r) ? enter_publishing(sv, r) : MSG_PUBLISHING;
}

/* Finished or abandoned; an abandoned one's spool goes with its last
 * transfer, and the loop frees it once nothing of it is out. */
static message_state done(aw_supervisor *sv, aw_message *r, const wake *w)
{
    (void)sv;
    if (w->kind == WAKE_TRANSFER)
        aw_message_clear_spool(r);
    return MSG_DONE;
}

typedef message_state state_handler(aw_supervisor *sv, aw_message *r, const wake *w);

/* Where each state may go; entering one may go on at once (REUSING with
 * nothing to copy records, RECORDING with nothing to write publishes), and
 * any message is DONE when abandoned (aw_message_abandon). */
static state_handler *const handlers[] = {
    [MSG_QUEUED] = queued,         /* PLANNING, FETCHING; PUBLISHING: dead letter, failed */
    [MSG_PLANNING] = planning,     /* QUEUED: planned or retry; PUBLISHING: all current, failed */
    [MSG_FETCHING] = fetching,     /* LOOKUP, FETCHED; QUEUED: retry; PUBLISHING: failed */
    [MSG_LOOKUP] = lookup,         /* FETCHED: no entry or scan first; REUSING */
    [MSG_FETCHED] = fetched,       /* EXECUTING */
    [MSG_EXECUTING] = executing,   /* STORING; REUSING: clean scan; QUEUED: retry; PUBLISHING */
    [MSG_REUSING] = reusing,       /* RECORDING; FETCHED: a copy failed */
    [MSG_STORING] = storing,       /* RECORDING; STORING: retry; PUBLISHING: failed */
    [MSG_RECORDING] = recording,   /* PUBLISHING; STORING: retry (failed: PUBLISHING) */
    [MSG_PUBLISHING] = publishing, /* DONE; PUBLISHING: again after a pause */
    [MSG_DONE] = done,
};

/* The wake goes to the message's state; each state it moves to runs at
 * once on a plain turn, until one stays. */
static void run(aw_supervisor *sv, aw_message *r, const wake *w)
{
    static const wake turn = {.kind = WAKE_TURN};
    for (message_state from = r->state;; from = r->state) {
        r->state = handlers[from](sv, r, w);
        if (r->state == from)
            return;
        w = &turn;
    }
}

/* ---- entering a state: its work starts --------------------------------- */

/* The spool directory of this attempt, made by the first request needing it. */
static bool has_spool(aw_supervisor *sv, aw_message *r, aw_error *err)
{
    aw_error_clear(err);
    return r->spool[0] != '\0' || aw_message_make_spool(sv, r, err) == AW_OK;
}

static message_state enter_planning(aw_supervisor *sv, aw_message *r)
{
    aw_error err;
    if (!has_spool(sv, r, &err))
        return back_to_queue(sv, r, &err);
    aw_message_get_manifest(sv, r);
    return MSG_PLANNING;
}

static message_state enter_fetching(aw_supervisor *sv, aw_message *r)
{
    aw_error err;
    if (!has_spool(sv, r, &err))
        return back_to_queue(sv, r, &err);
    aw_message_get_source(sv, r);
    return MSG_FETCHING;
}

static message_state enter_lookup(aw_supervisor *sv, aw_message *r)
{
    aw_message_get_index_entry(sv, r);
    return MSG_LOOKUP;
}

/* The fetched source to an idle executor (none after all: FETCHED still). */
static message_state enter_executing(aw_supervisor *sv, aw_message *r)
{
    aw_exec_request req = {r->ev.job_id, r->ev.asset_id, r->ev.mime, r->spool, r->ev.stages};
    if (aw_pool_submit(sv->pool, r, &req, sv->cfg->job_timeout_ms) != AW_OK)
        return MSG_FETCHED;
    r->executing_since = aw_time_mono_ms();
    aw_message_publish_progress(sv, r, "queued", 0);
    return MSG_EXECUTING;
}

/* scanned: the executor's clean scan, or NULL when the verdict is reused too. */
static message_state enter_reusing(aw_supervisor *sv, aw_message *r, json_t *scanned)
{
    r->store_failed = false;
    aw_message_copy_outputs(sv, r, scanned);
    return r->transfers > 0 ? MSG_REUSING : enter_recording(sv, r);
}

static message_state enter_storing(aw_supervisor *sv, aw_message *r)
{
    r->not_before = 0;
    if (r->reuse != NULL) /* copied already: only the manifest is left */
        return enter_recording(sv, r);
    r->store_failed = false;
    aw_message_put_outputs(sv, r);
    return r->transfers > 0 ? MSG_STORING : enter_recording(sv, r);
}

/* The outputs are durable: the manifest, and for an upload the index entry. */
static message_state enter_recording(aw_supervisor *sv, aw_message *r)
{
    r->store_failed = false;
    if (!aw_message_put_manifest(sv, r)) {
        aw_message_clear_spool(r);
        return enter_publishing(sv, r); /* nothing to record */
    }
    aw_message_put_index_entry(sv, r);
    return MSG_RECORDING;
}

static message_state enter_publishing(aw_supervisor *sv, aw_message *r)
{
    r->not_before = 0;
    aw_message_publish_final(sv, r);
    return MSG_PUBLISHING;
}

/* Its offset is stored once it and all before it on the partition are
 * done; librdkafka commits it. */
static void store_offset(aw_supervisor *sv, const aw_message *r)
{
    int64_t commit = aw_offsets_done(sv->offsets, r->topic, r->partition, r->offset);
    if (commit < 0)
        return;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, r->topic, r->partition)->offset = commit;
    if (rd_kafka_offsets_store(sv->consumer, l) != RD_KAFKA_RESP_ERR_NO_ERROR ||
        l->elems[0].err != RD_KAFKA_RESP_ERR_NO_ERROR)
        aw_log_error("cannot store offset %lld of %s[%d]: %s", (long long)commit, r->topic,
                     (int)r->partition, rd_kafka_err2str(l->elems[0].err));
    rd_kafka_topic_partition_list_destroy(l);
}

static message_state enter_done(aw_supervisor *sv, aw_message *r)
{
    aw_message_report_finished(sv, r);
    store_offset(sv, r);
    sv->active--;
    aw_message_clear_spool(r);
    return MSG_DONE;
}

/* ---- the wakes, and the way in and out --------------------------------- */

void aw_message_step(aw_supervisor *sv, aw_message *r)
{
    run(sv, r, &(const wake){.kind = WAKE_TURN});
}

void aw_message_on_transfer(aw_supervisor *sv, aw_transfer *t)
{
    aw_message *r = t->owner;
    r->transfers--;
    aw_message_report_transfer(sv, t);
    run(sv, r, &(const wake){.kind = WAKE_TRANSFER, .transfer = t});
    aw_transfer_free(t);
}

void aw_message_on_result(aw_supervisor *sv, aw_message *r, json_t *result)
{
    run(sv, r, &(const wake){.kind = WAKE_RESULT, .result = result});
}

void aw_message_on_lost(aw_supervisor *sv, aw_message *r, const aw_exec_loss *loss)
{
    run(sv, r, &(const wake){.kind = WAKE_LOST, .loss = loss});
}

void aw_message_on_delivery(aw_supervisor *sv, aw_message *r, rd_kafka_resp_err_t err)
{
    r->deliveries--;
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        r->delivery_failed = true;
    run(sv, r, &(const wake){.kind = WAKE_DELIVERY});
}

/* Partition revoked or shutdown: never committed (it is delivered again).
 * Its executor is killed; it is DONE at once, or once its deliveries are
 * reported (PUBLISHING), and freed once its transfers are back too. */
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

static void *copy_bytes(const void *p, size_t n)
{
    void *c = aw_xmalloc(n ? n : 1);
    if (n > 0)
        memcpy(c, p, n);
    return c;
}

/* A message taken from the consumer: QUEUED, its offset begun. */
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
