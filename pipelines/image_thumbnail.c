/* image_thumbnail.c — the image thumbnail stage: pixel limit from the header,
 * then one decode, shrunk on load where the format can (JPEG by 2, 4 or 8,
 * WebP to scale, as libvips' own thumbnail chooses), colour converted to
 * sRGB, handed to the thumbnail writer with its EXIF orientation (applied
 * to the shrunk sizes, first frame of animations). Formats whose best
 * decode libvips' thumbnail picks itself (SVG and HEIF at the target size,
 * TIFF pyramids) go through vips_thumbnail. A JPEG or PNG cut short shows
 * the rows that decode (image_truncated.c). */
#include "image.h"

#include "thumbnail.h"

#include <string.h>

/* The shrink-on-load factor libvips' thumbnail uses for JPEG: a power of
 * two that leaves at least a factor of two to the resampler. */
static int jpeg_shrink(double shrink)
{
    return shrink >= 16 ? 8 : shrink >= 8 ? 4 : shrink >= 4 ? 2 : 1;
}

static bool is_tiff_pyramid(VipsImage *header)
{
    int subifds = 0;
    if (vips_image_get_typeof(header, "n-subifds"))
        vips_image_get_int(header, "n-subifds", &subifds);
    return subifds > 0 || vips_image_get_n_pages(header) > 1;
}

VipsImage *aw_image_open_shrunk(const aw_ctx *ctx, VipsImage *header, VipsFailOn fail_on,
                                bool *handled)
{
    const char *loader = vips_foreign_find_load(ctx->input_path);
    int longest = VIPS_MAX(header->Xsize, header->Ysize);
    double shrink = VIPS_MAX(1.0, (double)longest / AW_THUMB_LARGE_BOX);
    const char *path = ctx->input_path;
    *handled = true;
    if (loader == NULL)
        return NULL;
    if (vips_isprefix("VipsForeignLoadJpeg", loader))
        return vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on", fail_on,
                                        "shrink", jpeg_shrink(shrink), NULL);
    if (vips_isprefix("VipsForeignLoadWebp", loader))
        return vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on", fail_on,
                                        "scale", 1.0 / shrink, NULL);
    if (vips_isprefix("VipsForeignLoadPng", loader) ||
        vips_isprefix("VipsForeignLoadNsgif", loader) ||
        (vips_isprefix("VipsForeignLoadTiff", loader) && !is_tiff_pyramid(header)))
        return vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on", fail_on,
                                        NULL);
    *handled = false;
    return NULL;
}

/* SVG, HEIF, TIFF pyramids: libvips' thumbnail finds the cheapest decode. */
static int thumbnail_by_vips(aw_ctx *ctx, aw_error *err)
{
    VipsImage *decoded = NULL;
    if (vips_thumbnail(ctx->input_path, &decoded, AW_THUMB_LARGE_BOX, "height", AW_THUMB_LARGE_BOX,
                       "size", VIPS_SIZE_DOWN, "fail_on", VIPS_FAIL_ON_TRUNCATED, NULL) != 0)
        return aw_image_fail(err, AW_CODE_PROCESSING_FAILED, "corrupt", "cannot decode image");
    int rc = aw_thumbnail_write_all(ctx, decoded, err);
    g_object_unref(decoded);
    return rc;
}

int aw_image_thumbnail_run(aw_ctx *ctx, aw_error *err)
{
    VipsImage *header = NULL;
    if (aw_image_open_header(ctx, &header, err) != AW_OK)
        return AW_ERROR;
    if (aw_image_is_decoded(header)) {
        int rc = aw_thumbnail_write_all(ctx, header, err);
        g_object_unref(header);
        return rc;
    }
    bool handled;
    int orientation = aw_image_orientation(header);
    VipsImage *decoded = aw_image_open_shrunk(ctx, header, VIPS_FAIL_ON_TRUNCATED, &handled);
    int rc;
    if (!handled)
        rc = thumbnail_by_vips(ctx, err);
    else if (decoded == NULL)
        rc = aw_image_fail(err, AW_CODE_PROCESSING_FAILED, "corrupt", "cannot decode image");
    else
        rc = aw_thumbnail_write_oriented(ctx, decoded, orientation, header->Xsize, header->Ysize,
                                         err);
    if (decoded != NULL)
        g_object_unref(decoded);
    if (rc != AW_OK && strcmp(err->reason, "corrupt") == 0 && handled) /* cut short? */
        rc = aw_image_thumbnail_top_rows(ctx, header) == AW_OK ? AW_OK : rc;
    g_object_unref(header);
    return rc;
}
