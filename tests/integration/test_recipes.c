/* test_recipes.c — recipe-versioned outputs through the real service
 * (issue 19), against librdkafka's mock cluster hosted here and file://
 * storage: every job writes its asset's manifest after the outputs; a
 * regenerate "outdated" after a settings change re-runs only the stages
 * whose recipe changed; a second one runs nothing; an asset without a
 * manifest is regenerated whole.
 *
 * usage: test_recipes ASSET_WORKER_BINARY */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "aw_test.h"
#include "event.h"
#include "kafka_harness.h"

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
static char *work, *storage, *db;
static kh_cluster K;

static pid_t worker(kh_scope *s, const char *name, const char *const *extra)
{
    char *log = kh_log_path(work, name);
    pid_t pid = kh_worker_start(&K, s, bin, storage, db, log, extra);
    free(log);
    assert_true(pid > 0);
    return pid;
}

static void stop(pid_t pid)
{
    int status = kh_worker_stop(pid, SIGTERM, 60);
    assert_true(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A W×H JPEG at uploads/ASSET/photo.jpg; its size. */
static long long put_photo(const char *asset, int w, int h)
{
    char *dir = aw_xasprintf("%s/uploads/%s", storage, asset);
    char *path = aw_xasprintf("%s/photo.jpg", dir);
    g_mkdir_with_parents(dir, 0755);
    VipsImage *xy = NULL, *u = NULL;
    vips_xyz(&xy, w, h, NULL);
    vips_cast_uchar(xy, &u, NULL);
    assert_int_equal(vips_jpegsave(u, path, "Q", 90, NULL), 0);
    g_object_unref(u), g_object_unref(xy);
    struct stat st;
    stat(path, &st);
    free(dir), free(path);
    return (long long)st.st_size;
}

/* w×h: bytes of their own (one test's photo must not be another's duplicate) */
static void upload(kh_scope *s, const char *asset, int w, int h)
{
    long long size = put_photo(asset, w, h);
    char key[128], id[64];
    snprintf(key, sizeof key, "uploads/%s/photo.jpg", asset);
    int32_t p;
    int64_t o;
    assert_int_equal(kh_produce_upload(&K, s, asset, key, "image/jpeg", size, NULL, id, &p, &o), 0);
}

static void regenerate(kh_scope *s, const char *asset, const char *job, const char *types)
{
    char *value = aw_xasprintf("{\"jobId\":\"%s\",\"assetId\":\"%s\",\"storageKey\":"
                               "\"uploads/%s/photo.jpg\",\"mimeType\":\"image/jpeg\","
                               "\"types\":%s}",
                               job, asset, asset, types);
    const char *h[] = {
        "ce_specversion", "1.0",     "ce_id", job, "ce_type", "asset.regenerate.requested",
        "ce_source",      "ops-cli", NULL};
    int32_t p;
    int64_t o;
    assert_int_equal(kh_produce(&K, s->regenerate, asset, value, strlen(value), h, &p, &o), 0);
    free(value);
}

/* The completed event of job (waits up to timeout_s). */
static json_t *completed(kh_collector *c, const char *job, int timeout_s)
{
    for (int i = 0; i < timeout_s * 5; i++) {
        for (size_t k = 0; k < c->n; k++) {
            const char *j = json_string_value(json_object_get(c->events[k].data, "jobId"));
            if (strcmp(c->events[k].type, AW_TYPE_COMPLETED) == 0 && j && strcmp(j, job) == 0)
                return c->events[k].data;
        }
        kh_collect_until(c, AW_TYPE_COMPLETED, kh_count(c, AW_TYPE_COMPLETED) + 1, 0.2);
    }
    fail_msg("no completed event for %s in %d s", job, timeout_s);
    return NULL;
}

static json_t *manifest_of(const char *asset)
{
    char *path = aw_xasprintf("%s/derived/%s/manifest.json", storage, asset);
    json_t *m = json_load_file(path, 0, NULL);
    free(path);
    assert_non_null(m);
    return m;
}

static const char *str_at(json_t *o, const char *a, const char *b)
{
    return json_string_value(json_object_get(json_object_get(o, a), b));
}

static gchar *file_sha256(const char *rel)
{
    char *path = aw_xasprintf("%s/%s", storage, rel);
    gchar *data = NULL;
    gsize len = 0;
    assert_true(g_file_get_contents(path, &data, &len, NULL));
    gchar *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)data, len);
    g_free(data), free(path);
    return sum;
}

