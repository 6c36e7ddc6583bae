/* test_hostile.c — hostile and broken input made here: each ends with its
 * specific ASSET_* code and reason, never a crash, and infected files get
 * no other stage. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aw_test.h"
#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>
#include <zlib.h>

static char *workdir, *dbdir;
static aw_config scan_cfg;

static char *path_for(const char *name)
{
    char *p = NULL;
    assert_true(asprintf(&p, "%s/%s", workdir, name) > 0);
    return p;
}

static void write_bytes(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* A real JPEG made here; returns its path. */
static char *make_jpeg(const char *name, int w, int h)
{
    VipsImage *img = NULL;
    assert_int_equal(vips_xyz(&img, w, h, NULL), 0);
    VipsImage *u = NULL;
    vips_cast_uchar(img, &u, NULL);
    char *p = path_for(name);
    assert_int_equal(vips_jpegsave(u, p, NULL), 0);
    g_object_unref(u), g_object_unref(img);
    return p;
}

/* Runs the file and checks status, error stage, code and reason. */
static json_t *expect_error(const char *path, const char *mime, const char *status,
                            const char *stage, const char *code, const char *reason)
{
    json_t *job = aw_test_run(&scan_cfg, path, mime, AW_STAGES_ALL, NULL);
    assert_string_equal(aw_test_str(job, "status"), status);
    json_t *e = aw_test_error(job, stage);
    if (e == NULL)
        fail_msg("no %s error in %s", stage, json_dumps(job, 0));
    assert_string_equal(aw_test_str(e, "code"), code);
    assert_string_equal(aw_test_str(e, "reason"), reason);
    assert_true(strlen(aw_test_str(e, "message")) > 0);
    return job;
}

static void assert_no_thumbnails(json_t *job)
{
    json_t *thumbs = json_object_get(json_object_get(job, "variants"), "thumbnails");
    assert_int_equal(json_object_size(thumbs), 0);
}

static void zero_byte_file_is_a_failed_upload(void **state)
{
    (void)state;
    char *p = path_for("empty.png");
    write_bytes(p, "", 0);
    json_t *job = expect_error(p, "image/png", "failed", "sniff", "ASSET_UPLOAD_FAILED",
                               "empty_file");
    assert_string_equal(aw_test_str(job, "scanStatus"), "PENDING"); /* nothing to scan */
    json_decref(job), free(p);
}

static void missing_file_is_not_found(void **state)
{
    (void)state;
    char *p = path_for("does-not-exist.jpg");
    json_decref(expect_error(p, "image/jpeg", "failed", "sniff", "ASSET_NOT_FOUND", "missing"));
    free(p);
}

/* Cut in half: the top rows still decode; the thumbnails show them and
 * the job says the image is cut short (test_damaged.c checks the rows). */
static void truncated_jpeg_shows_the_rows_that_decode(void **state)
{
    (void)state;
    char *whole = make_jpeg("whole.jpg", 1024, 768);
    gchar *data = NULL;
    gsize len = 0;
    assert_true(g_file_get_contents(whole, &data, &len, NULL));
    char *cut = path_for("cut.jpg");
    write_bytes(cut, data, len / 2);
    json_t *job = expect_error(cut, "image/jpeg", "partial", "thumbnail", "ASSET_PROCESSING_FAILED",
                               "truncated");
    assert_string_equal(aw_test_str(job, "scanStatus"), "CLEAN");
    assert_int_equal(aw_test_int(job, "variants.thumbnails.large.width"), 800);
    assert_true(aw_test_int(job, "variants.thumbnails.large.height") < 600);
    json_decref(job), g_free(data), free(cut), free(whole);
}

/* Cut a few bytes into its first scan: no row decodes, so no thumbnail. */
static void jpeg_cut_before_its_rows_fails_its_thumbnail(void **state)
{
    (void)state;
    char *whole = make_jpeg("whole2.jpg", 1024, 768);
    gchar *data = NULL;
    gsize len = 0;
    assert_true(g_file_get_contents(whole, &data, &len, NULL));
    const char *sos = memmem(data, len, "\xff\xda", 2); /* start of scan */
    assert_non_null(sos);
    char *cut = path_for("cut-early.jpg");
    write_bytes(cut, data, (size_t)(sos - data) + 24);
    json_t *job = expect_error(cut, "image/jpeg", "partial", "thumbnail", "ASSET_PROCESSING_FAILED",
                               "corrupt");
    assert_no_thumbnails(job);
    json_decref(job), g_free(data), free(cut), free(whole);
}

