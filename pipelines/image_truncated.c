/* image_truncated.c — a JPEG or PNG cut short (an upload that stopped,
 * a disk that filled): the rows above the cut still decode. They are
 * counted first (decoded strip by strip, top to bottom, until the first
 * strip that fails; nothing is kept), then decoded again alone, without
 * the loader's truncation check, and cropped there, so the thumbnails show
 * what the file holds and no grey or black band where it ends. A
 * shortfall (`truncated`) says how many rows are missing: the job is
 * partial. */
#include "image.h"

#include "thumbnail.h"

#include <string.h>

#define STRIP_ROWS 16 /* a JPEG MCU row at most; PNG decodes row by row */

static bool cut_short_format(const char *group)
{
    return strcmp(group, "jpeg") == 0 || strcmp(group, "png") == 0;
}

/* Rows of `img` (a sequential decode that fails on truncation) that
 * decode before the first strip that fails. */
static int rows_that_decode(VipsImage *img)
{
    VipsRegion *region = vips_region_new(img);
    int rows = 0;
    for (int y = 0; y < img->Ysize; y += STRIP_ROWS) {
        VipsRect strip = {0, y, img->Xsize, VIPS_MIN(STRIP_ROWS, img->Ysize - y)};
        if (vips_region_prepare(region, &strip) != 0 || aw_image_decode_failed())
            break;
        rows = y + strip.height;
    }
    g_object_unref(region);
    vips_error_clear();
    return rows;
}

/* The decode cropped to its first `rows` rows, with the truncation check
 * off (the rows below are never read). */
static VipsImage *top_rows(aw_ctx *ctx, VipsImage *header, int rows)
{
    bool handled;
    VipsImage *decoded = aw_image_open_shrunk(ctx, header, VIPS_FAIL_ON_NONE, &handled);
    VipsImage *top = NULL;
    if (decoded != NULL && vips_crop(decoded, &top, 0, 0, decoded->Xsize, rows, NULL) != 0)
        top = NULL;
    if (decoded != NULL)
        g_object_unref(decoded);
    return top;
}

/* Counts the rows at the decode's scale (a JPEG is shrunk on load). */
static int count_rows(aw_ctx *ctx, VipsImage *header, int *scaled_height)
{
    bool handled;
    aw_image_reset_warnings();
    VipsImage *decoded = aw_image_open_shrunk(ctx, header, VIPS_FAIL_ON_TRUNCATED, &handled);
    if (decoded == NULL)
        return 0;
    *scaled_height = decoded->Ysize;
    int rows = rows_that_decode(decoded);
    g_object_unref(decoded);
    aw_image_reset_warnings();
    return rows;
}

static void report_missing_rows(aw_ctx *ctx, int shown, int height)
{
    aw_error missing;
    aw_error_set(&missing, AW_CODE_PROCESSING_FAILED, "truncated",
                 "the image is cut short: only its top %d of %d rows decode, and the thumbnails "
                 "show those",
                 shown, height);
    aw_ctx_shortfall(ctx, &missing);
}

int aw_image_thumbnail_top_rows(aw_ctx *ctx, VipsImage *header)
{
    if (!cut_short_format(ctx->result->media->group))
        return AW_ERROR;
    int scaled_height = 0, rows = count_rows(ctx, header, &scaled_height);
    if (rows <= 0 || rows >= scaled_height)
        return AW_ERROR; /* nothing decodes, or the failure is not a cut */
    VipsImage *top = top_rows(ctx, header, rows);
    if (top == NULL)
        return AW_ERROR;
    /* the file's own rows that show: the decode may be shrunk on load */
    int shown = (int)((long long)rows * header->Ysize / scaled_height);
    aw_error written;
    aw_error_clear(&written);
    int rc = aw_thumbnail_write_oriented(ctx, top, aw_image_orientation(header), header->Xsize,
                                         VIPS_MAX(shown, 1), &written);
    g_object_unref(top);
    if (rc != AW_OK)
        return AW_ERROR;
    report_missing_rows(ctx, shown, header->Ysize);
    return AW_OK;
}
