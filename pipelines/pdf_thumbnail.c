/* pdf_thumbnail.c — thumbnails of page 1, rendered by poppler through
 * cairo straight at the large size (vector: no full-size raster first),
 * on white, then handed to the thumbnail writer for the smaller sizes. */
#include "pdf.h"
#include "thumbnail.h"

#include <cairo.h>
#include <math.h>

/* Cairo's ARGB32 (opaque here: painted on white) as packed RGB. */
static VipsImage *surface_to_image(cairo_surface_t *surface, int w, int h)
{
    const uint8_t *data = cairo_image_surface_get_data(surface);
    int stride = cairo_image_surface_get_stride(surface);
    uint8_t *rgb = g_malloc((size_t)w * h * 3);
    for (int y = 0; y < h; y++) {
        const uint32_t *row = (const uint32_t *)(data + (size_t)y * stride);
        uint8_t *out = rgb + (size_t)y * w * 3;
        for (int x = 0; x < w; x++) {
            out[3 * x] = (uint8_t)(row[x] >> 16);
            out[3 * x + 1] = (uint8_t)(row[x] >> 8);
            out[3 * x + 2] = (uint8_t)row[x];
        }
    }
    VipsImage *img = vips_image_new_from_memory_copy(rgb, (size_t)w * h * 3, w, h, 3,
                                                     VIPS_FORMAT_UCHAR);
    g_free(rgb);
    if (img != NULL)
        img->Type = VIPS_INTERPRETATION_sRGB;
    return img;
}

/* Page fitted into the large box (longer side = 800 px). */
static VipsImage *render(PopplerPage *page, double w_pt, double h_pt)
{
    double scale = AW_THUMB_LARGE_BOX / fmax(w_pt, h_pt);
    int w = (int)fmax(1, lround(w_pt * scale)), h = (int)fmax(1, lround(h_pt * scale));
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
    cairo_t *cr = cairo_create(surface);
    cairo_set_source_rgb(cr, 1, 1, 1); /* transparent pages show on white */
    cairo_paint(cr);
    cairo_scale(cr, scale, scale);
    poppler_page_render(page, cr);
    cairo_destroy(cr);
    cairo_surface_flush(surface);
    VipsImage *img = cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS
                         ? surface_to_image(surface, w, h)
                         : NULL;
    cairo_surface_destroy(surface);
    return img;
}

static int page_one_thumbnails(aw_ctx *ctx, PopplerDocument *doc, aw_error *err)
{
    PopplerPage *page = aw_pdf_first_page(doc);
    if (page == NULL)
        return aw_pdf_page_missing(doc, err);
    double w = 0, h = 0;
    poppler_page_get_size(page, &w, &h);
    double limit = ctx->config->limits.max_page_points;
    int rc;
    if (!(w >= 1 && h >= 1)) {
        rc = aw_error_set(err, AW_CODE_PROCESSING_FAILED, "corrupt", "page 1 has no size");
    } else if (w > limit || h > limit) {
        rc = aw_error_set(err, AW_CODE_FILE_TOO_LARGE, "page_size",
                          "page 1 is %.0fx%.0f pt, over the limit of %.0f pt", w, h, limit);
    } else {
        VipsImage *img = render(page, w, h);
        rc = img ? aw_thumbnail_write_all(ctx, img, err)
                 : aw_error_set(err, AW_CODE_PROCESSING_FAILED, "render", "cannot render page 1");
        if (img != NULL)
            g_object_unref(img);
    }
    g_object_unref(page);
    return rc;
}

static int pdf_thumbnail_run(aw_ctx *ctx, aw_error *err)
{
    PopplerDocument *doc = NULL;
    bool encrypted = false;
    if (aw_pdf_open(ctx, &doc, &encrypted, err) != AW_OK)
        return AW_ERROR;
    int rc = page_one_thumbnails(ctx, doc, err);
    g_object_unref(doc);
    return rc;
}

const aw_stage aw_stage_pdf_thumbnail = {
    .name = "pdf.thumbnail",
    .kind = AW_STAGE_THUMBNAIL,
    .families = AW_FAMILY_PDF,
    .init_global = NULL,
    .exit_global = NULL,
    .execute = pdf_thumbnail_run,
};
