/* test_thumbnail_sizes.c — the three thumbnails against vipsthumbnail (the
 * anchor tool, run here on the same file): seed 003's sizes (vipsthumbnail's
 * or a pixel off where it shrank a JPEG on load) and, within the encoder's
 * loss, the same pictures, for odd and extreme sizes (1×1, a
 * line, a column, sizes whose shrink rounds, JPEGs big enough to be shrunk
 * on load by 2, 4 and 8), for JPEG, PNG and WebP; and all eight EXIF
 * orientations on a picture whose four quadrants tell them apart. The
 * pictures are made here with libvips. */
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

/* A smooth width × height sRGB picture: each band a ramp in another
 * direction, a dark disc in the middle (edges a resampler shows). */
static VipsImage *ramps(int width, int height)
{
    VipsImage *xyz = NULL, *x = NULL, *y = NULL, *sum = NULL, *bands = NULL, *d2 = NULL;
    VipsImage *disc = NULL, *shaded = NULL, *out = NULL;
    vips_xyz(&xyz, width, height, NULL);
    vips_extract_band(xyz, &x, 0, NULL);
    vips_extract_band(xyz, &y, 1, NULL);
    vips_add(x, y, &sum, NULL);
    VipsImage *parts[3];
    vips_linear1(x, &parts[0], 255.0 / width, 0, NULL);
    vips_linear1(y, &parts[1], 255.0 / height, 0, NULL);
    vips_linear1(sum, &parts[2], -255.0 / (width + height), 255, NULL);
    vips_bandjoin(parts, &bands, 3, NULL);
    /* (x - w/2)² + (y - h/2)² < r²: multiplied by 0.3 */
    VipsImage *dx = NULL, *dy = NULL, *dx2 = NULL, *dy2 = NULL, *inside = NULL;
    vips_linear1(x, &dx, 1, -width / 2.0, NULL);
    vips_linear1(y, &dy, 1, -height / 2.0, NULL);
    vips_multiply(dx, dx, &dx2, NULL);
    vips_multiply(dy, dy, &dy2, NULL);
    vips_add(dx2, dy2, &d2, NULL);
    double r = (width < height ? width : height) / 4.0;
    vips_relational_const1(d2, &inside, VIPS_OPERATION_RELATIONAL_LESS, r * r, NULL);
    vips_linear1(inside, &disc, -0.7 / 255, 1, NULL); /* 255 → 0.3, 0 → 1 */
    vips_multiply(bands, disc, &shaded, NULL);
    vips_cast_uchar(shaded, &out, NULL);
    out->Type = VIPS_INTERPRETATION_sRGB;
    VipsImage *made[] = {xyz, x,  y,   sum, bands, parts[0], parts[1], parts[2],
                         dx,  dy, dx2, dy2, d2,    inside,   disc,     shaded};
    for (size_t i = 0; i < sizeof made / sizeof made[0]; i++)
        g_object_unref(made[i]);
    assert_non_null(out);
    return out;
}

static char *path_for(const char *name)
{
    char *p = NULL;
    assert_true(asprintf(&p, "%s/%s", workdir, name) > 0);
    return p;
}

static char *save_as(VipsImage *img, const char *name)
{
    char *p = path_for(name);
    if (vips_image_write_to_file(img, p, NULL) != 0)
        fail_msg("cannot write %s: %s", name, vips_error_buffer());
    return p;
}

/* Runs a shell command; fails the test when it fails. */
static void run(const char *cmd)
{
    if (system(cmd) != 0)
        fail_msg("failed: %s", cmd);
}

static VipsImage *load_whole(const char *path)
{
    VipsImage *img = vips_image_new_from_file(path, "access", VIPS_ACCESS_RANDOM, NULL);
    assert_non_null(img);
    VipsImage *mem = vips_image_copy_memory(img);
    g_object_unref(img);
    return mem;
}

/* The anchors write WebP as we do (quality 80, effort 2), so both sides
 * pay the encoder's loss (4:2:0 chroma of a picture 3 lines high, say). */
#define AS_OURS "[Q=80,effort=2,strip]"

/* vipsthumbnail's picture of `path` in a box × box square (shrunk only). */
static VipsImage *anchor_thumbnail(const char *path, int box)
{
    char *out = path_for("anchor.webp"), *cmd = NULL;
    assert_true(asprintf(&cmd, "vipsthumbnail '%s' -s '%dx%d>' -o '%s" AS_OURS "'", path, box, box,
                         out) > 0);
    run(cmd);
    VipsImage *img = load_whole(out);
    free(cmd), free(out);
    return img;
}

static double mean_abs_difference(VipsImage *a, VipsImage *b)
{
    VipsImage *a3 = NULL, *b3 = NULL, *diff = NULL, *abs = NULL;
    vips_extract_band(a, &a3, 0, "n", 3, NULL);
    vips_extract_band(b, &b3, 0, "n", 3, NULL);
    vips_subtract(a3, b3, &diff, NULL);
    vips_abs(diff, &abs, NULL);
    double mean = 0;
    vips_avg(abs, &mean, NULL);
    g_object_unref(a3), g_object_unref(b3), g_object_unref(diff), g_object_unref(abs);
    return mean;
}

