/* supervisor.c — the service loop (DESIGN §1, §5): one thread polls the
 * executors, the producer's delivery reports and the consumer; pauses the
 * partitions when every executor is busy; drains on revoke and on SIGTERM. */
#define _GNU_SOURCE
#include "supervisor.h"

#include "embedded.h"
#include "kafka.h"
#include "pipeline.h"
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

static void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_line(const char *fmt, ...)
{
    char now[40];
    aw_time_iso8601(now, sizeof now);
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s asset-worker: ", now);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---- executor callbacks ------------------------------------------------ */

static void on_progress(void *owner, void *job, const char *stage, int percent)
{
    aw_run_on_progress(owner, job, stage, percent);
}

static void on_result(void *owner, void *job, json_t *result)
{
    aw_run_on_result(owner, job, result);
}

static void on_lost(void *owner, void *job, const aw_exec_loss *loss)
{
    log_line("job %s: %s", ((aw_run *)job)->ev.job_id, loss->message);
    aw_run_on_lost(owner, job, loss);
}

/* Says at start-up what the executors give up before each job. */
static void log_sandbox(const aw_service_config *cfg)
{
    const aw_sandbox_config *sb = &cfg->sandbox;
    int abi = aw_sandbox_landlock_abi();
    if (!sb->enabled) {
        log_line("sandbox OFF (--sandbox off): executors run jobs unconfined");
        return;
    }
    log_line("sandbox: seccomp filter, limits (memory +%llu MiB, CPU %u s, files %llu MiB, "
             "%u open files, stage %.0f s, job %.0f s), %s",
             (unsigned long long)(sb->memory_bytes >> 20), sb->cpu_seconds,
             (unsigned long long)(sb->file_bytes >> 20), sb->open_files,
             cfg->stage_timeout_ms / 1000, cfg->job_timeout_ms / 1000,
             abi > 0 ? "Landlock file confinement" : "NO file confinement (the kernel has no Landlock)");
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    if (m->_private != NULL)
        aw_run_on_delivery(opaque, m->_private, m->err);
    if (m->err)
        log_line("delivery to %s failed: %s", rd_kafka_topic_name(m->rkt), rd_kafka_err2str(m->err));
}

/* ---- the pump: everything but taking new messages ---------------------- */

static void step_runs(aw_supervisor *sv)
{
    aw_run **link = &sv->runs;
    for (aw_run *r = sv->runs; r != NULL; r = r->next)
        aw_run_step(sv, r);
    while (*link != NULL) { /* unlink finished runs */
        aw_run *r = *link;
        if (r->state == RUN_DONE && r->deliveries == 0) {
            *link = r->next;
            aw_run_free(r);
        } else {
            link = &r->next;
        }
    }
}

static void pump(aw_supervisor *sv, int timeout_ms)
{
    struct pollfd fds[260];
    int n = aw_pool_pollfds(sv->pool, fds, 260);
    poll(fds, (nfds_t)n, timeout_ms);
    aw_pool_dispatch(sv->pool, fds, n);
    rd_kafka_poll(sv->producer, 0);
    step_runs(sv);
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

static bool in_list(const rd_kafka_topic_partition_list_t *l, const aw_run *r)
{
    return rd_kafka_topic_partition_list_find(l, r->topic, r->partition) != NULL;
}

static int active_in(const aw_supervisor *sv, const rd_kafka_topic_partition_list_t *l)
{
    int n = 0;
    for (const aw_run *r = sv->runs; r != NULL; r = r->next)
        n += r->state != RUN_DONE && !r->abandoned && in_list(l, r);
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

static void commit_result(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t *offsets, void *opaque)
{
    (void)rk, (void)offsets;
    commit_wait *w = opaque;
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
            log_line("final offset commit failed: %s (those jobs will be delivered again)",
                     rd_kafka_err2str(err));
            return;
        }
        poll_discarding(sv, 200);
    }
}

/* Hands back runs that have not started (of the partitions in l, or all):
 * their offsets are not stored, so they are delivered again, here or to
 * another member. Dead letters are quick and finish anyway. */
static void hand_back_queued(aw_supervisor *sv, const rd_kafka_topic_partition_list_t *l)
{
    for (aw_run *r = sv->runs; r != NULL; r = r->next)
        if (r->state == RUN_QUEUED && !r->dead_letter_only && (l == NULL || in_list(l, r)))
            aw_run_abandon(sv, r);
}

/* Finishes the jobs in flight for these partitions within the grace period,
 * commits, and abandons the rest (another member will get it again). */
static void drain(aw_supervisor *sv, const rd_kafka_topic_partition_list_t *l, bool lost)
{
    double deadline = aw_time_mono_ms() + (lost ? 0 : sv->cfg->grace_ms);
    hand_back_queued(sv, l);
    while (active_in(sv, l) > 0 && aw_time_mono_ms() < deadline)
        pump(sv, 20);
    for (aw_run *r = sv->runs; r != NULL; r = r->next)
        if (in_list(l, r))
            aw_run_abandon(sv, r);
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
        log_line("assigned %d partition(s)", parts->cnt);
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
    log_line("%s %d partition(s)", lost ? "lost" : "revoked", parts->cnt);
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
            log_line("consumer: %s", rd_kafka_message_errstr(m));
        return;
    }
    if (sv->stopping)
        return; /* not stored: it will be delivered again */
    aw_run *r = aw_run_from_message(sv, m);
    if (r->dead_letter_only)
        log_line("%s[%d]@%lld to the dead-letter topic: %s", r->topic, (int)r->partition,
                 (long long)r->offset, r->failure.message);
    aw_run **tail = &sv->runs;
    while (*tail != NULL)
        tail = &(*tail)->next;
    *tail = r;
    sv->active++;
}

