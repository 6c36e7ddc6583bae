/* test_service_units.c — unit tests of what the service is built from:
 * event decoding and ids, the filesystem storage backend, the offset
 * tracker. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aw_test.h"
#include "event.h"
#include "kafka.h"
#include "offsets.h"
#include "storage.h"

#include <glib.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const aw_ce_headers binary = {
    "1.0", "id-1", "asset.upload.confirmed",
    "api", NULL,   "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"};

static int decode(const char *payload, const aw_ce_headers *h, aw_input_event *ev, aw_error *err)
{
    return aw_event_decode(payload, strlen(payload), h, ev, err);
}

static void upload_in_binary_mode(void **state)
{
    (void)state;
    aw_input_event ev;
    aw_error err;
    const char *p = "{\"assetId\":\"clx1\",\"storageKey\":\"uploads/a b+c%.png\",\"mimeType\":"
                    "\"image/png\",\"fileSize\":12,\"createdBy\":\"u1\",\"title\":\"t\"}";
    assert_int_equal(decode(p, &binary, &ev, &err), AW_OK);
    assert_int_equal(ev.kind, AW_EVENT_UPLOAD);
    assert_string_equal(ev.asset_id, "clx1");
    assert_string_equal(ev.storage_key, "uploads/a b+c%.png");
    assert_string_equal(ev.traceparent, binary.traceparent);
    assert_true(ev.file_size == 12);
    assert_int_equal(strncmp(ev.job_id, "job-", 4), 0);
    assert_int_equal(strlen(ev.job_id), 36);
    aw_input_event again;
    assert_int_equal(decode(p, &binary, &again, &err), AW_OK);
    assert_string_equal(again.job_id, ev.job_id); /* redelivery: same job id */
    aw_ce_headers other = binary;
    other.id = "id-2";
    assert_int_equal(decode(p, &other, &again, &err), AW_OK);
    assert_string_not_equal(again.job_id, ev.job_id);
}

static void structured_mode_and_regenerate(void **state)
{
    (void)state;
    aw_input_event ev;
    aw_error err;
    aw_ce_headers h = {0};
    h.content_type = "application/cloudevents+json; charset=utf-8";
    const char *p = "{\"specversion\":\"1.0\",\"id\":\"r1\",\"source\":\"ops\",\"type\":"
                    "\"asset.regenerate.requested\",\"data\":{\"jobId\":\"regen-7\",\"assetId\":"
                    "\"a1\",\"storageKey\":\"k\",\"mimeType\":\"video/mp4\",\"types\":"
                    "[\"thumbnail\",\"metadata\"]}}";
    assert_int_equal(decode(p, &h, &ev, &err), AW_OK);
    assert_int_equal(ev.kind, AW_EVENT_REGENERATE);
    assert_string_equal(ev.job_id, "regen-7");
    assert_int_equal(ev.stages,
                     AW_STAGE_SNIFF | AW_STAGE_SCAN | AW_STAGE_THUMBNAIL | AW_STAGE_METADATA);
    assert_string_equal(ev.traceparent, ""); /* none given */
}

