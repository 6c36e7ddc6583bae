/* test_images_generated.c — the image pipeline on pictures made here with
 * libvips, so every format, colour layout and orientation is covered even
 * without ../shared/corpus. Expected values are what we made. */
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

static char *workdir;

/* A width × height sRGB image: top half red, bottom half blue. */
static VipsImage *red_over_blue(int width, int height)
{
    VipsImage *top = NULL, *bottom = NULL, *both = NULL, *out = NULL;
    double red[] = {220, 30, 30}, blue[] = {30, 30, 220};
    VipsImage *black_top = NULL, *black_bottom = NULL;
    vips_black(&black_top, width, height / 2, "bands", 3, NULL);
    vips_black(&black_bottom, width, height - height / 2, "bands", 3, NULL);
    vips_linear(black_top, &top, (double[]){1, 1, 1}, red, 3, NULL);
    vips_linear(black_bottom, &bottom, (double[]){1, 1, 1}, blue, 3, NULL);
    vips_join(top, bottom, &both, VIPS_DIRECTION_VERTICAL, NULL);
    vips_cast_uchar(both, &out, NULL);
    out->Type = VIPS_INTERPRETATION_sRGB;
    g_object_unref(black_top), g_object_unref(black_bottom);
    g_object_unref(top), g_object_unref(bottom), g_object_unref(both);
    assert_non_null(out);
    return out;
}

static char *path_for(const char *name)
{
    char *p = NULL;
    assert_true(asprintf(&p, "%s/%s", workdir, name) > 0);
    return p;
}

/* Saves img to workdir/name with the saver the suffix picks; returns the path. */
static char *save_as(VipsImage *img, const char *name)
{
    char *p = path_for(name);
    if (vips_image_write_to_file(img, p, NULL) != 0)
        fail_msg("cannot write %s: %s", name, vips_error_buffer());
    return p;
}

static json_t *run_file(const char *path, const char *mime, aw_config *cfg, char **out_dir)
{
    aw_config local;
    if (cfg == NULL) {
        aw_test_config(&local, NULL);
        cfg = &local;
    }
    return aw_test_run(cfg, path, mime, AW_STAGES_ALL, out_dir);
}

/* Asserts the three thumbnails of a job: sizes fit and match `large`,
 * files exist with those sizes, 8-bit sRGB. */
static void assert_thumbnails(json_t *job, const char *out_dir, int lw, int lh, int mw, int mh,
                              int sw, int sh)
{
    const int expect[3][2] = {{lw, lh}, {mw, mh}, {sw, sh}};
    const char *names[3] = {"large", "medium", "small"};
    for (int i = 0; i < 3; i++) {
        char key[64];
        snprintf(key, sizeof key, "variants.thumbnails.%s.width", names[i]);
        assert_int_equal(aw_test_int(job, key), expect[i][0]);
        snprintf(key, sizeof key, "variants.thumbnails.%s.height", names[i]);
        assert_int_equal(aw_test_int(job, key), expect[i][1]);
        snprintf(key, sizeof key, "variants.thumbnails.%s.key", names[i]);
        const char *k = aw_test_str(job, key);
        assert_non_null(k);
        char file[4200];
        snprintf(file, sizeof file, "%s/%s", out_dir, strrchr(k, '/') + 1);
        VipsImage *t = vips_image_new_from_file(file, NULL);
        assert_non_null(t);
        assert_int_equal(t->Xsize, expect[i][0]);
        assert_int_equal(t->Ysize, expect[i][1]);
        assert_int_equal(t->BandFmt, VIPS_FORMAT_UCHAR);
        assert_true(t->Bands == 3 || t->Bands == 4);
        g_object_unref(t);
    }
}

/* Mean of band `band` over the top or bottom quarter of a thumbnail file. */
static double band_mean(const char *file, bool top, int band)
{
    VipsImage *img = vips_image_new_from_file(file, NULL), *strip = NULL, *b = NULL;
    assert_non_null(img);
    int h = img->Ysize / 4;
    vips_crop(img, &strip, 0, top ? 0 : img->Ysize - h, img->Xsize, h, NULL);
    vips_extract_band(strip, &b, band, NULL);
    double mean = 0;
    vips_avg(b, &mean, NULL);
    g_object_unref(b), g_object_unref(strip), g_object_unref(img);
    return mean;
}

