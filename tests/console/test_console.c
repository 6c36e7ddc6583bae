/* test_console.c — `asset-worker console` as a real process against
 * librdkafka's mock cluster hosted here: events produced in and out of
 * order, duplicated, late and malformed fold into the jobs view by the
 * rules of docs/console.md; the list pages and filters; bad requests get
 * 400 naming the field, unknown ids 404; the view rebuilt from the topics
 * after the database is deleted is the same; outputs are served from
 * file:// storage and nothing outside it; and, with the real worker, the
 * console follows a job to the end and a Regenerate runs.
 *
 * usage: test_console ASSET_WORKER_BINARY */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "aw_test.h"
#include "event.h"
#include "http_client.h"
#include "kafka_harness.h"

#include <curl/curl.h>
#include <glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vips/vips.h>

static const char *bin;
static char *work, *storage, *clamdb, storage_url[4200];
static kh_cluster K;

/* Event times: T0 + seconds, as ce_time. */
static void at(int seconds, char out[40])
{
    snprintf(out, 40, "2026-03-01T10:%02d:%02d.250Z", seconds / 60, seconds % 60);
}

static void produce(const char *topic, const char *key, const char *type, const char *ce_id,
                    int seconds, json_t *data, const char *const *extra_headers)
{
    char time[40];
    at(seconds, time);
    const char *h[24] = {"ce_specversion", "1.0", "ce_id",        ce_id,
                         "ce_type",        type,  "ce_source",    "test",
                         "ce_time",        time,  "content-type", "application/json"};
    int n = 12;
    for (int i = 0; extra_headers != NULL && extra_headers[i] != NULL && n < 22; i++)
        h[n++] = extra_headers[i];
    h[n] = NULL;
    char *value = data ? json_dumps(data, JSON_COMPACT) : aw_xstrdup("this is not JSON");
    int32_t p;
    int64_t o;
    assert_int_equal(kh_produce(&K, topic, key, value, strlen(value), h, &p, &o), 0);
    free(value);
    json_decref(data);
}

static json_t *upload_data(const char *asset, const char *mime, const char *project)
{
    json_t *d = json_pack("{s:s,s:s+,s:s,s:i,s:s+,s:s}", "assetId", asset, "storageKey", "uploads/",
                          asset, "mimeType", mime, "fileSize", 1234, "title", "Title of ", asset,
                          "createdBy", "user-7");
    if (project != NULL)
        json_object_set_new(d, "projectId", json_string(project));
    return d;
}

/* The job id the worker derives from an upload (its own decoder). */
static void job_id_of(const char *ce_id, const char *source, json_t *data, char out[130])
{
    char *text = json_dumps(data, JSON_COMPACT);
    aw_ce_headers h = {"1.0", ce_id, AW_TYPE_UPLOAD, source, "application/json", NULL};
    aw_input_event ev;
    aw_error err;
    aw_error_clear(&err);
    assert_int_equal(aw_event_decode(text, strlen(text), &h, &ev, &err), AW_OK);
    snprintf(out, 130, "%s", ev.job_id);
    free(text);
}

static void upload(const kh_scope *s, const char *asset, const char *mime, int seconds,
                   char job_id[130])
{
    char id[96];
    snprintf(id, sizeof id, "up-%s", asset);
    json_t *d = upload_data(asset, mime, "proj-1");
    if (job_id != NULL)
        job_id_of(id, "test", d, job_id);
    produce(s->uploads, asset, AW_TYPE_UPLOAD, id, seconds, d, NULL);
}

static void progress(const kh_scope *s, const char *job, const char *asset, const char *stage,
                     int percent, int seconds)
{
    char id[300];
    snprintf(id, sizeof id, "pr-%s-%s-%d", job, stage, percent);
    produce(s->events, asset, AW_TYPE_PROGRESS, id, seconds,
            json_pack("{s:s,s:s,s:s,s:i,s:s}", "jobId", job, "assetId", asset, "stage", stage,
                      "progress", percent, "status", "processing"),
            NULL);
}

static json_t *thumb(const char *key, const char *size, int w, int h, long long bytes)
{
    return json_pack("{s:s,s:s,s:i,s:i,s:I,s:s}", "key", key, "size", size, "width", w, "height", h,
                     "bytes", (json_int_t)bytes, "contentType", "image/webp");
}

static json_t *completed_data(const char *job, const char *asset, const char *status,
                              json_t *thumbnails)
{
    json_t *errors = strcmp(status, "completed") == 0
                         ? json_array()
                         : json_pack("[{s:s,s:s,s:s}]", "stage", "preview", "code",
                                     "ASSET_PROCESSING_FAILED", "message", "no video stream");
    return json_pack("{s:s,s:s,s:s,s:s,s:{s:o,s:{}},s:{s:s},s:o,s:[{s:s,s:i,s:s},{s:s,s:i,s:s}]}",
                     "jobId", job, "assetId", asset, "status", status, "scanStatus", "CLEAN",
                     "variants", "thumbnails", thumbnails ? thumbnails : json_object(), "previews",
                     "metadata", "type", "IMAGE", "errors", errors, "timings", "stage", "scan",
                     "ms", 12, "outcome", "ok", "stage", "thumbnail", "ms", 40, "outcome", "ok");
}

static void completed(const kh_scope *s, const char *ce_id, json_t *data, int seconds)
{
    const char *asset = json_string_value(json_object_get(data, "assetId"));
    char *key = aw_xstrdup(asset);
    produce(s->events, key, AW_TYPE_COMPLETED, ce_id, seconds, data, NULL);
    free(key);
}