static void malformed_events_say_why(void **state)
{
    (void)state;
    aw_input_event ev;
    aw_error err;
    struct {
        const char *payload, *reason;
        aw_code code;
    } cases[] = {
        {"not json", "not_json", AW_CODE_INVALID_METADATA},
        {"[1,2]", "not_json", AW_CODE_INVALID_METADATA},
        {"{\"storageKey\":\"k\",\"mimeType\":\"image/png\",\"fileSize\":1,\"createdBy\":\"u\"}",
         "missing_field", AW_CODE_INVALID_METADATA},
        {"{\"assetId\":\"a/b\",\"storageKey\":\"k\",\"mimeType\":\"image/png\",\"fileSize\":1,"
         "\"createdBy\":\"u\"}",
         "bad_field", AW_CODE_INVALID_METADATA},
        {"{\"assetId\":\"a\",\"storageKey\":\"k\",\"mimeType\":\"image/png\",\"fileSize\":-1,"
         "\"createdBy\":\"u\"}",
         "bad_field", AW_CODE_INVALID_METADATA},
        {"{\"assetId\":\"a\",\"storageKey\":\"k\",\"mimeType\":\"text/html\",\"fileSize\":1,"
         "\"createdBy\":\"u\"}",
         "declared_not_allowed", AW_CODE_INVALID_FILE_TYPE},
        {"{\"assetId\":\"a\",\"storageKey\":7,\"mimeType\":\"image/png\",\"fileSize\":1,"
         "\"createdBy\":\"u\"}",
         "bad_field", AW_CODE_INVALID_METADATA},
        {"{\"assetId\":\"a\",\"assetId\":\"b\",\"storageKey\":\"k\",\"mimeType\":\"image/png\","
         "\"fileSize\":1,\"createdBy\":\"u\"}",
         "not_json", AW_CODE_INVALID_METADATA},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        aw_error_clear(&err);
        assert_int_equal(decode(cases[i].payload, &binary, &ev, &err), AW_ERROR);
        assert_string_equal(err.reason, cases[i].reason);
        assert_int_equal(err.code, cases[i].code);
    }
    aw_ce_headers unknown = binary;
    unknown.type = "asset.deleted";
    assert_int_equal(decode("{}", &unknown, &ev, &err), AW_ERROR);
    assert_string_equal(err.reason, "unknown_type");
    aw_ce_headers no_spec = binary;
    no_spec.specversion = "0.3";
    assert_int_equal(decode("{}", &no_spec, &ev, &err), AW_ERROR);
    assert_string_equal(err.reason, "bad_envelope");
}

static void ids_and_traceparent(void **state)
{
    (void)state;
    char a[33], b[33];
    aw_event_id(a, "job-1", "asset.job.completed", "");
    aw_event_id(b, "job-1", "asset.job.completed", "");
    assert_string_equal(a, b);
    aw_event_id(b, "job-1", "asset.scan.completed", "");
    assert_string_not_equal(a, b);
    assert_true(aw_traceparent_valid(binary.traceparent));
    assert_false(aw_traceparent_valid("00-xyz"));
    assert_false(aw_traceparent_valid(NULL));
}

static void fs_storage_round_trip_and_limits(void **state)
{
    (void)state;
    char *root = aw_test_tmpdir("fs"), url[4200], src[4200], dst[4200];
    snprintf(url, sizeof url, "file://%s", root);
    snprintf(src, sizeof src, "%s/src", root);
    snprintf(dst, sizeof dst, "%s/dst", root);
    FILE *f = fopen(src, "w");
    fputs("0123456789", f);
    fclose(f);
    aw_error err;
    aw_storage *st = aw_storage_open(url, &err);
    assert_non_null(st);
    const char *key = "derived/a b/ü+%.webp";
    assert_int_equal(aw_storage_put(st, key, src, "image/webp", &err), AW_OK);
    assert_int_equal(aw_storage_get(st, key, dst, 100, NULL, &err), AW_OK);
    gchar *got = NULL;
    assert_true(g_file_get_contents(dst, &got, NULL, NULL));
    assert_string_equal(got, "0123456789");
    g_free(got);
    assert_int_equal(aw_storage_get(st, key, dst, 9, NULL, &err), AW_ERROR);
    assert_int_equal(err.code, AW_CODE_FILE_TOO_LARGE);
    assert_int_equal(aw_storage_get(st, "derived/none", dst, 100, NULL, &err), AW_ERROR);
    assert_int_equal(err.code, AW_CODE_NOT_FOUND);
    const char *unsafe[] = {"../etc/passwd", "/etc/passwd", "a/../../b", "a//b", "a/./b", ""};
    for (size_t i = 0; i < sizeof unsafe / sizeof unsafe[0]; i++) {
        assert_int_equal(aw_storage_get(st, unsafe[i], dst, 100, NULL, &err), AW_ERROR);
        assert_string_equal(err.reason, "invalid_key");
        assert_int_equal(aw_storage_put(st, unsafe[i], src, NULL, &err), AW_ERROR);
    }
    aw_storage_close(st);
    assert_null(aw_storage_open("s4://bucket", &err));
    assert_null(aw_storage_open("file://relative/dir", &err));
    aw_test_rmtree(root), free(root);
}