static void jpeg_is_shrunk_to_three_sizes(void **state)
{
    (void)state;
    VipsImage *img = red_over_blue(1200, 900);
    char *path = save_as(img, "plain.jpg"), *out = NULL;
    json_t *job = run_file(path, "image/jpeg", NULL, &out);
    assert_string_equal(aw_test_str(job, "status"), "completed");
    assert_string_equal(aw_test_str(job, "metadata.type"), "IMAGE");
    assert_int_equal(aw_test_int(job, "metadata.technical.width"), 1200);
    assert_int_equal(aw_test_int(job, "metadata.technical.height"), 900);
    assert_string_equal(aw_test_str(job, "metadata.technical.resolution"), "1200x900");
    assert_string_equal(aw_test_str(job, "metadata.technical.format"), "jpeg");
    assert_true(json_is_true(json_object_get(
        json_object_get(json_object_get(job, "metadata"), "processing"), "thumbnailGenerated")));
    assert_thumbnails(job, out, 800, 600, 400, 300, 200, 150);
    json_decref(job), aw_test_rmtree(out), free(out), free(path), g_object_unref(img);
}

/* Stores the red-over-blue picture so that EXIF `orientation` shows it
 * upright again: the stored pixels are the inverse rotation. */
static void orientation_case(int orientation, VipsAngle stored_angle)
{
    VipsImage *upright = red_over_blue(600, 800), *stored = NULL, *tagged = NULL;
    vips_rot(upright, &stored, stored_angle, NULL);
    vips_copy(stored, &tagged, NULL);
    vips_image_set_int(tagged, VIPS_META_ORIENTATION, orientation);
    char name[32];
    snprintf(name, sizeof name, "orientation-%d.jpg", orientation);
    char *path = save_as(tagged, name), *out = NULL;
    json_t *job = run_file(path, NULL, NULL, &out);
    assert_string_equal(aw_test_str(job, "status"), "completed");
    assert_int_equal(aw_test_int(job, "metadata.technical.orientation"), orientation);
    assert_int_equal(aw_test_int(job, "metadata.technical.width"), 600);
    assert_int_equal(aw_test_int(job, "metadata.technical.height"), 800);
    assert_thumbnails(job, out, 600, 800, 300, 400, 150, 200);
    char file[4200];
    snprintf(file, sizeof file, "%s/thumbnail_large.webp", out);
    assert_true(band_mean(file, true, 0) > 150);  /* red on top */
    assert_true(band_mean(file, false, 2) > 150); /* blue below */
    assert_true(band_mean(file, true, 2) < 100);
    json_decref(job), aw_test_rmtree(out), free(out), free(path);
    g_object_unref(tagged), g_object_unref(stored), g_object_unref(upright);
}

static void exif_orientations_are_applied(void **state)
{
    (void)state;
    orientation_case(1, VIPS_ANGLE_D0);
    orientation_case(3, VIPS_ANGLE_D180);
    orientation_case(6, VIPS_ANGLE_D270);
    orientation_case(8, VIPS_ANGLE_D90);
}

static void small_images_are_never_upscaled(void **state)
{
    (void)state;
    VipsImage *img = red_over_blue(10, 10);
    char *path = save_as(img, "tiny.png"), *out = NULL;
    json_t *job = run_file(path, "image/png", NULL, &out);
    assert_string_equal(aw_test_str(job, "status"), "completed");
    assert_thumbnails(job, out, 10, 10, 10, 10, 10, 10);
    json_decref(job), aw_test_rmtree(out), free(out), free(path), g_object_unref(img);
}

static void sixteen_bit_png_becomes_8_bit_srgb(void **state)
{
    (void)state;
    VipsImage *img = red_over_blue(300, 200), *wide = NULL;
    vips_colourspace(img, &wide, VIPS_INTERPRETATION_RGB16, NULL);
    char *path = save_as(wide, "deep.png"), *out = NULL;
    json_t *job = run_file(path, NULL, NULL, &out);
    assert_string_equal(aw_test_str(job, "status"), "completed");
    assert_int_equal(aw_test_int(job, "metadata.technical.bitDepth"), 16);
    assert_thumbnails(job, out, 300, 200, 300, 200, 200, 133);
    json_decref(job), aw_test_rmtree(out), free(out), free(path);
    g_object_unref(wide), g_object_unref(img);
}

