/* supervisor.c — the service loop (DESIGN §1, §5): one thread polls the
 * executors, the producer's delivery reports and the consumer; pauses the
 * partitions when every executor is busy; drains on revoke and on SIGTERM. */
#define _GNU_SOURCE
#include "supervisor.h"

#include "embedded.h"
#include "kafka.h"
#include "log.h"
#include "timeutil.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* How long commits may take once the jobs are drained: bounded, so a pod
 * stops within grace + these (terminationGracePeriodSeconds must cover it). */
#define FINAL_COMMIT_MS 10000.0
#define REVOKE_COMMIT_MS 5000.0

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* ---- executor callbacks ------------------------------------------------ */

static void on_progress(void *owner, void *job, const char *stage, int percent)
{
    aw_message_on_progress(owner, job, stage, percent);
}

static void on_result(void *owner, void *job, json_t *result)
{
    aw_message_on_result(owner, job, result);
}

static void on_lost(void *owner, void *job, const aw_exec_loss *loss)
{
    aw_message_on_lost(owner, job, loss);
}

static void on_restarted(void *owner, const char *reason)
{
    aw_supervisor *sv = owner;
    aw_metrics_add(sv->metrics, AW_M_EXECUTOR_RESTARTS, 1, "reason", reason, NULL);
}

/* Says at start-up what the executors give up before each job. */
static void log_sandbox(const aw_service_config *cfg)
{
    const aw_sandbox_config *sb = &cfg->sandbox;
    int abi = aw_sandbox_landlock_abi();
    if (!sb->enabled) {
        aw_log_warn("sandbox OFF (--sandbox off): executors run jobs unconfined");
        return;
    }
    aw_log_info("sandbox: seccomp filter, limits (memory +%llu MiB, CPU %u s, files %llu MiB, "
                "%u open files, stage %.0f s, job %.0f s), %s",
                (unsigned long long)(sb->memory_bytes >> 20), sb->cpu_seconds,
                (unsigned long long)(sb->file_bytes >> 20), sb->open_files,
                cfg->stage_timeout_ms / 1000, cfg->job_timeout_ms / 1000,
                abi > 0 ? "Landlock file confinement"
                        : "NO file confinement (the kernel has no Landlock)");
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    if (m->_private != NULL)
        aw_message_on_delivery(opaque, m->_private, m->err);
    if (m->err)
        aw_log_warn("delivery to %s failed: %s", rd_kafka_topic_name(m->rkt),
                    rd_kafka_err2str(m->err));
}

/* ---- the pump: everything but taking new messages ---------------------- */

static void step_messages(aw_supervisor *sv)
{
    aw_message **link = &sv->messages;
    for (aw_message *r = sv->messages; r != NULL; r = r->next)
        aw_message_step(sv, r);
    while (*link != NULL) { /* unlink finished messages */
        aw_message *r = *link;
        if (r->state == MSG_DONE && r->deliveries == 0 && r->transfers == 0) {
            *link = r->next;
            aw_message_free(r);
        } else {
            link = &r->next;
        }
    }
}

#ifdef AW_TEST_FAULTS
/* Test builds: AW_TEST_DAWDLE_MS holds the loop up between poll and
 * dispatch, as a blocking storage request once did, so executors finish
 * and exit while their sockets wait unread. */
static void dawdle(void)
{
    const char *ms = getenv("AW_TEST_DAWDLE_MS");
    if (ms != NULL)
        usleep((useconds_t)atoi(ms) * 1000);
}
#else
static void dawdle(void)
{
}
#endif

/* Finished storage requests go back to their messages. */
static void take_transfers(aw_supervisor *sv)
{
    aw_transfer *t;
    while ((t = aw_transfers_next_done(sv->transfers)) != NULL)
        aw_message_on_transfer(sv, t);
}

/* Executors and the zygotes' channels, the ClamAV watch, the transfer pool. */
#define POLL_MAX (AW_MAX_CONCURRENCY + 16)

static void pump(aw_supervisor *sv, int timeout_ms)
{
    struct pollfd fds[POLL_MAX];
    int n = aw_pool_pollfds(sv->pool, fds, POLL_MAX - 1);
    n += aw_engines_pollfds(&sv->engines, fds + n, POLL_MAX - 1 - n);
    fds[n++] = (struct pollfd){.fd = aw_transfers_fd(sv->transfers), .events = POLLIN};
    poll(fds, (nfds_t)n, timeout_ms);
    dawdle();
    take_transfers(sv);
    aw_pool_dispatch(sv->pool, fds, n);
    aw_engines_step(&sv->engines, sv->pool);
    rd_kafka_poll(sv->producer, 0);
    step_messages(sv);
    aw_health_update(sv);
}

