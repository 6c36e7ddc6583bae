/* image_metadata.c — the image metadata stage: header facts from libvips
 * (no pixel decode), EXIF, XMP and SVG text; a PNG or GIF libvips refuses
 * still gets the size its fixed header claims. */
#include "image.h"

#include "exif.h"
#include "image_peek.h"
#include "jsonutil.h"
#include "xmp.h"

#include <string.h>

/* A friendly name for libvips' interpretation ("sRGB", "grey", "CMYK", …). */
static const char *colour_space_name(VipsInterpretation in)
{
    switch (in) {
    case VIPS_INTERPRETATION_sRGB: return "sRGB";
    case VIPS_INTERPRETATION_RGB16: return "RGB16";
    case VIPS_INTERPRETATION_B_W: return "grey";
    case VIPS_INTERPRETATION_GREY16: return "grey16";
    case VIPS_INTERPRETATION_CMYK: return "CMYK";
    case VIPS_INTERPRETATION_LAB: return "Lab";
    case VIPS_INTERPRETATION_scRGB: return "scRGB";
    default: return vips_enum_nick(VIPS_TYPE_INTERPRETATION, in);
    }
}

static int bit_depth(VipsImage *img)
{
    if (vips_image_get_typeof(img, "bits-per-sample")) {
        int bits = 0;
        if (vips_image_get_int(img, "bits-per-sample", &bits) == 0 && bits > 0)
            return bits;
    }
    return (int)vips_format_sizeof(img->BandFmt) * 8;
}

static void technical_from_header(aw_ctx *ctx, VipsImage *img)
{
    int orientation = aw_image_orientation(img);
    bool swap = orientation >= 5; /* 5–8 are transposed: shown as height × width */
    int w = swap ? img->Ysize : img->Xsize, h = swap ? img->Xsize : img->Ysize;
    char resolution[48];
    snprintf(resolution, sizeof resolution, "%dx%d", w, h);
    json_t *t = aw_result_section(ctx->result, "technical");
    json_object_set_new(t, "width", json_integer(w));
    json_object_set_new(t, "height", json_integer(h));
    json_object_set_new(t, "resolution", json_string(resolution));
    json_object_set_new(t, "format", json_string(ctx->result->media->group));
    json_object_set_new(t, "colorSpace", json_string(colour_space_name(img->Type)));
    json_object_set_new(t, "bitDepth", json_integer(bit_depth(img)));
    json_object_set_new(t, "hasAlpha", json_boolean(vips_image_hasalpha(img)));
    json_object_set_new(t, "orientation", json_integer(orientation));
    json_object_set_new(t, "storedWidth", json_integer(img->Xsize));
    json_object_set_new(t, "storedHeight", json_integer(img->Ysize));
    /* frames of an animation (a GIF always says, one frame or more) */
    int pages = 1;
    bool gif = strcmp(ctx->result->media->group, "gif") == 0;
    if (vips_image_get_typeof(img, VIPS_META_N_PAGES) &&
        vips_image_get_int(img, VIPS_META_N_PAGES, &pages) == 0 && (pages > 1 || gif))
        json_object_set_new(t, "frameCount", json_integer(pages));
}

static const void *blob_of(VipsImage *img, const char *name, size_t *len)
{
    const void *data = NULL;
    *len = 0;
    if (!vips_image_get_typeof(img, name) || vips_image_get_blob(img, name, &data, len) != 0)
        return NULL;
    return data;
}

static void embedded_metadata(aw_ctx *ctx, VipsImage *img)
{
    json_t *extracted = aw_result_section(ctx->result, "extracted");
    json_t *descriptive = aw_result_section(ctx->result, "descriptive");
    size_t len;
    const void *exif_blob = blob_of(img, VIPS_META_EXIF_NAME, &len);
    json_t *exif = json_object();
    if (aw_exif_extract(exif_blob, len, exif) > 0) {
        json_t *original = json_object_get(exif, "dateTimeOriginal");
        json_t *modified = json_object_get(exif, "dateTime");
        if (original != NULL)
            json_object_set(extracted, "creationDate", original);
        if (modified != NULL)
            json_object_set(extracted, "modificationDate", modified);
        aw_json_set_text(descriptive, "artist", json_string_value(json_object_get(exif, "artist")));
        json_object_set_new(extracted, "exif", exif);
    } else {
        json_decref(exif);
    }
    const void *xmp = blob_of(img, VIPS_META_XMP_NAME, &len);
    aw_xmp_extract(xmp, len, descriptive, extracted);
    if (aw_image_is_vector(ctx))
        aw_xmp_svg_title(ctx->input_path, descriptive);
}

/* When libvips cannot or may not open the header (cut short, a pixel
 * bomb): the size a PNG or GIF's fixed header claims, as exiftool reports
 * it; the stage still fails. */
static void claimed_size(aw_ctx *ctx)
{
    uint32_t w, h;
    if (aw_image_peek_size(ctx->input_path, &w, &h) != 0)
        return;
    json_t *t = aw_result_section(ctx->result, "technical");
    json_object_set_new(t, "width", json_integer(w));
    json_object_set_new(t, "height", json_integer(h));
    json_object_set_new(t, "format", json_string(ctx->result->media->group));
}

int aw_image_metadata_run(aw_ctx *ctx, aw_error *err)
{
    VipsImage *img = NULL;
    if (aw_image_open_header(ctx, &img, err) != AW_OK) {
        claimed_size(ctx);
        return AW_ERROR;
    }
    technical_from_header(ctx, img);
    embedded_metadata(ctx, img);
    g_object_unref(img);
    return AW_OK;
}
