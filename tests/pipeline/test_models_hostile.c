/* test_models_hostile.c — 3D models that lie or reach out, written here at
 * run time: references outside the model's directory (".." to a real
 * buffer, an absolute path, URLs, a symbolic link), counts far beyond the
 * limits, buffers cut short, indices out of range, an OBJ of ten million
 * vertices, a render over its time. Each ends with its code and reason;
 * no file outside is opened (inotify watches the bait). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aw_expect.h"
#include "aw_test.h"
#include "model_writer.h"
#include "pipeline.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

static aw_config cfg;
static char *dir; /* bait files here, models in dir/sub */
static char *sub;

static json_t *run_with(const aw_config *c, const char *name, const char *mime, char **out)
{
    char *path = g_build_filename(sub, name, NULL);
    json_t *job = aw_test_run(c, path, mime, AW_STAGES_ALL, out);
    g_free(path);
    return job;
}

static json_t *run(const char *name, const char *mime, char **out)
{
    return run_with(&cfg, name, mime, out);
}

static int watch(const char *path)
{
    int fd = inotify_init1(IN_NONBLOCK);
    assert_true(fd >= 0 && inotify_add_watch(fd, path, IN_OPEN | IN_ACCESS) >= 0);
    return fd;
}

static void expect_untouched(int fd, const char *what)
{
    char events[1024];
    if (read(fd, events, sizeof events) > 0)
        fail_msg("%s, outside the model's directory, was opened", what);
    close(fd);
}

/* A glTF whose one buffer is "../secret.bin" (a real, valid buffer) and
 * which names an absolute path, http:// and file:// as well: nothing is
 * read, the declared counts are reported, there is nothing to draw. */
static void gltf_references_outside(void **state)
{
    (void)state;
    aw_mesh m = aw_mesh_cube();
    aw_write_gltf(dir, "secret.glb", &m, &(aw_gltf_recipe){.binary = true});
    char *bin = g_build_filename(dir, "secret.bin", NULL);
    aw_test_make(dir, "tail -c +$((20 + $(od -An -tu4 -j12 -N4 secret.glb | tr -d ' ') + 8 + 1)) "
                      "secret.glb > secret.bin");
    gchar *extra = g_strdup_printf(
        "[{\"uri\":\"%s\",\"byteLength\":36},{\"uri\":\"http://127.0.0.1:9/x.bin\","
        "\"byteLength\":4},{\"uri\":\"file:///etc/passwd\",\"byteLength\":4}]",
        bin);
    aw_write_gltf(sub, "outside.gltf", &m,
                  &(aw_gltf_recipe){.buffer_uri = "../secret.bin", .extra_buffers = extra});
    int fd = watch(bin);
    char *out = NULL;
    json_t *job = run("outside.gltf", "model/gltf+json", &out);
    expect_untouched(fd, "secret.bin");
    aw_expect_status(job, "partial");
    assert_true(json_is_false(aw_test_get(job, "metadata.technical.model.imported")));
    assert_int_equal(aw_test_int(job, "metadata.technical.model.refusedFiles"), 4);
    assert_int_equal(aw_test_int(job, "metadata.technical.model.externalFiles"), 4);
    assert_int_equal(aw_test_int(job, "metadata.technical.model.vertices"), 24);
    aw_expect_error(job, "thumbnail", "ASSET_PROCESSING_FAILED", "missing_resource");
    aw_test_done(job, out);
    g_free(extra), g_free(bin);
    aw_mesh_free(&m);
}

/* A buffer named in the directory that is a symbolic link to the bait, and
 * one reached through a linked directory that leads out: neither followed. */