/* ---- partitions ------------------------------------------------------- */

static void set_paused(aw_supervisor *sv, bool pause)
{
    rd_kafka_topic_partition_list_t *a = NULL;
    if (rd_kafka_assignment(sv->consumer, &a) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return;
    if (pause)
        rd_kafka_pause_partitions(sv->consumer, a);
    else
        rd_kafka_resume_partitions(sv->consumer, a);
    rd_kafka_topic_partition_list_destroy(a);
    sv->paused = pause;
}

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

/* One commit of the stored offsets, waited for at most until deadline.
 * Inside a rebalance callback the consumer may not be polled (poll false). */
static rd_kafka_resp_err_t commit_once(aw_supervisor *sv, double deadline, bool poll)
{
    commit_wait w = {false, RD_KAFKA_RESP_ERR__TIMED_OUT};
    rd_kafka_queue_t *q = rd_kafka_queue_new(sv->consumer);
    rd_kafka_commit_queue(sv->consumer, NULL, q, commit_result, &w);
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
        rd_kafka_resp_err_t err = commit_once(sv, deadline, true);
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
static void hand_back_queued(aw_supervisor *sv, const rd_kafka_topic_partition_list_t *l)
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
    hand_back_queued(sv, l);
    while (active_in(sv, l) > 0 && aw_time_mono_ms() < deadline)
        pump(sv, 20);
    for (aw_message *r = sv->messages; r != NULL; r = r->next)
        if (in_list(l, r))
            aw_message_abandon(sv, r);
    if (!lost) /* bounded: a commit can hang while the group rebalances */
        commit_once(sv, aw_time_mono_ms() + REVOKE_COMMIT_MS, false);
    for (int i = 0; i < l->cnt; i++)
        aw_offsets_drop(sv->offsets, l->elems[i].topic, l->elems[i].partition);
}

static void rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
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

/* ---- intake ----------------------------------------------------------- */

static void take(aw_supervisor *sv, rd_kafka_message_t *m)
{
    if (m->err) {
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            aw_log_warn("consumer: %s", rd_kafka_message_errstr(m));
        return;
    }
    if (sv->stopping)
        return; /* not stored: it will be delivered again */
    aw_message *r = aw_message_from_kafka(sv, m);
    aw_message **tail = &sv->messages;
    while (*tail != NULL)
        tail = &(*tail)->next;
    *tail = r;
    sv->active++;
}

/* Taken messages are bounded: enough for every executor to have one
 * running and one fetched, with outputs of as many again being stored. */
static void intake(aw_supervisor *sv)
{
    int room = 2 * (aw_pool_size(sv->pool) + sv->cfg->prefetch);
    for (int i = 0; i < 64; i++) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(sv->consumer, 0);
        if (m == NULL)
            break;
        take(sv, m);
        rd_kafka_message_destroy(m);
    }
    if (!sv->paused && sv->active >= room)
        set_paused(sv, true);
    else if (sv->paused && !sv->stopping && sv->active < room / 2)
        set_paused(sv, false);
}

/* ---- set-up ----------------------------------------------------------- */

static rd_kafka_t *make_producer(aw_supervisor *sv, char *errstr, size_t n)
{
    static const char *const fixed[] = {"enable.idempotence", "true", "acks", "all", NULL};
    rd_kafka_conf_t *conf = aw_kafka_conf(sv->cfg, fixed, errstr, n);
    if (conf == NULL)
        return NULL;
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, sv);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, n);
    if (rk == NULL)
        rd_kafka_conf_destroy(conf); /* rd_kafka_new owns it only on success */
    return rk;
}

static void on_commit(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                      rd_kafka_topic_partition_list_t *offsets, void *opaque)
{
    (void)rk, (void)opaque, (void)offsets;
    /* automatic commits retry on their own at the next interval */
    if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
        aw_log_warn("offset commit failed (retried): %s", rd_kafka_err2str(err));
}

static void on_kafka_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)rk;
    aw_health_on_kafka_error(opaque, (rd_kafka_resp_err_t)err, reason);
}

static int on_statistics(rd_kafka_t *rk, char *json, size_t len, void *opaque)
{
    (void)rk, (void)len;
    aw_health_on_statistics(opaque, json);
    return 0; /* librdkafka frees json */
}

