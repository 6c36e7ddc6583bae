/* aw_expect.c — shared cmocka checks and recipe runner. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aw_expect.h"
#include "aw_test.h"

#include <glib.h>
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