static void gltf_buffer_through_links(void **state)
{
    (void)state;
    aw_mesh m = aw_mesh_cube();
    aw_test_make(sub, "ln -sf ../secret.bin link.bin && ln -sfn .. up");
    aw_write_gltf(sub, "linked.gltf", &m, &(aw_gltf_recipe){.buffer_uri = "link.bin"});
    aw_write_gltf(sub, "up.gltf", &m, &(aw_gltf_recipe){.buffer_uri = "up/secret.bin"});
    const char *names[] = {"linked.gltf", "up.gltf"};
    char *bin = g_build_filename(dir, "secret.bin", NULL);
    for (int i = 0; i < 2; i++) {
        char *out = NULL;
        int fd = watch(bin);
        json_t *job = run(names[i], "model/gltf+json", &out);
        expect_untouched(fd, names[i]);
        aw_expect_status(job, "partial");
        assert_true(json_is_false(aw_test_get(job, "metadata.technical.model.imported")));
        assert_int_equal(aw_test_int(job, "metadata.technical.model.refusedFiles"), 1);
        aw_test_done(job, out);
    }
    g_free(bin);
    aw_mesh_free(&m);
}

/* An OBJ naming material libraries above and at an absolute path: they are
 * refused, the geometry is drawn all the same. */
static void obj_material_libraries_outside(void **state)
{
    (void)state;
    aw_mesh m = aw_mesh_cube();
    char *mtl = g_build_filename(dir, "secret.mtl", NULL);
    assert_true(g_file_set_contents(mtl, "newmtl red\nKd 1 0 0\n", -1, NULL));
    gchar *head = g_strdup_printf("mtllib ../secret.mtl %s\nusemtl red\n", mtl);
    aw_write_obj(sub, "outside.obj", &m, head);
    int fd = watch(mtl);
    char *out = NULL;
    json_t *job = run("outside.obj", "model/obj", &out);
    expect_untouched(fd, "secret.mtl");
    aw_expect_status(job, "completed");
    assert_int_equal(aw_test_int(job, "metadata.technical.model.refusedFiles"), 2);
    assert_int_equal(aw_test_int(job, "metadata.technical.model.triangles"), 12);
    json_t *thumbs = aw_test_get(job, "variants.thumbnails");
    assert_int_equal(json_object_size(thumbs), 3);
    aw_test_done(job, out);
    g_free(head), g_free(mtl);
    aw_mesh_free(&m);
}

static void expect_both_stages(json_t *job, const char *code, const char *reason)
{
    aw_expect_status(job, "failed");
    aw_expect_error(job, "metadata", code, reason);
    aw_expect_error(job, "thumbnail", code, reason);
}

/* POSITION claims 10^12 vertices over a 24-vertex buffer: refused from the
 * declaration, before assimp allocates anything. */
static void huge_declared_count(void **state)
{
    (void)state;
    aw_mesh m = aw_mesh_cube();
    aw_write_gltf(sub, "huge.glb", &m,
                  &(aw_gltf_recipe){.binary = true, .claim_count = 1000000000000LL});
    char *out = NULL;
    json_t *job = run("huge.glb", "model/gltf-binary", &out);
    expect_both_stages(job, "ASSET_FILE_TOO_LARGE", "model_limit");
    assert_non_null(
        strstr(aw_test_str(aw_test_error(job, "metadata"), "message"), "1000000000000 vertices"));
    aw_test_done(job, out);
    aw_mesh_free(&m);
}

/* Buffers shorter than they say: inline (data: URI) and in a GLB's BIN
 * chunk; and a GLB cut in half. */
static void truncated_buffers(void **state)
{
    (void)state;
    aw_mesh m = aw_mesh_icosphere();
    aw_write_gltf(sub, "cut.gltf", &m, &(aw_gltf_recipe){.cut = 100});
    aw_write_gltf(sub, "cut.glb", &m, &(aw_gltf_recipe){.binary = true, .cut = 100});
    aw_write_gltf(sub, "whole.glb", &m, &(aw_gltf_recipe){.binary = true});
    aw_test_make(sub, "head -c $(($(stat -c %s whole.glb) / 2)) whole.glb > half.glb");
    const char *names[] = {"cut.gltf", "cut.glb", "half.glb"};
    for (int i = 0; i < 3; i++) {
        char *out = NULL;
        json_t *job = run(names[i], i ? "model/gltf-binary" : "model/gltf+json", &out);
        expect_both_stages(job, "ASSET_PROCESSING_FAILED", "corrupt");
        aw_test_done(job, out);
    }
    aw_mesh_free(&m);
}