/* ---- the console ------------------------------------------------------ */

typedef struct console {
    pid_t pid;
    char url[128], db[4200], log[4200];
} console;

static void console_start(console *c, const kh_scope *s, const char *name)
{
    snprintf(c->db, sizeof c->db, "%s/%s.db", work, name);
    snprintf(c->log, sizeof c->log, "%s/%s-console.log", work, name);
    c->pid = kh_console_start(&K, s, bin, storage_url, c->db, c->log, c->url);
    assert_true(c->pid > 0);
}

static void console_stop(console *c)
{
    int status = kh_worker_stop(c->pid, SIGTERM, 30);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static json_t *get(const console *c, const char *path, long expect_status)
{
    long status = 0;
    json_t *v = th_get_json(c->url, path, &status);
    if (status != expect_status)
        fail_msg("GET %s: %ld, not %ld", path, status, expect_status);
    return v;
}

static long long status_field(const console *c, const char *name)
{
    json_t *st = get(c, "/api/v1/status", 200);
    long long v = json_integer_value(json_object_get(st, name));
    json_decref(st);
    return v;
}

/* Waits up to 30 s until the console has consumed n messages. */
static void wait_consumed(const console *c, long long n)
{
    long long have = 0;
    for (int i = 0; i < 300 && (have = status_field(c, "consumed")) < n; i++)
        usleep(100000);
    assert_int_equal(have, n);
}

static json_t *job(const console *c, const char *id)
{
    char path[300];
    snprintf(path, sizeof path, "/api/v1/jobs/%s", id);
    return get(c, path, 200);
}

static const char *str(json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

static long long num(json_t *o, const char *name)
{
    return json_integer_value(json_object_get(o, name));
}

static bool alive(pid_t pid)
{
    return waitpid(pid, NULL, WNOHANG) == 0;
}

/* ---- tests ------------------------------------------------------------ */

static void late_and_early_events(const kh_scope *s, const console *c, const char *j)
{
    progress(s, j, "a1", "scan", 30, 2); /* before its upload */
    wait_consumed(c, 1);
    json_t *v = job(c, j);
    assert_string_equal(str(v, "status"), "processing");
    assert_int_equal(num(v, "progress"), 30);
    assert_true(json_is_null(json_object_get(v, "user_id")));
    json_decref(v);

    completed(s, "done-a1",
              completed_data(j, "a1", "completed",
                             json_pack("{s:o}", "small",
                                       thumb("derived/a1/thumbnail_small.webp", "small", 200, 150,
                                             4000))),
              3);
    progress(s, j, "a1", "preview", 60, 2); /* late: after the terminal status */
    wait_consumed(c, 3);
    v = job(c, j);
    assert_string_equal(str(v, "status"), "completed");
    assert_int_equal(num(v, "progress"), 100);
    assert_true(json_is_null(json_object_get(v, "stage")));
    assert_string_equal(str(v, "completed_at"), "2026-03-01T10:00:03.250Z");
    assert_int_equal(json_array_size(json_object_get(v, "stages")), 2);
    assert_int_equal(num(v, "asset_count"), 1);
    json_decref(v);
}

static void the_upload_fills_in_who_and_what(const kh_scope *s, const console *c, const char *j)
{
    char j2[130];
    upload(s, "a1", "image/png", 1, j2);
    assert_string_equal(j, j2);
    wait_consumed(c, 4);
    json_t *v = job(c, j);
    assert_string_equal(str(v, "status"), "completed"); /* the upload does not lower it */
    assert_string_equal(str(v, "user_id"), "user-7");
    assert_string_equal(str(v, "brand_kit_id"), "proj-1");
    assert_string_equal(str(v, "title"), "Title of a1");
    assert_string_equal(str(v, "asset_type"), "IMAGE");
    assert_string_equal(str(v, "created_at"), "2026-03-01T10:00:01.250Z");
    assert_string_equal(str(v, "updated_at"), "2026-03-01T10:00:03.250Z");
    json_decref(v);

    /* the same completed event again (same ce_id), saying failed: nothing changes */
    completed(s, "done-a1", completed_data(j, "a1", "failed", NULL), 9);
    wait_consumed(c, 5);
    v = job(c, j);
    assert_string_equal(str(v, "status"), "completed");
    assert_int_equal(num(v, "asset_count"), 1);
    json_decref(v);
}

static void progress_only_grows(const kh_scope *s, const console *c)
{
    char j[130];
    upload(s, "a2", "video/mp4", 10, j);
    wait_consumed(c, 6);
    json_t *v = job(c, j);
    assert_string_equal(str(v, "status"), "queued");
    assert_string_equal(str(v, "asset_type"), "VIDEO");
    json_decref(v);
    progress(s, j, "a2", "thumbnail", 40, 11);
    progress(s, j, "a2", "scan", 20, 12);
    wait_consumed(c, 8);
    v = job(c, j);
    assert_string_equal(str(v, "status"), "processing");
    assert_int_equal(num(v, "progress"), 40);
    assert_string_equal(str(v, "stage"), "thumbnail");
    json_decref(v);
}

static void malformed_messages_are_skipped(const kh_scope *s, const console *c)
{
    produce(s->events, "x", AW_TYPE_PROGRESS, "bad-1", 13, NULL, NULL); /* not JSON */
    produce(s->events, "x", AW_TYPE_PROGRESS, "bad-2", 13,
            json_pack("{s:s,s:i,s:s}", "assetId", "a9", "progress", 5, "status", "processing"),
            NULL); /* no jobId */
    produce(s->uploads, "x", AW_TYPE_UPLOAD, "bad-3", 13,
            upload_data("a9", "application/x-msdownload", NULL), NULL); /* not allowed */
    produce(s->events, "x", AW_TYPE_COMPLETED, "bad-4", 13,
            completed_data("job-z", "a9", "weird", NULL), NULL);
    wait_consumed(c, 12);
    assert_int_equal(status_field(c, "malformed"), 4);
    assert_true(alive(c->pid));
    assert_true(kh_log_count(work, "rules-console", "skipped a malformed message at ") >= 4);
}

static void dead_letters_fail_their_job(const kh_scope *s, const console *c)
{
    json_t *d = upload_data("a3", "image/jpeg", NULL);
    char j[130];
    job_id_of("up-a3", "test", d, j);
    const char *why[] = {"x-dlq-error-code",
                         "ASSET_STORAGE_ERROR",
                         "x-dlq-error-message",
                         "gave up after 5 attempts",
                         "x-dlq-source-topic",
                         s->uploads,
                         NULL};
    produce(s->dlq, "a3", AW_TYPE_UPLOAD, "up-a3", 14, d, why);
    wait_consumed(c, 13);
    json_t *list = get(c, "/api/v1/dead-letters", 200);
    assert_int_equal(num(list, "total"), 1);
    json_t *dl = json_array_get(json_object_get(list, "dead_letters"), 0);
    assert_string_equal(str(json_object_get(dl, "headers"), "x-dlq-error-code"),
                        "ASSET_STORAGE_ERROR");
    assert_string_equal(str(dl, "key"), "a3");
    assert_non_null(strstr(str(dl, "value"), "\"assetId\":\"a3\""));
    json_decref(list);
    json_t *v = job(c, j);
    assert_string_equal(str(v, "status"), "failed");
    assert_string_equal(str(v, "error_message"), "ASSET_STORAGE_ERROR: gave up after 5 attempts");
    json_decref(v);
}

static void a_regenerate_is_a_job_of_its_own(const kh_scope *s, const console *c)
{
    produce(s->regenerate, "a1", AW_TYPE_REGENERATE, "rg-1", 20,
            json_pack("{s:s,s:s,s:s,s:s,s:[s]}", "jobId", "regen-t1", "assetId", "a1", "storageKey",
                      "uploads/a1", "mimeType", "image/png", "types", "thumbnail"),
            NULL);
    wait_consumed(c, 14);
    json_t *v = job(c, "regen-t1");
    assert_string_equal(str(v, "kind"), "regenerate");
    assert_string_equal(str(v, "status"), "queued");
    assert_string_equal(str(v, "user_id"), "user-7");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(v, "regenerate_types"), 0)), "thumbnail");
    json_decref(v);
    json_t *list = get(c, "/api/v1/jobs", 200);
    assert_int_equal(num(list, "total"), 4); /* a1, a2, a3 and the regenerate */
    assert_string_equal(str(json_array_get(json_object_get(list, "jobs"), 0), "id"), "regen-t1");
    json_decref(list);
}

