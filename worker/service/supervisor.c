/* supervisor.c — the service loop (DESIGN §1, §5): one thread polls the
 * executors, the transfer pool, the producer's delivery reports and the
 * consumer, and wakes each message's state machine (message.c); intake
 * pauses the partitions when enough messages are in flight. Set-up is in
 * supervisor_setup.c, giving partitions back (rebalances, shutdown) in
 * supervisor_drain.c. */
#define _GNU_SOURCE
#include "supervisor.h"

#include "log.h"
#include "timeutil.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void watch_signals(void)
{
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
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

void aw_supervisor_pump(aw_supervisor *sv, int timeout_ms)
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
    aw_office_step(sv->office);
    rd_kafka_poll(sv->producer, 0);
    step_messages(sv);
    aw_health_update(sv);
}

/* ---- intake ----------------------------------------------------------- */

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

/* Taken messages are bounded: at least enough for every executor to have
 * one running and one fetched, with outputs of as many again being stored,
 * and never fewer than INTAKE_MIN. Resuming paused partitions costs a fetch
 * that may wait behind the broker's long poll (fetch.wait.max.ms, 500 ms
 * by default): the half left when intake resumes must keep the executors
 * busy that long, which 2 × (executors + prefetch) short jobs did not
 * (idle gaps of 0.3-0.75 s, bench/findings.md). */
#define INTAKE_MIN 64

static int intake_limit(const aw_supervisor *sv)
{
    int room = 2 * (aw_pool_size(sv->pool) + sv->cfg->prefetch);
    return room > INTAKE_MIN ? room : INTAKE_MIN;
}

static void intake(aw_supervisor *sv)
{
    int room = intake_limit(sv);
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
            aw_supervisor_hand_back_queued(sv, NULL);
            deadline = aw_time_mono_ms() + sv->cfg->grace_ms;
        }
        if (sv->stopping && (sv->active == 0 || aw_time_mono_ms() > deadline))
            break;
        aw_supervisor_pump(sv, 20);
        intake(sv);
    }
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
    if (aw_supervisor_start(&sv, &mock) == 0) {
        aw_log_info("serving %s and %s with %d executor(s), storage %s (%d transfers in flight, "
                    "%d prefetched)",
                    cfg->topic_uploads, cfg->topic_regenerate, cfg->concurrency, cfg->storage_url,
                    cfg->transfers, cfg->prefetch);
        aw_supervisor_log_sandbox(cfg);
        serve(&sv);
        aw_supervisor_shut_down(&sv);
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
    aw_office_stop(sv.office);
    aw_storage_close(sv.storage);
    aw_offsets_free(sv.offsets);
    aw_metrics_free(sv.metrics);
    aw_embedded_stop(mock);
    if (cfg->spool_dir != NULL)
        rmdir(cfg->spool_dir);
    return rc;
}
