/* test_corpus_images.c — every image of ../shared/corpus through the
 * pipeline, checked against what exiftool reported (MANIFEST.tsv) and, for
 * dates, what exiftool says when asked now. Skipped when the corpus is
 * absent. One cmocka test per file. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aw_expect.h"
#include "aw_test.h"
#include "manifest.h"
#include "media.h"
#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

static aw_config cfg;
static char *dbdir;

/* What the broken files must end with (their notes say how they are broken). */
typedef struct edge_case {
    const char *relpath;
    const char *status, *stage, *code, *reason;
} edge_case;

static const edge_case edge_cases[] = {
    {"open/edge/truncated-jpeg/truncated.jpg", "partial", "thumbnail", "ASSET_PROCESSING_FAILED",
     "truncated"},
    {"open/edge/malformed-image/png-truncated.png", "partial", "thumbnail",
     "ASSET_PROCESSING_FAILED", "corrupt"},
    {"open/edge/malformed-image/truncated.gif", "failed", "metadata", "ASSET_PROCESSING_FAILED",
     "corrupt"},
    {"open/edge/malformed-image/clusterfuzz-testcase-minimized-file-fuzzer-5752063708495872.heic",
     "partial", "thumbnail", "ASSET_PROCESSING_FAILED", "corrupt"},
    {"open/edge/pixel-bomb/817f96555e2d683e7b12f778c4e38022.png", "failed", "thumbnail",
     "ASSET_FILE_TOO_LARGE", "pixel_limit"},
    {"open/edge/wrong-extension/png-masquerading-as-jpg.jpg", "failed", "sniff",
     "ASSET_INVALID_FILE_TYPE", "type_mismatch"},
    {"open/edge/zero-byte/emptyfile.mp3", "failed", "sniff", "ASSET_UPLOAD_FAILED", "empty_file"},
};

static const edge_case *edge_case_for(const char *relpath)
{
    for (size_t i = 0; i < sizeof edge_cases / sizeof edge_cases[0]; i++)
        if (strcmp(edge_cases[i].relpath, relpath) == 0)
            return &edge_cases[i];
    return NULL;
}

/* Runs a corpus file declared as its extension says, like a browser would. */
static json_t *run_row(const aw_manifest_row *row, char **out_dir)
{
    const char *path = aw_manifest_path(row);
    const aw_media_type *declared = aw_media_by_extension(path);
    return aw_test_run(&cfg, path, declared ? declared->mime : NULL, AW_STAGES_ALL, out_dir);
}

/* Shown size: the stored size, transposed by EXIF orientation 5–8 or a
 * 90/270° HEIF rotation (exiftool reports the stored size). */
static void displayed_size(const aw_manifest_row *row, long *w, long *h)
{
    long orientation = aw_manifest_int(row, "orientation");
    long rotation = aw_manifest_int(row, "rotation");
    bool swap = (orientation >= 5 && orientation <= 8) != (rotation == 90 || rotation == 270);
    *w = swap ? aw_manifest_int(row, "height") : aw_manifest_int(row, "width");
    *h = swap ? aw_manifest_int(row, "width") : aw_manifest_int(row, "height");
}

static void check_thumbnail(json_t *job, const char *out_dir, const char *size, long box, long w,
                            long h)
{
    char key[96];
    snprintf(key, sizeof key, "variants.thumbnails.%s.width", size);
    long tw = aw_test_int(job, key);
    snprintf(key, sizeof key, "variants.thumbnails.%s.height", size);
    long th = aw_test_int(job, key);
    long longer = w > h ? w : h;
    long expect_long = longer < box ? longer : box;
    if ((w >= h ? tw : th) != expect_long)
        fail_msg("%s thumbnail is %ldx%ld; its longer side should be %ld (source %ldx%ld)", size,
                 tw, th, expect_long, w, h);
    /* shorter side keeps the aspect ratio to within a pixel */
    double expect_short = (double)(w >= h ? h : w) * expect_long / longer;
    long got_short = w >= h ? th : tw;
    assert_true(got_short >= (long)expect_short - 1 && got_short <= (long)expect_short + 1);
    snprintf(key, sizeof key, "variants.thumbnails.%s.key", size);
    char file[4200];
    snprintf(file, sizeof file, "%s/%s", out_dir, strrchr(aw_test_str(job, key), '/') + 1);
    VipsImage *img = vips_image_new_from_file(file, NULL);
    assert_non_null(img);
    assert_int_equal(img->Xsize, tw);
    assert_int_equal(img->Ysize, th);
    g_object_unref(img);
}

