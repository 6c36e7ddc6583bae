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
