/* test_models_generated.c — 3D models written here at run time (a cube and
 * an icosphere as OBJ and glTF, a GLB with an embedded texture, hostile
 * ones), so the model family is covered without the shared corpus.
 * Expected counts and bounding boxes come from the recipes; the renders are
 * judged by their pixels (picture_stats.h). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aw_expect.h"
#include "aw_test.h"
#include "model_writer.h"
#include "picture_stats.h"
#include "pipeline.h"

#include <glib.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>
#include <vips/vips.h>

static aw_config cfg;
static char *dir; /* the generated files */

static json_t *run(const char *name, const char *mime, char **out)
{
    char *path = g_build_filename(dir, name, NULL);
    json_t *job = aw_test_run(&cfg, path, mime, AW_STAGES_ALL, out);
    g_free(path);
    return job;
}

static void expect_count(json_t *job, const char *field, long long want)
{
    char key[96];
    snprintf(key, sizeof key, "metadata.technical.model.%s", field);
    if (aw_test_int(job, key) != want)
        fail_msg("%s is %lld, the recipe made %lld", key, aw_test_int(job, key), want);
}

static void expect_box(json_t *job, const aw_mesh *m)
{
    double min[3], max[3];
    aw_mesh_bounds(m, min, max);
    json_t *box = aw_test_get(job, "metadata.technical.model.boundingBox");
    for (int k = 0; k < 3; k++) {
        assert_float_equal(json_real_value(json_array_get(json_object_get(box, "min"), k)), min[k],
                           1e-5);
        assert_float_equal(json_real_value(json_array_get(json_object_get(box, "max"), k)), max[k],
                           1e-5);
    }
}

/* The three thumbnails: 800/400/200 squares showing a model that covers a
 * good part of the picture, not all of it; the large one's stats in *s. */
static void expect_render(const char *out, aw_picture_stats *s)
{
    static const struct {
        const char *file;
        int side;
    } sizes[] = {{"thumbnail_large.webp", 800},
                 {"thumbnail_medium.webp", 400},
                 {"thumbnail_small.webp", 200}};
    for (int i = 2; i >= 0; i--) {
        char *path = g_build_filename(out, sizes[i].file, NULL);
        aw_picture_stats_of(path, s);
        g_free(path);
        assert_int_equal(s->width, sizes[i].side);
        assert_int_equal(s->height, sizes[i].side);
        if (s->foreground < 0.10 || s->foreground > 0.90)
            fail_msg("%s: the model covers %.1f%% of it", sizes[i].file, s->foreground * 100);
    }
}

static void cube_as_obj_and_gltf(void **state)
{
    (void)state;
    aw_mesh m = aw_mesh_cube();
    aw_picture_stats s;
    char *out = NULL;
    aw_write_obj(dir, "cube.obj", &m, "o cube\n");
    json_t *job = run("cube.obj", "model/obj", &out);
    aw_expect_status(job, "completed");
    expect_count(job, "vertices", 24);
    expect_count(job, "faces", 12);
    expect_count(job, "triangles", 12);
    expect_box(job, &m);
    expect_render(out, &s);
    aw_test_done(job, out);
    aw_write_gltf(dir, "red.gltf", &m, &(aw_gltf_recipe){.colour = {0.9, 0.05, 0.05}});
    job = run("red.gltf", "model/gltf+json", &out);
    aw_expect_status(job, "completed");
    expect_count(job, "vertices", 24);
    expect_count(job, "triangles", 12);
    expect_count(job, "meshes", 1);
    expect_count(job, "materials", 1);
    aw_expect_text(job, "metadata.technical.model.generator", "aw-test");
    expect_box(job, &m);
    expect_render(out, &s);
    if (!(s.r > 2 * s.g && s.r > 2 * s.b)) /* the base colour shows */
        fail_msg("the red cube renders as %.0f/%.0f/%.0f", s.r, s.g, s.b);
    aw_test_done(job, out);
    aw_mesh_free(&m);
}

static GBytes *read_bytes(const char *out, const char *file)
{
    char *path = g_build_filename(out, file, NULL), *data = NULL;
    gsize len = 0;
    assert_true(g_file_get_contents(path, &data, &len, NULL));
    g_free(path);
    return g_bytes_new_take(data, len);
}

/* Same file, same pixels: the render is deterministic. */
static void icosphere_as_obj_and_gltf(void **state)
{
    (void)state;
    aw_mesh m = aw_mesh_icosphere();
    aw_picture_stats s;
    char *out = NULL;
    aw_write_obj(dir, "ico.obj", &m, "");
    aw_write_gltf(dir, "ico.gltf", &m, &(aw_gltf_recipe){.colour = {0.6, 0.6, 0.6}});
    const char *names[] = {"ico.obj", "ico.gltf"}, *mimes[] = {"model/obj", "model/gltf+json"};
    for (int i = 0; i < 2; i++) {
        json_t *job = run(names[i], mimes[i], &out);
        aw_expect_status(job, "completed");
        expect_count(job, "vertices", 42);
        expect_count(job, "triangles", 80);
        expect_box(job, &m);
        expect_render(out, &s);
        GBytes *first = read_bytes(out, "thumbnail_large.webp");
        aw_test_done(job, out);
        job = run(names[i], mimes[i], &out);
        GBytes *second = read_bytes(out, "thumbnail_large.webp");
        assert_true(g_bytes_equal(first, second));
        g_bytes_unref(first), g_bytes_unref(second);
        aw_test_done(job, out);
    }
    aw_mesh_free(&m);
}

/* A white cube with a green PNG inside the GLB: the texture shows. */
static void glb_with_embedded_texture(void **state)
{
    (void)state;
    aw_mesh m = aw_mesh_cube();
    aw_picture_stats s;
    char *out = NULL;
    GBytes *png = aw_png_of(20, 200, 40);
    aw_write_gltf(dir, "textured.glb", &m,
                  &(aw_gltf_recipe){.binary = true, .colour = {1, 1, 1}, .png = png});
    json_t *job = run("textured.glb", "model/gltf-binary", &out);
    aw_expect_status(job, "completed");
    expect_count(job, "embeddedTextures", 1);
    expect_count(job, "textures", 1);
    expect_count(job, "externalFiles", 0);
    expect_render(out, &s);
    if (!(s.g > s.r + 60 && s.g > s.b + 60))
        fail_msg("the green-textured cube renders as %.0f/%.0f/%.0f", s.r, s.g, s.b);
    aw_test_done(job, out);
    g_bytes_unref(png);
    aw_mesh_free(&m);
}

int main(void)
{
    dir = aw_test_tmpdir("models");
    aw_test_config(&cfg, NULL);
    aw_error err;
    if (aw_pipeline_init(&cfg, &err) != AW_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cube_as_obj_and_gltf),
        cmocka_unit_test(icosphere_as_obj_and_gltf),
        cmocka_unit_test(glb_with_embedded_texture),
    };
    int failed = cmocka_run_group_tests_name("models_generated", tests, NULL, NULL);
    aw_pipeline_shutdown();
    aw_test_rmtree(dir);
    free(dir);
    return failed;
}
