/* office.h — Office documents through libgsf: legacy OLE2 compound files
 * (doc/xls/ppt) and OOXML ZIP packages (docx/xlsx/pptx), opened with the
 * container limits checked first. */
#ifndef AW_OFFICE_H
#define AW_OFFICE_H

#include "stage.h"

#include <gsf/gsf.h>
#include <stdbool.h>

typedef struct aw_office {
    GsfInput *input;
    GsfInfile *root; /* the OLE2 directory or the ZIP package */
    bool ole2;       /* chosen from the first bytes, not from the name */
} aw_office;

/* Opens the input as OLE2 or ZIP. ZIP packages are refused with
 * ASSET_FILE_TOO_LARGE/zip_limit when over the entry, size or ratio limit;
 * OLE2 files holding an encrypted OOXML package with
 * ASSET_PROCESSING_FAILED/encrypted; unreadable ones with .../corrupt. */
int aw_office_open(const aw_ctx *ctx, aw_office *doc, aw_error *err);
void aw_office_close(aw_office *doc);

/* The whole member at `path` ("docProps/core.xml"), at most `max` bytes;
 * NULL when absent or larger. Caller frees with g_bytes_unref. */
GBytes *aw_office_read(aw_office *doc, const char *path, size_t max);

/* OOXML docProps/core.xml and app.xml into the result (office_ooxml.c).
 * Returns how many fields were set. */
int aw_ooxml_properties(aw_ctx *ctx, aw_office *doc);

/* OLE2 SummaryInformation and DocumentSummaryInformation into the result
 * (office_ole2.c). Returns how many fields were set. */
int aw_ole2_properties(aw_ctx *ctx, aw_office *doc);

#endif