static void png_named_jpg_is_a_type_mismatch(void **state)
{
    (void)state;
    VipsImage *img = NULL;
    vips_black(&img, 64, 64, NULL);
    char *p = path_for("really-a-png.jpg");
    assert_int_equal(vips_pngsave(img, p, NULL), 0);
    json_t *job = expect_error(p, "image/jpeg", "failed", "sniff", "ASSET_INVALID_FILE_TYPE",
                               "type_mismatch");
    assert_string_equal(aw_test_str(job, "scanStatus"), "CLEAN"); /* still scanned */
    assert_no_thumbnails(job);
    json_decref(job), free(p), g_object_unref(img);
}

static void executable_declared_as_png_is_refused(void **state)
{
    (void)state;
    json_t *job = expect_error("/bin/true", "image/png", "failed", "sniff",
                               "ASSET_INVALID_FILE_TYPE", "type_mismatch");
    assert_no_thumbnails(job);
    json_decref(job);
    job = expect_error("/bin/true", NULL, "failed", "sniff", "ASSET_INVALID_FILE_TYPE",
                       "not_allowed");
    json_decref(job);
}

static void undeclarable_type_is_refused(void **state)
{
    (void)state;
    char *p = make_jpeg("declared-bad.jpg", 32, 32);
    json_decref(expect_error(p, "application/x-msdownload", "failed", "sniff",
                             "ASSET_INVALID_FILE_TYPE", "declared_not_allowed"));
    free(p);
}

static void eicar_is_infected_and_nothing_else_runs(void **state)
{
    (void)state;
    char *p = path_for("eicar.png");
    aw_test_write_eicar(p);
    json_t *job = expect_error(p, "image/png", "failed", "scan", "ASSET_VIRUS_DETECTED",
                               "infected");
    assert_string_equal(aw_test_str(job, "scanStatus"), "INFECTED");
    assert_non_null(strstr(aw_test_str(job, "signature"), "Eicar-Test-Signature"));
    assert_no_thumbnails(job);
    json_decref(job), free(p);
}

static void clam_exe_is_infected(void **state)
{
    (void)state;
    const char *clam = aw_test_clam_exe();
    if (clam == NULL)
        skip(); /* Debian's clamav-testfiles not installed */
    json_t *job = expect_error(clam, "image/jpeg", "failed", "scan", "ASSET_VIRUS_DETECTED",
                               "infected");
    assert_non_null(strstr(aw_test_str(job, "signature"), "ClamAV-Test-File"));
    assert_no_thumbnails(job);
    json_decref(job);
}

static void infected_image_gets_no_thumbnail(void **state)
{
    (void)state;
    /* A valid JPEG with the EICAR string appended after its end marker: it
     * decodes fine, so only the verdict stops the thumbnails. */
    char *p = make_jpeg("carrier.jpg", 200, 200), *eicar = path_for("eicar.part");
    aw_test_write_eicar(eicar);
    gchar *tail = NULL;
    gsize len = 0;
    assert_true(g_file_get_contents(eicar, &tail, &len, NULL));
    FILE *f = fopen(p, "ab");
    fwrite(tail, 1, len, f);
    fclose(f);
    g_free(tail), free(eicar);
    json_t *job = expect_error(p, "image/jpeg", "failed", "scan", "ASSET_VIRUS_DETECTED",
                               "infected");
    assert_no_thumbnails(job);
    assert_true(json_is_false(json_object_get(
        json_object_get(json_object_get(job, "metadata"), "processing"), "thumbnailGenerated")));
    json_decref(job), free(p);
}

/* A PNG whose header claims width × height but carries one tiny row. */
static char *make_png_bomb(const char *name, uint32_t w, uint32_t h)
{
    unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0,   0, 0, 13,
                           'I',  'H', 'D', 'R', 0,    0,    0,    0,    0,   0, 0, 0,
                           1,    0,   0,   0,   0,    0,    0,    0,    0,   0, 0, 0,
                           0,    'I', 'E', 'N', 'D',  0xae, 0x42, 0x60, 0x82};
    for (int i = 0; i < 4; i++) {
        png[16 + i] = (unsigned char)(w >> (24 - 8 * i));
        png[20 + i] = (unsigned char)(h >> (24 - 8 * i));
    }
    uLong crc = crc32(0, png + 12, 17);
    for (int i = 0; i < 4; i++)
        png[29 + i] = (unsigned char)(crc >> (24 - 8 * i));
    char *p = path_for(name);
    write_bytes(p, png, sizeof png);
    return p;
}

static void pixel_bomb_is_refused_from_the_header(void **state)
{
    (void)state;
    char *p = make_png_bomb("bomb.png", 100000, 100000);
    json_t *job = expect_error(p, "image/png", "failed", "thumbnail", "ASSET_FILE_TOO_LARGE",
                               "pixel_limit");
    assert_non_null(
        strstr(aw_test_str(aw_test_error(job, "thumbnail"), "message"), "100000x100000"));
    json_decref(job), free(p);
}

