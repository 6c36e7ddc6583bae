/* test_documents_generated.c — PDFs (cairo, qpdf) and Office files (zip
 * of XML written here; OLE2 written with libgsf) made at run time, each
 * recipe below, so the document families are covered without the shared
 * corpus (3D models: test_models_generated.c). Expected values come from
 * the recipes. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aw_expect.h"
#include "aw_test.h"
#include "pipeline.h"

#include <cairo-pdf.h>
#include <glib.h>
#include <gsf/gsf.h>
#include <gsf/gsf-doc-meta-data.h>
#include <gsf/gsf-meta-names.h>
#include <gsf/gsf-msole-utils.h>
#include <gsf/gsf-outfile-msole.h>
#include <gsf/gsf-output-stdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <vips/vips.h>

static aw_config cfg;
static char *dir; /* the generated files */

static char *path_of(const char *name)
{
    return g_strdup_printf("%s/%s", dir, name);
}

static json_t *run_with(const aw_config *c, const char *name, const char *mime, char **out)
{
    char *path = path_of(name);
    json_t *job = aw_test_run(c, path, mime, AW_STAGES_ALL, out);
    g_free(path);
    return job;
}

/* Two A4 pages (the second landscape) with document information; page 1
 * draws one dark square on nothing (transparent). */
static void write_pdf(const char *name, double w, double h)
{
    char *path = path_of(name);
    cairo_surface_t *s = cairo_pdf_surface_create(path, w, h);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, "Quarterly Report");
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_AUTHOR, "Ada Tester");
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_SUBJECT, "Numbers");
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_KEYWORDS, "report, q3");
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, "2024-06-01T12:30:00Z");
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 0.1, 0.2, 0.6);
    cairo_rectangle(cr, w / 4, h / 4, w / 2, h / 4);
    cairo_fill(cr);
    cairo_show_page(cr);
    cairo_pdf_surface_set_size(s, h, w);
    cairo_rectangle(cr, 10, 10, 100, 100);
    cairo_fill(cr);
    cairo_show_page(cr);
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    g_free(path);
}

static void pdf_properties_and_page_one(void **state)
{
    (void)state;
    write_pdf("report.pdf", 595, 842);
    char *out = NULL;
    json_t *job = run_with(&cfg, "report.pdf", "application/pdf", &out);
    aw_expect_status(job, "completed");
    aw_expect_text(job, "metadata.type", "DOCUMENT");
    assert_int_equal(aw_test_int(job, "metadata.technical.pageCount"), 2);
    assert_true(aw_test_num(job, "metadata.technical.pageWidth") == 595);
    assert_true(aw_test_num(job, "metadata.technical.pageHeight") == 842);
    assert_false(json_is_true(aw_test_get(job, "metadata.technical.encrypted")));
    aw_expect_text(job, "metadata.descriptive.title", "Quarterly Report");
    aw_expect_text(job, "metadata.descriptive.author", "Ada Tester");
    aw_expect_text(job, "metadata.descriptive.subject", "Numbers");
    aw_expect_text(job, "metadata.descriptive.keywords", "report, q3");
    aw_expect_text(job, "metadata.extracted.creationDate", "2024-06-01T12:30:00Z");
    /* 595 x 842 fitted to 800: 565 or 566 x 800 */
    assert_int_equal(aw_test_int(job, "variants.thumbnails.large.height"), 800);
    assert_true(labs(aw_test_int(job, "variants.thumbnails.large.width") - 565) <= 1);
    char file[4200];
    snprintf(file, sizeof file, "%s/thumbnail_large.webp", out);
    VipsImage *img = vips_image_new_from_file(file, "access", VIPS_ACCESS_RANDOM, NULL);
    assert_non_null(img);
    double *corner = NULL, *middle = NULL;
    int n = 0;
    assert_int_equal(vips_getpoint(img, &corner, &n, 5, 5, NULL), 0);
    assert_true(corner[0] > 245 && corner[1] > 245 && corner[2] > 245); /* white, not black */
    assert_int_equal(vips_getpoint(img, &middle, &n, img->Xsize / 2, img->Ysize * 3 / 8, NULL), 0);
    assert_true(middle[2] > middle[0] + 60); /* the blue square */
    g_free(corner), g_free(middle), g_object_unref(img);
    aw_test_done(job, out);
}

/* qpdf's AES-256: a user password keeps everything but the header shut;
 * an owner password alone opens, with restricted permissions. */