static void check_string(json_t *job, const char *path, const char *oracle)
{
    if (oracle[0] == '\0')
        return;
    const char *got = aw_test_str(job, path);
    if (got == NULL || strcmp(got, oracle) != 0)
        fail_msg("%s is '%s', exiftool says '%s'", path, got ? got : "(absent)", oracle);
}

/* exiftool's DateTimeOriginal as "YYYY-MM-DDTHH:MM:SS", or "" when none. */
static void exiftool_date(const char *path, char *buf, size_t size)
{
    char *cmd = NULL;
    buf[0] = '\0';
    gchar *quoted = g_shell_quote(path);
    if (asprintf(&cmd, "exiftool -s3 -d %%Y-%%m-%%dT%%H:%%M:%%S -EXIF:DateTimeOriginal %s",
                 quoted) < 0)
        abort();
    FILE *p = popen(cmd, "r");
    if (p != NULL) {
        if (fgets(buf, (int)size, p) == NULL)
            buf[0] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        pclose(p);
    }
    free(cmd), g_free(quoted);
}

static void check_dates(json_t *job, const char *path)
{
    char oracle[64];
    exiftool_date(path, oracle, sizeof oracle);
    if (oracle[0] == '\0')
        return;
    const char *got = aw_test_str(job, "metadata.extracted.creationDate");
    if (got == NULL || strncmp(got, oracle, strlen(oracle)) != 0)
        fail_msg("creationDate is '%s', exiftool DateTimeOriginal is '%s'", got ? got : "(absent)",
                 oracle);
}

static void check_good_image(const aw_manifest_row *row, json_t *job, const char *out_dir)
{
    const char *path = aw_manifest_path(row);
    if (strcmp(aw_test_str(job, "status"), "completed") != 0)
        fail_msg("status %s: %s", aw_test_str(job, "status"),
                 json_dumps(json_object_get(job, "errors"), 0));
    assert_string_equal(aw_test_str(job, "scanStatus"), "CLEAN");
    assert_string_equal(aw_test_str(job, "metadata.type"), "IMAGE");
    check_string(job, "metadata.extracted.exif.make", aw_manifest_get(row, "exif_make"));
    check_string(job, "metadata.extracted.exif.model", aw_manifest_get(row, "exif_model"));
    check_string(job, "metadata.descriptive.title", aw_manifest_get(row, "title"));
    long orientation = aw_manifest_int(row, "orientation");
    if (orientation >= 1 && orientation <= 8)
        assert_int_equal(aw_test_int(job, "metadata.technical.orientation"), orientation);
    long frames = aw_manifest_int(row, "frame_count");
    if (frames > 1)
        assert_int_equal(aw_test_int(job, "metadata.technical.frameCount"), frames);
    check_dates(job, path);
    long w, h;
    displayed_size(row, &w, &h);
    if (w <= 0) /* exiftool gives no size for some SVGs: use ours for the thumbnails */
        w = aw_test_int(job, "metadata.technical.width"),
        h = aw_test_int(job, "metadata.technical.height");
    else {
        assert_int_equal(aw_test_int(job, "metadata.technical.width"), w);
        assert_int_equal(aw_test_int(job, "metadata.technical.height"), h);
    }
    check_thumbnail(job, out_dir, "large", 800, w, h);
    check_thumbnail(job, out_dir, "medium", 400, w, h);
    check_thumbnail(job, out_dir, "small", 200, w, h);
}

static void check_edge(const edge_case *ec, json_t *job)
{
    assert_string_equal(aw_test_str(job, "status"), ec->status);
    json_t *e = aw_test_error(job, ec->stage);
    if (e == NULL)
        fail_msg("no %s error: %s", ec->stage, json_dumps(job, 0));
    assert_string_equal(aw_test_str(e, "code"), ec->code);
    assert_string_equal(aw_test_str(e, "reason"), ec->reason);
}

static void corpus_file(void **state)
{
    const aw_manifest_row *row = *state;
    const char *relpath = aw_manifest_get(row, "relpath");
    char *out_dir = NULL;
    json_t *job = run_row(row, &out_dir);
    aw_expect_oracle_fields(job, row);
    const edge_case *ec = edge_case_for(relpath);
    long w = aw_manifest_int(row, "width"), h = aw_manifest_int(row, "height");
    if (ec != NULL) {
        check_edge(ec, job);
    } else if (w > 0 && (uint64_t)w * (uint64_t)h > cfg.limits.max_image_pixels) {
        edge_case too_big = {relpath, "failed", "metadata", "ASSET_FILE_TOO_LARGE", "pixel_limit"};
        check_edge(&too_big, job);
    } else {
        check_good_image(row, job, out_dir);
    }
    json_decref(job);
    aw_test_rmtree(out_dir);
    free(out_dir);
}

