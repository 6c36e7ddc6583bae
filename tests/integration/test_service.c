/* test_service.c — `asset-worker run` as a real process against librdkafka's
 * mock cluster hosted here, with filesystem storage: every upload ends with
 * exactly one final status, offsets are committed only past finished jobs,
 * malformed events and exhausted jobs land in the dead-letter topic,
 * executors that crash or hang cost only their job, workers that die or
 * leave lose nothing, broker faults lose nothing.
 *
 * usage: test_service ASSET_WORKER_BINARY   (AW_EVENTS_DUMP=dir keeps the
 * event payloads for schema validation) */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aw_test.h"
#include "event.h"
#include "kafka_harness.h"

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>
#include <vips/vips.h>

static const char *bin;
static char *work, *storage, *db;
static kh_cluster K;

#define TRACE "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

/* Puts a W×H JPEG at uploads/ASSET/photo.jpg in storage; returns its size. */
static long long put_photo(const char *asset, int w, int h)
{
    char dir[4200], path[4300];
    snprintf(dir, sizeof dir, "%s/uploads/%s", storage, asset);
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/photo.jpg", dir);
    /* pixels of its own: the same bytes under two assets would be reused,
     * not processed (content-hash reuse), and these tests are about processing */
    VipsImage *xy = NULL, *shifted = NULL, *u = NULL;
    vips_xyz(&xy, w, h, NULL);
    vips_linear1(xy, &shifted, 1.0, (double)(g_str_hash(asset) % 97), NULL);
    vips_cast_uchar(shifted, &u, NULL);
    assert_int_equal(vips_jpegsave(u, path, "Q", 90, NULL), 0);
    g_object_unref(u), g_object_unref(shifted), g_object_unref(xy);
    struct stat st;
    stat(path, &st);
    return (long long)st.st_size;
}

typedef struct upload {
    char asset[64], id[64];
    int32_t partition;
    int64_t offset;
} upload;

static void upload_photos(kh_scope *s, upload *u, int n, const char *prefix, int w, int h)
{
    for (int i = 0; i < n; i++) {
        snprintf(u[i].asset, sizeof u[i].asset, "%s-%02d", prefix, i);
        long long size = put_photo(u[i].asset, w, h);
        char key[128];
        int n_key = snprintf(key, sizeof key, "uploads/%s/photo.jpg", u[i].asset);
        assert_true(n_key > 0 && (size_t)n_key < sizeof key);
        assert_int_equal(kh_produce_upload(&K, s, u[i].asset, key, "image/jpeg", size, TRACE,
                                           u[i].id, &u[i].partition, &u[i].offset),
                         0);
    }
}

static pid_t worker(kh_scope *s, const char *name, const char *const *extra)
{
    char *log = kh_log_path(work, name);
    pid_t pid = kh_worker_start(&K, s, bin, storage, db, log, extra);
    free(log);
    assert_true(pid > 0);
    return pid;
}

/* The end of a worker's log, on stderr: why a check failed. */
static void show_log_of(const char *name)
{
    char *path = kh_log_path(work, name), *cmd = NULL;
    if (asprintf(&cmd, "tail -n 40 '%s' >&2", path) > 0 && system(cmd) < 0)
        perror("tail");
    free(cmd), free(path);
}

/* Waits for n final statuses; on a shortfall the worker's log says why. */
static void expect_completed(kh_collector *c, int n, double timeout_s, const char *name)
{
    int got = kh_collect_until(c, AW_TYPE_COMPLETED, n, timeout_s);
    if (got != n) {
        show_log_of(name);
        for (size_t i = 0; i < c->n; i++) /* what did arrive: worker stuck, or events lost? */
            fprintf(stderr, "collected %s %s\n", c->events[i].type, c->events[i].time);
        fail_msg("%d of %d jobs completed within %.0f s (worker %s, %zu events collected)", got, n,
                 timeout_s, name, c->n);
    }
}

/* Stops a worker with SIGTERM; it must exit 0 in time. On failure the end
 * of its log says why. */