static void encrypted_pdfs(void **state)
{
    (void)state;
    write_pdf("plain.pdf", 595, 842);
    aw_test_make(dir, "qpdf --encrypt secret owner 256 -- plain.pdf locked.pdf && "
                      "qpdf --encrypt '' owner 256 --modify=none -- plain.pdf restricted.pdf");
    char *out = NULL;
    json_t *job = run_with(&cfg, "locked.pdf", "application/pdf", &out);
    aw_expect_status(job, "partial");
    aw_expect_error(job, "thumbnail", "ASSET_PROCESSING_FAILED", "encrypted");
    assert_true(json_is_true(aw_test_get(job, "metadata.technical.encrypted")));
    assert_non_null(aw_test_str(job, "metadata.technical.version"));
    assert_null(aw_test_get(job, "metadata.technical.pageCount"));
    aw_test_done(job, out);
    job = run_with(&cfg, "restricted.pdf", "application/pdf", &out);
    aw_expect_status(job, "completed");
    assert_true(json_is_true(aw_test_get(job, "metadata.technical.encrypted")));
    assert_int_equal(aw_test_int(job, "metadata.technical.pageCount"), 2);
    aw_test_done(job, out);
}

static void broken_and_oversized_pdfs(void **state)
{
    (void)state;
    aw_test_make(dir, "printf '%%PDF-1.4\\n%%garbage, no object, no trailer\\n' > broken.pdf");
    char *out = NULL;
    json_t *job = run_with(&cfg, "broken.pdf", "application/pdf", &out);
    aw_expect_status(job, "failed");
    aw_expect_error(job, "metadata", "ASSET_PROCESSING_FAILED", "corrupt");
    aw_test_done(job, out);
    write_pdf("banner.pdf", 14000, 200);
    aw_config small = cfg;
    small.limits.max_page_points = 10000;
    job = run_with(&small, "banner.pdf", "application/pdf", &out);
    aw_expect_status(job, "partial");
    aw_expect_error(job, "thumbnail", "ASSET_FILE_TOO_LARGE", "page_size");
    aw_test_done(job, out);
}

/* A minimal WordprocessingML package with core and app properties and a
 * 300x200 JPEG thumbnail, zipped by zip(1). */
static const char docx_recipe[] =
    "mkdir -p d/_rels d/word d/docProps && cd d && "
    "printf '<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
    "content-types\"><Default Extension=\"xml\" ContentType=\"application/xml\"/></Types>' "
    "> '[Content_Types].xml' && "
    "printf '<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/"
    "package/2006/relationships\"/>' > _rels/.rels && "
    "printf '<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/"
    "wordprocessingml/2006/main\"><w:body/></w:document>' > word/document.xml && "
    "printf '<?xml version=\"1.0\"?><cp:coreProperties "
    "xmlns:cp=\"http://schemas.openxmlformats.org/"
    "package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
    "xmlns:dcterms=\"http://purl.org/dc/terms/\"><dc:title>Plan &amp; Budget</dc:title>"
    "<dc:creator>Grace Hopper</dc:creator><cp:keywords>plan</cp:keywords>"
    "<dcterms:created>2023-02-03T04:05:06Z</dcterms:created></cp:coreProperties>' "
    "> docProps/core.xml && "
    "printf '<?xml version=\"1.0\"?><Properties xmlns=\"http://schemas.openxmlformats.org/"
    "officeDocument/2006/extended-properties\"><Application>Recipe Writer</Application>"
    "<Pages>3</Pages><Words>120</Words></Properties>' > docProps/app.xml && "
    "vips black thumb.v 300 200 --bands 3 && vips linear thumb.v docProps/thumbnail.jpeg 1 90 && "
    "rm thumb.v && zip -q -X -r ../%s . && cd .. && rm -rf d";

static void docx_properties_and_thumbnail(void **state)
{
    (void)state;
    gchar *recipe = g_strdup_printf(docx_recipe, "plan.docx");
    aw_test_make(dir, recipe);
    g_free(recipe);
    const char *docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    char *out = NULL;
    json_t *job = run_with(&cfg, "plan.docx", docx, &out);
    aw_expect_status(job, "completed");
    aw_expect_text(job, "metadata.technical.format", "ooxml");
    aw_expect_text(job, "metadata.descriptive.title", "Plan & Budget");
    aw_expect_text(job, "metadata.descriptive.author", "Grace Hopper");
    aw_expect_text(job, "metadata.descriptive.keywords", "plan");
    aw_expect_text(job, "metadata.descriptive.creator", "Recipe Writer");
    aw_expect_text(job, "metadata.extracted.creationDate", "2023-02-03T04:05:06Z");
    assert_int_equal(aw_test_int(job, "metadata.technical.pageCount"), 3);
    assert_int_equal(aw_test_int(job, "metadata.technical.wordCount"), 120);
    assert_int_equal(aw_test_int(job, "variants.thumbnails.large.width"), 300);
    assert_int_equal(aw_test_int(job, "variants.thumbnails.small.height"), 133);
    aw_test_done(job, out);
    aw_config few = cfg;
    few.limits.max_zip_entries = 3;
    job = run_with(&few, "plan.docx", docx, &out);
    aw_expect_status(job, "failed");
    aw_expect_error(job, "metadata", "ASSET_FILE_TOO_LARGE", "zip_limit");
    aw_test_done(job, out);
}