/* A triangle naming vertex 100000 of 42: assimp drops that face (never
 * reads past the vertices); the other 80 are counted and drawn. */
static void index_out_of_range(void **state)
{
    (void)state;
    aw_mesh m = aw_mesh_icosphere();
    uint32_t bad[3] = {0, 1, 100000};
    g_array_append_vals(m.idx, bad, 3);
    aw_write_gltf(sub, "bad-index.gltf", &m, &(aw_gltf_recipe){0});
    char *out = NULL;
    json_t *job = run("bad-index.gltf", "model/gltf+json", &out);
    aw_expect_status(job, "completed");
    assert_int_equal(aw_test_int(job, "metadata.technical.model.triangles"), 80);
    aw_test_done(job, out);
    aw_mesh_free(&m);
}

/* sub/name: one triangle whose buffer is inline; `accessor` adds members
 * to its POSITION accessor (",\"sparse\":{…}" or ""), `rest` the members
 * after it (meshes, nodes, scenes, …). Run, its job returned. */
static json_t *run_triangle(const char *name, const char *accessor, const char *rest, char **out)
{
    gchar *doc = g_strdup_printf(
        "{\"asset\":{\"version\":\"2.0\"},\"buffers\":[{\"byteLength\":36,\"uri\":"
        "\"data:application/octet-stream;base64,"
        "AAAAAAAAAAAAAAAAAACAPwAAAAAAAAAAAAAAAAAAgD8AAAAA\"}],"
        "\"bufferViews\":[{\"buffer\":0,\"byteLength\":36}],"
        "\"accessors\":[{\"bufferView\":0,\"componentType\":5126,\"count\":3,"
        "\"type\":\"VEC3\"%s}],%s}",
        accessor, rest);
    char *path = g_build_filename(sub, name, NULL);
    assert_true(g_file_set_contents(path, doc, -1, NULL));
    json_t *job = run(name, "model/gltf+json", out);
    g_free(path), g_free(doc);
    return job;
}

/* What assimp 5.2 reads without a check (model_gltf_check.c): a sparse
 * accessor without indices (a null pointer inside assimp, found by
 * fuzz_pipeline), sparse values past their view, a one-number texture
 * transform offset. Each is corrupt, and the process is still here. */
static void gltf_parts_assimp_does_not_check(void **state)
{
    (void)state;
    static const char *const docs[] = {
        "\"sparse\":{\"count\":1,\"values\":{\"bufferView\":0}}",
        "\"sparse\":{\"count\":1,\"yndices\":{\"bufferView\":0,\"componentType\":5123},"
        "\"values\":{\"bufferView\":0}}",
        "\"sparse\":{\"count\":4,\"indices\":{\"bufferView\":0,\"componentType\":5123},"
        "\"values\":{\"bufferView\":0}}",
    };
    for (int i = 0; i < 4; i++) {
        gchar *accessor = g_strdup_printf("%s%s", i < 3 ? "," : "", i < 3 ? docs[i] : "");
        gchar *rest = g_strdup_printf(
            "\"extensionsUsed\":[\"KHR_texture_transform\"],\"textures\":[{}],"
            "\"materials\":[{\"pbrMetallicRoughness\":{\"baseColorTexture\":{\"index\":0%s}}}],"
            "\"meshes\":[{\"primitives\":[{\"attributes\":{\"POSITION\":0},\"material\":0}]}],"
            "\"nodes\":[{\"mesh\":0}],\"scenes\":[{\"nodes\":[0]}],\"scene\":0",
            i == 3 ? ",\"extensions\":{\"KHR_texture_transform\":{\"offset\":[0.5]}}" : "");
        char *out = NULL;
        json_t *job = run_triangle("blind.gltf", accessor, rest, &out);
        expect_both_stages(job, "ASSET_PROCESSING_FAILED", "corrupt");
        const char *why = aw_test_str(aw_test_error(job, "metadata"), "message");
        if (strstr(why, i < 3 ? "sparse" : "KHR_texture_transform") == NULL)
            fail_msg("case %d refused for another reason: %s", i, why);
        aw_test_done(job, out);
        g_free(accessor), g_free(rest);
    }
}

