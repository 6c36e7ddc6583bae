/* test_corpus_documents.c — the PDFs, Office files and 3D models of
 * ../shared/corpus through the pipeline. Expected values: MANIFEST.tsv
 * (pdfinfo/exiftool), pdfinfo run now for dates and page size, and for
 * models counts taken from the files themselves by independent tools
 * (jq over the glTF JSON, grep over OBJ lines, unzip's member list for
 * embedded thumbnails). Skipped when the corpus is absent. */
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

#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

static aw_config cfg;

/* Files that must end with a given error (their notes say why). */
static const struct {
    const char *relpath, *status, *stage, *code, *reason;
} expected[] = {
    {"open/document/pdf-encrypted/issue6010_1.pdf", "partial", "thumbnail",
     "ASSET_PROCESSING_FAILED", "encrypted"},
    {"open/document/pdf-malformed/bug1020226.pdf", "failed", "metadata", "ASSET_PROCESSING_FAILED",
     "corrupt"},
    {"open/document/pdf-malformed/poppler-395-0-fuzzed.pdf", "partial", "thumbnail",
     "ASSET_PROCESSING_FAILED", "no_page"},
    {"open/document/pdf-malformed/bug1606566.pdf", "failed", "sniff", "ASSET_INVALID_FILE_TYPE",
     "type_mismatch"},
    {"open/edge/malformed-office/truncated62886.docx", "failed", "metadata",
     "ASSET_PROCESSING_FAILED", "corrupt"},
    {"open/edge/malformed-office/protected_agile.docx", "failed", "metadata",
     "ASSET_PROCESSING_FAILED", "encrypted"},
    {"open/edge/malformed-office/invalid.xlsx", "failed", "metadata", "ASSET_PROCESSING_FAILED",
     "corrupt"},
    {"open/edge/invalid-glb/invalid_magic.glb", "failed", "sniff", "ASSET_INVALID_FILE_TYPE",
     "type_mismatch"},
};

static int expected_index(const char *relpath)
{
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
        if (strcmp(expected[i].relpath, relpath) == 0)
            return (int)i;
    return -1;
}

/* First line a shell command prints (trailing newline cut), or "". */
static void command_line(const char *fmt, const char *path, char *buf, size_t size)
{
    gchar *quoted = g_shell_quote(path);
    gchar *cmd = g_strdup_printf(fmt, quoted);
    FILE *p = popen(cmd, "r");
    buf[0] = '\0';
    if (p != NULL) {
        if (fgets(buf, (int)size, p) == NULL)
            buf[0] = '\0';
        pclose(p);
    }
    buf[strcspn(buf, "\n")] = '\0';
    g_free(cmd), g_free(quoted);
}

static long command_number(const char *fmt, const char *path)
{
    char buf[64];
    command_line(fmt, path, buf, sizeof buf);
    return buf[0] ? atol(buf) : -1;
}

static void check_text(json_t *job, const char *path, const char *oracle, const char *what)
{
    if (oracle[0] == '\0')
        return;
    const char *got = aw_test_str(job, path);
    if (got == NULL || strcmp(got, oracle) != 0)
        fail_msg("%s is '%s', %s says '%s'", path, got ? got : "(absent)", what, oracle);
}

static void check_prefix(json_t *job, const char *path, const char *oracle)
{
    if (oracle[0] == '\0')
        return;
    const char *got = aw_test_str(job, path);
    if (got == NULL || strncmp(got, oracle, strlen(oracle)) != 0)
        fail_msg("%s is '%s', pdfinfo says '%s'", path, got ? got : "(absent)", oracle);
}

static void expect_status(json_t *job, const char *status)
{
    if (strcmp(aw_test_str(job, "status"), status) != 0)
        fail_msg("status %s, expected %s: %s", aw_test_str(job, "status"), status,
                 json_dumps(json_object_get(job, "errors"), 0));
}

/* The large thumbnail: shaped like page 1, not blank. */
/* How much there is to see on page 1 as pdftoppm renders it (standard
 * deviation of grey, by the vips tool). */
