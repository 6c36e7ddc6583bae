/* supervisor_drain.c — partitions given back: revoked or lost in a
 * rebalance, or all of them at shutdown. The jobs in flight for them
 * finish within the grace period, messages no executor has taken yet are
 * handed back at once, the stored offsets are committed, and whatever is
 * left is abandoned: its offset is never stored, so it is delivered again,
 * here or to another member. */
#define _GNU_SOURCE
#include "supervisor.h"

#include "log.h"
#include "timeutil.h"

#include <string.h>

/* How long commits may take once the jobs are drained: bounded, so a pod
 * stops within grace + these (terminationGracePeriodSeconds must cover it). */
#define FINAL_COMMIT_MS 10000.0
#define REVOKE_COMMIT_MS 5000.0

static bool in_list(const rd_kafka_topic_partition_list_t *l, const aw_message *r)
{
    return rd_kafka_topic_partition_list_find(l, r->topic, r->partition) != NULL;
}

static int active_in(const aw_supervisor *sv, const rd_kafka_topic_partition_list_t *l)
{
    int n = 0;
    for (const aw_message *r = sv->messages; r != NULL; r = r->next)
        n += r->state != MSG_DONE && !r->abandoned && in_list(l, r);
    return n;
}

/* Polls the consumer (rebalances, the group's heartbeat state) while
 * stopping: a message that comes is not taken, so its offset is not stored
 * and it will be delivered again. */
static void poll_discarding(aw_supervisor *sv, int timeout_ms)
{
    rd_kafka_message_t *m = rd_kafka_consumer_poll(sv->consumer, timeout_ms);
    if (m != NULL)
        rd_kafka_message_destroy(m);
}

typedef struct commit_wait {
    bool done;
    rd_kafka_resp_err_t err;
} commit_wait;

/* A commit succeeded only if every partition in it did: a broker may refuse
 * one partition's offset (timed out, not coordinator) in a reply whose
 * overall error is none, and such a commit must be tried again. */
static void commit_result(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t *offsets, void *opaque)
{
    (void)rk;
    commit_wait *w = opaque;
    for (int i = 0; err == RD_KAFKA_RESP_ERR_NO_ERROR && offsets != NULL && i < offsets->cnt; i++)
        err = offsets->elems[i].err;
    w->err = err, w->done = true;
}

static void add_stored(const char *topic, int32_t partition, int64_t offset, void *arg)
{
    rd_kafka_topic_partition_list_add(arg, topic, partition)->offset = offset;
}

/* The offsets this member stored, of the partitions in l (or of all), as
 * an explicit list: committed as our own tracking has them, not as
 * librdkafka's bookkeeping of stored and committed offsets does (once,
 * after commits retried through coordinator errors, a partition was left
 * committed short of a job whose offset was stored before the stop). */
static rd_kafka_topic_partition_list_t *stored_offsets(const aw_supervisor *sv,
                                                       const rd_kafka_topic_partition_list_t *l)
{
    rd_kafka_topic_partition_list_t *out = rd_kafka_topic_partition_list_new(8);
    if (l == NULL) {
        aw_offsets_each_stored(sv->offsets, add_stored, out);
        return out;
    }
    for (int i = 0; i < l->cnt; i++) {
        int64_t offset = aw_offsets_stored(sv->offsets, l->elems[i].topic, l->elems[i].partition);
        if (offset >= 0)
            add_stored(l->elems[i].topic, l->elems[i].partition, offset, out);
    }
    return out;
}

/* One commit of the offsets stored for the partitions in l (or all),
 * waited for at most until deadline. Inside a rebalance callback the
 * consumer may not be polled (poll false). */
static rd_kafka_resp_err_t commit_once(aw_supervisor *sv, const rd_kafka_topic_partition_list_t *l,
                                       double deadline, bool poll)
{
    rd_kafka_topic_partition_list_t *offsets = stored_offsets(sv, l);
    if (offsets->cnt == 0) {
        rd_kafka_topic_partition_list_destroy(offsets);
        return RD_KAFKA_RESP_ERR__NO_OFFSET;
    }
    commit_wait w = {false, RD_KAFKA_RESP_ERR__TIMED_OUT};
    rd_kafka_queue_t *q = rd_kafka_queue_new(sv->consumer);
    rd_kafka_commit_queue(sv->consumer, offsets, q, commit_result, &w);
    rd_kafka_topic_partition_list_destroy(offsets); /* copied by the call */
    while (!w.done && aw_time_mono_ms() < deadline) {
        rd_kafka_queue_poll_callback(q, 50);
        if (poll)
            poll_discarding(sv, 0);
    }
    rd_kafka_queue_destroy(q);
    return w.err;
}

/* Commits the stored offsets before leaving the group, retrying: a commit
 * made while the group rebalances (another member left) is refused until
 * this member has rejoined, which the consumer poll lets it do. */