/* True when a timing of the job names a stage containing text. */
static bool ran_stage(json_t *job, const char *text)
{
    json_t *t;
    size_t i;
    json_array_foreach(json_object_get(job, "timings"), i, t) {
        const char *stage = json_string_value(json_object_get(t, "stage"));
        if (stage && strstr(stage, text))
            return true;
    }
    return false;
}

static void the_manifest_follows_each_job(kh_collector *c, json_t *first, const char *asset)
{
    json_t *m = manifest_of(asset);
    assert_string_equal(str_at(m, "recipes", "thumbnail"), str_at(first, "recipes", "thumbnail"));
    assert_string_equal(str_at(m, "recipes", "metadata"), str_at(first, "recipes", "metadata"));
    assert_string_equal(str_at(m, "source", "storageKey"), "uploads/rc-a/photo.jpg");
    assert_string_equal(str_at(m, "scan", "status"), "CLEAN");
    assert_non_null(json_object_get(json_object_get(m, "variants"), "thumbnails"));
    assert_string_equal(str_at(first, "outputs", "thumbnail"), "made");
    (void)c;
    json_decref(m);
}

static void outdated_runs_only_what_changed(void **state)
{
    (void)state;
    kh_scope s;
    kh_scope_init(&K, &s, "outdated", 1);
    kh_collector c;
    kh_collector_start(&c, &K, &s);
    upload(&s, "rc-a", 640, 480);
    pid_t w = worker(&s, "outdated-1", NULL);
    assert_int_equal(kh_collect_until(&c, AW_TYPE_COMPLETED, 1, 60), 1);
    json_t *first = json_incref(kh_find(&c, AW_TYPE_COMPLETED, "rc-a")->data);
    the_manifest_follows_each_job(&c, first, "rc-a");
    gchar *thumb_before = file_sha256("derived/rc-a/thumbnail_large.webp");
    stop(w);

    /* the operator lowers the thumbnails' quality and restarts */
    const char *q50[] = {"--quality", "50", NULL};
    w = worker(&s, "outdated-2", q50);
    regenerate(&s, "rc-a", "out-1", "[\"outdated\"]");
    json_t *out1 = completed(&c, "out-1", 60);
    assert_string_equal(json_string_value(json_object_get(out1, "status")), "completed");
    assert_string_equal(str_at(out1, "outputs", "thumbnail"), "made");
    assert_string_equal(str_at(out1, "outputs", "metadata"), "current");
    assert_false(ran_stage(out1, "metadata"));
    assert_true(ran_stage(out1, "thumbnail"));
    assert_string_not_equal(str_at(out1, "recipes", "thumbnail"),
                            str_at(first, "recipes", "thumbnail"));
    assert_string_equal(str_at(out1, "recipes", "metadata"), str_at(first, "recipes", "metadata"));
    assert_non_null(json_object_get(json_object_get(out1, "metadata"), "technical"));
    gchar *thumb_after = file_sha256("derived/rc-a/thumbnail_large.webp");
    assert_string_not_equal(thumb_before, thumb_after); /* made again, at quality 50 */
    json_t *m = manifest_of("rc-a");
    assert_string_equal(str_at(m, "recipes", "thumbnail"), str_at(out1, "recipes", "thumbnail"));
    json_decref(m);

    /* nothing is outdated now: no stage runs, every output is reported current */
    regenerate(&s, "rc-a", "out-2", "[\"outdated\"]");
    json_t *out2 = completed(&c, "out-2", 60);
    assert_string_equal(json_string_value(json_object_get(out2, "status")), "completed");
    assert_string_equal(str_at(out2, "outputs", "thumbnail"), "current");
    assert_string_equal(str_at(out2, "outputs", "metadata"), "current");
    assert_null(json_object_get(out2, "timings"));
    assert_int_equal(
        json_object_size(json_object_get(json_object_get(out2, "variants"), "thumbnails")), 3);
    gchar *thumb_untouched = file_sha256("derived/rc-a/thumbnail_large.webp");
    assert_string_equal(thumb_after, thumb_untouched);
    assert_true(kh_log_count(work, "outdated-2", "nothing runs") == 1);

    /* an asset without a manifest (made before recipes): regenerated whole */
    put_photo("rc-old", 320, 240);
    regenerate(&s, "rc-old", "out-3", "[\"outdated\"]");
    json_t *out3 = completed(&c, "out-3", 60);
    assert_string_equal(str_at(out3, "outputs", "thumbnail"), "made");
    assert_string_equal(str_at(out3, "outputs", "metadata"), "made");
    stop(w);
    g_free(thumb_before), g_free(thumb_after), g_free(thumb_untouched);
    json_decref(first);
    kh_collector_stop(&c);
}