static double pdftoppm_detail(const char *path)
{
    char buf[64];
    command_line("d=$(mktemp -d) && pdftoppm -f 1 -l 1 -scale-to 200 -gray %s \"$d/p\" && "
                 "vips deviate \"$d\"/p-*1.pgm; rm -rf \"$d\"", path, buf, sizeof buf);
    return buf[0] ? atof(buf) : -1.0;
}

static void check_page_thumbnail(const char *path, json_t *job, const char *out_dir,
                                 double page_w, double page_h)
{
    long w = aw_test_int(job, "variants.thumbnails.large.width");
    long h = aw_test_int(job, "variants.thumbnails.large.height");
    assert_int_equal(w > h ? w : h, 800);
    double want = page_w / page_h;
    if (fabs((double)w / h - want) > 0.01 * want + 2.0 / 800)
        fail_msg("thumbnail %ldx%ld, page 1 is %.2fx%.2f pt", w, h, page_w, page_h);
    assert_true(aw_test_int(job, "variants.thumbnails.small.width") <= 200);
    char file[4200];
    snprintf(file, sizeof file, "%s/thumbnail_large.webp", out_dir);
    VipsImage *img = vips_image_new_from_file(file, NULL);
    assert_non_null(img);
    double deviation = 0;
    assert_int_equal(vips_deviate(img, &deviation, NULL), 0);
    if (deviation < 2.0 && pdftoppm_detail(path) >= 2.0)
        fail_msg("page 1 thumbnail is blank (standard deviation %.2f), pdftoppm's is not",
                 deviation);
    g_object_unref(img);
}

static void check_pdf(const aw_manifest_row *row, json_t *job, const char *out_dir)
{
    const char *path = aw_manifest_path(row);
    expect_status(job, "completed");
    assert_int_equal(aw_test_int(job, "metadata.technical.pageCount"),
                     aw_manifest_int(row, "page_count"));
    check_text(job, "metadata.descriptive.title", aw_manifest_get(row, "title"), "pdfinfo");
    check_text(job, "metadata.descriptive.author", aw_manifest_get(row, "author"), "pdfinfo");
    bool encrypted = strncmp(aw_manifest_get(row, "encrypted"), "yes", 3) == 0;
    assert_int_equal(json_is_true(aw_test_get(job, "metadata.technical.encrypted")), encrypted);
    char date[64];
    command_line("pdfinfo -isodates %s 2>/dev/null | sed -n 's/^CreationDate: *//p'", path, date,
                 sizeof date);
    check_prefix(job, "metadata.extracted.creationDate", date);
    command_line("pdfinfo -isodates %s 2>/dev/null | sed -n 's/^ModDate: *//p'", path, date,
                 sizeof date);
    check_prefix(job, "metadata.extracted.modificationDate", date);
    char size[64];
    command_line("pdfinfo %s 2>/dev/null | sed -n 's/^Page size: *\\([0-9.]*\\) x \\([0-9.]*\\).*/\\1 \\2/p'",
                 path, size, sizeof size);
    double pw = 0, ph = 0;
    assert_int_equal(sscanf(size, "%lf %lf", &pw, &ph), 2);
    assert_true(fabs(aw_test_num(job, "metadata.technical.pageWidth") - pw) < 0.01);
    assert_true(fabs(aw_test_num(job, "metadata.technical.pageHeight") - ph) < 0.01);
    check_page_thumbnail(path, job, out_dir, pw, ph);
}

static void check_office(const aw_manifest_row *row, json_t *job)
{
    const char *path = aw_manifest_path(row);
    expect_status(job, "completed");
    check_text(job, "metadata.descriptive.title", aw_manifest_get(row, "title"), "exiftool");
    check_text(job, "metadata.descriptive.author", aw_manifest_get(row, "author"), "exiftool");
    long pages = aw_manifest_int(row, "page_count");
    if (pages >= 0)
        assert_int_equal(aw_test_int(job, "metadata.technical.pageCount"), pages);
    long thumbs = command_number("unzip -l %s 2>/dev/null | grep -c 'docProps/thumbnail\\.\\(jpeg\\|jpg\\|png\\)$'",
                                 path);
    size_t made = json_object_size(aw_test_get(job, "variants.thumbnails"));
    if ((thumbs > 0) != (made == 3))
        fail_msg("%ld embedded JPEG/PNG thumbnails in the package, %zu sizes made", thumbs, made);
}

