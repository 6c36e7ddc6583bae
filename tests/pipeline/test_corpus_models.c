/* test_corpus_models.c — the 3D models of ../shared/corpus (glTF, GLB,
 * OBJ and the files beside them) through the pipeline. Expected counts are
 * taken from the files themselves by independent tools: jq over the glTF
 * JSON, grep and awk over OBJ lines. Every model's three thumbnails must
 * show it (pixel statistics, picture_stats.h). Skipped when the corpus is
 * absent. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aw_expect.h"
#include "aw_test.h"
#include "manifest.h"
#include "picture_stats.h"
#include "media.h"
#include "pipeline.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static aw_config cfg;

/* Files that must end with a given error (their notes say why). */
static const aw_expected_end expected[] = {
    {"open/edge/invalid-glb/invalid_magic.glb", "failed", "sniff", "ASSET_INVALID_FILE_TYPE",
     "type_mismatch"},
};

/* jq over the glTF JSON (for a GLB, the JSON chunk cut out with dd). */
static long gltf_count(const char *path, bool glb, const char *jq_expr)
{
    gchar *quoted = g_shell_quote(path);
    gchar *source = glb ? g_strdup_printf(
                              "dd if=%s bs=1 skip=20 "
                              "count=$(od -An -tu4 -j12 -N4 %s | tr -d ' ') 2>/dev/null",
                              quoted, quoted)
                        : g_strdup_printf("cat %s", quoted);
    gchar *cmd = g_strdup_printf("%s | jq '%s'", source, jq_expr);
    FILE *p = popen(cmd, "r");
    char buf[64] = "";
    if (p == NULL || fgets(buf, sizeof buf, p) == NULL)
        buf[0] = '\0';
    if (p != NULL)
        pclose(p);
    g_free(cmd), g_free(source), g_free(quoted);
    if (buf[0] == '\0')
        fail_msg("jq found nothing for %s", jq_expr);
    return atol(buf);
}

static void check_gltf(const char *path, json_t *job, bool glb)
{
    static const struct {
        const char *field, *jq;
    } counts[] = {
        /* assimp makes a mesh of each primitive */
        {"meshes", "[.meshes[].primitives[]] | length"},
        /* materials some primitive uses */
        {"materials", "[.meshes[].primitives[].material | select(. != null)] | unique | length"},
        /* textures the materials use (every textureInfo has an index) */
        {"textures",
         "[.materials[]? | .. | objects | select(has(\"index\")) | .index] | unique | length"},
        {"animations", ".animations // [] | length"},
        {"nodes", ".nodes // [] | length"},
        /* every primitive's POSITION accessor count */
        {"vertices",
         ". as $d | [.meshes[].primitives[].attributes.POSITION | $d.accessors[.].count] | add"},
        /* triangle lists: index count (or vertex count) / 3 */
        {"triangles", ". as $d | [.meshes[].primitives[] | select((.mode // 4) == 4) | "
                      "(if .indices != null then $d.accessors[.indices].count else "
                      "$d.accessors[.attributes.POSITION].count end) / 3 | floor] | add"},
    };
    aw_expect_status(job, "completed");
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        char key[96];
        snprintf(key, sizeof key, "metadata.technical.model.%s", counts[i].field);
        long want = gltf_count(path, glb, counts[i].jq);
        if (aw_test_int(job, key) != want)
            fail_msg("%s is %lld, jq over the file says %ld", key, aw_test_int(job, key), want);
    }
}

static void check_obj(const char *path, json_t *job)
{
    aw_expect_status(job, "completed");
    assert_int_equal(aw_test_int(job, "metadata.technical.model.vertices"),
                     aw_test_command_number("grep -c '^v ' %s", path));
    assert_int_equal(aw_test_int(job, "metadata.technical.model.faces"),
                     aw_test_command_number("grep -c '^f ' %s", path));
    /* materials some face uses: the last usemtl before each f line */
    assert_int_equal(aw_test_int(job, "metadata.technical.model.materials"),
                     aw_test_command_number("awk '/^usemtl /{m=$2} /^f /{if (m != \"\") u[m]=1} "
                                            "END{print length(u)}' %s",
                                            path));
}

/* Three thumbnails, each showing the model over a part of the picture. */
static void check_render(json_t *job, const char *out)
{
    static const char *const sizes[] = {"small", "medium", "large"};
    for (int i = 0; i < 3; i++) {
        char key[64];
        snprintf(key, sizeof key, "variants.thumbnails.%s.key", sizes[i]);
        const char *file = strrchr(aw_test_str(job, key), '/') + 1;
        char *path = g_build_filename(out, file, NULL);
        aw_picture_stats s;
        aw_picture_stats_of(path, &s);
        if (s.foreground < 0.05 || s.foreground > 0.95)
            fail_msg("%s shows the model over %.1f%% of it", file, s.foreground * 100);
        assert_int_equal(s.width, 200 << i);
        g_free(path);
    }
}

static void corpus_file(void **state)
{
    const aw_manifest_row *row = *state;
    const char *rel = aw_manifest_get(row, "relpath"), *path = aw_manifest_path(row);
    const char *family = aw_manifest_get(row, "oracle_family");
    const aw_media_type *declared = aw_media_by_extension(path);
    char *out = NULL;
    json_t *job = aw_test_run(&cfg, path, declared ? declared->mime : NULL, AW_STAGES_ALL, &out);
    aw_expect_oracle_fields(job, row);
    const aw_expected_end *e = aw_expected_end_for(expected, sizeof expected / sizeof expected[0],
                                                   rel);
    if (e != NULL) {
        aw_expect_end(job, e);
    } else if (declared == NULL) { /* .mtl, .bin: no type the API accepts */
        aw_expect_status(job, "failed");
        assert_string_equal(aw_test_str(aw_test_error(job, "sniff"), "code"),
                            "ASSET_INVALID_FILE_TYPE");
    } else if (strcmp(family, "obj") == 0) {
        check_obj(path, job);
        check_render(job, out);
    } else {
        check_gltf(path, job, g_str_has_suffix(path, ".glb"));
        check_render(job, out);
    }
    assert_string_equal(aw_test_str(job, "metadata.type"), "DOCUMENT"); /* DESIGN §3 */
    json_decref(job);
    aw_test_rmtree(out);
    free(out);
}

static bool is_model_row(const aw_manifest_row *row)
{
    const char *family = aw_manifest_get(row, "oracle_family");
    return strcmp(family, "gltf") == 0 || strcmp(family, "obj") == 0;
}

int main(void)
{
    aw_test_config(&cfg, NULL);
    return aw_test_corpus_main("corpus_models", &cfg, is_model_row, corpus_file, NULL, 0);
}
