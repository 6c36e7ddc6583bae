/* tiff_rgba.c — libtiff RGBA fallback. */
#include "tiff_rgba.h"

#include <tiffio.h>

/* libtiff reports through handlers: keep them quiet; failures come back as
 * return values, which is what we report. */
static void tiff_silent(const char *module, const char *fmt, va_list ap)
{
    (void)module, (void)fmt, (void)ap;
}

static VipsImage *wrap(uint32_t *raster, uint32_t w, uint32_t h)
{
    VipsImage *img = vips_image_new_from_memory_copy(raster, (size_t)w * h * 4, (int)w, (int)h, 4,
                                                     VIPS_FORMAT_UCHAR);
    if (img != NULL) {
        img->Type = VIPS_INTERPRETATION_sRGB;
        vips_image_set_string(img, "aw-decoder", "libtiff");
    }
    return img;
}

int aw_tiff_rgba_decode(const char *path, uint64_t max_pixels, VipsImage **out, aw_error *err)
{
    TIFFSetErrorHandler(tiff_silent);
    TIFFSetWarningHandler(tiff_silent);
    TIFF *tif = TIFFOpen(path, "r");
    if (tif == NULL)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "corrupt",
                            "libtiff cannot open the file");
    uint32_t w = 0, h = 0;
    TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w);
    TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h);
    int rc = AW_ERROR;
    uint32_t *raster = NULL;
    if (w == 0 || h == 0) {
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "corrupt", "TIFF has no dimensions");
    } else if ((uint64_t)w * h > max_pixels) {
        aw_error_set(err, AW_CODE_FILE_TOO_LARGE, "pixel_limit",
                     "image is %ux%u = %llu pixels, over the limit of %llu", w, h,
                     (unsigned long long)w * h, (unsigned long long)max_pixels);
    } else if ((raster = _TIFFmalloc((tmsize_t)((uint64_t)w * h * 4))) == NULL) {
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "memory", "cannot allocate %ux%u RGBA", w, h);
    } else if (!TIFFReadRGBAImageOriented(tif, w, h, raster, ORIENTATION_TOPLEFT, 0)) {
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "corrupt", "libtiff cannot decode the image");
    } else if ((*out = wrap(raster, w, h)) == NULL) {
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "memory", "cannot wrap decoded TIFF");
    } else {
        rc = AW_OK;
    }
    _TIFFfree(raster);
    TIFFClose(tif);
    return rc;
}