static VipsImage *our_thumbnail(json_t *job, const char *out_dir, const char *size)
{
    char key[64], file[4200];
    snprintf(key, sizeof key, "variants.thumbnails.%s.key", size);
    const char *k = aw_test_str(job, key);
    assert_non_null(k);
    snprintf(file, sizeof file, "%s/%s", out_dir, strrchr(k, '/') + 1);
    VipsImage *img = vips_image_new_from_file(file, "access", VIPS_ACCESS_RANDOM, NULL);
    assert_non_null(img);
    return img;
}

/* The size seed 003 asks for: the picture fitted in box × box, never
 * enlarged, the long side box, the other rounded (at least 1). */
static void fitted(int w, int h, int box, int *fw, int *fh)
{
    int longest = w > h ? w : h;
    if (longest <= box) {
        *fw = w, *fh = h;
        return;
    }
    double shrink = (double)longest / box;
    *fw = w >= h ? box : (int)(w / shrink + 0.5);
    *fh = h > w ? box : (int)(h / shrink + 0.5);
    *fw = *fw < 1 ? 1 : *fw, *fh = *fh < 1 ? 1 : *fh;
}

/* vipsthumbnail's picture made ours' size: its own may be a pixel off where
 * it shrank a JPEG on load (it sizes from the shrunk decode, we from the
 * file's size). */
static VipsImage *same_size(VipsImage *anchor, int w, int h, const char *what)
{
    if (abs(anchor->Xsize - w) > 1 || abs(anchor->Ysize - h) > 1)
        fail_msg("%s: ours %dx%d, vipsthumbnail %dx%d", what, w, h, anchor->Xsize, anchor->Ysize);
    if (anchor->Xsize == w && anchor->Ysize == h)
        return anchor;
    VipsImage *resized = NULL;
    vips_resize(anchor, &resized, (double)w / anchor->Xsize, "vscale", (double)h / anchor->Ysize,
                NULL);
    g_object_unref(anchor);
    return resized;
}

/* The job of `picture` saved as `name`, which must complete; its output
 * directory in *out. */
static json_t *completed_job(VipsImage *picture, const char *name, char **path, char **out)
{
    *path = save_as(picture, name);
    aw_config cfg;
    aw_test_config(&cfg, NULL);
    json_t *job = aw_test_run(&cfg, *path, NULL, AW_STAGES_ALL, out);
    assert_string_equal(aw_test_str(job, "status"), "completed");
    return job;
}

/* Each size: seed 003's dimensions, and vipsthumbnail's picture within
 * `tolerance` (mean absolute difference per sample). */
static void matches_anchor(const char *name, VipsImage *picture, double tolerance)
{
    char *path = NULL, *out = NULL;
    json_t *job = completed_job(picture, name, &path, &out);
    const char *sizes[] = {"large", "medium", "small"};
    const int boxes[] = {800, 400, 200};
    for (int i = 0; i < 3; i++) {
        VipsImage *ours = our_thumbnail(job, out, sizes[i]);
        int w, h;
        fitted(picture->Xsize, picture->Ysize, boxes[i], &w, &h);
        if (ours->Xsize != w || ours->Ysize != h)
            fail_msg("%s %s: ours %dx%d, want %dx%d", name, sizes[i], ours->Xsize, ours->Ysize, w,
                     h);
        char what[96];
        snprintf(what, sizeof what, "%s %s", name, sizes[i]);
        VipsImage *anchor = same_size(anchor_thumbnail(path, boxes[i]), w, h, what);
        double d = mean_abs_difference(ours, anchor);
        if (d > tolerance)
            fail_msg("%s: mean difference %.2f over %.2f", what, d, tolerance);
        g_object_unref(ours), g_object_unref(anchor);
    }
    json_decref(job), aw_test_rmtree(out), free(out), free(path);
}

