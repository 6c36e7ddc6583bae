/* aw_expect.h — cmocka checks on a job JSON that every pipeline test
 * uses, and the shell recipes that make test media. Include after
 * <cmocka.h>. */
#ifndef AW_EXPECT_H
#define AW_EXPECT_H

#include <jansson.h>

/* Fails (with the job's errors) unless job.status is `status`. */
void aw_expect_status(json_t *job, const char *status);

/* Fails unless the job has an error of `stage` with that code and reason. */
void aw_expect_error(json_t *job, const char *stage, const char *code, const char *reason);

/* Fails unless the string at the dotted path is `want` (absent fails). */
void aw_expect_text(json_t *job, const char *path, const char *want);

/* Runs a shell recipe inside `dir`; the test fails if it does. */
void aw_test_make(const char *dir, const char *recipe);

/* Drops a job JSON and removes its output directory (which may be NULL). */
void aw_test_done(json_t *job, char *out_dir);

#endif
