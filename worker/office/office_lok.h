/* office_lok.h — what the office process asks of LibreOfficeKit: load it
 * once (preinit, in the parent), start it (in each child), open a document
 * without running or fetching anything, and paint its first page. */
#ifndef AW_OFFICE_LOK_H
#define AW_OFFICE_LOK_H

#include "error.h"

#include <stdbool.h>
#include <stdint.h>

/* True when LibreOfficeKit's library is in install_dir
 * (…/libreoffice/program). */
bool aw_lok_installed(const char *install_dir);

/* Loads LibreOffice's libraries and configuration before any fork
 * (lok_preinit); AW_OK or AW_ERROR with err. */
int aw_lok_preinit(const char *install_dir, const char *profile_url, aw_error *err);

/* The first page of one document, painted. */
typedef struct aw_lok_page {
    uint8_t *bgra; /* width × height × 4, premultiplied alpha; malloc'd */
    int width, height;
    int parts; /* pages, sheets or slides */
    const char *kind;
} aw_lok_page;

/* Starts LibreOfficeKit in this process (after a preinit, the rest of
 * lok_init_2): AW_OK or AW_ERROR. Before the sandbox closes in. */
int aw_lok_start(const char *install_dir, const char *profile_url, aw_error *err);

/* Loads the document at path with macros and links off and paints page 1
 * (Writer), slide 1 (Impress) so that its longest side is box pixels, or
 * the printed first page of sheet 1 (Calc, at the PNG export's size).
 * expected_kind ("text", "spreadsheet", "presentation"; NULL or "" for
 * any) is what the file's format promises. Errors: encrypted (a password
 * was asked for), corrupt (LibreOffice cannot load it, or reads another
 * kind of document), no_page (nothing to draw). */
int aw_lok_render_first_page(const char *path, const char *expected_kind, int box,
                             aw_lok_page *page, aw_error *err);

#endif