/* jq over the glTF JSON (for a GLB, the JSON chunk cut out with dd). */
static long gltf_count(const char *path, bool glb, const char *jq_expr)
{
    gchar *quoted = g_shell_quote(path);
    gchar *source = glb ? g_strdup_printf("dd if=%s bs=1 skip=20 "
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
        {"meshes", ".meshes | length"},
        {"materials", ".materials // [] | length"},
        {"textures", ".textures // [] | length"},
        {"animations", ".animations // [] | length"},
        {"nodes", ".nodes // [] | length"},
        /* every primitive's POSITION accessor count */
        {"vertices", ". as $d | [.meshes[].primitives[].attributes.POSITION | $d.accessors[.].count] | add"},
        /* triangle lists: index count (or vertex count) / 3 */
        {"triangles", ". as $d | [.meshes[].primitives[] | select((.mode // 4) == 4) | "
                      "(if .indices != null then $d.accessors[.indices].count else "
                      "$d.accessors[.attributes.POSITION].count end) / 3 | floor] | add"},
    };
    expect_status(job, "completed");
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
    expect_status(job, "completed");
    assert_int_equal(aw_test_int(job, "metadata.technical.model.vertices"),
                     command_number("grep -c '^v ' %s", path));
    assert_int_equal(aw_test_int(job, "metadata.technical.model.faces"),
                     command_number("grep -c '^f ' %s", path));
    assert_int_equal(aw_test_int(job, "metadata.technical.model.materials"),
                     command_number("grep '^usemtl ' %s | sort -u | wc -l", path));
}

static void corpus_file(void **state)
{
    const aw_manifest_row *row = *state;
    const char *rel = aw_manifest_get(row, "relpath"), *path = aw_manifest_path(row);
    const char *family = aw_manifest_get(row, "oracle_family");
    const aw_media_type *declared = aw_media_by_extension(path);
    char *out = NULL;
    json_t *job = aw_test_run(&cfg, path, declared ? declared->mime : NULL, AW_STAGES_ALL, &out);
    int e = expected_index(rel);
    if (e >= 0) {
        expect_status(job, expected[e].status);
        json_t *err = aw_test_error(job, expected[e].stage);
        if (err == NULL)
            fail_msg("no %s error: %s", expected[e].stage, json_dumps(job, 0));
        assert_string_equal(aw_test_str(err, "code"), expected[e].code);
        assert_string_equal(aw_test_str(err, "reason"), expected[e].reason);
    } else if (declared == NULL) { /* .mtl, .bin: no type the API accepts */
        expect_status(job, "failed");
        assert_string_equal(aw_test_str(aw_test_error(job, "sniff"), "code"),
                            "ASSET_INVALID_FILE_TYPE");
    } else if (strcmp(family, "pdf") == 0) {
        check_pdf(row, job, out);
    } else if (strcmp(family, "office") == 0) {
        check_office(row, job);
    } else if (strcmp(family, "obj") == 0) {
        check_obj(path, job);
    } else {
        check_gltf(path, job, g_str_has_suffix(path, ".glb"));
    }
    assert_string_equal(aw_test_str(job, "metadata.type"), "DOCUMENT");
    json_decref(job);
    aw_test_rmtree(out);
    free(out);
}

static bool is_document_row(const aw_manifest_row *row)
{
    const char *family = aw_manifest_get(row, "oracle_family");
    return strcmp(family, "pdf") == 0 || strcmp(family, "office") == 0 ||
           strcmp(family, "gltf") == 0 || strcmp(family, "obj") == 0;
}

int main(void)
{
    aw_test_config(&cfg, NULL);
    return aw_test_corpus_main("corpus_documents", &cfg, is_document_row, corpus_file, NULL, 0);
}
