/* office_lok.c — LibreOfficeKit's C API (LibreOffice 7.4, Debian 12). */
#define _GNU_SOURCE
#define LOK_USE_UNSTABLE_API
#include "office_lok.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include <LibreOfficeKit/LibreOfficeKit.h>
#include <LibreOfficeKit/LibreOfficeKitInit.h>
#pragma GCC diagnostic pop

#include <cairo.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* LibreOfficeKitEnums.h of 7.4 is C++ under LOK_USE_UNSTABLE_API
 * (static_cast in lokCallbackTypeToString): the values used here. */
enum { DOC_TEXT, DOC_SPREADSHEET, DOC_PRESENTATION, DOC_DRAWING };
enum { CALLBACK_DOCUMENT_PASSWORD = 20, CALLBACK_DOCUMENT_PASSWORD_TO_MODIFY = 21 };
enum { FEATURE_DOCUMENT_PASSWORD = 1 << 0, FEATURE_DOCUMENT_PASSWORD_TO_MODIFY = 1 << 1 };

#define PREINIT_SETTLE_MS 10000

static LibreOfficeKit *kit;
static bool password_asked;

/* lok_init loads either (Debian's build merges the libraries into one). */
bool aw_lok_installed(const char *install_dir)
{
    static const char *const names[] = {"libsofficeapp.so", "libmergedlo.so"};
    for (size_t i = 0; i < 2; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", install_dir, names[i]);
        if (access(path, R_OK) == 0)
            return true;
    }
    return false;
}

/* Threads of this process now. */
static int thread_count(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/task");
    for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.';
    if (d != NULL)
        closedir(d);
    return n;
}

/* 7.4's preinit reads its configuration from the profile that
 * UserInstallation names, not from its argument; and it leaves a
 * configuration writer thread running for most of a second, which a fork
 * must not cut in half. */
int aw_lok_preinit(const char *install_dir, const char *profile_url, aw_error *err)
{
    setenv("UserInstallation", profile_url, 1);
    if (lok_preinit(install_dir, profile_url) != 0)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "office_unavailable",
                            "LibreOfficeKit did not load from %s", install_dir);
    for (int waited = 0; thread_count() > 1; waited += 10) {
        if (waited > PREINIT_SETTLE_MS)
            return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "office_unavailable",
                                "LibreOffice's threads did not settle after its preinit");
        usleep(10000);
    }
    return AW_OK;
}

/* A password prompt is answered with none, so the load fails at once. */
static void on_office_callback(int type, const char *payload, void *data)
{
    (void)data;
    if (type == CALLBACK_DOCUMENT_PASSWORD || type == CALLBACK_DOCUMENT_PASSWORD_TO_MODIFY) {
        password_asked = type == CALLBACK_DOCUMENT_PASSWORD;
        kit->pClass->setDocumentPassword(kit, payload, NULL);
    }
}

int aw_lok_start(const char *install_dir, const char *profile_url, aw_error *err)
{
    setenv("UserInstallation", profile_url, 1);
    kit = lok_init_2(install_dir, profile_url);
    if (kit == NULL)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "office_unavailable",
                            "LibreOfficeKit did not start");
    kit->pClass->registerCallback(kit, on_office_callback, NULL);
    kit->pClass->setOptionalFeatures(kit, FEATURE_DOCUMENT_PASSWORD |
                                              FEATURE_DOCUMENT_PASSWORD_TO_MODIFY);
    return AW_OK;
}

static const char *kind_name(int type)
{
    switch (type) {
    case DOC_TEXT: return "text";
    case DOC_SPREADSHEET: return "spreadsheet";
    case DOC_PRESENTATION: return "presentation";
    case DOC_DRAWING: return "drawing";
    default: return "other";
    }
}

/* The area of page 1 in twips: Writer's first page rectangle, or a
 * slide's size. */
static void first_page_area(LibreOfficeKitDocument *doc, int type, long area[4])
{
    long width = 0, height = 0;
    area[0] = area[1] = 0;
    if (type == DOC_TEXT) {
        char *rects = doc->pClass->getPartPageRectangles(doc);
        bool found = rects != NULL &&
                     sscanf(rects, "%ld, %ld, %ld, %ld", &area[0], &area[1], &width, &height) == 4;
        free(rects);
        if (!found)
            doc->pClass->getDocumentSize(doc, &width, &height);
    } else {
        doc->pClass->setPart(doc, 0);
        doc->pClass->getDocumentSize(doc, &width, &height);
    }
    area[2] = width, area[3] = height;
}