static void alpha_is_kept_in_webp_and_flattened_in_jpeg(void **state)
{
    (void)state;
    VipsImage *img = red_over_blue(500, 500), *alpha = NULL;
    vips_bandjoin_const1(img, &alpha, 128, NULL);
    char *path = save_as(alpha, "alpha.png"), *out = NULL;
    json_t *job = run_file(path, "image/png", NULL, &out);
    assert_true(json_is_true(json_object_get(
        json_object_get(json_object_get(job, "metadata"), "technical"), "hasAlpha")));
    char file[4200];
    snprintf(file, sizeof file, "%s/thumbnail_small.webp", out);
    VipsImage *t = vips_image_new_from_file(file, NULL);
    assert_int_equal(t->Bands, 4);
    g_object_unref(t), json_decref(job), aw_test_rmtree(out), free(out);

    aw_config cfg;
    aw_test_config(&cfg, NULL);
    cfg.thumb_format = AW_THUMB_JPEG;
    job = run_file(path, "image/png", &cfg, &out);
    assert_string_equal(aw_test_str(job, "variants.thumbnails.small.contentType"), "image/jpeg");
    snprintf(file, sizeof file, "%s/thumbnail_small.jpg", out);
    t = vips_image_new_from_file(file, NULL);
    assert_int_equal(t->Bands, 3);
    g_object_unref(t), json_decref(job), aw_test_rmtree(out), free(out), free(path);
    g_object_unref(alpha), g_object_unref(img);
}

static void grey_and_cmyk_become_srgb(void **state)
{
    (void)state;
    VipsImage *img = red_over_blue(1000, 100), *grey = NULL, *cmyk = NULL;
    vips_colourspace(img, &grey, VIPS_INTERPRETATION_B_W, NULL);
    char *path = save_as(grey, "grey.jpg"), *out = NULL;
    json_t *job = run_file(path, NULL, NULL, &out);
    assert_string_equal(aw_test_str(job, "metadata.technical.colorSpace"), "grey");
    assert_thumbnails(job, out, 800, 80, 400, 40, 200, 20);
    json_decref(job), aw_test_rmtree(out), free(out), free(path);

    if (vips_icc_export(img, &cmyk, "output_profile", "cmyk", NULL) != 0) {
        vips_error_clear();
        print_message("no CMYK profile in this libvips: CMYK case not run\n");
    } else {
        path = save_as(cmyk, "cmyk.jpg");
        job = run_file(path, NULL, NULL, &out);
        assert_string_equal(aw_test_str(job, "metadata.technical.colorSpace"), "CMYK");
        assert_thumbnails(job, out, 800, 80, 400, 40, 200, 20);
        char file[4200];
        snprintf(file, sizeof file, "%s/thumbnail_large.webp", out);
        assert_true(band_mean(file, true, 0) > 150); /* still red after CMYK → sRGB */
        json_decref(job), aw_test_rmtree(out), free(out), free(path), g_object_unref(cmyk);
    }
    g_object_unref(grey), g_object_unref(img);
}

static void palette_png_and_other_formats(void **state)
{
    (void)state;
    VipsImage *img = red_over_blue(640, 480);
    char *p = path_for("palette.png"), *out = NULL;
    assert_int_equal(vips_pngsave(img, p, "palette", TRUE, NULL), 0);
    json_t *job = run_file(p, "image/png", NULL, &out);
    assert_string_equal(aw_test_str(job, "status"), "completed");
    assert_thumbnails(job, out, 640, 480, 400, 300, 200, 150);
    json_decref(job), aw_test_rmtree(out), free(out), free(p);

    static const char *const names[] = {"photo.webp", "scan.tif", "still.gif"};
    static const char *const formats[] = {"webp", "tiff", "gif"};
    for (int i = 0; i < 3; i++) {
        p = save_as(img, names[i]);
        job = run_file(p, NULL, NULL, &out);
        assert_string_equal(aw_test_str(job, "status"), "completed");
        assert_string_equal(aw_test_str(job, "metadata.technical.format"), formats[i]);
        assert_thumbnails(job, out, 640, 480, 400, 300, 200, 150);
        json_decref(job), aw_test_rmtree(out), free(out), free(p);
    }
    g_object_unref(img);
}