/* A job that ended before its scan (an empty file): scanStatus PENDING is no
 * verdict, and the job still ends. */
static void a_job_ended_before_its_scan_ends(const kh_scope *s, const console *c)
{
    json_t *d = completed_data("job-p1", "a4", "failed", NULL);
    json_object_set_new(d, "scanStatus", json_string("PENDING"));
    completed(s, "done-p1", d, 21);
    wait_consumed(c, 15);
    json_t *v = job(c, "job-p1");
    assert_string_equal(str(v, "status"), "failed");
    assert_true(json_is_null(json_object_get(v, "scan_status")));
    assert_string_equal(str(v, "error_message"), "ASSET_PROCESSING_FAILED: no video stream");
    json_decref(v);
    assert_int_equal(status_field(c, "malformed"), 4);
}

static json_t *post(const console *c, const char *path, const char *body, long expect_status)
{
    char *url = aw_xasprintf("%s%s", c->url, path);
    th_response r = th_http("POST", url, body, NULL);
    free(url);
    if (r.status != expect_status)
        fail_msg("POST %s: %ld, not %ld: %s", path, r.status, expect_status, r.body);
    json_t *v = json_loads(r.body, 0, NULL);
    th_response_free(&r);
    return v;
}

/* Replay: a dead-lettered upload goes back to its topic as a job of its
 * own; one the worker would refuse again is not sent (409). */
