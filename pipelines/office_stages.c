/* office_stages.c — the Office metadata and thumbnail stages. Metadata:
 * document properties of either container. Thumbnail: page, slide or sheet
 * 1 rendered by the office process (office_render.h); without one, the
 * picture an OOXML package may carry (docProps/thumbnail.jpeg or .png),
 * and none is no error. */
#include "office.h"
#include "office_render.h"
#include "log.h"

#include <string.h>
#include "thumbnail.h"

#define THUMBNAIL_MAX_BYTES (16u << 20)

static int office_init(const aw_config *cfg, aw_error *err)
{
    (void)cfg, (void)err;
    gsf_init();
    return AW_OK;
}

static int office_metadata_run(aw_ctx *ctx, aw_error *err)
{
    aw_office doc;
    if (aw_office_open(ctx, &doc, err) != AW_OK)
        return AW_ERROR;
    const aw_media_type *m = ctx->result->media;
    bool odf = m != NULL && strcmp(m->group, "odf") == 0;
    json_object_set_new(aw_result_section(ctx->result, "technical"), "format",
                        json_string(doc.ole2 ? "ole2"
                                    : odf    ? "odf"
                                             : "ooxml"));
    if (doc.ole2)
        aw_ole2_properties(ctx, &doc);
    else if (!odf) /* OpenDocument's meta.xml is not read: pageCount comes from the render */
        aw_ooxml_properties(ctx, &doc);
    aw_office_close(&doc);
    json_t *t = aw_result_section(ctx->result, "technical");
    json_t *slides = json_object_get(t, "slideCount");
    if (json_object_get(t, "pageCount") == NULL && slides != NULL) /* a deck's pages */
        json_object_set(t, "pageCount", slides);
    return AW_OK;
}

/* The picture an OOXML package (or an OpenDocument one) may carry, or
 * NULL. */
static GBytes *embedded_picture(aw_office *doc)
{
    static const char *const names[] = {"docProps/thumbnail.jpeg", "docProps/thumbnail.jpg",
                                        "docProps/thumbnail.png", "Thumbnails/thumbnail.png"};
    GBytes *picture = NULL;
    for (size_t i = 0; i < 4 && picture == NULL && !doc->ole2; i++)
        picture = aw_office_read(doc, names[i], THUMBNAIL_MAX_BYTES);
    return picture;
}

/* Thumbnails of the embedded picture; AW_DECLINED when there is none (or
 * a WMF/EMF one): nothing to show. */
static int embedded_thumbnail(aw_ctx *ctx, aw_office *doc, aw_error *err)
{
    GBytes *picture = embedded_picture(doc);
    if (picture == NULL)
        return AW_DECLINED;
    gsize size = 0;
    const void *data = g_bytes_get_data(picture, &size);
    int rc = aw_thumbnail_write_from_buffer(ctx, data, size, "embedded thumbnail", err);
    g_bytes_unref(picture);
    return rc;
}

/* Page, slide or sheet 1 as LibreOffice lays it out; its count of them is
 * the document's pageCount. */
static int rendered_thumbnail(aw_ctx *ctx, aw_error *err)
{
    aw_office_page page;
    int rc = aw_office_render_page(ctx, AW_THUMB_LARGE_BOX, &page, err);
    if (rc != AW_OK)
        return rc;
    rc = aw_thumbnail_write_all(ctx, page.image, err);
    json_t *t = aw_result_section(ctx->result, "technical");
    if (rc == AW_OK && page.parts > 0)
        json_object_set_new(t, "pageCount", json_integer(page.parts));
    aw_office_page_clear(&page);
    return rc;
}

/* After no rendering (err: why, or nothing without an office process): the
 * embedded picture of doc (NULL: the package did not open, for the reason
 * in package). Without a picture the renderer's reason stands, as it says
 * more than the package's. */
static int fall_back(aw_ctx *ctx, aw_office *doc, const aw_error *package, aw_error *err)
{
    aw_error rendering = *err;
    aw_error_clear(err);
    int rc = AW_ERROR;
    if (doc != NULL)
        rc = embedded_thumbnail(ctx, doc, err);
    else
        *err = *package;
    if (rendering.code == AW_CODE_NONE)
        return rc;
    if (rc != AW_OK) {
        *err = rendering;
        return AW_ERROR;
    }
    aw_log_warn("office: %s; the embedded thumbnail stands in", rendering.message);
    return AW_OK;
}

/* The package is opened once: past the ZIP limits it is not handed to
 * LibreOffice either. Then the rendering where there is an office process;
 * else, or when it cannot render the file, the picture the writer
 * embedded. */
static int office_thumbnail_run(aw_ctx *ctx, aw_error *err)
{
    aw_office doc;
    aw_error package;
    aw_error_clear(&package);
    bool opened = aw_office_open(ctx, &doc, &package) == AW_OK;
    if (!opened && package.code == AW_CODE_FILE_TOO_LARGE) {
        *err = package;
        return AW_ERROR;
    }
    int rc = rendered_thumbnail(ctx, err); /* LibreOffice may read what libgsf cannot */
    if (rc == AW_ERROR || rc == AW_DECLINED)
        rc = fall_back(ctx, opened ? &doc : NULL, &package, err);
    if (opened)
        aw_office_close(&doc);
    return rc;
}

const aw_stage aw_stage_office_metadata = {
    .name = "office.metadata",
    .kind = AW_STAGE_METADATA,
    .families = AW_FAMILY_OFFICE,
    .init_global = office_init,
    .exit_global = NULL,
    .execute = office_metadata_run,
};

const aw_stage aw_stage_office_thumbnail = {
    .name = "office.thumbnail",
    .kind = AW_STAGE_THUMBNAIL,
    .families = AW_FAMILY_OFFICE,
    .init_global = office_init,
    .exit_global = NULL,
    .execute = office_thumbnail_run,
};
