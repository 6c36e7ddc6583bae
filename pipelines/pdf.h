/* pdf.h — what the PDF stages share: opening a document with poppler-glib
 * and turning its errors into ours. */
#ifndef AW_PDF_H
#define AW_PDF_H

#include "stage.h"

#include <poppler.h>
#include <stdbool.h>

/* Opens the input. *encrypted is set when the file is encrypted (needs a
 * password, or opened with restricted permissions). On failure *doc is
 * NULL and err says why: reason "encrypted" (a password is needed) or
 * "corrupt". */
int aw_pdf_open(const aw_ctx *ctx, PopplerDocument **doc, bool *encrypted, aw_error *err);

/* Page 1 (caller unrefs), or NULL when the document has no page. */
PopplerPage *aw_pdf_first_page(PopplerDocument *doc);

/* "1.7" from the file's "%PDF-1.7" header into buf; "" when absent. */
void aw_pdf_header_version(const char *path, char *buf, size_t size);

#endif