static void expect_clean_exit_of(pid_t pid, const char *name)
{
    int status = kh_worker_stop(pid, SIGTERM, 60);
    if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return;
    show_log_of(name);
    fail_msg("worker %s: %s %d", name,
             status == -1          ? "did not stop within 60 s"
             : WIFSIGNALED(status) ? "killed by signal"
                                   : "exit status",
             status == -1          ? 0
             : WIFSIGNALED(status) ? WTERMSIG(status)
                                   : WEXITSTATUS(status));
}

static void dump(const kh_collector *c)
{
    const char *dir = getenv("AW_EVENTS_DUMP");
    if (dir != NULL && *dir != '\0')
        kh_dump(c, dir);
}

/* The last 300 lines of every worker log of this run, on stderr; returns 1. */
static int dump_logs(void)
{
    char *cmd = NULL;
    if (asprintf(&cmd, "tail -n 300 '%s'/*.log >&2", work) > 0 && system(cmd) < 0)
        perror("tail");
    free(cmd);
    return 1;
}

/* After a clean stop every input is committed: each partition's committed
 * offset is past every message produced to it. */
static void check_all_committed(kh_scope *s, const char *topic, const upload *u, int n)
{
    for (int i = 0; i < n; i++) {
        int64_t committed = kh_committed(&K, s->group, topic, u[i].partition);
        if (committed <= u[i].offset && dump_logs())
            fail_msg("%s[%d] committed at %lld, not past %s at offset %lld (see the logs in %s)",
                     topic, (int)u[i].partition, (long long)committed, u[i].asset,
                     (long long)u[i].offset, work);
    }
}

/* Every job.completed: completed, CLEAN, thumbnails stored, headers right. */
static void check_completed(const kh_collector *c, const upload *u, int n)
{
    for (int i = 0; i < n; i++) {
        const kh_event *e = kh_find(c, AW_TYPE_COMPLETED, u[i].asset);
        if (e == NULL)
            fail_msg("no job.completed for %s", u[i].asset);
        const char *parts[] = {"test-api", u[i].id};
        char hash[33], job[40];
        aw_event_hash(hash, parts, 2);
        snprintf(job, sizeof job, "job-%s", hash);
        assert_string_equal(json_string_value(json_object_get(e->data, "jobId")), job);
        assert_string_equal(json_string_value(json_object_get(e->data, "status")), "completed");
        assert_string_equal(json_string_value(json_object_get(e->data, "scanStatus")), "CLEAN");
        assert_string_equal(e->key, u[i].asset);
        assert_string_equal(e->source, "asset-worker");
        assert_string_equal(e->traceparent, TRACE);
        assert_string_equal(e->content_type, "application/json");
        assert_int_equal(strlen(e->id), 32);
        assert_true(strlen(e->time) >= 20);
        const char *key = aw_test_str(e->data, "variants.thumbnails.small.key");
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", storage, key ? key : "missing");
        assert_int_equal(access(path, R_OK), 0);
        const kh_event *scan = kh_find(c, AW_TYPE_SCAN, u[i].asset);
        assert_non_null(scan);
        assert_string_equal(json_string_value(json_object_get(scan->data, "jobId")), job);
    }
}

static void uploads_complete_exactly_once(void **state)
{
    (void)state;
    kh_scope s;
    kh_scope_init(&K, &s, "once", 4);
    kh_collector c;
    kh_collector_start(&c, &K, &s);
    upload u[8];
    upload_photos(&s, u, 8, "once", 900, 600);
    pid_t w = worker(&s, "once", NULL);
    expect_completed(&c, 8, 90, "once");
    expect_clean_exit_of(w, "once");
    kh_collect_until(&c, AW_TYPE_COMPLETED, 9, 2); /* anything extra would show now */
    assert_int_equal(kh_count(&c, AW_TYPE_COMPLETED), 8);
    assert_int_equal(kh_count(&c, AW_TYPE_SCAN), 8);
    assert_true(kh_count(&c, AW_TYPE_PROGRESS) >= 8);
    check_completed(&c, u, 8);
    check_all_committed(&s, s.uploads, u, 8); /* everything finished: committed to the end */
    dump(&c);
    kh_collector_stop(&c);
}

