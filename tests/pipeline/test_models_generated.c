/* test_models_generated.c — 3D models (glTF, GLB, OBJ written here) made
 * at run time, each recipe below, so the model family is covered without
 * the shared corpus. Expected values come from the recipes. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aw_expect.h"
#include "aw_test.h"
#include "pipeline.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

static aw_config cfg;
static char *dir; /* the generated files */

/* Two meshes: an indexed triangle list (4 vertices, 6 indices = 2
 * triangles) and a strip (5 vertices = 3 triangles); two materials, one
 * texture from an image file and a buffer file beside the model that must
 * never be opened. */
static const char gltf_json[] =
    "{\"asset\":{\"version\":\"2.0\",\"generator\":\"recipe\",\"copyright\":\"CC0\"},"
    "\"buffers\":[{\"uri\":\"secret.bin\",\"byteLength\":64}],"
    "\"accessors\":[{\"count\":4,\"type\":\"VEC3\",\"componentType\":5126,"
    "\"min\":[-1,-2,-3],\"max\":[1,2,3]},{\"count\":6,\"type\":\"SCALAR\",\"componentType\":5123},"
    "{\"count\":5,\"type\":\"VEC3\",\"componentType\":5126,\"min\":[0,0,0],\"max\":[4,1,1]}],"
    "\"meshes\":[{\"primitives\":[{\"attributes\":{\"POSITION\":0},\"indices\":1,\"material\":0}]},"
    "{\"primitives\":[{\"attributes\":{\"POSITION\":2},\"mode\":5,\"material\":1}]}],"
    "\"materials\":[{},{}],\"images\":[{\"uri\":\"skin.png\"}],\"textures\":[{\"source\":0}],"
    "\"nodes\":[{\"mesh\":0},{\"mesh\":1}],\"scenes\":[{\"nodes\":[0,1]}]}";

static void check_model(json_t *job)
{
    aw_expect_status(job, "completed");
    assert_int_equal(aw_test_int(job, "metadata.technical.model.meshes"), 2);
    assert_int_equal(aw_test_int(job, "metadata.technical.model.vertices"), 9);
    assert_int_equal(aw_test_int(job, "metadata.technical.model.triangles"), 5);
    assert_int_equal(aw_test_int(job, "metadata.technical.model.materials"), 2);
    assert_int_equal(aw_test_int(job, "metadata.technical.model.textures"), 1);
    assert_int_equal(aw_test_int(job, "metadata.technical.model.externalFiles"), 2);
    aw_expect_text(job, "metadata.technical.model.generator", "recipe");
    aw_expect_text(job, "metadata.technical.model.copyright", "CC0");
    json_t *box = aw_test_get(job, "metadata.technical.model.boundingBox");
    assert_true(json_real_value(json_array_get(json_object_get(box, "min"), 2)) == -3);
    assert_true(json_real_value(json_array_get(json_object_get(box, "max"), 0)) == 4);
}

static void gltf_and_glb(void **state)
{
    (void)state;
    char *gltf = g_build_filename(dir, "scene.gltf", NULL);
    char *glb = g_build_filename(dir, "scene.glb", NULL);
    char *secret = g_build_filename(dir, "secret.bin", NULL);
    assert_true(g_file_set_contents(gltf, gltf_json, -1, NULL));
    assert_true(g_file_set_contents(secret, "do not read", -1, NULL));
    /* GLB: 12-byte header, then the JSON chunk padded with spaces to 4 bytes */
    size_t len = strlen(gltf_json), padded = (len + 3) & ~(size_t)3;
    uint32_t head[5] = {0x46546C67u, 2, (uint32_t)(20 + padded), (uint32_t)padded, 0x4E4F534Au};
    GString *bin = g_string_new_len((const char *)head, sizeof head);
    g_string_append_len(bin, gltf_json, (gssize)len);
    while (bin->len < 20 + padded)
        g_string_append_c(bin, ' ');
    assert_true(g_file_set_contents(glb, bin->str, (gssize)bin->len, NULL));
    g_string_free(bin, TRUE);
    int fd = inotify_init1(IN_NONBLOCK);
    assert_true(fd >= 0 && inotify_add_watch(fd, secret, IN_OPEN | IN_ACCESS) >= 0);
    char *out = NULL;
    json_t *job = aw_test_run(&cfg, gltf, "model/gltf+json", AW_STAGES_ALL, &out);
    check_model(job);
    aw_test_done(job, out);
    job = aw_test_run(&cfg, glb, "model/gltf-binary", AW_STAGES_ALL, &out);
    check_model(job);
    aw_test_done(job, out);
    char events[1024];
    if (read(fd, events, sizeof events) > 0)
        fail_msg("secret.bin, the model's external buffer, was opened");
    close(fd);
    g_free(gltf), g_free(glb), g_free(secret);
}

/* CRLF lines, a quad and a triangle and a pentagon (2 + 1 + 3 = 6
 * triangles), usemtl repeated, a comment line longer than the line buffer
 * whose tail (past 65535 bytes) reads "v 7 7 7" and must not count. */
static void obj_counts(void **state)
{
    (void)state;
    aw_test_make(
        dir,
        "{ printf '# made by the test\\r\\nmtllib a.mtl b.mtl\\r\\no box\\r\\n'; "
        "for p in '0 0 0' '1 0 0' '1 1 0' '0 1 0' '0 0 5'; do printf 'v %s\\r\\n' \"$p\"; done; "
        "printf 'vt 0 0\\r\\nvn 0 0 1\\r\\nusemtl red\\r\\nf 1 2 3 4\\r\\nusemtl blue\\r\\n"
        "f 1/1 2/1 5/1\\r\\nusemtl red\\r\\nf 1 2 3 4 5\\r\\n#'; head -c 65534 /dev/zero | "
        "tr '\\0' x; printf 'v 7 7 7\\nv 9 9 9\\n'; } > shape.obj");
    char *obj = g_build_filename(dir, "shape.obj", NULL), *out = NULL;
    json_t *job = aw_test_run(&cfg, obj, "model/obj", AW_STAGES_ALL, &out);
    aw_expect_status(job, "completed");
    assert_int_equal(aw_test_int(job, "metadata.technical.model.vertices"), 6);
    assert_int_equal(aw_test_int(job, "metadata.technical.model.faces"), 3);
    assert_int_equal(aw_test_int(job, "metadata.technical.model.triangles"), 6);
    assert_int_equal(aw_test_int(job, "metadata.technical.model.materials"), 2);
    assert_int_equal(aw_test_int(job, "metadata.technical.model.externalFiles"), 2);
    assert_int_equal(aw_test_int(job, "metadata.technical.model.objects"), 1);
    json_t *box = aw_test_get(job, "metadata.technical.model.boundingBox");
    assert_true(json_real_value(json_array_get(json_object_get(box, "max"), 0)) == 9);
    assert_true(json_real_value(json_array_get(json_object_get(box, "max"), 2)) == 9);
    aw_test_done(job, out);
    g_free(obj);
}

int main(void)
{
    dir = aw_test_tmpdir("models");
    aw_test_config(&cfg, NULL);
    aw_error err;
    if (aw_pipeline_init(&cfg, &err) != AW_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gltf_and_glb),
        cmocka_unit_test(obj_counts),
    };
    int failed = cmocka_run_group_tests_name("models_generated", tests, NULL, NULL);
    aw_pipeline_shutdown();
    aw_test_rmtree(dir);
    free(dir);
    return failed;
}