static void pixel_limit_is_a_setting(void **state)
{
    (void)state;
    char *p = make_jpeg("limited.jpg", 200, 200);
    aw_config cfg = scan_cfg;
    cfg.limits.max_image_pixels = 200 * 199;
    json_t *job = aw_test_run(&cfg, p, "image/jpeg", AW_STAGES_ALL, NULL);
    assert_string_equal(aw_test_str(job, "status"), "failed");
    assert_string_equal(aw_test_str(aw_test_error(job, "thumbnail"), "code"),
                        "ASSET_FILE_TOO_LARGE");
    assert_string_equal(aw_test_str(aw_test_error(job, "metadata"), "reason"), "pixel_limit");
    json_decref(job);
    cfg.limits.max_image_pixels = 200 * 200;
    job = aw_test_run(&cfg, p, "image/jpeg", AW_STAGES_ALL, NULL);
    assert_string_equal(aw_test_str(job, "status"), "completed");
    json_decref(job), free(p);
}

static void file_size_limit_is_checked_first(void **state)
{
    (void)state;
    char *p = make_jpeg("big.jpg", 300, 300);
    aw_config cfg = scan_cfg;
    cfg.limits.max_file_bytes = 100;
    json_t *job = aw_test_run(&cfg, p, "image/jpeg", AW_STAGES_ALL, NULL);
    assert_string_equal(aw_test_str(job, "status"), "failed");
    assert_string_equal(aw_test_str(aw_test_error(job, "sniff"), "code"), "ASSET_FILE_TOO_LARGE");
    assert_string_equal(aw_test_str(job, "scanStatus"), "PENDING");
    json_decref(job), free(p);
}

static void missing_database_is_a_scan_error_not_a_pass(void **state)
{
    (void)state;
    char *empty_db = aw_test_tmpdir("nodb");
    aw_config cfg;
    aw_test_config(&cfg, empty_db);
    aw_pipeline_shutdown();
    aw_error err;
    assert_int_equal(aw_pipeline_init(&cfg, &err), AW_OK);
    char *p = make_jpeg("unscanned.jpg", 100, 100);
    json_t *job = aw_test_run(&cfg, p, "image/jpeg", AW_STAGES_ALL, NULL);
    assert_string_equal(aw_test_str(job, "scanStatus"), "ERROR");
    assert_string_equal(aw_test_str(job, "status"), "partial");
    json_t *e = aw_test_error(job, "scan");
    assert_string_equal(aw_test_str(e, "reason"), "scan_unavailable");
    assert_non_null(strstr(aw_test_str(e, "message"), empty_db));
    json_decref(job), free(p);
    aw_pipeline_shutdown();
    assert_int_equal(aw_pipeline_init(&scan_cfg, &err), AW_OK);
    aw_test_rmtree(empty_db), free(empty_db);
}

static int setup(void **state)
{
    (void)state;
    workdir = aw_test_tmpdir("hostile");
    dbdir = aw_test_tmpdir("clamdb");
    aw_test_make_clamav_db(dbdir);
    aw_test_config(&scan_cfg, dbdir);
    aw_error err;
    return aw_pipeline_init(&scan_cfg, &err);
}

static int teardown(void **state)
{
    (void)state;
    aw_pipeline_shutdown();
    aw_test_rmtree(workdir), aw_test_rmtree(dbdir);
    free(workdir), free(dbdir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(zero_byte_file_is_a_failed_upload),
        cmocka_unit_test(missing_file_is_not_found),
        cmocka_unit_test(truncated_jpeg_shows_the_rows_that_decode),
        cmocka_unit_test(jpeg_cut_before_its_rows_fails_its_thumbnail),
        cmocka_unit_test(png_named_jpg_is_a_type_mismatch),
        cmocka_unit_test(executable_declared_as_png_is_refused),
        cmocka_unit_test(undeclarable_type_is_refused),
        cmocka_unit_test(eicar_is_infected_and_nothing_else_runs),
        cmocka_unit_test(clam_exe_is_infected),
        cmocka_unit_test(infected_image_gets_no_thumbnail),
        cmocka_unit_test(pixel_bomb_is_refused_from_the_header),
        cmocka_unit_test(pixel_limit_is_a_setting),
        cmocka_unit_test(file_size_limit_is_checked_first),
        cmocka_unit_test(missing_database_is_a_scan_error_not_a_pass),
    };
    return cmocka_run_group_tests_name("hostile", tests, setup, teardown);
}