/* The same package plus 300 MB of zeros deflated to ~300 KB. */
static void docx_zip_bomb(void **state)
{
    (void)state;
    gchar *recipe = g_strdup_printf(docx_recipe, "bomb.docx");
    aw_test_make(dir, recipe);
    g_free(recipe);
    aw_test_make(dir, "mkdir -p b/word/media && head -c 300M /dev/zero > b/word/media/zeros.bin && "
                      "cd b && zip -q -9 ../bomb.docx word/media/zeros.bin && cd .. && rm -rf b");
    char *out = NULL;
    json_t *job = run_with(
        &cfg, "bomb.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", &out);
    aw_expect_status(job, "failed");
    aw_expect_error(job, "metadata", "ASSET_FILE_TOO_LARGE", "zip_limit");
    aw_expect_error(job, "thumbnail", "ASSET_FILE_TOO_LARGE", "zip_limit");
    aw_test_done(job, out);
}

/* An OLE2 compound file with a SummaryInformation property set, written
 * by libgsf's MS-OLEPS writer. */
static void ole2_summary_information(void **state)
{
    (void)state;
    char *path = path_of("legacy.doc");
    GsfOutput *sink = gsf_output_stdio_new(path, NULL);
    assert_non_null(sink);
    GsfOutfile *ole = gsf_outfile_msole_new(sink);
    GsfOutput *summary = gsf_outfile_new_child(ole, "\005SummaryInformation", FALSE);
    GsfDocMetaData *meta = gsf_doc_meta_data_new();
    GValue title = G_VALUE_INIT, author = G_VALUE_INIT;
    g_value_init(&title, G_TYPE_STRING), g_value_set_string(&title, "Old Memo");
    g_value_init(&author, G_TYPE_STRING), g_value_set_string(&author, "Alan Turing");
    gsf_doc_meta_data_insert(meta, g_strdup(GSF_META_NAME_TITLE),
                             g_boxed_copy(G_TYPE_VALUE, &title));
    gsf_doc_meta_data_insert(meta, g_strdup(GSF_META_NAME_CREATOR),
                             g_boxed_copy(G_TYPE_VALUE, &author));
    assert_true(
        gsf_doc_meta_data_write_to_msole(meta, summary, FALSE)); /* FALSE: SummaryInformation */
    gsf_output_close(summary), g_object_unref(summary);
    GsfOutput *body = gsf_outfile_new_child(ole, "WordDocument", FALSE);
    gsf_output_write(body, 8, (const guint8 *)"\xec\xa5\xc1\x00\x00\x00\x00\x00");
    gsf_output_close(body), g_object_unref(body);
    gsf_output_close(GSF_OUTPUT(ole)), g_object_unref(ole), g_object_unref(sink);
    g_value_unset(&title), g_value_unset(&author), g_object_unref(meta), g_free(path);
    char *out = NULL;
    json_t *job = run_with(&cfg, "legacy.doc", "application/msword", &out);
    aw_expect_status(job, "completed");
    aw_expect_text(job, "metadata.technical.format", "ole2");
    aw_expect_text(job, "metadata.descriptive.title", "Old Memo");
    aw_expect_text(job, "metadata.descriptive.author", "Alan Turing");
    assert_int_equal(json_object_size(aw_test_get(job, "variants.thumbnails")), 0);
    aw_test_done(job, out);
}

int main(void)
{
    dir = aw_test_tmpdir("docs");
    aw_test_config(&cfg, NULL);
    aw_error err;
    if (aw_pipeline_init(&cfg, &err) != AW_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pdf_properties_and_page_one),
        cmocka_unit_test(encrypted_pdfs),
        cmocka_unit_test(broken_and_oversized_pdfs),
        cmocka_unit_test(docx_properties_and_thumbnail),
        cmocka_unit_test(docx_zip_bomb),
        cmocka_unit_test(ole2_summary_information),
    };
    int failed = cmocka_run_group_tests_name("documents_generated", tests, NULL, NULL);
    aw_pipeline_shutdown();
    aw_test_rmtree(dir);
    free(dir);
    return failed;
}