static void a_dead_letter_is_replayed(const kh_scope *s, const console *c)
{
    const char *why[] = {"x-dlq-error-code", "ASSET_INVALID_FILE_TYPE", "x-dlq-source-topic",
                         s->uploads, NULL};
    produce(s->dlq, "a8", AW_TYPE_UPLOAD, "up-a8", 22,
            upload_data("a8", "application/x-msdownload", NULL), why);
    wait_consumed(c, 16);
    json_t *list = get(c, "/api/v1/dead-letters", 200), *dl;
    char refused[64] = "", storage_error[64] = "";
    size_t i;
    json_array_foreach(json_object_get(list, "dead_letters"), i, dl) {
        bool a8 = strcmp(str(dl, "key"), "a8") == 0;
        json_t *replay = json_object_get(dl, "replay");
        assert_true(json_is_true(json_object_get(replay, "possible")) == !a8); /* said beforehand */
        if (a8)
            assert_non_null(strstr(str(replay, "reason"), "would refuse it again"));
        snprintf(a8 ? refused : storage_error, 64, "/api/v1/dead-letters/%lld/%lld/replay",
                 num(dl, "partition"), num(dl, "offset"));
    }
    json_decref(list);
    json_decref(post(c, refused, "", 409));
    json_decref(post(c, "/api/v1/dead-letters/0/999/replay", "", 404));
    json_t *answer = post(c, storage_error, "", 202);
    assert_string_equal(str(answer, "topic"), s->uploads);
    assert_string_equal(str(answer, "asset_id"), "a3");
    wait_consumed(c, 17);
    json_t *v = job(c, str(answer, "job_id"));
    assert_string_equal(str(v, "status"), "queued"); /* a new job, not the failed one */
    assert_string_equal(str(v, "kind"), "upload");
    assert_string_equal(str(v, "asset_id"), "a3");
    json_decref(v), json_decref(answer);
}

static void events_fold_by_the_rules(void **state)
{
    (void)state;
    kh_scope s;
    kh_scope_init(&K, &s, "rules", 2);
    console c;
    console_start(&c, &s, "rules");
    char j[130];
    json_t *a1 = upload_data("a1", "image/png", "proj-1");
    job_id_of("up-a1", "test", a1, j);
    json_decref(a1);
    late_and_early_events(&s, &c, j);
    the_upload_fills_in_who_and_what(&s, &c, j);
    progress_only_grows(&s, &c);
    malformed_messages_are_skipped(&s, &c);
    dead_letters_fail_their_job(&s, &c);
    a_regenerate_is_a_job_of_its_own(&s, &c);
    a_job_ended_before_its_scan_ends(&s, &c);
    a_dead_letter_is_replayed(&s, &c);
    console_stop(&c);
}

/* ---- pages, filters, bad requests ------------------------------------- */

static void expect_error(const console *c, const char *method, const char *path, const char *body,
                         long status, const char *field)
{
    char *url = aw_xasprintf("%s%s", c->url, path);
    th_response r = th_http(method, url, body, NULL);
    free(url);
    assert_int_equal(r.status, status);
    json_t *body_json = json_loads(r.body, 0, NULL), *e = json_object_get(body_json, "error");
    assert_non_null(e);
    if (field != NULL) {
        assert_non_null(str(e, "field"));
        assert_string_equal(str(e, "field"), field);
    }
    json_decref(body_json);
    th_response_free(&r);
}

static long long total_of(const console *c, const char *path)
{
    json_t *v = get(c, path, 200);
    long long t = num(v, "total");
    json_decref(v);
    return t;
}

static void list_pages_and_filters(const console *c)
{
    json_t *p1 = get(c, "/api/v1/jobs?limit=20", 200), *p2 = get(c, "/api/v1/jobs?offset=20", 200);
    assert_int_equal(num(p1, "total"), 23);
    assert_int_equal(json_array_size(json_object_get(p1, "jobs")), 20);
    assert_int_equal(json_array_size(json_object_get(p2, "jobs")), 3);
    assert_int_equal(num(p2, "offset"), 20);
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    json_t *all[] = {json_object_get(p1, "jobs"), json_object_get(p2, "jobs")}, *j;
    const char *previous = "9999";
    for (int k = 0; k < 2; k++) {
        size_t i;
        json_array_foreach(all[k], i, j) {
            g_hash_table_add(seen, (char *)str(j, "id"));
            assert_true(strcmp(str(j, "created_at"), previous) <= 0); /* newest first */
            previous = str(j, "created_at");
        }
    }
    assert_int_equal(g_hash_table_size(seen), 23);
    assert_string_equal(str(json_array_get(json_object_get(p1, "jobs"), 0), "title"),
                        "Title of p22");
    g_hash_table_destroy(seen);
    json_decref(p1), json_decref(p2);
    assert_int_equal(total_of(c, "/api/v1/jobs?asset_type=VIDEO"), 8);
    assert_int_equal(total_of(c, "/api/v1/jobs?asset_type=video"), 8);
    assert_int_equal(total_of(c, "/api/v1/jobs?status=queued&asset_type=IMAGE"), 15);
    assert_int_equal(total_of(c, "/api/v1/jobs?status=completed"), 0);
}

static void bad_requests_name_their_field(const console *c)
{
    expect_error(c, "GET", "/api/v1/jobs?limit=0", NULL, 400, "limit");
    expect_error(c, "GET", "/api/v1/jobs?limit=101", NULL, 400, "limit");
    expect_error(c, "GET", "/api/v1/jobs?limit=ten", NULL, 400, "limit");
    expect_error(c, "GET", "/api/v1/jobs?offset=-1", NULL, 400, "offset");
    expect_error(c, "GET", "/api/v1/jobs?status=done", NULL, 400, "status");
    expect_error(c, "GET", "/api/v1/jobs?asset_type=thumbnail", NULL, 400, "asset_type");
    expect_error(c, "GET", "/api/v1/jobs/no-such-job", NULL, 404, "id");
    expect_error(c, "GET", "/api/v1/jobs/no-such-job/assets", NULL, 404, "id");
    expect_error(c, "POST", "/api/v1/jobs/no-such-job/regenerate", "{\"types\":[\"all\"]}", 404,
                 "id");
    expect_error(c, "PATCH", "/api/v1/assets/no-such.thumbnail-small", "{\"is_public\":true}", 404,
                 "id");
    expect_error(c, "PATCH", "/api/v1/assets/x", "{\"is_public\":\"yes\"}", 400, "is_public");
    expect_error(c, "GET", "/api/v1/nothing-here", NULL, 404, NULL);
}