static void produce_raw(kh_scope *s, const char *value, const char *const *headers, int32_t *p,
                        int64_t *o)
{
    assert_int_equal(kh_produce(&K, s->uploads, "bad", value, strlen(value), headers, p, o), 0);
}

static void malformed_events_go_to_the_dlq(void **state)
{
    (void)state;
    kh_scope s;
    kh_scope_init(&K, &s, "dlq", 1);
    kh_collector c;
    kh_collector_start(&c, &K, &s);
    const char *ce[] = {"ce_specversion",         "1.0",       "ce_id",    "x1", "ce_type",
                        "asset.upload.confirmed", "ce_source", "test-api", NULL};
    const char *unknown[] = {"ce_specversion", "1.0",       "ce_id",    "x2", "ce_type",
                             "asset.deleted",  "ce_source", "test-api", NULL};
    struct {
        const char *value;
        const char *const *headers;
        const char *code;
    } bad[] = {
        {"this is not json", ce, "ASSET_INVALID_METADATA"},
        {"{\"storageKey\":\"k\",\"mimeType\":\"image/png\",\"fileSize\":1,\"createdBy\":\"u\"}", ce,
         "ASSET_INVALID_METADATA"},
        {"{\"assetId\":\"a1\",\"storageKey\":\"k\",\"mimeType\":\"image/png\",\"fileSize\":1,"
         "\"createdBy\":\"u\"}",
         unknown, "ASSET_INVALID_METADATA"},
        {"{\"assetId\":\"a2\",\"storageKey\":\"k\",\"mimeType\":\"application/x-msdownload\","
         "\"fileSize\":1,\"createdBy\":\"u\"}",
         ce, "ASSET_INVALID_FILE_TYPE"},
        {"{\"assetId\":\"../etc\",\"storageKey\":\"k\",\"mimeType\":\"image/png\",\"fileSize\":1,"
         "\"createdBy\":\"u\"}",
         ce, "ASSET_INVALID_METADATA"},
    };
    int32_t p[5];
    int64_t o[5];
    for (int i = 0; i < 5; i++)
        produce_raw(&s, bad[i].value, bad[i].headers, &p[i], &o[i]);
    /* a good event in structured mode behind them */
    long long size = put_photo("dlq-good", 320, 240);
    char structured[1024];
    snprintf(structured, sizeof structured,
             "{\"specversion\":\"1.0\",\"id\":\"s1\",\"type\":\"asset.upload.confirmed\","
             "\"source\":\"test-api\",\"data\":{\"assetId\":\"dlq-good\",\"storageKey\":"
             "\"uploads/dlq-good/photo.jpg\",\"mimeType\":\"image/jpeg\",\"fileSize\":%lld,"
             "\"createdBy\":\"u\"}}",
             size);
    const char *sh[] = {"content-type", "application/cloudevents+json", NULL};
    int32_t gp;
    int64_t go;
    produce_raw(&s, structured, sh, &gp, &go);
    pid_t w = worker(&s, "dlq", NULL);
    expect_completed(&c, 1, 60, "dlq");
    assert_int_equal(kh_collect_until(&c, "dlq", 5, 30), 5);
    expect_clean_exit_of(w, "dlq");
    for (int i = 0; i < 5; i++) {
        const kh_event *d = NULL;
        for (size_t k = 0; k < c.n; k++)
            if (strcmp(c.events[k].type, "dlq") == 0 && c.events[k].dlq_src_offset == o[i])
                d = &c.events[k];
        if (d == NULL)
            fail_msg("no dead letter for offset %lld", (long long)o[i]);
        assert_string_equal(d->dlq_code, bad[i].code);
        assert_string_equal(d->dlq_src_topic, s.uploads);
        assert_int_equal(d->dlq_src_partition, p[i]);
        assert_string_equal(d->raw, bad[i].value); /* the original, unchanged */
    }
    const kh_event *good = kh_find(&c, AW_TYPE_COMPLETED, "dlq-good");
    assert_non_null(good);
    assert_string_equal(json_string_value(json_object_get(good->data, "status")), "completed");
    assert_true(kh_committed(&K, s.group, s.uploads, gp) > go);
    kh_collector_stop(&c);
}

