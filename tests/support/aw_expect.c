/* aw_expect.c — shared cmocka checks and recipe runner. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "aw_expect.h"
#include "aw_test.h"
#include "manifest.h"
#include "pipeline.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void aw_expect_status(json_t *job, const char *status)
{
    const char *got = aw_test_str(job, "status");
    if (got == NULL || strcmp(got, status) != 0)
        fail_msg("status %s, expected %s: %s", got ? got : "(absent)", status,
                 json_dumps(json_object_get(job, "errors"), 0));
}

void aw_expect_error(json_t *job, const char *stage, const char *code, const char *reason)
{
    json_t *e = aw_test_error(job, stage);
    if (e == NULL)
        fail_msg("no %s error: %s", stage, json_dumps(json_object_get(job, "errors"), 0));
    aw_expect_text(e, "code", code);
    aw_expect_text(e, "reason", reason);
}

void aw_expect_text(json_t *job, const char *path, const char *want)
{
    const char *got = aw_test_str(job, path);
    if (got == NULL || strcmp(got, want) != 0)
        fail_msg("%s is '%s', expected '%s'", path, got ? got : "(absent)", want);
}

const aw_expected_end *aw_expected_end_for(const aw_expected_end *table, size_t n,
                                           const char *relpath)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(table[i].relpath, relpath) == 0)
            return &table[i];
    return NULL;
}

void aw_expect_end(json_t *job, const aw_expected_end *e)
{
    aw_expect_status(job, e->status);
    aw_expect_error(job, e->stage, e->code, e->reason);
}

/* MANIFEST.tsv column → where AssetMetadataResponse keeps it (a second
 * place where our families differ: a video's make is not EXIF's). */
static const struct {
    const char *column, *path, *other;
} oracle_places[] = {
    {"width", "metadata.technical.width", NULL},
    {"height", "metadata.technical.height", NULL},
    {"duration_s", "metadata.technical.duration", NULL},
    {"codec", "metadata.technical.codec", NULL},
    {"fps", "metadata.technical.fps", NULL},
    {"sample_rate", "metadata.technical.sampleRate", NULL},
    {"channels", "metadata.technical.channels", NULL},
    {"page_count", "metadata.technical.pageCount", NULL},
    {"title", "metadata.descriptive.title", NULL},
    {"artist", "metadata.descriptive.artist", NULL},
    {"album", "metadata.descriptive.album", NULL},
    {"author", "metadata.descriptive.author", NULL},
    {"exif_make", "metadata.extracted.exif.make", "metadata.extracted.make"},
    {"exif_model", "metadata.extracted.exif.model", "metadata.extracted.model"},
};

/* Facts the oracle has that the worker cannot have, and why. */
static const struct {
    const char *relpath, *columns, *why;
} oracle_only[] = {
    {"open/image/large-dimension/17000x17000.avif", "width height",
     "libheif refuses the header over its 16384 limit; the size is only in its message"},
    {"open/edge/malformed-image/clusterfuzz-testcase-minimized-file-fuzzer-5752063708495872.heic",
     "exif_make exif_model", "libheif gives libvips no EXIF block for this fuzzed file"},
};

static bool only_the_oracle_has(const aw_manifest_row *row, const char *column)
{
    const char *rel = aw_manifest_get(row, "relpath");
    for (size_t i = 0; i < sizeof oracle_only / sizeof oracle_only[0]; i++)
        if (strcmp(oracle_only[i].relpath, rel) == 0 && strstr(oracle_only[i].columns, column))
            return true;
    return false;
}

/* Whether the job was meant to have the oracle's facts: a refused upload
 * (sniff) gets no metadata, and facts pdfinfo read with the user password
 * (pdf_user_password) are not readable without it. */
static bool metadata_expected(json_t *job, const aw_manifest_row *row)
{
    return aw_test_error(job, "sniff") == NULL && aw_manifest_get(row, "pdf_user_password")[0] == 0;
}