static void commit_before_leaving(aw_supervisor *sv, double deadline)
{
    for (;;) {
        rd_kafka_resp_err_t err = commit_once(sv, NULL, deadline, true);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET)
            return;
        if (aw_time_mono_ms() >= deadline) {
            aw_log_warn("final offset commit failed: %s (those jobs will be delivered again)",
                        rd_kafka_err2str(err));
            return;
        }
        poll_discarding(sv, 200);
    }
}

/* Hands back messages that no executor has taken yet, fetched or not (of
 * the partitions in l, or all):
 * their offsets are not stored, so they are delivered again, here or to
 * another member. Dead letters are quick and finish anyway. */
void aw_supervisor_hand_back_queued(aw_supervisor *sv, const rd_kafka_topic_partition_list_t *l)
{
    for (aw_message *r = sv->messages; r != NULL; r = r->next)
        if (aw_message_not_started(r) && (l == NULL || in_list(l, r)))
            aw_message_abandon(sv, r);
}

/* Finishes the jobs in flight for these partitions within the grace period,
 * commits, and abandons the rest (another member will get it again). */
static void drain(aw_supervisor *sv, const rd_kafka_topic_partition_list_t *l, bool lost)
{
    double deadline = aw_time_mono_ms() + (lost ? 0 : sv->cfg->grace_ms);
    aw_supervisor_hand_back_queued(sv, l);
    while (active_in(sv, l) > 0 && aw_time_mono_ms() < deadline)
        aw_supervisor_pump(sv, 20);
    for (aw_message *r = sv->messages; r != NULL; r = r->next)
        if (in_list(l, r))
            aw_message_abandon(sv, r);
    if (!lost) /* bounded: a commit can hang while the group rebalances */
        commit_once(sv, l, aw_time_mono_ms() + REVOKE_COMMIT_MS, false);
    for (int i = 0; i < l->cnt; i++)
        aw_offsets_drop(sv->offsets, l->elems[i].topic, l->elems[i].partition);
}

/* Assigned partitions are taken (paused if intake is); revoked or lost
 * ones are drained first, then given up. */
void aw_supervisor_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                             rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    aw_supervisor *sv = opaque;
    bool cooperative = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        aw_log_info("assigned %d partition(s)", parts->cnt);
        sv->ever_assigned = true;
        if (cooperative)
            rd_kafka_incremental_assign(rk, parts);
        else
            rd_kafka_assign(rk, parts);
        if (sv->paused || sv->stopping)
            rd_kafka_pause_partitions(rk, parts);
        return;
    }
    bool lost = rd_kafka_assignment_lost(rk);
    aw_log_info("%s %d partition(s)", lost ? "lost" : "revoked", parts->cnt);
    drain(sv, parts, lost);
    if (cooperative)
        rd_kafka_incremental_unassign(rk, parts);
    else
        rd_kafka_assign(rk, NULL);
}

/* librdkafka 2.0 (Debian 12) aborts when a cooperative-sticky consumer is
 * closed before its first assignment (librdkafka issue #4312, fixed in 2.3).
 * Wait for that first rebalance, bounded; if it never comes, leave without
 * closing: the group drops the member after session.timeout.ms. The handle
 * stays reachable here so the process exit is clean. */
static rd_kafka_t *unclosable;

static bool safe_to_close(aw_supervisor *sv)
{
    double deadline = aw_time_mono_ms() + FINAL_COMMIT_MS;
    while (!sv->ever_assigned && aw_time_mono_ms() < deadline)
        poll_discarding(sv, 100);
    if (!sv->ever_assigned)
        aw_log_warn("leaving without closing the consumer: no assignment yet (librdkafka #4312)");
    return sv->ever_assigned;
}

/* After the loop: everything still in flight is abandoned, the stored
 * offsets are committed as the member leaves the group, the producer is
 * flushed and the messages are freed. */
void aw_supervisor_shut_down(aw_supervisor *sv)
{
    for (aw_message *r = sv->messages; r != NULL; r = r->next)
        aw_message_abandon(sv, r);
    if (safe_to_close(sv)) {
        commit_before_leaving(sv, aw_time_mono_ms() + FINAL_COMMIT_MS);
        rd_kafka_consumer_close(sv->consumer); /* leaves the group */
        rd_kafka_destroy(sv->consumer);
    } else {
        unclosable = sv->consumer;
    }
    rd_kafka_flush(sv->producer, 10000);
    rd_kafka_destroy(sv->producer);
    sv->consumer = sv->producer = NULL;
    aw_transfers_free(sv->transfers); /* no thread writes a spool after this */
    sv->transfers = NULL;
    while (sv->messages != NULL) {
        aw_message *r = sv->messages;
        sv->messages = r->next;
        r->transfers = 0; /* the pool is gone: its spool can go now */
        aw_message_free(r);
    }
}
