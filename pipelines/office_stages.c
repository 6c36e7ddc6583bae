/* office_stages.c — the Office metadata and thumbnail stages. Metadata:
 * document properties of either container. Thumbnail: the picture an
 * OOXML package may carry (docProps/thumbnail.jpeg or .png); none is no
 * error. */
#include "office.h"
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
    json_object_set_new(aw_result_section(ctx->result, "technical"), "format",
                        json_string(doc.ole2 ? "ole2" : "ooxml"));
    if (doc.ole2)
        aw_ole2_properties(ctx, &doc);
    else
        aw_ooxml_properties(ctx, &doc);
    aw_office_close(&doc);
    json_t *t = aw_result_section(ctx->result, "technical");
    json_t *slides = json_object_get(t, "slideCount");
    if (json_object_get(t, "pageCount") == NULL && slides != NULL) /* a deck's pages */
        json_object_set(t, "pageCount", slides);
    return AW_OK;
}

static int office_thumbnail_run(aw_ctx *ctx, aw_error *err)
{
    aw_office doc;
    if (aw_office_open(ctx, &doc, err) != AW_OK)
        return AW_ERROR;
    static const char *const names[] = {"docProps/thumbnail.jpeg", "docProps/thumbnail.jpg",
                                        "docProps/thumbnail.png"};
    GBytes *picture = NULL;
    for (size_t i = 0; i < 3 && picture == NULL && !doc.ole2; i++)
        picture = aw_office_read(&doc, names[i], THUMBNAIL_MAX_BYTES);
    int rc = AW_DECLINED; /* no embedded picture (or a WMF/EMF one): nothing to show */
    if (picture != NULL) {
        gsize size = 0;
        const void *data = g_bytes_get_data(picture, &size);
        rc = aw_thumbnail_write_from_buffer(ctx, data, size, "embedded thumbnail", err);
        g_bytes_unref(picture);
    }
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
