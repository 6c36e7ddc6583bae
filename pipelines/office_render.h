/* office_render.h — page 1 of an Office document, rendered by the office
 * process (worker/office/office_service.h) with LibreOfficeKit.
 *
 * An executor connects once, before its sandbox closes sockets; per job it
 * hands the document over as a descriptor and gets the page back as a
 * memfd of pixels. The office process forks a sandboxed child per
 * document, so a document that hangs or crashes LibreOffice costs only its
 * own job. Without an office process (LibreOffice not installed, `--office
 * off`, `asset-worker process`) there is no connection and Office files
 * keep the thumbnail their writer embedded, if any. */
#ifndef AW_OFFICE_RENDER_H
#define AW_OFFICE_RENDER_H

#include "stage.h"

#include <stdbool.h>
#include <vips/vips.h>

/* What the request and the reply carry (office_service.c is the other
 * end): the request {"ext":"docx","box":800} with the document's
 * descriptor; the reply {"ok":true,"width":…,"height":…,"parts":…,
 * "kind":"text"} with a memfd of width × height × 4 bytes of BGRA
 * (premultiplied alpha), or {"ok":false,"code":"ASSET_…","reason":…,
 * "message":…}. */
#define AW_OFFICE_MESSAGE_MAX 2048
#define AW_OFFICE_PAGE_MAX 4096 /* the largest side of a page an answer may carry */

typedef struct aw_office_page {
    VipsImage *image; /* 3-band sRGB, flattened on white; owned */
    int parts;        /* pages (Writer), sheets (Calc) or slides (Impress) */
    char kind[16];    /* "text", "spreadsheet", "presentation", "drawing" */
} aw_office_page;

/* Connects to the office process at socket_path (NULL or "" for none);
 * false when nothing listens there. */
bool aw_office_render_connect(const char *socket_path);

/* Without a connection, start_office(arg) is called at the first document
 * that needs one, once, for the socket path to connect to, or NULL
 * (`asset-worker process` starts an office process of its own then). */
void aw_office_render_on_demand(const char *(*start_office)(void *arg), void *arg);

/* Page 1 of the job's document, its longest side `box` pixels (a sheet's
 * printed page comes at its printed size): AW_OK with page filled,
 * AW_DECLINED when there is no office process (or it has no LibreOffice),
 * AW_ERROR with err (encrypted, corrupt, no_page, timeout, crashed: a
 * specific reason). When the office process itself has gone, the executor
 * exits with AW_OFFICE_LOST_EXIT: its sandbox keeps it from connecting to
 * the next one, and the supervisor retries a job whose executor died. */
#define AW_OFFICE_LOST_EXIT 75
int aw_office_render_page(const aw_ctx *ctx, int box, aw_office_page *page, aw_error *err);

void aw_office_page_clear(aw_office_page *page);

#endif