static void intake(aw_supervisor *sv)
{
    int room = 2 * aw_pool_size(sv->pool);
    for (int i = 0; i < 64; i++) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(sv->consumer, 0);
        if (m == NULL)
            break;
        take(sv, m);
        rd_kafka_message_destroy(m);
    }
    if (!sv->paused && sv->active >= room)
        set_paused(sv, true);
    else if (sv->paused && !sv->stopping && sv->active < aw_pool_size(sv->pool))
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
    return rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, n);
}

static void on_commit(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                      rd_kafka_topic_partition_list_t *offsets, void *opaque)
{
    (void)rk, (void)opaque, (void)offsets;
    /* automatic commits retry on their own at the next interval */
    if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
        log_line("offset commit failed (retried): %s", rd_kafka_err2str(err));
}

static rd_kafka_t *make_consumer(aw_supervisor *sv, char *errstr, size_t n)
{
    static const char *const fixed[] = {"enable.auto.offset.store", "false",
                                        "enable.auto.commit", "true", NULL};
    const char *const defaults[] = {"group.id", sv->cfg->group,
                                    "partition.assignment.strategy", "cooperative-sticky",
                                    "auto.offset.reset", "earliest",
                                    "auto.commit.interval.ms", "1000", NULL};
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
    rd_kafka_conf_set_opaque(conf, sv);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, n);
    if (rk != NULL)
        rd_kafka_poll_set_consumer(rk);
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
        log_line("subscribe: %s", rd_kafka_err2str(err));
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
        log_line("storage: %s", err.message);
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
        log_line("spool %s: %s", cfg->spool_dir, strerror(errno));
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
            log_line("stopping: finishing the jobs in flight for up to %.0f s",
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
        log_line("leaving without closing the consumer: no assignment yet (librdkafka #4312)");
    return sv->ever_assigned;
}

static void shut_down(aw_supervisor *sv)
{
    for (aw_run *r = sv->runs; r != NULL; r = r->next)
        aw_run_abandon(sv, r);
    if (safe_to_close(sv)) {
        commit_before_leaving(sv, aw_time_mono_ms() + FINAL_COMMIT_MS);
        rd_kafka_consumer_close(sv->consumer); /* leaves the group */
        rd_kafka_destroy(sv->consumer);
    } else {
        unclosable = sv->consumer;
    }
    rd_kafka_flush(sv->producer, 10000);
    rd_kafka_destroy(sv->producer);
    while (sv->runs != NULL) {
        aw_run *r = sv->runs;
        sv->runs = r->next;
        aw_run_free(r);
    }
}

static int start_clients(aw_supervisor *sv)
{
    char errstr[512];
    sv->producer = make_producer(sv, errstr, sizeof errstr);
    if (sv->producer != NULL)
        sv->consumer = make_consumer(sv, errstr, sizeof errstr);
    if (sv->producer == NULL || sv->consumer == NULL) {
        log_line("kafka: %s", errstr);
        return -1;
    }
    return subscribe(sv);
}

int aw_service_run(aw_service_config *cfg)
{
    aw_error err;
    aw_error_clear(&err);
    watch_signals(); /* a SIGTERM during start-up still ends in an orderly exit 0 */
    if (aw_pipeline_init(&cfg->pipeline, &err) != AW_OK) {
        log_line("set-up failed: %s", err.message);
        return 3;
    }
    /* The zygote is forked before any thread exists in this process. */
    aw_zygote *zygote = aw_zygote_start(&cfg->pipeline, &cfg->sandbox, &err);
    aw_pipeline_shutdown(); /* the supervisor never parses media: drop its copy */
    if (zygote == NULL) {
        log_line("executors: %s", err.message);
        return 3;
    }
    aw_supervisor sv = {.cfg = cfg, .offsets = aw_offsets_new()};
    aw_embedded *mock = NULL;
    int rc = 3;
    srand48((long)getpid() ^ (long)aw_time_mono_ms());
    if (cfg->embedded && (mock = aw_embedded_start(cfg, &err)) == NULL)
        log_line("embedded cluster: %s", err.message);
    else if (make_spool(cfg) == 0 && open_storage(&sv) == 0 &&
             (sv.pool = aw_pool_new(zygote, cfg->concurrency,
                                    &(aw_pool_limits){cfg->stage_timeout_ms,
                                                      cfg->sandbox.memory_bytes},
                                    &(aw_pool_callbacks){on_progress, on_result, on_lost}, &sv,
                                    &err)) != NULL &&
             start_clients(&sv) == 0) {
        log_line("serving %s and %s with %d executor(s), storage %s", cfg->topic_uploads,
                 cfg->topic_regenerate, cfg->concurrency, cfg->storage_url);
        log_sandbox(cfg);
        serve(&sv);
        shut_down(&sv);
        log_line("stopped");
        rc = 0;
    }
    aw_pool_free(sv.pool);
    aw_zygote_stop(zygote);
    aw_storage_close(sv.storage);
    aw_offsets_free(sv.offsets);
    aw_embedded_stop(mock);
    rmdir(cfg->spool_dir);
    return rc;
}
