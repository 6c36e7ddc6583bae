/* resample.h — shrinking 8-bit RGB pictures for thumbnails with a
 * Lanczos-3 filter (libswscale's SIMD scaler, plane by plane) instead of
 * libvips 8.14's reduce, which costs two to three times as much CPU per
 * thumbnail (bench/findings.md). The source is read from libvips strip by
 * strip, so a large decode is never held whole. Only 3-band 8-bit images
 * without alpha come here; the callers keep libvips for everything else. */
#ifndef AW_RESAMPLE_H
#define AW_RESAMPLE_H

#include <stdbool.h>
#include <stdint.h>
#include <vips/vips.h>

/* A picture as three planes (R, G, B), rows `stride` bytes apart. Rows and
 * planes are padded: libswscale's SIMD code reads and writes past the last
 * pixel of a row (a 1-pixel-wide thumbnail corrupted the heap without). */
typedef struct aw_planes {
    int width, height, stride;
    uint8_t *plane[3];
} aw_planes;

/* True when aw_resample_image can take `img`: 8-bit, 3 bands, no alpha,
 * not coded. */
bool aw_resample_accepts(const VipsImage *img);

/* The smallest side libswscale is given: on a picture 2 pixels wide made 1
 * wide it drew the right column instead of both (a test of ours saw it);
 * thinner pictures keep libvips' way. */
#define AW_RESAMPLE_MIN_SIDE 16

/* Reads `in` (aw_resample_accepts) top to bottom and shrinks it to
 * width × height into `out` (at most in's size; equal sizes copy). 0, or -1
 * with libvips' error buffer or "resample" set when the scaler refuses the
 * sizes or memory runs out; `out` is then empty. */
int aw_resample_image(VipsImage *in, int width, int height, aw_planes *out);

/* Shrinks planes `in` to width × height into `out`. 0 or -1. */
int aw_resample_planes(const aw_planes *in, int width, int height, aw_planes *out);

/* The planes interleaved as a new 3-band sRGB image in memory, or NULL. */
VipsImage *aw_planes_image(const aw_planes *p);

void aw_planes_free(aw_planes *p);

/* The size that fits `box` × `box` keeping the aspect ratio, as libvips'
 * thumbnail computes it (the longer side becomes box, the other is rounded,
 * at least 1); never larger than width × height. */
void aw_resample_fit(int width, int height, int box, int *out_width, int *out_height);

#endif