/* Puts a copy of asset from's source at uploads/to/photo.jpg and uploads it. */
static void upload_copy(kh_scope *s, const char *from, const char *to)
{
    char *src = aw_xasprintf("%s/uploads/%s/photo.jpg", storage, from);
    char *dir = aw_xasprintf("%s/uploads/%s", storage, to);
    char *dst = aw_xasprintf("%s/photo.jpg", dir);
    gchar *data = NULL;
    gsize len = 0;
    assert_true(g_file_get_contents(src, &data, &len, NULL));
    g_mkdir_with_parents(dir, 0755);
    assert_true(g_file_set_contents(dst, data, (gssize)len, NULL));
    char key[128], id[64];
    snprintf(key, sizeof key, "uploads/%s/photo.jpg", to);
    int32_t p;
    int64_t o;
    assert_int_equal(
        kh_produce_upload(&K, s, to, key, "image/jpeg", (long long)len, NULL, id, &p, &o), 0);
    g_free(data), free(src), free(dir), free(dst);
}

static json_t *completed_of_asset(kh_collector *c, const char *asset, int timeout_s)
{
    for (int i = 0; i < timeout_s * 5; i++) {
        const kh_event *e = kh_find(c, AW_TYPE_COMPLETED, asset);
        if (e != NULL)
            return e->data;
        kh_collect_until(c, AW_TYPE_COMPLETED, kh_count(c, AW_TYPE_COMPLETED) + 1, 0.2);
    }
    fail_msg("no completed event for asset %s in %d s", asset, timeout_s);
    return NULL;
}

static void same_bytes(const char *a_key, const char *b_key)
{
    gchar *a = file_sha256(a_key), *b = file_sha256(b_key);
    assert_string_equal(a, b);
    g_free(a), g_free(b);
}

/* The one index entry file for the sha256 of asset's source. */
static char *index_entry_path(const char *asset)
{
    char *rel = aw_xasprintf("uploads/%s/photo.jpg", asset);
    gchar *sum = file_sha256(rel);
    char *dir = aw_xasprintf("%s/derived/by-hash/%s", storage, sum);
    GDir *d = g_dir_open(dir, 0, NULL);
    assert_non_null(d);
    const char *name = g_dir_read_name(d);
    assert_non_null(name);
    char *path = aw_xasprintf("%s/%s", dir, name);
    g_dir_close(d);
    g_free(sum), free(rel), free(dir);
    return path;
}

static double cpu_ms(json_t *job)
{
    json_t *v = json_object_get(job, "cpuMs");
    return v ? json_number_value(v) : 0;
}