static void upload_one(kh_scope *s, upload *u, const char *asset)
{
    snprintf(u->asset, sizeof u->asset, "%s", asset);
    long long size = put_photo(asset, 200, 100);
    char key[128];
    snprintf(key, sizeof key, "uploads/%s/photo.jpg", asset);
    assert_int_equal(kh_produce_upload(&K, s, asset, key, "image/jpeg", size, NULL, u->id,
                                       &u->partition, &u->offset),
                     0);
}

/* The error a failed job reports first. */
static json_t *first_error(const kh_collector *c, const char *asset)
{
    const kh_event *e = kh_find(c, AW_TYPE_COMPLETED, asset);
    assert_non_null(e);
    assert_string_equal(aw_test_str(e->data, "status"), "failed");
    return json_array_get(json_object_get(e->data, "errors"), 0);
}

static void expect_loss(const kh_collector *c, const char *asset, const char *stage,
                        const char *reason, const char *message_part)
{
    json_t *e = first_error(c, asset);
    assert_string_equal(aw_test_str(e, "code"), "ASSET_PROCESSING_FAILED");
    assert_string_equal(aw_test_str(e, "stage"), stage);
    assert_string_equal(aw_test_str(e, "reason"), reason);
    if (strstr(aw_test_str(e, "message"), message_part) == NULL)
        fail_msg("%s: message '%s' does not say '%s'", asset, aw_test_str(e, "message"),
                 message_part);
}

static void executor_faults_cost_only_their_job(void **state)
{
    (void)state;
    kh_scope s;
    kh_scope_init(&K, &s, "crash", 1);
    kh_collector c;
    kh_collector_start(&c, &K, &s);
    upload u[5];
    upload_one(&s, &u[0], "fault-segv-a");
    upload_one(&s, &u[1], "fault-hang-b");
    upload_one(&s, &u[2], "fault-stage-hang-c");
    upload_one(&s, &u[3], "fault-alloc-d");
    upload_one(&s, &u[4], "after-faults");
    const char *extra[] = {"--job-timeout",
                           "4",
                           "--stage-timeout",
                           "2",
                           "--job-memory",
                           "128M",
                           "--concurrency",
                           "2",
                           NULL};
    pid_t w = worker(&s, "crash", extra);
    expect_completed(&c, 5, 90, "crash");
    assert_int_equal(kill(w, 0), 0); /* the pod stays up */
    /* SIGSEGV (11), or SIGABRT (6) when AddressSanitizer reports the fault */
    expect_loss(&c, "fault-segv-a", "executor", "crashed", "executor killed by signal");
    expect_loss(&c, "fault-hang-b", "executor", "timeout", "job wall-time limit of 4 s");
    expect_loss(&c, "fault-stage-hang-c", "scan", "stage_timeout",
                "stage scan exceeded the stage wall-time limit of 2 s");
    expect_loss(&c, "fault-alloc-d", "executor", "memory_limit",
                "over the job memory limit of 128 MiB");
    const kh_event *ok = kh_find(&c, AW_TYPE_COMPLETED, "after-faults");
    assert_string_equal(aw_test_str(ok->data, "status"), "completed");
    assert_int_equal(kh_collect_until(&c, "dlq", 4, 20), 4); /* every failed job dead-lettered */
    expect_clean_exit_of(w, "crash");
    kh_collector_stop(&c);
}

/* The recall job's report, which names the jobs its executor served. */
static void expect_recall(const kh_collector *c, const char *asset, const char *served)
{
    json_t *e = first_error(c, asset);
    const char *msg = aw_test_str(e, "message");
    char want[96];
    snprintf(want, sizeof want, "served=%s memory=clean workdir=[ job ] litter=absent", served);
    if (strstr(msg, want) == NULL)
        fail_msg("%s: '%s' does not say '%s'", asset, msg, want);
}