static long long count_of(const console *c, const char *path, const char *status)
{
    json_t *v = get(c, path, 200);
    json_t *counts = json_object_get(v, "counts");
    assert_non_null(counts);
    long long n = num(counts, status);
    json_decref(v);
    return n;
}

static const char *first_id(json_t *list)
{
    return str(json_array_get(json_object_get(list, "jobs"), 0), "id");
}

/* q (asset id, job id, title), a time range, the order, counts per status. */
static void search_range_sort_and_counts(const console *c)
{
    assert_int_equal(total_of(c, "/api/v1/jobs?q=p22"), 1);
    assert_int_equal(total_of(c, "/api/v1/jobs?q=P2"), 4);               /* p2, p20, p21, p22 */
    assert_int_equal(total_of(c, "/api/v1/jobs?q=title%20of%20p1"), 11); /* p1, p10…p19 */
    assert_int_equal(total_of(c, "/api/v1/jobs?q=no-such-thing"), 0);
    assert_int_equal(total_of(c, "/api/v1/jobs?q=%25"), 0); /* % and _ are literal */
    assert_int_equal(total_of(c, "/api/v1/jobs?q=_"), 0);
    char j5[130], path[300];
    json_t *d = upload_data("p5", "image/png", "proj-1");
    job_id_of("up-p5", "test", d, j5);
    json_decref(d);
    snprintf(path, sizeof path, "/api/v1/jobs?q=%s", j5);
    json_t *v = get(c, path, 200);
    assert_int_equal(num(v, "total"), 1);
    assert_string_equal(first_id(v), j5);
    json_decref(v);
    assert_int_equal(total_of(c, "/api/v1/jobs?created_from=2026-03-01T10:00:10Z"
                                 "&created_to=2026-03-01T10:00:14.999Z"),
                     5);
    assert_int_equal(total_of(c, "/api/v1/jobs?created_from=2026-03-01T10:00:20Z"), 3);
    expect_error(c, "GET", "/api/v1/jobs?created_from=yesterday", NULL, 400, "created_from");
    v = get(c, "/api/v1/jobs?sort=oldest", 200);
    assert_string_equal(str(json_array_get(json_object_get(v, "jobs"), 0), "title"), "Title of p0");
    json_decref(v);
    v = get(c, "/api/v1/jobs?sort=newest", 200);
    assert_string_equal(str(json_array_get(json_object_get(v, "jobs"), 0), "title"),
                        "Title of p22");
    json_decref(v);
    expect_error(c, "GET", "/api/v1/jobs?sort=sideways", NULL, 400, "sort");
    /* counts: every status, for the other filters (not the status filter) */
    assert_int_equal(count_of(c, "/api/v1/jobs", "queued"), 23);
    assert_int_equal(count_of(c, "/api/v1/jobs?status=completed", "queued"), 23);
    assert_int_equal(count_of(c, "/api/v1/jobs?asset_type=VIDEO", "queued"), 8);
    assert_int_equal(count_of(c, "/api/v1/jobs?q=p2", "queued"), 4);
    assert_int_equal(count_of(c, "/api/v1/jobs", "failed"), 0);
}

/* What the API once got wrong: every request gets an answer that says what
 * is wrong with it. */
static void odd_requests_get_a_clear_answer(const console *c)
{
    /* a ~23 kB query of 3000 parameters: an answer, not a closed connection */
    GString *q = g_string_new(c->url);
    g_string_append(q, "/api/v1/jobs?");
    for (int i = 0; i < 3000; i++)
        g_string_append_printf(q, "%sk%d=%d", i ? "&" : "", i, i);
    th_response r = th_http("GET", q->str, NULL, NULL);
    if (r.status != 414 && r.status != 431)
        fail_msg("a %zu-byte query: status %ld (%s)", q->len, r.status, r.error);
    th_response_free(&r);
    g_string_free(q, TRUE);

    /* a NUL in the path or the query is refused, not cut off */
    json_t *list = get(c, "/api/v1/jobs?limit=1", 200);
    char *path = aw_xasprintf("/api/v1/jobs/%s%%00junk", first_id(list));
    expect_error(c, "GET", path, NULL, 400, NULL);
    free(path);
    json_decref(list);
    expect_error(c, "GET", "/api/v1/jobs?status=queued%00junk", NULL, 400, NULL);

    /* status may be given several times: any of them */
    assert_int_equal(total_of(c, "/api/v1/jobs?status=queued&status=completed"), 23);
    assert_int_equal(total_of(c, "/api/v1/jobs?status=completed&status=queued"), 23);
    assert_int_equal(total_of(c, "/api/v1/jobs?status=completed&status=failed"), 0);
    expect_error(c, "GET", "/api/v1/jobs?status=queued&status=done", NULL, 400, "status");
    expect_error(c, "GET", "/api/v1/jobs?limit=5&limit=6", NULL, 400, "limit");

    /* a body that is not JSON is said to be so */
    expect_error(c, "POST", "/api/v1/jobs/no-such-job/regenerate", "{\"types\": [", 400, "body");
    expect_error(c, "PATCH", "/api/v1/assets/x", "not json", 400, "body");

    /* a known route with another method: 405, not 404 */
    expect_error(c, "DELETE", "/api/v1/jobs", NULL, 405, NULL);
    expect_error(c, "PUT", "/api/v1/jobs/x", NULL, 405, NULL);
    expect_error(c, "GET", "/api/v1/jobs/x/regenerate", NULL, 405, NULL);
    expect_error(c, "POST", "/api/v1/status", "{}", 405, NULL);
}