static void animated_gif_uses_the_first_frame(void **state)
{
    (void)state;
    VipsImage *frames[3], *strip = NULL, *anim = NULL;
    for (int i = 0; i < 3; i++)
        frames[i] = red_over_blue(120, 90);
    vips_arrayjoin(frames, &strip, 3, "across", 1, NULL);
    vips_copy(strip, &anim, NULL);
    vips_image_set_int(anim, VIPS_META_PAGE_HEIGHT, 90);
    vips_image_set_int(anim, VIPS_META_N_PAGES, 3);
    char *p = save_as(anim, "anim.gif"), *out = NULL;
    json_t *job = run_file(p, "image/gif", NULL, &out);
    assert_string_equal(aw_test_str(job, "status"), "completed");
    assert_int_equal(aw_test_int(job, "metadata.technical.frameCount"), 3);
    assert_int_equal(aw_test_int(job, "metadata.technical.height"), 90);
    assert_thumbnails(job, out, 120, 90, 120, 90, 120, 90);
    json_decref(job), aw_test_rmtree(out), free(out), free(p);
    for (int i = 0; i < 3; i++)
        g_object_unref(frames[i]);
    g_object_unref(strip), g_object_unref(anim);
}

static void svg_is_rendered_at_the_target_size(void **state)
{
    (void)state;
    char *p = path_for("wide.svg"), *out = NULL;
    FILE *f = fopen(p, "w");
    fputs("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1600\" height=\"400\">"
          "<title>Wide banner</title><rect width=\"1600\" height=\"400\" fill=\"#c22\"/></svg>\n",
          f);
    fclose(f);
    json_t *job = run_file(p, "image/svg+xml", NULL, &out);
    assert_string_equal(aw_test_str(job, "status"), "completed");
    assert_string_equal(aw_test_str(job, "metadata.descriptive.title"), "Wide banner");
    assert_thumbnails(job, out, 800, 200, 400, 100, 200, 50);
    json_decref(job), aw_test_rmtree(out), free(out), free(p);
}

static void heif_family_when_libvips_can_write_it(void **state)
{
    (void)state;
    VipsImage *img = red_over_blue(1000, 500);
    char *p = path_for("photo.avif"), *out = NULL;
    if (vips_heifsave(img, p, "compression", VIPS_FOREIGN_HEIF_COMPRESSION_AV1, NULL) != 0) {
        vips_error_clear();
        free(p), g_object_unref(img);
        skip();
    }
    json_t *job = run_file(p, "image/avif", NULL, &out);
    assert_string_equal(aw_test_str(job, "status"), "completed");
    assert_thumbnails(job, out, 800, 400, 400, 200, 200, 100);
    json_decref(job), aw_test_rmtree(out), free(out), free(p), g_object_unref(img);
}

static int setup(void **state)
{
    (void)state;
    workdir = aw_test_tmpdir("gen");
    aw_config cfg;
    aw_test_config(&cfg, NULL);
    aw_error err;
    return aw_pipeline_init(&cfg, &err);
}

static int teardown(void **state)
{
    (void)state;
    aw_pipeline_shutdown();
    aw_test_rmtree(workdir);
    free(workdir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(jpeg_is_shrunk_to_three_sizes),
        cmocka_unit_test(exif_orientations_are_applied),
        cmocka_unit_test(small_images_are_never_upscaled),
        cmocka_unit_test(sixteen_bit_png_becomes_8_bit_srgb),
        cmocka_unit_test(alpha_is_kept_in_webp_and_flattened_in_jpeg),
        cmocka_unit_test(grey_and_cmyk_become_srgb),
        cmocka_unit_test(palette_png_and_other_formats),
        cmocka_unit_test(animated_gif_uses_the_first_frame),
        cmocka_unit_test(svg_is_rendered_at_the_target_size),
        cmocka_unit_test(heif_family_when_libvips_can_write_it),
    };
    return cmocka_run_group_tests_name("images_generated", tests, setup, teardown);
}