/* An executor serves several jobs (issue 29), but nothing a job leaves
 * reaches the next one: a secret in freed memory is overwritten, and a job
 * that leaves a file beside its directory, keeps a descriptor open or
 * crashes retires its executor, so the job after it runs in a fresh one. */
static void a_job_cannot_read_what_the_one_before_left(void **state)
{
    (void)state;
    kh_scope s;
    kh_scope_init(&K, &s, "hygiene", 1);
    kh_collector c;
    kh_collector_start(&c, &K, &s);
    static const char *const order[] = {"fault-remember-a",    "fault-recall-a",
                                        "fault-litter-file-b", "fault-recall-b",
                                        "fault-litter-fd-c",   "fault-recall-c",
                                        "fault-segv-d",        "fault-recall-d"};
    upload u[8];
    for (int i = 0; i < 8; i++)
        upload_one(&s, &u[i], order[i]);
    const char *one[] = {"--concurrency", "1", "--prefetch", "0", NULL};
    pid_t w = worker(&s, "hygiene", one);
    expect_completed(&c, 8, 120, "hygiene");
    for (int i = 0; i < 6; i += 2) /* the three that left something completed */
        assert_string_equal(aw_test_str(kh_find(&c, AW_TYPE_COMPLETED, order[i])->data, "status"),
                            "completed");
    expect_recall(&c, "fault-recall-a", "2"); /* the same executor: memory only */
    expect_recall(&c, "fault-recall-b", "1");
    expect_recall(&c, "fault-recall-c", "1");
    expect_recall(&c, "fault-recall-d", "1");
    expect_clean_exit_of(w, "hygiene");
    kh_collector_stop(&c);
}

static int log_count(const char *name, const char *text);

/* An executor that wrote its result and exited while the supervisor was
 * held up elsewhere (AW_TEST_DAWDLE_MS) finished its job: the result waiting
 * in its socket is read before its exit is judged, never reported as a loss
 * and retried (issue: results lost at 20-50 ms storage latency). */
static void finished_results_survive_a_held_up_supervisor(void **state)
{
    (void)state;
    kh_scope s;
    kh_scope_init(&K, &s, "dawdle", 2);
    kh_collector c;
    kh_collector_start(&c, &K, &s);
    upload u[8];
    upload_photos(&s, u, 8, "dawdle", 320, 240);
    const char *two[] = {"--concurrency", "2", NULL};
    setenv("AW_TEST_DAWDLE_MS", "400", 1);
    pid_t w = worker(&s, "dawdle", two);
    unsetenv("AW_TEST_DAWDLE_MS");
    expect_completed(&c, 8, 120, "dawdle");
    expect_clean_exit_of(w, "dawdle");
    check_completed(&c, u, 8);
    if (log_count("dawdle", "executor lost") != 0) {
        show_log_of("dawdle");
        fail_msg("%d executor(s) reported lost after finishing their job",
                 log_count("dawdle", "executor lost"));
    }
    kh_collector_stop(&c);
}

/* The completed event of asset, taken in within timeout_s: the collector
 * may lag behind the worker under load. */
static bool completed_within(kh_collector *c, const char *asset, int timeout_s)
{
    for (int i = 0; i < timeout_s && kh_find(c, AW_TYPE_COMPLETED, asset) == NULL; i++)
        kh_collect_until(c, AW_TYPE_COMPLETED, INT_MAX, 1);
    return kh_find(c, AW_TYPE_COMPLETED, asset) != NULL;
}

/* Committed offset of every partition must not pass an unfinished job: a
 * job behind a committed offset must have published its completed event. */
static void check_commits_behind_unfinished(kh_collector *c, kh_scope *s, const upload *u, int n)
{
    for (int i = 0; i < n; i++) {
        if (kh_find(c, AW_TYPE_COMPLETED, u[i].asset) != NULL)
            continue;
        int64_t committed = kh_committed(&K, s->group, s->uploads, u[i].partition);
        if (committed > u[i].offset && !completed_within(c, u[i].asset, 15))
            fail_msg("%s[%d] committed at %lld past unfinished %s at offset %lld", s->uploads,
                     (int)u[i].partition, (long long)committed, u[i].asset, (long long)u[i].offset);
    }
}

