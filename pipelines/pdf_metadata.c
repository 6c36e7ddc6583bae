/* pdf_metadata.c — the PDF metadata stage: document information (title,
 * author, …) and dates, read first, then page count, version and page 1
 * size. An encrypted file that needs a password still reports what its
 * header says; one whose page tree is broken, its document information. */
#include "jsonutil.h"
#include "pdf.h"

#include <math.h>
#include <string.h>

/* Sets obj[key] to a poppler string and frees it. */
static void take_text(json_t *obj, const char *key, gchar *value)
{
    if (value != NULL)
        aw_json_set_text(obj, key, value);
    g_free(value);
}

static void take_date(json_t *obj, const char *key, GDateTime *when)
{
    if (when == NULL)
        return;
    bool utc = g_date_time_get_utc_offset(when) == 0; /* RFC 3339, "Z" for UTC */
    gchar *iso = g_date_time_format(when, utc ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%dT%H:%M:%S%:z");
    take_text(obj, key, iso);
    g_date_time_unref(when);
}

/* Page 1's size; a page tree that declares pages none of which can be
 * read is what is missing from the metadata (a shortfall). */
static void page_one(aw_ctx *ctx, json_t *t, PopplerDocument *doc)
{
    PopplerPage *page = aw_pdf_first_page(doc);
    aw_error missing;
    if (page == NULL && aw_pdf_page_missing(doc, &missing) != AW_OK &&
        strcmp(missing.reason, "page_tree") == 0)
        aw_ctx_shortfall(ctx, &missing);
    if (page == NULL)
        return;
    double w = 0, h = 0;
    poppler_page_get_size(page, &w, &h);
    json_object_set_new(t, "pageWidth", json_real(round(w * 100) / 100));
    json_object_set_new(t, "pageHeight", json_real(round(h * 100) / 100));
    g_object_unref(page);
}

/* The document information dictionary and the dates: read before the
 * page tree is touched (pdf.h). */
static void document_information(aw_ctx *ctx, PopplerDocument *doc)
{
    json_t *d = aw_result_section(ctx->result, "descriptive");
    take_text(d, "title", poppler_document_get_title(doc));
    take_text(d, "author", poppler_document_get_author(doc));
    take_text(d, "subject", poppler_document_get_subject(doc));
    take_text(d, "keywords", poppler_document_get_keywords(doc));
    take_text(d, "creator", poppler_document_get_creator(doc));
    take_text(d, "producer", poppler_document_get_producer(doc));
    json_t *e = aw_result_section(ctx->result, "extracted");
    take_date(e, "creationDate", poppler_document_get_creation_date_time(doc));
    take_date(e, "modificationDate", poppler_document_get_modification_date_time(doc));
}

static void page_facts(aw_ctx *ctx, PopplerDocument *doc)
{
    json_t *t = aw_result_section(ctx->result, "technical");
    json_object_set_new(t, "pageCount", json_integer(poppler_document_get_n_pages(doc)));
    gchar *version = poppler_document_get_pdf_version_string(doc); /* "PDF-1.5" */
    if (version != NULL && strncmp(version, "PDF-", 4) == 0 && !json_object_get(t, "version"))
        aw_json_set_text(t, "version", version + 4); /* the header's, when it has one */
    g_free(version);
    page_one(ctx, t, doc);
}

static int pdf_metadata_run(aw_ctx *ctx, aw_error *err)
{
    json_t *t = aw_result_section(ctx->result, "technical");
    json_object_set_new(t, "format", json_string("pdf"));
    char version[8];
    aw_pdf_header_version(ctx->input_path, version, sizeof version);
    if (version[0] != '\0')
        json_object_set_new(t, "version", json_string(version));
    PopplerDocument *doc = NULL;
    bool encrypted = false;
    int rc = aw_pdf_open_document(ctx, &doc, &encrypted, err);
    json_object_set_new(t, "encrypted", json_boolean(encrypted));
    if (rc != AW_OK) /* without the password, the header is all there is: report it */
        return encrypted ? AW_OK : AW_ERROR;
    document_information(ctx, doc);
    if (aw_pdf_check_page_count(ctx, &doc, err) != AW_OK)
        return AW_ERROR;
    page_facts(ctx, doc);
    g_object_unref(doc);
    return AW_OK;
}

const aw_stage aw_stage_pdf_metadata = {
    .name = "pdf.metadata",
    .kind = AW_STAGE_METADATA,
    .families = AW_FAMILY_PDF,
    .init_global = NULL,
    .exit_global = NULL,
    .execute = pdf_metadata_run,
};