static rd_kafka_t *make_consumer(aw_supervisor *sv, char *errstr, size_t n)
{
    static const char *const fixed[] = {"enable.auto.offset.store", "false", "enable.auto.commit",
                                        "true", NULL};
    const char *const defaults[] = {"group.id",
                                    sv->cfg->group,
                                    "partition.assignment.strategy",
                                    "cooperative-sticky",
                                    "auto.offset.reset",
                                    "earliest",
                                    "auto.commit.interval.ms",
                                    "1000",
                                    "statistics.interval.ms",
                                    "5000",
                                    NULL};
    rd_kafka_conf_t *conf = aw_kafka_conf(sv->cfg, fixed, errstr, n);
    if (conf == NULL)
        return NULL;
    for (int i = 0; defaults[i] != NULL; i += 2) { /* overridable with -X */
        size_t klen = strlen(defaults[i]);
        bool set_by_user = false;
        for (int k = 0; k < sv->cfg->n_kafka_props; k++)
            set_by_user |= strncmp(sv->cfg->kafka_props[k], defaults[i], klen) == 0 &&
                           sv->cfg->kafka_props[k][klen] == '=';
        if (!set_by_user)
            rd_kafka_conf_set(conf, defaults[i], defaults[i + 1], errstr, n);
    }
    rd_kafka_conf_set_rebalance_cb(conf, rebalance);
    rd_kafka_conf_set_offset_commit_cb(conf, on_commit);
    rd_kafka_conf_set_error_cb(conf, on_kafka_error);
    rd_kafka_conf_set_stats_cb(conf, on_statistics);
    rd_kafka_conf_set_opaque(conf, sv);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, n);
    if (rk != NULL)
        rd_kafka_poll_set_consumer(rk);
    else
        rd_kafka_conf_destroy(conf); /* rd_kafka_new owns it only on success */
    return rk;
}

static int subscribe(aw_supervisor *sv)
{
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(2);
    rd_kafka_topic_partition_list_add(topics, sv->cfg->topic_uploads, RD_KAFKA_PARTITION_UA);
    rd_kafka_topic_partition_list_add(topics, sv->cfg->topic_regenerate, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(sv->consumer, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err)
        aw_log_error("subscribe: %s", rd_kafka_err2str(err));
    return err ? -1 : 0;
}

static int open_storage(aw_supervisor *sv)
{
    char dir[PATH_MAX + 16];
    if (sv->cfg->storage_url == NULL && sv->cfg->embedded) {
        static char url[PATH_MAX + 32];
        if (getcwd(dir, sizeof dir - 16) == NULL)
            return -1;
        strcat(dir, "/aw-storage");
        mkdir(dir, 0755);
        snprintf(url, sizeof url, "file://%s", dir);
        sv->cfg->storage_url = url;
    }
    aw_error err;
    sv->storage = aw_storage_open(sv->cfg->storage_url, &err);
    if (sv->storage == NULL)
        aw_log_error("storage: %s", err.message);
    return sv->storage ? 0 : -1;
}

static int make_spool(aw_service_config *cfg)
{
    static char dir[PATH_MAX];
    if (cfg->spool_dir == NULL) {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/asset-worker-spool-%d", tmp && *tmp ? tmp : "/tmp",
                 (int)getpid());
        cfg->spool_dir = dir;
    }
    if (mkdir(cfg->spool_dir, 0700) != 0 && errno != EEXIST) {
        aw_log_error("spool %s: %s", cfg->spool_dir, strerror(errno));
        return -1;
    }
    return 0;
}