static double mean_abs_diff(VipsImage *a, VipsImage *b)
{
    VipsImage *diff = NULL, *absd = NULL;
    double mean = 255;
    if (vips_subtract(a, b, &diff, NULL) == 0 && vips_abs(diff, &absd, NULL) == 0)
        vips_avg(absd, &mean, NULL);
    if (absd != NULL)
        g_object_unref(absd);
    if (diff != NULL)
        g_object_unref(diff);
    return mean;
}

/* landscape_1's thumbnail as it would look under the wrong handling of
 * EXIF orientation: mirrored, upside down, flipped. */
static int wrong_variants(VipsImage *ref, VipsImage **out)
{
    vips_flip(ref, &out[0], VIPS_DIRECTION_HORIZONTAL, NULL);
    vips_flip(ref, &out[1], VIPS_DIRECTION_VERTICAL, NULL);
    vips_rot(ref, &out[2], VIPS_ANGLE_D180, NULL);
    return 3;
}

/* The landscape_N photos are one picture stored eight ways (each with its
 * number drawn in). Upright thumbnails must be nearer landscape_1's than
 * any mirrored or rotated copy of it is. */
static void orientations_look_alike(void **state)
{
    const char *dir = *state;
    char path[4096], *ref_dir = NULL;
    snprintf(path, sizeof path, "%s/open/image/jpeg-orientation/landscape_1.jpg", dir);
    json_decref(aw_test_run(&cfg, path, "image/jpeg", AW_STAGE_THUMBNAIL, &ref_dir));
    char ref_file[4200];
    snprintf(ref_file, sizeof ref_file, "%s/thumbnail_large.webp", ref_dir);
    VipsImage *ref = vips_image_new_from_file(ref_file, "access", VIPS_ACCESS_RANDOM, NULL);
    assert_non_null(ref);
    VipsImage *wrong[3];
    int n_wrong = wrong_variants(ref, wrong);
    for (int n = 2; n <= 8; n++) {
        char *out = NULL, file[4200];
        snprintf(path, sizeof path, "%s/open/image/jpeg-orientation/landscape_%d.jpg", dir, n);
        json_decref(aw_test_run(&cfg, path, "image/jpeg", AW_STAGE_THUMBNAIL, &out));
        snprintf(file, sizeof file, "%s/thumbnail_large.webp", out);
        VipsImage *img = vips_image_new_from_file(file, "access", VIPS_ACCESS_RANDOM, NULL);
        assert_non_null(img);
        assert_int_equal(img->Xsize, ref->Xsize);
        assert_int_equal(img->Ysize, ref->Ysize);
        double upright = mean_abs_diff(img, ref);
        for (int w = 0; w < n_wrong; w++) {
            double other = mean_abs_diff(img, wrong[w]);
            if (other <= upright)
                fail_msg("landscape_%d: %.1f from upright, %.1f from wrong variant %d", n, upright,
                         other, w);
        }
        g_object_unref(img), aw_test_rmtree(out), free(out);
    }
    for (int w = 0; w < n_wrong; w++)
        g_object_unref(wrong[w]);
    g_object_unref(ref), aw_test_rmtree(ref_dir), free(ref_dir);
}

static bool is_image_row(const aw_manifest_row *row)
{
    const char *rel = aw_manifest_get(row, "relpath");
    if (edge_case_for(rel) != NULL)
        return true;
    return strcmp(aw_manifest_get(row, "oracle_family"), "image") == 0 &&
           strncmp(rel, "open/image/", 11) == 0;
}

int main(void)
{
    const char *corpus = aw_test_corpus_dir(); /* NULL: aw_test_corpus_main skips */
    const struct CMUnitTest extra[] = {{.name = "orientations_look_alike",
                                        .test_func = orientations_look_alike,
                                        .initial_state = (void *)corpus}};
    dbdir = aw_test_tmpdir("corpusdb");
    aw_test_make_clamav_db(dbdir);
    aw_test_config(&cfg, dbdir);
    int failed = aw_test_corpus_main("corpus_images", &cfg, is_image_row, corpus_file, extra, 1);
    aw_test_rmtree(dbdir), free(dbdir);
    return failed;
}
