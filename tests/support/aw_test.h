/* aw_test.h — what the pipeline tests share: scratch directories, a small
 * ClamAV database built at run time, running one file through
 * aw_pipeline_run, and finding ../shared/corpus. */
#ifndef AW_TEST_H
#define AW_TEST_H

#include "config.h"
#include "job.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* ctest reports a test that exits with this code as skipped. */
#define AW_TEST_SKIP 77

/* A fresh directory under $TMPDIR (or /tmp); aborts on failure. The string
 * is owned by the caller (free()). */
char *aw_test_tmpdir(const char *tag);

/* Removes a directory tree made by the tests. */
void aw_test_rmtree(const char *dir);

/* Writes the EICAR test string to path. */
void aw_test_write_eicar(const char *path);

/* Writes a ClamAV database into dir: MD5 signatures of the EICAR string and,
 * when Debian's clamav-testfiles is installed, of its clam.exe; plus a body
 * signature of the EICAR string. */
void aw_test_make_clamav_db(const char *dir);

/* Path of Debian's clam.exe test file, or NULL when not installed. */
const char *aw_test_clam_exe(void);

/* Config for tests: defaults, scanning with the database in db_dir (NULL:
 * scanning off). */
void aw_test_config(aw_config *cfg, const char *db_dir);

/* Runs one file (declared MIME may be NULL) with the given stages into a new
 * output directory (returned in *out_dir when not NULL, caller frees) and
 * returns the asset.job.completed JSON (caller decrefs). */
json_t *aw_test_run(const aw_config *cfg, const char *path, const char *mime, unsigned stages,
                    char **out_dir);

/* The shared corpus root (…/shared/corpus) or NULL when absent. Looks at
 * $AW_CORPUS_DIR, then the compile-time default beside the repository. */
const char *aw_test_corpus_dir(void);

/* The first error object of a job JSON for stage (NULL: any stage). */
json_t *aw_test_error(json_t *job, const char *stage);

/* Shorthands into the job JSON. */
const char *aw_test_str(json_t *obj, const char *path);
long long aw_test_int(json_t *obj, const char *path);

#endif
