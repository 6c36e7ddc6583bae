/* tiff_rgba.h — fallback decoder for TIFF layouts libvips' tiffload refuses
 * (subsampled YCbCr, old-style JPEG): libtiff's RGBA interface, with the
 * pixel limit checked from the directory before any pixel is read. */
#ifndef AW_TIFF_RGBA_H
#define AW_TIFF_RGBA_H

#include "error.h"

#include <stdint.h>
#include <vips/vips.h>

/* Decodes the first directory, upright, into an 8-bit sRGBA memory image
 * tagged "aw-decoder"="libtiff". AW_ERROR with err (ASSET_FILE_TOO_LARGE over
 * max_pixels, ASSET_PROCESSING_FAILED when libtiff cannot read it). */
int aw_tiff_rgba_decode(const char *path, uint64_t max_pixels, VipsImage **out, aw_error *err);

#endif