static bool log_waits_for(const char *name, const char *text, int n, int timeout_s);

static void killed_worker_loses_nothing(void **state)
{
    (void)state;
    kh_scope s;
    kh_scope_init(&K, &s, "kill", 3);
    kh_collector c;
    kh_collector_start(&c, &K, &s);
    upload u[16];
    upload_photos(&s, u, 16, "fault-slow-kill", 640, 480); /* 0.5 s each, before A starts */
    /* a short session so the group notices the killed member in seconds */
    const char *one[] = {"--concurrency",
                         "1",
                         "-X",
                         "session.timeout.ms=6000",
                         "-X",
                         "heartbeat.interval.ms=1000",
                         NULL};
    const char *fast[] = {"-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=1000",
                          NULL};
    pid_t a = worker(&s, "kill-a", one);
    /* A's log, not the collector (which may lag under load), says when */
    assert_true(log_waits_for("kill-a", "job completed", 3, 90));
    kh_worker_stop(a, SIGKILL, 5);                  /* mid-stream, no goodbye */
    kh_collect_until(&c, AW_TYPE_COMPLETED, 16, 1); /* take in what A published */
    check_commits_behind_unfinished(&c, &s, u, 16);
    assert_true(kh_count(&c, AW_TYPE_COMPLETED) < 16); /* A really died mid-stream */
    pid_t b = worker(&s, "kill-b", fast);
    assert_int_equal(kh_collect_until(&c, AW_TYPE_COMPLETED, 16, 180), 16);
    expect_clean_exit_of(b, "kill-b");
    check_completed(&c, u, 16);
    check_all_committed(&s, s.uploads, u, 16);
    kh_collector_stop(&c);
}

/* How many times a worker's log has said text. */
static int log_count(const char *name, const char *text)
{
    return kh_log_count(work, name, text);
}

/* Waits (bounded) until a worker's log has said text n times. */
static bool log_waits_for(const char *name, const char *text, int n, int timeout_s)
{
    for (int i = 0; i < timeout_s * 10; i++) {
        if (log_count(name, text) >= n)
            return true;
        usleep(100000);
    }
    return false;
}

static void two_workers_share_and_one_leaves(void **state)
{
    (void)state;
    kh_scope s;
    kh_scope_init(&K, &s, "pair", 6);
    kh_collector c;
    kh_collector_start(&c, &K, &s);
    upload u[20];
    upload_photos(&s, u, 20, "fault-slow-pair", 640, 480);
    const char *one[] = {"--concurrency",
                         "1",
                         "-X",
                         "session.timeout.ms=6000",
                         "-X",
                         "heartbeat.interval.ms=1000",
                         NULL};
    pid_t a = worker(&s, "pair-a", one);
    pid_t b = worker(&s, "pair-b", one);
    assert_true(kh_collect_until(&c, AW_TYPE_COMPLETED, 4, 90) >= 4);
    assert_true(log_waits_for("pair-a", "assigned", 1, 30)); /* A holds partitions to hand over */
    assert_true(kh_count(&c, AW_TYPE_COMPLETED) < 20);
    expect_clean_exit_of(a,
                         "pair-a"); /* leaves the group mid-stream: B takes over its partitions */
    assert_int_equal(kh_collect_until(&c, AW_TYPE_COMPLETED, 20, 180), 20);
    /* Let the group settle before B stops (the mock cluster waits
     * session.timeout.ms - 1 s for members to rejoin after a leave); this is
     * only pacing: B's final commit retries through a rebalance anyway, and
     * the committed offsets are what is checked below. */
    if (!log_waits_for("pair-b", "assigned", 2, 30))
        print_message("pair-b was not reassigned within 30 s; stopping it anyway\n");
    expect_clean_exit_of(b, "pair-b");
    check_completed(&c, u, 20);
    check_all_committed(&s, s.uploads, u, 20);
    kh_collector_stop(&c);
}

