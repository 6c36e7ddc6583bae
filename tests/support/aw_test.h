/* aw_test.h — what the pipeline tests share: scratch directories, a small
 * ClamAV database built at run time, running one file through
 * aw_pipeline_run, and finding ../shared/corpus. */
#ifndef AW_TEST_H
#define AW_TEST_H

#include "config.h"
#include "result.h"

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

/* A number (integer or real) at path; NAN when absent. */
double aw_test_num(json_t *obj, const char *path);

/* The JSON object at a dotted path ("variants.previews"), borrowed; NULL. */
json_t *aw_test_get(json_t *obj, const char *path);

/* What `ffprobe -show_format -show_streams -of json FILE` prints, parsed
 * (new reference), or NULL when ffprobe fails. */
json_t *aw_test_ffprobe(const char *path);

/* Mono 16-bit samples of the first audio track of `path`, as the ffmpeg
 * tool decodes them (-ac 1, native rate): count, lowest and highest.
 * Returns -1 when ffmpeg fails or finds no audio. */
int aw_test_ffmpeg_samples(const char *path, long *count, int *low, int *high);

/* The most detail any frame of the video has, as the ffmpeg tool decodes
 * it: the largest standard deviation of luma over frames scaled to 160x90.
 * Negative when ffmpeg fails. */
double aw_test_ffmpeg_max_detail(const char *path);

/* Byte offsets of the top-level ISO-BMFF boxes `moov` and `mdat` (-1 when
 * absent): faststart means moov comes first. */
void aw_test_mp4_box_offsets(const char *path, long *moov, long *mdat);

/* Writes a PDF of the given objects (numbered from 1; 1 must be the
 * catalog) with a correct cross-reference table; `info` is the number of
 * the document information dictionary. */
void aw_test_write_pdf(const char *path, const char *const *objects, int count, int info);

/* The first line a shell command prints, trailing newline cut ("" when it
 * prints nothing). fmt has one %s, replaced by path, shell-quoted. */
void aw_test_command_line(const char *fmt, const char *path, char *buf, size_t size);

/* That first line as a number, or -1 when the command printed nothing. */
long aw_test_command_number(const char *fmt, const char *path);

#endif