static void watch_signals(void)
{
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* ---- the loop and the way out ------------------------------------------ */

static void serve(aw_supervisor *sv)
{
    double deadline = 0;
    for (;;) {
        if (stop_requested && !sv->stopping) {
            aw_log_info("stopping: finishing the jobs in flight for up to %.0f s",
                        sv->cfg->grace_ms / 1000);
            sv->stopping = true;
            set_paused(sv, true);
            hand_back_queued(sv, NULL);
            deadline = aw_time_mono_ms() + sv->cfg->grace_ms;
        }
        if (sv->stopping && (sv->active == 0 || aw_time_mono_ms() > deadline))
            break;
        pump(sv, 20);
        intake(sv);
    }
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

static void shut_down(aw_supervisor *sv)
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

static int start_clients(aw_supervisor *sv)
{
    char errstr[512];
    sv->producer = make_producer(sv, errstr, sizeof errstr);
    if (sv->producer != NULL)
        sv->consumer = make_consumer(sv, errstr, sizeof errstr);
    if (sv->producer == NULL || sv->consumer == NULL) {
        aw_log_error("kafka: %s", errstr);
        return -1;
    }
    return subscribe(sv);
}

static int start_http(aw_supervisor *sv)
{
    if (sv->cfg->http_port == 0)
        return 0;
    aw_error err;
    sv->http = aw_http_start(sv->cfg->http_address, sv->cfg->http_port, sv->metrics, &err);
    if (sv->http == NULL) {
        aw_log_error("%s", err.message);
        return -1;
    }
    aw_log_info("http: /healthz, /readyz, /metrics on %s:%d", sv->cfg->http_address,
                aw_http_port(sv->http));
    return 0;
}

static int start_transfers(aw_supervisor *sv)
{
    aw_error err;
    sv->transfers = aw_transfers_new(sv->storage, sv->cfg->transfers, &err);
    if (sv->transfers == NULL)
        aw_log_error("%s", err.message);
    return sv->transfers != NULL ? 0 : -1;
}

static aw_pool *start_pool(aw_supervisor *sv, aw_zygote *z)
{
    aw_error err;
    const aw_pool_limits limits = {sv->cfg->stage_timeout_ms, sv->cfg->sandbox.memory_bytes};
    const aw_pool_callbacks cb = {on_progress, on_result, on_lost, on_restarted};
    aw_pool *p = aw_pool_new(z, sv->cfg->concurrency, &limits, &cb, sv, &err);
    if (p == NULL)
        aw_log_error("executors: %s", err.message);
    return p;
}

/* Everything before the loop: HTTP, the first zygote, the embedded
 * cluster, spool, storage, executors, Kafka clients. */
static int start(aw_supervisor *sv, aw_embedded **mock)
{
    aw_error err;
    aw_service_config *cfg = sv->cfg;
    if (start_http(sv) != 0)
        return -1;
    aw_zygote *z = aw_engines_start(&sv->engines, cfg, sv->metrics, &err);
    if (z == NULL) {
        aw_log_error("set-up failed: %s", err.message);
        return -1;
    }
    if ((sv->pool = start_pool(sv, z)) == NULL)
        return -1;
    if (cfg->embedded && (*mock = aw_embedded_start(cfg, &err)) == NULL) {
        aw_log_error("embedded cluster: %s", err.message);
        return -1;
    }
    return make_spool(cfg) == 0 && open_storage(sv) == 0 && start_transfers(sv) == 0 &&
                   start_clients(sv) == 0
               ? 0
               : -1;
}

int aw_service_run(aw_service_config *cfg)
{
    aw_log_setup(cfg->log_level, cfg->log_format);
    watch_signals(); /* a SIGTERM during start-up still ends in an orderly exit 0 */
    aw_supervisor sv = {.cfg = cfg, .offsets = aw_offsets_new(), .metrics = aw_metrics_new()};
    aw_embedded *mock = NULL;
    int rc = 3;
    srand48((long)getpid() ^ (long)aw_time_mono_ms());
    aw_metrics_set(sv.metrics, AW_M_IN_FLIGHT, 0, NULL);
    aw_metrics_add(sv.metrics, AW_M_DEAD_LETTERS, 0, NULL);
    if (start(&sv, &mock) == 0) {
        aw_log_info("serving %s and %s with %d executor(s), storage %s (%d transfers in flight, "
                    "%d prefetched)",
                    cfg->topic_uploads, cfg->topic_regenerate, cfg->concurrency, cfg->storage_url,
                    cfg->transfers, cfg->prefetch);
        log_sandbox(cfg);
        serve(&sv);
        shut_down(&sv);
        aw_log_info("stopped");
        rc = 0;
    }
    if (sv.consumer != NULL) /* set-up failed after the clients were made */
        rd_kafka_destroy(sv.consumer);
    if (sv.producer != NULL)
        rd_kafka_destroy(sv.producer);
    aw_transfers_free(sv.transfers);
    aw_http_stop(sv.http);
    aw_pool_free(sv.pool); /* and its zygotes */
    aw_engines_stop(&sv.engines);
    aw_storage_close(sv.storage);
    aw_offsets_free(sv.offsets);
    aw_metrics_free(sv.metrics);
    aw_embedded_stop(mock);
    if (cfg->spool_dir != NULL)
        rmdir(cfg->spool_dir);
    return rc;
}