/* sha256sum's answer for a file: an oracle of its own, not our code. */
static void sha256sum_of(const char *path, char out[65])
{
    char cmd[4400];
    snprintf(cmd, sizeof cmd, "sha256sum '%s'", path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_int_equal(fscanf(p, "%64s", out), 1);
    pclose(p);
}

static void fs_storage_hashes_and_copies(void **state)
{
    (void)state;
    char *root = aw_test_tmpdir("fs-copy"), url[4200], src[4200], dst[4200], want[65], got[65];
    snprintf(url, sizeof url, "file://%s", root);
    snprintf(src, sizeof src, "%s/src.bin", root);
    snprintf(dst, sizeof dst, "%s/dst.bin", root);
    GString *bytes = g_string_new(NULL);
    for (int i = 0; i < 300000; i++) /* several read chunks */
        g_string_append_c(bytes, (char)(i * 7 % 251));
    assert_true(g_file_set_contents(src, bytes->str, (gssize)bytes->len, NULL));
    aw_error err;
    aw_storage *st = aw_storage_open(url, &err);
    assert_non_null(st);
    assert_int_equal(aw_storage_put(st, "derived/a/x.bin", src, NULL, &err), AW_OK);
    assert_int_equal(aw_storage_get(st, "derived/a/x.bin", dst, 1 << 20, got, &err), AW_OK);
    sha256sum_of(src, want);
    assert_string_equal(got, want); /* hashed while it was written, equal to sha256sum's */
    /* copy: same bytes at the new key; a later put there leaves the source alone */
    assert_int_equal(aw_storage_copy(st, "derived/a/x.bin", "derived/b/x.bin", &err), AW_OK);
    char copied[4300], original[4300];
    snprintf(copied, sizeof copied, "%s/derived/b/x.bin", root);
    snprintf(original, sizeof original, "%s/derived/a/x.bin", root);
    sha256sum_of(copied, got);
    assert_string_equal(got, want);
    assert_true(g_file_set_contents(dst, "other", -1, NULL));
    assert_int_equal(aw_storage_put(st, "derived/b/x.bin", dst, NULL, &err), AW_OK);
    sha256sum_of(original, got);
    assert_string_equal(got, want);
    assert_int_equal(aw_storage_copy(st, "derived/none", "derived/c/x.bin", &err), AW_ERROR);
    assert_int_equal(err.code, AW_CODE_NOT_FOUND);
    assert_int_equal(aw_storage_copy(st, "derived/a/x.bin", "../escape", &err), AW_ERROR);
    assert_string_equal(err.reason, "invalid_key");
    assert_int_equal(aw_storage_copy(st, "../../etc/passwd", "derived/c/x", &err), AW_ERROR);
    assert_string_equal(err.reason, "invalid_key");
    aw_storage_close(st);
    g_string_free(bytes, TRUE);
    aw_test_rmtree(root), free(root);
}

static void offsets_commit_only_the_contiguous_prefix(void **state)
{
    (void)state;
    aw_offsets *o = aw_offsets_new();
    for (int64_t i = 10; i < 15; i++)
        aw_offsets_begin(o, "t", 0, i);
    aw_offsets_begin(o, "t", 1, 3);
    assert_int_equal(aw_offsets_in_flight(o), 6);
    assert_true(aw_offsets_done(o, "t", 0, 12) == -1); /* 10 and 11 still running */
    assert_true(aw_offsets_done(o, "t", 0, 11) == -1);
    assert_true(aw_offsets_done(o, "t", 0, 10) == 13); /* 10, 11, 12 done: resume at 13 */
    assert_true(aw_offsets_done(o, "t", 1, 3) == 4);   /* partitions are independent */
    assert_int_equal(aw_offsets_pending(o, "t", 0), 2);
    aw_offsets_drop(o, "t", 0);
    assert_int_equal(aw_offsets_pending(o, "t", 0), 0);
    assert_true(aw_offsets_done(o, "t", 0, 14) == -1);
    for (int64_t i = 0; i < 1000; i++) /* the queue grows and compacts */
        aw_offsets_begin(o, "u", 2, i);
    for (int64_t i = 999; i > 0; i--)
        assert_true(aw_offsets_done(o, "u", 2, i) == -1);
    assert_true(aw_offsets_done(o, "u", 2, 0) == 1000);
    aw_offsets_free(o);
}

static void count_stored(const char *topic, int32_t partition, int64_t offset, void *arg)
{
    int64_t *sum = arg;
    assert_string_equal(topic, "t");
    *sum += offset * 10 + partition;
}

/* What the final commits send: the last offset stored per partition, none
 * for a partition with nothing done yet or dropped. */
static void offsets_remember_what_was_stored(void **state)
{
    (void)state;
    aw_offsets *o = aw_offsets_new();
    aw_offsets_begin(o, "t", 0, 5);
    aw_offsets_begin(o, "t", 0, 6);
    aw_offsets_begin(o, "t", 1, 9);
    assert_true(aw_offsets_stored(o, "t", 0) == -1);
    assert_true(aw_offsets_done(o, "t", 0, 6) == -1);
    assert_true(aw_offsets_stored(o, "t", 0) == -1); /* 5 still running */
    assert_true(aw_offsets_done(o, "t", 0, 5) == 7);
    assert_true(aw_offsets_stored(o, "t", 0) == 7);
    int64_t sum = 0;
    aw_offsets_each_stored(o, count_stored, &sum);
    assert_true(sum == 70); /* partition 1 has nothing stored */
    assert_true(aw_offsets_done(o, "t", 1, 9) == 10);
    sum = 0;
    aw_offsets_each_stored(o, count_stored, &sum);
    assert_true(sum == 70 + 101);
    aw_offsets_drop(o, "t", 0);
    assert_true(aw_offsets_stored(o, "t", 0) == -1);
    assert_true(aw_offsets_stored(o, "u", 3) == -1);
    aw_offsets_free(o);
}

/* A librdkafka default of ours gives way to the operator's -X or
 * AW_RDKAFKA_* setting, and only to one for the same key. */
static void kafka_defaults_give_way_to_the_operator(void **state)
{
    (void)state;
    static const char *const defaults[] = {"fetch.wait.max.ms",      "500",  "group.id", "ours",
                                           "statistics.interval.ms", "5000", NULL};
    aw_service_config cfg = {.kafka_props = {"fetch.wait.max.ms=200", "fetch.min.bytes=2"},
                             .n_kafka_props = 2};
    char errstr[256], value[64];
    setenv("AW_RDKAFKA_GROUP_ID", "g", 1);
    rd_kafka_conf_t *conf = aw_kafka_conf(&cfg, defaults, NULL, errstr, sizeof errstr);
    unsetenv("AW_RDKAFKA_GROUP_ID");
    assert_non_null(conf);
    size_t size = sizeof value;
    assert_int_equal(rd_kafka_conf_get(conf, "fetch.wait.max.ms", value, &size), RD_KAFKA_CONF_OK);
    assert_string_equal(value, "200");
    size = sizeof value;
    assert_int_equal(rd_kafka_conf_get(conf, "group.id", value, &size), RD_KAFKA_CONF_OK);
    assert_string_equal(value, "g");
    size = sizeof value;
    assert_int_equal(rd_kafka_conf_get(conf, "statistics.interval.ms", value, &size),
                     RD_KAFKA_CONF_OK);
    assert_string_equal(value, "5000");
    rd_kafka_conf_destroy(conf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(upload_in_binary_mode),
        cmocka_unit_test(structured_mode_and_regenerate),
        cmocka_unit_test(malformed_events_say_why),
        cmocka_unit_test(ids_and_traceparent),
        cmocka_unit_test(fs_storage_round_trip_and_limits),
        cmocka_unit_test(fs_storage_hashes_and_copies),
        cmocka_unit_test(offsets_commit_only_the_contiguous_prefix),
        cmocka_unit_test(offsets_remember_what_was_stored),
        cmocka_unit_test(kafka_defaults_give_way_to_the_operator),
    };
    return cmocka_run_group_tests_name("service_units", tests, NULL, NULL);
}