static void polling_is_cheap(const kh_scope *s, const console *c)
{
    char *url = aw_xasprintf("%s/api/v1/jobs?limit=5", c->url), header[200];
    th_response first = th_http("GET", url, NULL, NULL);
    assert_int_equal(first.status, 200);
    assert_true(first.etag[0] != '\0');
    snprintf(header, sizeof header, "If-None-Match: %s", first.etag);
    th_response again = th_http("GET", url, NULL, header);
    assert_int_equal(again.status, 304);
    assert_int_equal(again.len, 0);
    upload(s, "p23", "image/png", 40, NULL);
    wait_consumed(c, 24);
    th_response changed = th_http("GET", url, NULL, header);
    assert_int_equal(changed.status, 200);
    assert_string_not_equal(changed.etag, first.etag);
    th_response_free(&first), th_response_free(&again), th_response_free(&changed);
    free(url);
}

static void lists_page_filter_and_refuse_bad_requests(void **state)
{
    (void)state;
    kh_scope s;
    kh_scope_init(&K, &s, "pages", 3);
    for (int i = 0; i < 23; i++) {
        char asset[16];
        snprintf(asset, sizeof asset, "p%d", i);
        upload(&s, asset, i < 15 ? "image/png" : "video/mp4", i, NULL);
    }
    console c;
    console_start(&c, &s, "pages"); /* after the backlog: it reads from the earliest */
    wait_consumed(&c, 23);
    list_pages_and_filters(&c);
    bad_requests_name_their_field(&c);
    odd_requests_get_a_clear_answer(&c);
    search_range_sort_and_counts(&c);
    polling_is_cheap(&s, &c);
    console_stop(&c);
}

/* ---- rebuild ------------------------------------------------------------ */

/* Everything the API shows: the list, each job, its outputs, dead letters. */
static json_t *snapshot(const console *c)
{
    json_t *list = get(c, "/api/v1/jobs?limit=100", 200), *snap = json_object(), *j;
    size_t i;
    json_array_foreach(json_object_get(list, "jobs"), i, j) {
        char path[300];
        snprintf(path, sizeof path, "/api/v1/jobs/%s/assets", str(j, "id"));
        json_object_set_new(snap, str(j, "id"),
                            json_pack("{s:o,s:o}", "job", job(c, str(j, "id")), "assets",
                                      get(c, path, 200)));
    }
    json_object_set_new(snap, "list", list);
    json_object_set_new(snap, "dead_letters", get(c, "/api/v1/dead-letters?limit=100", 200));
    return snap;
}

static void produce_a_history(const kh_scope *s)
{
    char j1[130], j2[130];
    upload(s, "r1", "image/png", 1, j1);
    upload(s, "r2", "audio/mpeg", 2, j2);
    progress(s, j1, "r1", "thumbnail", 50, 3);
    completed(
        s, "done-r1",
        completed_data(j1, "r1", "partial",
                       json_pack("{s:o,s:o}", "small",
                                 thumb("derived/r1/thumbnail_small.webp", "small", 200, 100, 10),
                                 "large",
                                 thumb("derived/r1/thumbnail_large.webp", "large", 800, 400, 90))),
        4);
    completed(s, "done-r1", completed_data(j1, "r1", "failed", NULL), 5); /* duplicate */
    progress(s, j2, "r2", "scan", 10, 6);
    progress(s, j1, "r1", "scan", 5, 7); /* late */
    produce(s->events, "x", AW_TYPE_SCAN, "bad", 8, NULL, NULL);
    const char *why[] = {"x-dlq-error-code", "ASSET_INVALID_METADATA", NULL};
    produce(s->dlq, "r3", AW_TYPE_UPLOAD, "up-r3", 9, upload_data("r3", "image/png", NULL), why);
}

/* Sets is_public back to false on every output with that id that had it
 * true; how many there were. */
static int forget_visibility(json_t *snap, const char *output_id)
{
    int n = 0;
    const char *key;
    json_t *v;
    json_object_foreach(snap, key, v) {
        json_t *a;
        size_t i;
        json_array_foreach(json_object_get(v, "assets"), i, a) {
            if (strcmp(str(a, "id"), output_id) != 0 ||
                !json_is_true(json_object_get(a, "is_public")))
                continue;
            json_object_set_new(a, "is_public", json_false());
            n++;
        }
    }
    return n;
}