static void broker_faults_lose_nothing(void **state)
{
    (void)state;
    kh_scope s;
    kh_scope_init(&K, &s, "faults", 3);
    kh_collector c;
    kh_collector_start(&c, &K, &s);
    pid_t w = worker(&s, "faults", NULL);
    upload u[10];
    upload_photos(&s, u, 5, "faults", 800, 600);
    assert_true(kh_collect_until(&c, AW_TYPE_COMPLETED, 1, 60) >= 1);
    /* Produce (API key 0) and OffsetCommit (API key 8) fail for a while. */
    rd_kafka_mock_push_request_errors(K.mock, 0, 4, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                                      RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
                                      RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
                                      RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE);
    rd_kafka_mock_push_request_errors(K.mock, 8, 3, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
                                      RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
                                      RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS);
    upload_photos(&s, u + 5, 5, "faults-b", 800, 600);
    rd_kafka_mock_broker_set_down(K.mock, 2);
    sleep(2);
    rd_kafka_mock_broker_set_up(K.mock, 2);
    assert_int_equal(kh_collect_until(&c, AW_TYPE_COMPLETED, 10, 180), 10);
    expect_clean_exit_of(w, "faults");
    check_completed(&c, u, 10);
    check_all_committed(&s, s.uploads, u, 10);
    kh_collector_stop(&c);
}

static void regenerate_runs_only_the_asked_stages(void **state)
{
    (void)state;
    kh_scope s;
    kh_scope_init(&K, &s, "regen", 1);
    kh_collector c;
    kh_collector_start(&c, &K, &s);
    put_photo("regen-a", 640, 480);
    const char *value = "{\"jobId\":\"regen-job-1\",\"assetId\":\"regen-a\",\"storageKey\":"
                        "\"uploads/regen-a/photo.jpg\",\"mimeType\":\"image/jpeg\","
                        "\"types\":[\"thumbnail\"]}";
    const char *h[] = {
        "ce_specversion", "1.0",     "ce_id",       "r1",  "ce_type", "asset.regenerate.requested",
        "ce_source",      "ops-cli", "traceparent", TRACE, NULL};
    int32_t p;
    int64_t o;
    assert_int_equal(kh_produce(&K, s.regenerate, "regen-a", value, strlen(value), h, &p, &o), 0);
    pid_t w = worker(&s, "regen", NULL);
    expect_completed(&c, 1, 60, "regen");
    expect_clean_exit_of(w, "regen");
    const kh_event *e = kh_find(&c, AW_TYPE_COMPLETED, "regen-a");
    assert_string_equal(aw_test_str(e->data, "jobId"), "regen-job-1");
    assert_string_equal(aw_test_str(e->data, "scanStatus"), "CLEAN"); /* scan always runs */
    assert_int_equal(aw_test_int(e->data, "variants.thumbnails.large.width"), 640);
    json_t *processing = json_object_get(json_object_get(e->data, "metadata"), "processing");
    assert_true(json_is_true(json_object_get(processing, "thumbnailGenerated")));
    assert_true(json_is_false(json_object_get(processing, "metadataExtracted")));
    assert_string_equal(e->traceparent, TRACE);
    assert_true(kh_committed(&K, s.group, s.regenerate, p) > o);
    kh_collector_stop(&c);
}

/* ce_time of the event of `type` (and progress stage, if given) of a job. */
static const char *event_time(const kh_collector *c, const char *type, const char *job,
                              const char *stage)
{
    for (size_t i = 0; i < c->n; i++) {
        json_t *d = c->events[i].data;
        const char *j = json_string_value(json_object_get(d, "jobId"));
        const char *st = json_string_value(json_object_get(d, "stage"));
        if (strcmp(c->events[i].type, type) == 0 && j && strcmp(j, job) == 0 &&
            (stage == NULL || (st && strcmp(st, stage) == 0)))
            return c->events[i].time;
    }
    return NULL;
}