/* glTF nodes that are not a tree assimp can walk: a chain of 20 000 (its
 * recursion overflowed the stack), a node with two parents (copied under
 * each); a chain of 200 is still drawn. */
static void gltf_node_trees(void **state)
{
    (void)state;
    static const struct {
        int depth;
        bool two_parents;
        const char *status;
    } cases[] = {{20000, false, "failed"}, {3, true, "failed"}, {200, false, "completed"}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        GString *nodes = g_string_new("[");
        for (int i = 0; i < cases[c].depth; i++)
            g_string_append_printf(nodes, "{\"children\":[%d]},", i + 1);
        g_string_append(nodes,
                        cases[c].two_parents ? "{\"mesh\":0,\"children\":[2]}]" : "{\"mesh\":0}]");
        gchar *rest = g_strdup_printf(
            "\"meshes\":[{\"primitives\":[{\"attributes\":{\"POSITION\":0}}]}],"
            "\"nodes\":%s,\"scenes\":[{\"nodes\":[0]}],\"scene\":0",
            nodes->str);
        char *out = NULL;
        json_t *job = run_triangle("tree.gltf", ",\"min\":[0,0,0],\"max\":[1,1,0]", rest, &out);
        aw_expect_status(job, cases[c].status);
        if (strcmp(cases[c].status, "failed") == 0)
            expect_both_stages(job, "ASSET_PROCESSING_FAILED", "corrupt");
        aw_test_done(job, out);
        g_free(rest);
        g_string_free(nodes, TRUE);
    }
}

/* Ten million vertices (80 MB of text, under the 100 MB upload limit):
 * over --max-model-vertices, counted before the import. */
static void obj_of_ten_million_vertices(void **state)
{
    (void)state;
    aw_test_make(sub, "{ yes 'v 0 0 0' | head -n 10000000; echo 'f 1 2 3'; } > big.obj");
    char *out = NULL;
    json_t *job = run("big.obj", "model/obj", &out);
    expect_both_stages(job, "ASSET_FILE_TOO_LARGE", "model_limit");
    assert_non_null(
        strstr(aw_test_str(aw_test_error(job, "thumbnail"), "message"), "10000000 vertices"));
    aw_test_done(job, out);
}

/* A render given no time at all stops after its first batch. */
static void render_over_time(void **state)
{
    (void)state;
    aw_mesh m = aw_mesh_icosphere();
    aw_write_obj(sub, "slow.obj", &m, "");
    aw_config hurried = cfg;
    hurried.limits.model_render_ms = 0;
    char *out = NULL;
    json_t *job = run_with(&hurried, "slow.obj", "model/obj", &out);
    aw_expect_status(job, "partial");
    aw_expect_error(job, "thumbnail", "ASSET_FILE_TOO_LARGE", "model_limit");
    aw_test_done(job, out);
    aw_mesh_free(&m);
}

int main(void)
{
    dir = aw_test_tmpdir("models-hostile");
    sub = g_build_filename(dir, "sub", NULL);
    mkdir(sub, 0700);
    aw_test_config(&cfg, NULL);
    aw_error err;
    if (aw_pipeline_init(&cfg, &err) != AW_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gltf_references_outside),
        cmocka_unit_test(gltf_buffer_through_links),
        cmocka_unit_test(obj_material_libraries_outside),
        cmocka_unit_test(huge_declared_count),
        cmocka_unit_test(truncated_buffers),
        cmocka_unit_test(index_out_of_range),
        cmocka_unit_test(gltf_parts_assimp_does_not_check),
        cmocka_unit_test(gltf_node_trees),
        cmocka_unit_test(obj_of_ten_million_vertices),
        cmocka_unit_test(render_over_time),
    };
    int failed = cmocka_run_group_tests_name("models_hostile", tests, NULL, NULL);
    aw_pipeline_shutdown();
    aw_test_rmtree(dir);
    free(dir), g_free(sub);
    return failed;
}