static void rebuilding_from_the_topics_gives_the_same_view(void **state)
{
    (void)state;
    kh_scope s;
    kh_scope_init(&K, &s, "rebuild", 3);
    produce_a_history(&s);
    console c;
    console_start(&c, &s, "rebuild");
    wait_consumed(&c, 9);
    char *path = aw_xasprintf("%s/api/v1/assets/r1.thumbnail-large", c.url);
    th_response r = th_http("PATCH", path, "{\"is_public\":true}", NULL);
    assert_int_equal(r.status, 200);
    th_response_free(&r), free(path);
    json_t *before = snapshot(&c);
    console_stop(&c);

    console_start(&c, &s, "rebuild"); /* same database: resumes, counts nothing twice */
    sleep(3);
    assert_int_equal(status_field(&c, "consumed"), 9);
    console_stop(&c);

    char *wal = aw_xasprintf("%s-wal", c.db), *shm = aw_xasprintf("%s-shm", c.db);
    unlink(c.db), unlink(wal), unlink(shm);
    free(wal), free(shm);
    console_start(&c, &s, "rebuild");
    wait_consumed(&c, 9);
    json_t *after = snapshot(&c);
    /* the visibility flag is the console's own, not in the topics: the one
     * thing a rebuild cannot know (docs/console.md) */
    assert_int_equal(forget_visibility(before, "r1.thumbnail-large"), 1);
    char *b = json_dumps(before, JSON_SORT_KEYS | JSON_INDENT(1));
    char *a = json_dumps(after, JSON_SORT_KEYS | JSON_INDENT(1));
    assert_string_equal(a, b);
    assert_int_equal(status_field(&c, "malformed"), 1);
    free(a), free(b);
    json_decref(before), json_decref(after);
    console_stop(&c);
}

/* ---- outputs ------------------------------------------------------------- */

static long long make_webp(const char *key, int w, int h)
{
    char *path = aw_xasprintf("%s/%s", storage, key);
    char *dir = g_path_get_dirname(path);
    g_mkdir_with_parents(dir, 0755);
    VipsImage *xy = NULL, *u = NULL;
    vips_xyz(&xy, w, h, NULL);
    vips_cast_uchar(xy, &u, NULL);
    assert_int_equal(vips_webpsave(u, path, NULL), 0);
    g_object_unref(u), g_object_unref(xy);
    struct stat st;
    stat(path, &st);
    g_free(dir), free(path);
    return (long long)st.st_size;
}

static void expect_bytes_of(const console *c, const char *url_path, const char *key,
                            const char *type)
{
    char *url = aw_xasprintf("%s%s", c->url, url_path);
    th_response r = th_http("GET", url, NULL, NULL);
    gchar *want = NULL;
    gsize want_len = 0;
    char *file = aw_xasprintf("%s/%s", storage, key);
    assert_true(g_file_get_contents(file, &want, &want_len, NULL));
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, type);
    assert_int_equal(r.content_length, (long long)want_len);
    assert_int_equal(r.len, want_len);
    assert_memory_equal(r.body, want, want_len);
    g_free(want), free(file), free(url);
    th_response_free(&r);
}

static void outputs_are_served_and_nothing_else(void **state)
{
    (void)state;
    kh_scope s;
    kh_scope_init(&K, &s, "files", 1);
    long long size = make_webp("derived/f1/thumbnail_small.webp", 200, 120);
    char j[130];
    upload(&s, "f1", "image/png", 1, j);
    json_t *thumbs = json_pack(
        "{s:o,s:o,s:o}", "small", thumb("derived/f1/thumbnail_small.webp", "small", 200, 120, size),
        "medium", thumb("derived/f2/thumbnail_medium.webp", "medium", 400, 240, 9), "large",
        thumb("derived/f1/../../../etc/passwd", "large", 800, 480, 9));
    completed(&s, "done-f1", completed_data(j, "f1", "completed", thumbs), 2);
    console c;
    console_start(&c, &s, "files");
    wait_consumed(&c, 2);
    char path[300];
    snprintf(path, sizeof path, "/api/v1/jobs/%s/assets", j);
    json_t *assets = get(&c, path, 200);
    assert_int_equal(json_array_size(assets), 1); /* another asset's key and ".." are refused */
    json_t *a = json_array_get(assets, 0);
    assert_string_equal(str(a, "id"), "f1.thumbnail-small");
    assert_string_equal(str(a, "asset_type"), "thumbnail");
    assert_int_equal(num(a, "width"), 200);
    assert_int_equal(num(a, "file_size"), size);
    assert_false(json_is_true(json_object_get(a, "is_public")));
    assert_true(json_is_null(json_object_get(a, "viral_score")));
    assert_string_equal(str(a, "user_id"), "user-7");
    expect_bytes_of(&c, str(a, "url"), "derived/f1/thumbnail_small.webp", "image/webp");
    json_decref(assets);

    expect_error(&c, "GET", "/api/v1/assets/f1.thumbnail-large/content", NULL, 404, "id");
    expect_error(&c, "GET", "/api/v1/assets/..%2F..%2Fetc%2Fpasswd/content", NULL, 404, NULL);
    char *url = aw_xasprintf("%s/api/v1/assets/f1.thumbnail-small", c.url);
    th_response r = th_http("PATCH", url, "{\"is_public\":true}", NULL);
    assert_int_equal(r.status, 200);
    json_t *patched = json_loads(r.body, 0, NULL);
    assert_true(json_is_true(json_object_get(patched, "is_public")));
    json_decref(patched);
    th_response_free(&r), free(url);
    assets = get(&c, path, 200);
    assert_true(json_is_true(json_object_get(json_array_get(assets, 0), "is_public")));
    json_decref(assets);

    url = aw_xasprintf("%s/", c.url);
    r = th_http("GET", url, NULL, NULL);
    assert_int_equal(r.status, 302);
    assert_string_equal(r.location, "/dashboard/assets");
    th_response_free(&r), free(url);
    console_stop(&c);
}

/* ---- with the worker ------------------------------------------------------ */

