/* pdf.h — what the PDF stages share: opening a document with poppler-glib
 * and turning its errors into ours. */
#ifndef AW_PDF_H
#define AW_PDF_H

#include "stage.h"

#include <poppler.h>
#include <stdbool.h>

/* Opens the input and checks its page count (aw_pdf_check_page_count).
 * *encrypted is set when the file is encrypted (needs a password, or
 * opened with restricted permissions). On failure *doc is NULL and err
 * says why: reason "encrypted" (a password is needed), "corrupt" or
 * "page_count". */
int aw_pdf_open(const aw_ctx *ctx, PopplerDocument **doc, bool *encrypted, aw_error *err);

/* The same without touching the page tree: the document information is
 * best read first, as pdfinfo does, since a broken page tree makes poppler
 * rebuild the cross-reference table, which may lose the Info dictionary. */
int aw_pdf_open_document(const aw_ctx *ctx, PopplerDocument **doc, bool *encrypted, aw_error *err);

/* A page tree claiming more pages than the limit is refused
 * (ASSET_FILE_TOO_LARGE/page_count, *doc released) before any page is
 * loaded (only page 1 is ever rendered). */
int aw_pdf_check_page_count(const aw_ctx *ctx, PopplerDocument **doc, aw_error *err);

/* Page 1 (caller unrefs), or NULL when the document has no page. */
PopplerPage *aw_pdf_first_page(PopplerDocument *doc);

/* Why page 1 is missing, into err: "no_page" (the page tree holds none)
 * or "page_tree" (it declares pages that cannot be read). AW_ERROR. */
int aw_pdf_page_missing(PopplerDocument *doc, aw_error *err);

/* "1.7" from the file's "%PDF-1.7" header into buf; "" when absent. */
void aw_pdf_header_version(const char *path, char *buf, size_t size);

#endif
