/* pdf.c — opening PDFs with poppler-glib. */
#define _GNU_SOURCE /* memmem */
#include "pdf.h"

#include <stdio.h>
#include <string.h>

int aw_pdf_check_page_count(const aw_ctx *ctx, PopplerDocument **doc, aw_error *err)
{
    int pages = poppler_document_get_n_pages(*doc);
    unsigned limit = ctx->config->limits.max_pages;
    if (pages <= 0 || (unsigned)pages <= limit)
        return AW_OK;
    g_clear_object(doc);
    return aw_error_set(err, AW_CODE_FILE_TOO_LARGE, "page_count",
                        "the PDF declares %d pages, over the limit of %u", pages, limit);
}

int aw_pdf_open_document(const aw_ctx *ctx, PopplerDocument **doc, bool *encrypted, aw_error *err)
{
    GError *gerr = NULL;
    /* poppler takes a URI, and a URI needs an absolute path (`process
     * file.pdf` gives a relative one) */
    gchar *path = g_canonicalize_filename(ctx->input_path, NULL);
    gchar *uri = g_filename_to_uri(path, NULL, &gerr);
    g_free(path);
    *doc = uri ? poppler_document_new_from_file(uri, NULL, &gerr) : NULL;
    g_free(uri);
    *encrypted = false;
    if (*doc != NULL) {
        /* restricted permissions only exist in encrypted files */
        *encrypted = poppler_document_get_permissions(*doc) != POPPLER_PERMISSIONS_FULL;
        return AW_OK;
    }
    int rc;
    if (gerr != NULL && g_error_matches(gerr, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED)) {
        *encrypted = true;
        rc = aw_error_set(err, AW_CODE_PROCESSING_FAILED, "encrypted",
                          "the PDF is encrypted and needs a password to open");
    } else {
        rc = aw_error_set(err, AW_CODE_PROCESSING_FAILED, "corrupt", "cannot read the PDF: %s",
                          gerr ? gerr->message : "unknown error");
    }
    g_clear_error(&gerr);
    return rc;
}

int aw_pdf_open(const aw_ctx *ctx, PopplerDocument **doc, bool *encrypted, aw_error *err)
{
    if (aw_pdf_open_document(ctx, doc, encrypted, err) != AW_OK)
        return AW_ERROR;
    return aw_pdf_check_page_count(ctx, doc, err);
}

int aw_pdf_page_missing(PopplerDocument *doc, aw_error *err)
{
    int pages = poppler_document_get_n_pages(doc);
    if (pages <= 0)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "no_page",
                            "the PDF's page tree holds no page");
    return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "page_tree",
                        "page 1 cannot be read: the page tree is broken (%d page(s) declared)",
                        pages);
}

PopplerPage *aw_pdf_first_page(PopplerDocument *doc)
{
    return poppler_document_get_n_pages(doc) > 0 ? poppler_document_get_page(doc, 0) : NULL;
}

void aw_pdf_header_version(const char *path, char *buf, size_t size)
{
    char head[1024];
    buf[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return;
    size_t n = fread(head, 1, sizeof head - 1, f);
    fclose(f);
    head[n] = '\0';
    const char *at = memmem(head, n, "%PDF-", 5);
    if (at != NULL && at[5] >= '1' && at[5] <= '9' && at[6] == '.' && at[7] >= '0' && at[7] <= '9')
        snprintf(buf, size, "%c.%c", at[5], at[7]);
}
