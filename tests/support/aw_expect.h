/* aw_expect.h — cmocka checks on a job JSON that every pipeline test
 * uses, and the shell recipes that make test media. Include after
 * <cmocka.h>. */
#ifndef AW_EXPECT_H
#define AW_EXPECT_H

#include "config.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Fails (with the job's errors) unless job.status is `status`. */
void aw_expect_status(json_t *job, const char *status);

/* Fails unless the job has an error of `stage` with that code and reason. */
void aw_expect_error(json_t *job, const char *stage, const char *code, const char *reason);

/* Fails unless the string at the dotted path is `want` (absent fails). */
void aw_expect_text(json_t *job, const char *path, const char *want);

/* How a corpus file that cannot end `completed` must end: with `status`
 * and an error of `stage` with that code and reason. */
typedef struct aw_expected_end {
    const char *relpath, *status, *stage, *code, *reason;
} aw_expected_end;

/* The entry of table[0..n) for relpath, or NULL. */
const aw_expected_end *aw_expected_end_for(const aw_expected_end *table, size_t n,
                                           const char *relpath);

/* Fails unless the job ends the way `e` says. */
void aw_expect_end(json_t *job, const aw_expected_end *e);

struct aw_manifest_row;

/* Issue 31's corpus check: every field the oracle (exiftool, ffprobe,
 * pdfinfo: MANIFEST.tsv) filled for this file that AssetMetadataResponse
 * has a place for is present in the job's metadata, and every error the
 * job has is specific (an ASSET_* code and a reason other than
 * "internal"), so a file the oracle cannot read either still ends with a
 * code that says why. */
void aw_expect_oracle_fields(json_t *job, const struct aw_manifest_row *row);

/* Runs a shell recipe inside `dir`; the test fails if it does. */
void aw_test_make(const char *dir, const char *recipe);

/* Drops a job JSON and removes its output directory (which may be NULL). */
void aw_test_done(json_t *job, char *out_dir);

struct CMUnitTest;
typedef struct aw_manifest aw_manifest;
typedef struct aw_manifest_row aw_manifest_row;

/* One cmocka test per manifest row that `wanted` accepts (named by its
 * relpath, the row as its state), with room for `extra` more after them.
 * *count gets how many were filled. Caller frees the array. */
struct CMUnitTest *aw_test_corpus_tests(const aw_manifest *m,
                                        bool (*wanted)(const aw_manifest_row *row),
                                        void (*test)(void **state), size_t extra, size_t *count);

/* Runs a corpus test program: skips (exit 77) without the corpus, else
 * loads the manifest, initialises the pipeline with cfg and runs one test
 * per wanted row, then the n_extra tests in `extra` (may be NULL). */
int aw_test_corpus_main(const char *group, const aw_config *cfg,
                        bool (*wanted)(const aw_manifest_row *row), void (*test)(void **state),
                        const struct CMUnitTest *extra, size_t n_extra);

#endif