static void one_asset_runs_one_job_at_a_time(void **state)
{
    (void)state;
    kh_scope s;
    kh_scope_init(&K, &s, "serial", 2);
    kh_collector c;
    kh_collector_start(&c, &K, &s);
    upload u[2];
    upload_one(&s, &u[0], "fault-slow-same"); /* two events for one asset */
    upload_one(&s, &u[1], "fault-slow-same");
    const char *two[] = {"--concurrency", "2", NULL};
    pid_t w = worker(&s, "serial", two);
    expect_completed(&c, 2, 90, "serial");
    expect_clean_exit_of(w, "serial");
    char jobs[2][40];
    for (int i = 0; i < 2; i++) {
        const char *parts[] = {"test-api", u[i].id};
        char hash[33];
        aw_event_hash(hash, parts, 2);
        snprintf(jobs[i], sizeof jobs[i], "job-%s", hash);
    }
    const char *first_done = event_time(&c, AW_TYPE_COMPLETED, jobs[0], NULL);
    const char *second_start = event_time(&c, AW_TYPE_PROGRESS, jobs[1], "queued");
    assert_non_null(first_done);
    assert_non_null(second_start);
    /* with two idle executors the second still waited for the first (ISO
     * times of one clock compare as strings) */
    if (strcmp(second_start, first_done) < 0)
        fail_msg("second job started at %s before the first ended at %s", second_start, first_done);
    kh_collector_stop(&c);
}

static int setup(void **state)
{
    (void)state;
    work = aw_test_tmpdir("service");
    storage = aw_test_tmpdir("storage");
    db = aw_test_tmpdir("db");
    aw_test_make_clamav_db(db);
    char uploads[4200];
    snprintf(uploads, sizeof uploads, "%s/uploads", storage);
    mkdir(uploads, 0755);
    return kh_cluster_start(&K);
}

/* librdkafka 2.0 aborts when a cooperative-sticky consumer is closed
 * before its first assignment; the worker must still stop cleanly. */
static void stop_before_the_first_assignment(void **state)
{
    (void)state;
    kh_scope s;
    kh_scope_init(&K, &s, "early", 1);
    pid_t w = worker(&s, "early", NULL);
    assert_true(log_waits_for("early", "serving", 1, 30));
    assert_int_equal(log_count("early", "assigned"), 0); /* the group takes 3 s to form */
    expect_clean_exit_of(w, "early");
}

static int after_each(void **state)
{
    (void)state;
    kh_kill_workers();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    kh_kill_workers();
    kh_cluster_stop(&K);
    if (getenv("AW_KEEP_TEST_LOGS") == NULL)
        aw_test_rmtree(work);
    aw_test_rmtree(storage), aw_test_rmtree(db);
    free(work), free(storage), free(db);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s ASSET_WORKER_BINARY\n", argv[0]);
        return 2;
    }
    bin = argv[1];
    if (VIPS_INIT(argv[0]) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(uploads_complete_exactly_once, after_each),
        cmocka_unit_test_teardown(malformed_events_go_to_the_dlq, after_each),
        cmocka_unit_test_teardown(executor_faults_cost_only_their_job, after_each),
        cmocka_unit_test_teardown(a_job_cannot_read_what_the_one_before_left, after_each),
        cmocka_unit_test_teardown(regenerate_runs_only_the_asked_stages, after_each),
        cmocka_unit_test_teardown(one_asset_runs_one_job_at_a_time, after_each),
        cmocka_unit_test_teardown(finished_results_survive_a_held_up_supervisor, after_each),
        cmocka_unit_test_teardown(killed_worker_loses_nothing, after_each),
        cmocka_unit_test_teardown(two_workers_share_and_one_leaves, after_each),
        cmocka_unit_test_teardown(broker_faults_lose_nothing, after_each),
        cmocka_unit_test_teardown(stop_before_the_first_assignment, after_each),
    };
    if (getenv("AW_TEST_FILTER") != NULL)
        cmocka_set_test_filter(getenv("AW_TEST_FILTER"));
    return cmocka_run_group_tests_name("service", tests, setup, teardown);
}