static json_t *wait_for_status(const console *c, const char *id, const char *status, int seconds)
{
    char path[300];
    snprintf(path, sizeof path, "/api/v1/jobs/%s", id);
    for (int i = 0; i < seconds * 5; i++) {
        long code = 0;
        json_t *v = th_get_json(c->url, path, &code);
        if (v != NULL && strcmp(str(v, "status"), status) == 0)
            return v;
        json_decref(v);
        usleep(200000);
    }
    fail_msg("job %s did not reach %s in %d s", id, status, seconds);
    return NULL;
}

static void expect_three_thumbnails(const console *c, const char *job_id)
{
    char path[300];
    snprintf(path, sizeof path, "/api/v1/jobs/%s/assets", job_id);
    json_t *assets = get(c, path, 200), *a;
    assert_int_equal(json_array_size(assets), 3);
    size_t i;
    const int bound[] = {200, 400, 800};
    json_array_foreach(assets, i, a) {
        assert_true(num(a, "width") <= bound[i] && num(a, "height") <= bound[i]);
        assert_true(num(a, "width") == bound[i] || num(a, "height") == bound[i]);
        expect_bytes_of(c, str(a, "url"), str(a, "key"), "image/webp");
    }
    json_decref(assets);
}

static void follows_the_worker_and_regenerates(void **state)
{
    (void)state;
    kh_scope s;
    kh_scope_init(&K, &s, "live", 2);
    char *log = kh_log_path(work, "live-worker");
    pid_t w = kh_worker_start(&K, &s, bin, storage, clamdb, log, NULL);
    free(log);
    assert_true(w > 0);
    console c;
    console_start(&c, &s, "live");
    make_webp("uploads/l1/photo.webp", 1600, 900);
    char id[64], j[130];
    int32_t p;
    int64_t o;
    assert_int_equal(kh_produce_upload(&K, &s, "l1", "uploads/l1/photo.webp", "image/webp", 1000,
                                       NULL, id, &p, &o),
                     0);
    json_t *d = json_pack("{s:s,s:s,s:s,s:i,s:s,s:s}", "assetId", "l1", "storageKey",
                          "uploads/l1/photo.webp", "mimeType", "image/webp", "fileSize", 1000,
                          "title", "l1", "createdBy", "tester");
    job_id_of(id, "test-api", d, j); /* kh_produce_upload's source */
    json_decref(d);
    json_t *v = wait_for_status(&c, j, "completed", 90);
    assert_string_equal(str(v, "scan_status"), "CLEAN");
    assert_int_equal(num(v, "progress"), 100);
    assert_true(json_array_size(json_object_get(v, "stages")) >= 3);
    json_decref(v);
    expect_three_thumbnails(&c, j);

    char *url = aw_xasprintf("%s/api/v1/jobs/%s/regenerate", c.url, j);
    th_response r = th_http("POST", url, "{\"types\":[\"thumbnail\"]}",
                            "X-Forwarded-User: alice@example.com");
    assert_int_equal(r.status, 202);
    json_t *answer = json_loads(r.body, 0, NULL);
    th_response_free(&r);
    /* the 202 comes once the read model holds the new job: no wait here */
    char *new_job = aw_xasprintf("/api/v1/jobs/%s", str(answer, "job_id"));
    v = get(&c, new_job, 200);
    assert_string_equal(str(v, "kind"), "regenerate");
    assert_string_equal(str(v, "user_id"), "alice@example.com"); /* who asked, not the uploader */
    json_decref(v), free(new_job);
    json_t *list = get(&c, "/api/v1/jobs", 200);
    assert_string_equal(str(json_array_get(json_object_get(list, "jobs"), 0), "id"),
                        str(answer, "job_id"));
    json_decref(list);
    r = th_http("POST", url, "{\"types\":[\"everything\"]}", NULL);
    assert_int_equal(r.status, 400);
    th_response_free(&r), free(url);
    v = wait_for_status(&c, str(answer, "job_id"), "completed", 90);
    assert_string_equal(str(v, "kind"), "regenerate");
    assert_string_equal(str(v, "asset_id"), "l1");
    json_decref(v);
    expect_three_thumbnails(&c, str(answer, "job_id"));
    json_decref(answer);
    console_stop(&c);
    kh_worker_stop(w, SIGTERM, 60);
}

static int setup(void **state)
{
    (void)state;
    work = aw_test_tmpdir("console");
    storage = aw_test_tmpdir("console-storage");
    clamdb = aw_test_tmpdir("console-clamdb");
    aw_test_make_clamav_db(clamdb);
    snprintf(storage_url, sizeof storage_url, "file://%s", storage);
    return kh_cluster_start(&K);
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
    aw_test_rmtree(storage), aw_test_rmtree(clamdb);
    free(work), free(storage), free(clamdb);
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
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(events_fold_by_the_rules, after_each),
        cmocka_unit_test_teardown(lists_page_filter_and_refuse_bad_requests, after_each),
        cmocka_unit_test_teardown(rebuilding_from_the_topics_gives_the_same_view, after_each),
        cmocka_unit_test_teardown(outputs_are_served_and_nothing_else, after_each),
        cmocka_unit_test_teardown(follows_the_worker_and_regenerates, after_each),
    };
    if (getenv("AW_TEST_FILTER") != NULL)
        cmocka_set_test_filter(getenv("AW_TEST_FILTER"));
    return cmocka_run_group_tests_name("console", tests, setup, teardown);
}