static void a_duplicate_is_copied(kh_scope *s, kh_collector *c)
{
    upload(s, "dup-a", 602, 402);
    json_t *a = completed_of_asset(c, "dup-a", 60);
    assert_string_equal(str_at(a, "outputs", "thumbnail"), "made");
    upload_copy(s, "dup-a", "dup-b");
    json_t *b = completed_of_asset(c, "dup-b", 60);
    assert_string_equal(json_string_value(json_object_get(b, "status")), "completed");
    assert_string_equal(str_at(b, "reusedFrom", "assetId"), "dup-a");
    assert_string_equal(str_at(b, "outputs", "thumbnail"), "reused");
    assert_string_equal(str_at(b, "outputs", "metadata"), "reused");
    assert_string_equal(json_string_value(json_object_get(b, "scanStatus")), "CLEAN");
    assert_null(json_object_get(b, "timings")); /* same database: no executor at all */
    const char *sizes[] = {"small", "medium", "large"};
    for (int i = 0; i < 3; i++) {
        char a_key[128], b_key[128];
        snprintf(a_key, sizeof a_key, "derived/dup-a/thumbnail_%s.webp", sizes[i]);
        snprintf(b_key, sizeof b_key, "derived/dup-b/thumbnail_%s.webp", sizes[i]);
        assert_string_equal(
            json_string_value(json_object_get(
                json_object_get(json_object_get(json_object_get(b, "variants"), "thumbnails"),
                                sizes[i]),
                "key")),
            b_key);
        same_bytes(a_key, b_key);
    }
    assert_true(cpu_ms(b) <= 0.05 * cpu_ms(a));
    json_t *m = manifest_of("dup-b");
    gchar *src = file_sha256("uploads/dup-b/photo.jpg");
    assert_string_equal(str_at(m, "source", "sha256"), src); /* hashed while downloading */
    g_free(src);
    json_decref(m);
}

static void a_damaged_entry_means_process_normally(kh_scope *s, kh_collector *c)
{
    char *entry = index_entry_path("dup-a");
    assert_true(g_file_set_contents(entry, "{\"source\": 42", -1, NULL));
    upload_copy(s, "dup-a", "dup-c");
    json_t *d = completed_of_asset(c, "dup-c", 60);
    assert_string_equal(json_string_value(json_object_get(d, "status")), "completed");
    assert_null(json_object_get(d, "reusedFrom"));
    assert_string_equal(str_at(d, "outputs", "thumbnail"), "made");
    free(entry);
}

/* One more signature in the database: its identity changes. */
static void add_signature(void)
{
    char *path = aw_xasprintf("%s/extra.hdb", db);
    assert_true(
        g_file_set_contents(path, "0123456789abcdef0123456789abcdef:17:Test.Extra\n", -1, NULL));
    free(path);
}

static void content_hash_reuse(void **state)
{
    (void)state;
    kh_scope s;
    kh_scope_init(&K, &s, "reuse", 1);
    kh_collector c;
    kh_collector_start(&c, &K, &s);
    pid_t w = worker(&s, "reuse-1", NULL);
    a_duplicate_is_copied(&s, &c);
    a_damaged_entry_means_process_normally(&s, &c);
    stop(w);

    add_signature();
    w = worker(&s, "reuse-2", NULL);
    upload_copy(&s, "dup-a", "dup-d");
    json_t *d = completed_of_asset(&c, "dup-d", 90);
    assert_non_null(json_object_get(d, "reusedFrom"));
    assert_string_equal(str_at(d, "outputs", "thumbnail"), "reused");
    assert_true(ran_stage(d, "scan")); /* a new database: the scan runs again */
    assert_false(ran_stage(d, "thumbnail"));
    json_t *a = completed_of_asset(&c, "dup-a", 1);
    assert_string_not_equal(json_string_value(json_object_get(d, "scanDatabase")),
                            json_string_value(json_object_get(a, "scanDatabase")));
    stop(w);
    kh_collector_stop(&c);
}

static int setup(void **state)
{
    (void)state;
    work = aw_test_tmpdir("recipes");
    storage = aw_test_tmpdir("recipes-storage");
    db = aw_test_tmpdir("recipes-db");
    aw_test_make_clamav_db(db);
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
        cmocka_unit_test_teardown(outdated_runs_only_what_changed, after_each),
        cmocka_unit_test_teardown(content_hash_reuse, after_each),
    };
    if (getenv("AW_TEST_FILTER") != NULL)
        cmocka_set_test_filter(getenv("AW_TEST_FILTER"));
    return cmocka_run_group_tests_name("recipes", tests, setup, teardown);
}
