/* image.h — what the image stages share: opening a header with the pixel
 * limit checked before any decode, and turning libvips errors into ours. */
#ifndef AW_IMAGE_H
#define AW_IMAGE_H

#include "stage.h"

#include <stdbool.h>
#include <vips/vips.h>

/* libvips set up for the process (once): only the loaders of accepted
 * formats enabled, no operation cache, its warnings kept for the job's
 * errors. Every stage that makes a picture needs it first (pipeline.c). */
int aw_image_setup(const aw_config *cfg, aw_error *err);

/* Opens the input lazily (header only) and refuses it with
 * ASSET_FILE_TOO_LARGE/pixel_limit when width × height is over the limit
 * (vector images excepted: they are rendered at the target size). */
int aw_image_open_header(aw_ctx *ctx, VipsImage **out, aw_error *err);

/* True when aw_image_open_header had to decode the pixels already (the
 * libtiff fallback): use the image itself rather than reopening the file. */
bool aw_image_is_decoded(VipsImage *img);

/* Forgets the warnings libvips gave for the previous job. */
void aw_image_reset_warnings(void);

/* Between two jobs of one process: libvips' operation cache emptied, its
 * error and warning text cleared. False (and why) when libvips still holds
 * a file or memory it tracks, which only an image left referenced can. */
bool aw_image_forget_job(char *why, size_t size);

/* True when libvips warned that a region failed to compute since the last
 * reset: the decode is incomplete even if the call returned success. */
bool aw_image_decode_failed(void);

/* Copies libvips' error buffer (process-global) into err and clears it, so
 * messages of two jobs never mix. Returns AW_ERROR. */
int aw_image_fail(aw_error *err, aw_code code, const char *reason, const char *what);

/* EXIF orientation 1–8 as libvips read it (1 when absent or invalid). */
int aw_image_orientation(VipsImage *img);

bool aw_image_is_vector(const aw_ctx *ctx);

/* The file decoded lazily, top to bottom, shrunk on load where the loader
 * can (JPEG by 2, 4 or 8, WebP to scale); `fail_on` says what damage stops
 * the decode. NULL with *handled false for what vips_thumbnail opens
 * itself (SVG, HEIF, TIFF pyramids); NULL with *handled true when the
 * loader refused. `header` is the file opened by aw_image_open_header. */
VipsImage *aw_image_open_shrunk(const aw_ctx *ctx, VipsImage *header, VipsFailOn fail_on,
                                bool *handled);

/* After the decode failed (err: corrupt): when the file is a JPEG or PNG
 * cut short whose top rows decode, thumbnails of those rows and a
 * shortfall (truncated) saying how many are missing; AW_OK. Otherwise
 * AW_ERROR, and the decode's error stands (image_truncated.c). */
int aw_image_thumbnail_top_rows(aw_ctx *ctx, VipsImage *header);

/* Stage bodies (image_metadata.c, image_thumbnail.c). */
int aw_image_metadata_run(aw_ctx *ctx, aw_error *err);
int aw_image_thumbnail_run(aw_ctx *ctx, aw_error *err);

#endif