static int painted(LibreOfficeKitDocument *doc, const long area[4], int box, aw_lok_page *page,
                   aw_error *err)
{
    if (area[2] <= 0 || area[3] <= 0)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "no_page",
                            "the document's first page has no size");
    double scale = (double)box / (double)(area[2] > area[3] ? area[2] : area[3]);
    page->width = (int)(area[2] * scale + 0.5), page->height = (int)(area[3] * scale + 0.5);
    page->width = page->width < 1 ? 1 : page->width;
    page->height = page->height < 1 ? 1 : page->height;
    page->bgra = calloc((size_t)page->width * (size_t)page->height, 4);
    if (page->bgra == NULL)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "memory", "no memory for the page");
    doc->pClass->paintTile(doc, page->bgra, page->width, page->height, (int)area[0], (int)area[1],
                           (int)area[2], (int)area[3]);
    return AW_OK;
}

/* A sheet has no pages on screen (the grid runs on): its printed first
 * page, as the PNG export writes it (about 96 dpi; 7.4 ignores a requested
 * size), read back as BGRA. */
static int printed(LibreOfficeKitDocument *doc, const char *scratch, aw_lok_page *page,
                   aw_error *err)
{
    char png[PATH_MAX + 16];
    snprintf(png, sizeof png, "%s/page1.png", scratch);
    if (!doc->pClass->saveAs(doc, png, "png", NULL))
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "no_page",
                            "LibreOffice printed no first page");
    cairo_surface_t *s = cairo_image_surface_create_from_png(png);
    int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
    int stride = cairo_image_surface_get_stride(s);
    const uint8_t *data = cairo_image_surface_get_data(s);
    int rc = aw_error_set(err, AW_CODE_PROCESSING_FAILED, "no_page", "the printed page is empty");
    if (cairo_surface_status(s) == CAIRO_STATUS_SUCCESS && data != NULL && w > 0 && h > 0 &&
        (page->bgra = malloc((size_t)w * (size_t)h * 4)) != NULL) {
        for (int y = 0; y < h; y++) /* ARGB32 is BGRA, premultiplied, in memory */
            memcpy(page->bgra + (size_t)y * (size_t)w * 4, data + (size_t)y * (size_t)stride,
                   (size_t)w * 4);
        page->width = w, page->height = h;
        aw_error_clear(err);
        rc = AW_OK;
    }
    cairo_surface_destroy(s);
    return rc;
}

/* A file: URL of an absolute path, every byte but [A-Za-z0-9/._~-]
 * percent-encoded. */
static void file_url(const char *path, char *url, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = (size_t)snprintf(url, size, "file://");
    for (const unsigned char *s = (const unsigned char *)path; *s != '\0' && n + 4 < size; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
            strchr("/-._~", *s) != NULL) {
            url[n++] = (char)*s;
        } else {
            url[n++] = '%', url[n++] = hex[*s >> 4], url[n++] = hex[*s & 15];
        }
    }
    url[n] = '\0';
}

/* The document's own kind must be the one its format promises: a file
 * that LibreOffice's detection reads as something else (a broken .xlsx
 * opens as an empty text document) is not rendered. */
static int check_kind(int type, const char *expected, aw_error *err)
{
    if (expected == NULL || expected[0] == '\0' || strcmp(kind_name(type), expected) == 0)
        return AW_OK;
    return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "corrupt",
                        "LibreOffice reads the file as a %s document, not a %s one",
                        kind_name(type), expected);
}

int aw_lok_render_first_page(const char *path, const char *expected_kind, int box,
                             aw_lok_page *page, aw_error *err)
{
    char url[PATH_MAX * 3 + 8], scratch[PATH_MAX];
    file_url(path, url, sizeof url);
    snprintf(scratch, sizeof scratch, "%s", path);
    *strrchr(scratch, '/') = '\0';
    memset(page, 0, sizeof *page);
    /* Batch: no dialogs; the profile (office_profile.c) turns macros and
     * link updates off */
    LibreOfficeKitDocument *doc = kit->pClass->documentLoadWithOptions(kit, url, "Batch=true");
    if (doc == NULL) {
        char *why = kit->pClass->getError(kit);
        if (password_asked)
            aw_error_set(err, AW_CODE_PROCESSING_FAILED, "encrypted",
                         "the document is protected by a password");
        else
            aw_error_set(err, AW_CODE_PROCESSING_FAILED, "corrupt",
                         "LibreOffice cannot load the document: %.200s", why ? why : "");
        if (why != NULL)
            kit->pClass->freeError(why);
        return AW_ERROR;
    }
    int type = doc->pClass->getDocumentType(doc);
    page->kind = kind_name(type);
    page->parts = doc->pClass->getParts(doc);
    if (check_kind(type, expected_kind, err) != AW_OK)
        return AW_ERROR;
    if (type == DOC_SPREADSHEET)
        return printed(doc, scratch, page, err); /* the process ends: no destroy */
    doc->pClass->initializeForRendering(doc, "");
    long area[4];
    first_page_area(doc, type, area);
    return painted(doc, area, box, page, err);
}
