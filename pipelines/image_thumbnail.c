/* image_thumbnail.c — the image thumbnail stage: pixel limit from the header,
 * then one decode, shrunk on load where the format can (JPEG by 2, 4 or 8,
 * WebP to scale, as libvips' own thumbnail chooses), colour converted to
 * sRGB, handed to the thumbnail writer with its EXIF orientation (applied
 * to the shrunk sizes, first frame of animations). Formats whose best
 * decode libvips' thumbnail picks itself (SVG and HEIF at the target size,
 * TIFF pyramids) go through vips_thumbnail. */
#include "image.h"

#include "thumbnail.h"

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

/* The file decoded lazily, top to bottom, shrunk on load where the loader
 * can; NULL with *handled false when vips_thumbnail should open it. */
static VipsImage *open_shrunk(const aw_ctx *ctx, VipsImage *header, bool *handled)
{
    const char *loader = vips_foreign_find_load(ctx->input_path);
    int longest = VIPS_MAX(header->Xsize, header->Ysize);
    double shrink = VIPS_MAX(1.0, (double)longest / AW_THUMB_LARGE_BOX);
    const char *path = ctx->input_path;
    *handled = true;
    if (loader == NULL)
        return NULL;
    if (vips_isprefix("VipsForeignLoadJpeg", loader))
        return vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on",
                                        VIPS_FAIL_ON_TRUNCATED, "shrink", jpeg_shrink(shrink),
                                        NULL);
    if (vips_isprefix("VipsForeignLoadWebp", loader))
        return vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on",
                                        VIPS_FAIL_ON_TRUNCATED, "scale", 1.0 / shrink, NULL);
    if (vips_isprefix("VipsForeignLoadPng", loader) ||
        vips_isprefix("VipsForeignLoadNsgif", loader) ||
        (vips_isprefix("VipsForeignLoadTiff", loader) && !is_tiff_pyramid(header)))
        return vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on",
                                        VIPS_FAIL_ON_TRUNCATED, NULL);
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
    int orientation = aw_image_orientation(header), width = header->Xsize, height = header->Ysize;
    VipsImage *decoded = open_shrunk(ctx, header, &handled);
    g_object_unref(header);
    if (!handled)
        return thumbnail_by_vips(ctx, err);
    if (decoded == NULL)
        return aw_image_fail(err, AW_CODE_PROCESSING_FAILED, "corrupt", "cannot decode image");
    int rc = aw_thumbnail_write_oriented(ctx, decoded, orientation, width, height, err);
    g_object_unref(decoded);
    return rc;
}
