/* image_thumbnail.c — the image thumbnail stage: pixel limit from the header,
 * then one shrink-on-load decode (EXIF orientation applied, first frame of
 * animations, colour converted to sRGB) handed to the thumbnail writer. */
#include "image.h"

#include "thumbnail.h"

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
    g_object_unref(header);
    VipsImage *decoded = NULL;
    if (vips_thumbnail(ctx->input_path, &decoded, AW_THUMB_LARGE_BOX, "height", AW_THUMB_LARGE_BOX,
                       "size", VIPS_SIZE_DOWN, "fail_on", VIPS_FAIL_ON_TRUNCATED, NULL) != 0)
        return aw_image_fail(err, AW_CODE_PROCESSING_FAILED, "corrupt", "cannot decode image");
    int rc = aw_thumbnail_write_all(ctx, decoded, err);
    g_object_unref(decoded);
    return rc;
}