/* ffprobe prints 0 × 0 for a stream whose size it does not know. */
static bool oracle_knows(const char *column, const char *value)
{
    bool size = strcmp(column, "width") == 0 || strcmp(column, "height") == 0;
    return value[0] != '\0' && !(size && strcmp(value, "0") == 0);
}

static void expect_specific_errors(json_t *job)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(job, "errors"), i, e) {
        const char *code = aw_test_str(e, "code"), *reason = aw_test_str(e, "reason");
        if (code == NULL || strncmp(code, "ASSET_", 6) != 0 || reason == NULL ||
            reason[0] == '\0' || strcmp(reason, "internal") == 0)
            fail_msg("an error that says nothing specific: %s", json_dumps(e, 0));
    }
    if (strcmp(aw_test_str(job, "status"), "completed") != 0 &&
        json_array_size(json_object_get(job, "errors")) == 0)
        fail_msg("status %s without an error", aw_test_str(job, "status"));
}

void aw_expect_oracle_fields(json_t *job, const aw_manifest_row *row)
{
    for (size_t i = 0; i < sizeof oracle_places / sizeof oracle_places[0]; i++) {
        const char *oracle = aw_manifest_get(row, oracle_places[i].column);
        if (!oracle_knows(oracle_places[i].column, oracle) || !metadata_expected(job, row) ||
            only_the_oracle_has(row, oracle_places[i].column))
            continue;
        if (aw_test_get(job, oracle_places[i].path) == NULL &&
            (oracle_places[i].other == NULL || aw_test_get(job, oracle_places[i].other) == NULL))
            fail_msg("the oracle has %s '%s', the job has no %s (status %s, errors %s)",
                     oracle_places[i].column, oracle, oracle_places[i].path,
                     aw_test_str(job, "status"), json_dumps(json_object_get(job, "errors"), 0));
    }
    expect_specific_errors(job);
}

void aw_test_make(const char *dir, const char *recipe)
{
    gchar *cmd = g_strdup_printf("cd '%s' && %s", dir, recipe);
    int rc = system(cmd);
    if (rc != 0)
        fail_msg("recipe failed (%d): %s", rc, recipe);
    g_free(cmd);
}

void aw_test_done(json_t *job, char *out_dir)
{
    json_decref(job);
    if (out_dir != NULL) {
        aw_test_rmtree(out_dir);
        free(out_dir);
    }
}

struct CMUnitTest *aw_test_corpus_tests(const aw_manifest *m,
                                        bool (*wanted)(const aw_manifest_row *row),
                                        void (*test)(void **state), size_t extra, size_t *count)
{
    size_t n = aw_manifest_count(m);
    struct CMUnitTest *tests = aw_xcalloc(n + extra + 1, sizeof *tests);
    *count = 0;
    for (size_t i = 0; i < n; i++) {
        const aw_manifest_row *row = aw_manifest_row_at(m, i);
        if (wanted(row))
            tests[(*count)++] = (struct CMUnitTest){.name = aw_manifest_get(row, "relpath"),
                                                    .test_func = test,
                                                    .initial_state = (void *)row};
    }
    return tests;
}

int aw_test_corpus_main(const char *group, const aw_config *cfg,
                        bool (*wanted)(const aw_manifest_row *row), void (*test)(void **state),
                        const struct CMUnitTest *extra, size_t n_extra)
{
    const char *corpus = aw_test_corpus_dir();
    if (corpus == NULL) {
        printf("SKIP: ../shared/corpus not found (set AW_CORPUS_DIR)\n");
        return AW_TEST_SKIP;
    }
    aw_manifest *m = aw_manifest_load(corpus);
    size_t count = 0;
    struct CMUnitTest *tests = aw_test_corpus_tests(m, wanted, test, n_extra, &count);
    for (size_t i = 0; i < n_extra; i++)
        tests[count++] = extra[i];
    aw_error err;
    if (aw_pipeline_init(cfg, &err) != AW_OK)
        return 1;
    int failed = _cmocka_run_group_tests(group, tests, count, NULL, NULL);
    aw_pipeline_shutdown();
    free(tests), aw_manifest_free(m);
    return failed;
}