static void odd_and_extreme_sizes_match_vipsthumbnail(void **state)
{
    (void)state;
    const struct {
        int w, h;
        const char *name;
    } cases[] = {
        {1, 1, "one-pixel.png"},     {801, 3, "line.png"},        {2, 1200, "column.png"},
        {1000, 667, "rounds.jpg"},   {1200, 899, "rounds.webp"},  {799, 800, "fits.png"},
        {3300, 2201, "shrink2.jpg"}, {6500, 1000, "shrink4.jpg"}, {12900, 1000, "shrink8.jpg"},
        {2400, 1601, "scaled.webp"}, {3000, 3000, "square.png"},  {2000, 40, "banner.jpg"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        VipsImage *img = ramps(cases[i].w, cases[i].h);
        matches_anchor(cases[i].name, img, 3.0);
        g_object_unref(img);
    }
}

/* Four quadrants: red, green / blue, yellow (upright). */
static VipsImage *quadrants(int width, int height)
{
    const double colours[4][3] = {{220, 30, 30}, {30, 200, 30}, {30, 30, 220}, {220, 220, 30}};
    VipsImage *q[4], *top = NULL, *bottom = NULL, *all = NULL, *out = NULL;
    for (int i = 0; i < 4; i++) {
        VipsImage *black = NULL;
        vips_black(&black, width / 2, height / 2, "bands", 3, NULL);
        vips_linear(black, &q[i], (double[]){1, 1, 1}, (double *)colours[i], 3, NULL);
        g_object_unref(black);
    }
    vips_join(q[0], q[1], &top, VIPS_DIRECTION_HORIZONTAL, NULL);
    vips_join(q[2], q[3], &bottom, VIPS_DIRECTION_HORIZONTAL, NULL);
    vips_join(top, bottom, &all, VIPS_DIRECTION_VERTICAL, NULL);
    vips_cast_uchar(all, &out, NULL);
    out->Type = VIPS_INTERPRETATION_sRGB;
    for (int i = 0; i < 4; i++)
        g_object_unref(q[i]);
    g_object_unref(top), g_object_unref(bottom), g_object_unref(all);
    return out;
}

/* The stored pixels that EXIF orientation o shows as `upright`: the
 * inverse of the transform o names (2, 3, 4, 5, 7 are their own inverse). */
static VipsImage *stored_for(VipsImage *upright, int o)
{
    VipsImage *rot = NULL, *out = NULL;
    switch (o) {
    case 2: vips_flip(upright, &out, VIPS_DIRECTION_HORIZONTAL, NULL); break;
    case 3: vips_rot(upright, &out, VIPS_ANGLE_D180, NULL); break;
    case 4: vips_flip(upright, &out, VIPS_DIRECTION_VERTICAL, NULL); break;
    case 5: /* transpose */
        vips_rot(upright, &rot, VIPS_ANGLE_D90, NULL);
        vips_flip(rot, &out, VIPS_DIRECTION_HORIZONTAL, NULL);
        break;
    case 6: vips_rot(upright, &out, VIPS_ANGLE_D270, NULL); break;
    case 7: /* transverse */
        vips_rot(upright, &rot, VIPS_ANGLE_D90, NULL);
        vips_flip(rot, &out, VIPS_DIRECTION_VERTICAL, NULL);
        break;
    case 8: vips_rot(upright, &out, VIPS_ANGLE_D90, NULL); break;
    default: vips_copy(upright, &out, NULL);
    }
    if (rot != NULL)
        g_object_unref(rot);
    VipsImage *tagged = NULL;
    vips_copy(out, &tagged, NULL);
    vips_image_set_int(tagged, VIPS_META_ORIENTATION, o);
    g_object_unref(out);
    return tagged;
}

/* Mean colour of the quadrant (col, row) of img, its middle half. */
static void quadrant_colour(VipsImage *img, int col, int row, double rgb[3])
{
    int w = img->Xsize / 2, h = img->Ysize / 2;
    VipsImage *crop = NULL;
    vips_crop(img, &crop, col * w + w / 4, row * h + h / 4, w / 2, h / 2, NULL);
    for (int b = 0; b < 3; b++) {
        VipsImage *band = NULL;
        vips_extract_band(crop, &band, b, NULL);
        vips_avg(band, &rgb[b], NULL);
        g_object_unref(band);
    }
    g_object_unref(crop);
}

static void every_exif_orientation_is_turned_upright(void **state)
{
    (void)state;
    const double want[4][3] = {{220, 30, 30}, {30, 200, 30}, {30, 30, 220}, {220, 220, 30}};
    VipsImage *upright = quadrants(1200, 900);
    for (int o = 1; o <= 8; o++) {
        VipsImage *stored = stored_for(upright, o);
        char name[32];
        snprintf(name, sizeof name, "quadrants-%d.jpg", o);
        char *path = NULL, *out = NULL;
        json_t *job = completed_job(stored, name, &path, &out);
        const char *sizes[] = {"large", "medium", "small"};
        for (int s = 0; s < 3; s++) {
            VipsImage *ours = our_thumbnail(job, out, sizes[s]);
            assert_true(ours->Xsize > ours->Ysize); /* landscape again */
            for (int q = 0; q < 4; q++) {
                double rgb[3];
                quadrant_colour(ours, q % 2, q / 2, rgb);
                for (int b = 0; b < 3; b++)
                    if (rgb[b] < want[q][b] - 25 || rgb[b] > want[q][b] + 25)
                        fail_msg("orientation %d, %s, quadrant %d band %d: %.0f, want %.0f", o,
                                 sizes[s], q, b, rgb[b], want[q][b]);
            }
            g_object_unref(ours);
        }
        json_decref(job), aw_test_rmtree(out), free(out), free(path);
        g_object_unref(stored);
    }
    g_object_unref(upright);
}

static int setup(void **state)
{
    (void)state;
    workdir = aw_test_tmpdir("sizes");
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
        cmocka_unit_test(odd_and_extreme_sizes_match_vipsthumbnail),
        cmocka_unit_test(every_exif_orientation_is_turned_upright),
    };
    return cmocka_run_group_tests_name("thumbnail_sizes", tests, setup, teardown);
}
