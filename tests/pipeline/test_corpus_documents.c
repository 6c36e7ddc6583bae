/* test_corpus_documents.c — the PDFs and Office files of ../shared/corpus
 * through the pipeline (3D models: test_corpus_models.c). Expected values:
 * MANIFEST.tsv (pdfinfo/exiftool), pdfinfo run now for dates and page
 * size, unzip's member list for embedded thumbnails. Skipped when the
 * corpus is absent. */
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
static const aw_expected_end expected[] = {
    {"open/document/pdf-encrypted/issue6010_1.pdf", "partial", "thumbnail",
     "ASSET_PROCESSING_FAILED", "encrypted"},
    {"open/document/pdf-malformed/bug1020226.pdf", "failed", "metadata", "ASSET_PROCESSING_FAILED",
     "corrupt"},
    {"open/document/pdf-malformed/poppler-395-0-fuzzed.pdf", "partial", "thumbnail",
     "ASSET_PROCESSING_FAILED", "no_page"},
    {"open/document/pdf-malformed/bug1606566.pdf", "failed", "sniff", "ASSET_INVALID_FILE_TYPE",
     "type_mismatch"},
    {"open/edge/malformed-office/truncated62886.docx", "partial", "metadata",
     "ASSET_PROCESSING_FAILED", "zip_directory"}, /* its docProps parts are whole */
    {"open/edge/malformed-office/protected_agile.docx", "failed", "metadata",
     "ASSET_PROCESSING_FAILED", "encrypted"},
    {"open/edge/malformed-office/invalid.xlsx", "failed", "metadata", "ASSET_PROCESSING_FAILED",
     "corrupt"},
};

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

/* The large thumbnail: shaped like page 1, not blank. */
/* How much there is to see on page 1 as pdftoppm renders it (standard
 * deviation of grey, by the vips tool). */
static double pdftoppm_detail(const char *path)
{
    char buf[64];
    aw_test_command_line("d=$(mktemp -d) && pdftoppm -f 1 -l 1 -scale-to 200 -gray %s \"$d/p\" && "
                         "vips deviate \"$d\"/p-*1.pgm; rm -rf \"$d\"",
                         path, buf, sizeof buf);
    return buf[0] ? atof(buf) : -1.0;
}

static void check_page_thumbnail(const char *path, json_t *job, const char *out_dir, double page_w,
                                 double page_h)
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
    aw_expect_status(job, "completed");
    assert_int_equal(aw_test_int(job, "metadata.technical.pageCount"),
                     aw_manifest_int(row, "page_count"));
    check_text(job, "metadata.descriptive.title", aw_manifest_get(row, "title"), "pdfinfo");
    check_text(job, "metadata.descriptive.author", aw_manifest_get(row, "author"), "pdfinfo");
    bool encrypted = strncmp(aw_manifest_get(row, "encrypted"), "yes", 3) == 0;
    assert_int_equal(json_is_true(aw_test_get(job, "metadata.technical.encrypted")), encrypted);
    char date[64];
    aw_test_command_line("pdfinfo -isodates %s 2>/dev/null | sed -n 's/^CreationDate: *//p'", path,
                         date, sizeof date);
    check_prefix(job, "metadata.extracted.creationDate", date);
    aw_test_command_line("pdfinfo -isodates %s 2>/dev/null | sed -n 's/^ModDate: *//p'", path, date,
                         sizeof date);
    check_prefix(job, "metadata.extracted.modificationDate", date);
    char size[64];
    aw_test_command_line("pdfinfo %s 2>/dev/null | sed -n 's/^Page size: *\\([0-9.]*\\) x "
                         "\\([0-9.]*\\).*/\\1 \\2/p'",
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
    aw_expect_status(job, "completed");
    check_text(job, "metadata.descriptive.title", aw_manifest_get(row, "title"), "exiftool");
    check_text(job, "metadata.descriptive.author", aw_manifest_get(row, "author"), "exiftool");
    long pages = aw_manifest_int(row, "page_count");
    if (pages >= 0)
        assert_int_equal(aw_test_int(job, "metadata.technical.pageCount"), pages);
    long thumbs = aw_test_command_number(
        "unzip -l %s 2>/dev/null | grep -c 'docProps/thumbnail\\.\\(jpeg\\|jpg\\|png\\)$'", path);
    size_t made = json_object_size(aw_test_get(job, "variants.thumbnails"));
    if ((thumbs > 0) != (made == 3))
        fail_msg("%ld embedded JPEG/PNG thumbnails in the package, %zu sizes made", thumbs, made);
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
    if (e != NULL)
        aw_expect_end(job, e);
    else if (strcmp(family, "pdf") == 0)
        check_pdf(row, job, out);
    else
        check_office(row, job);
    assert_string_equal(aw_test_str(job, "metadata.type"), "DOCUMENT");
    json_decref(job);
    aw_test_rmtree(out);
    free(out);
}

static bool is_document_row(const aw_manifest_row *row)
{
    const char *family = aw_manifest_get(row, "oracle_family");
    return strcmp(family, "pdf") == 0 || strcmp(family, "office") == 0;
}

int main(void)
{
    aw_test_config(&cfg, NULL);
    return aw_test_corpus_main("corpus_documents", &cfg, is_document_row, corpus_file, NULL, 0);
}
