/* thumbnail.h — thumbnails small/medium/large (seed 003: fit in 200/400/800,
 * never upscaled) from one decoded, upright image, as 8-bit sRGB WebP or
 * JPEG. Every family that can show a picture hands it here. */
#ifndef AW_THUMBNAIL_H
#define AW_THUMBNAIL_H

#include "stage.h"

#include <vips/vips.h>

#define AW_THUMB_LARGE_BOX 800

/* Writes thumbnail_{large,medium,small}.{webp|jpg} into the output directory
 * from `decoded` (any size, already upright; larger ones are shrunk first),
 * medium and small derived from the large one in memory, and records them
 * under variants.thumbnails. Returns AW_OK or AW_ERROR with err. */
int aw_thumbnail_write_all(aw_ctx *ctx, VipsImage *decoded, aw_error *err);

/* The same from an image whose EXIF orientation (1–8) is still to apply:
 * each size is turned upright after shrinking, so `decoded` may be a
 * sequential decode of the file, shrunk on load (image_thumbnail.c);
 * width × height is the file's own size, which the sizes are computed
 * from. */
int aw_thumbnail_write_oriented(aw_ctx *ctx, VipsImage *decoded, int orientation, int width,
                                int height, aw_error *err);

/* Thumbnails from an encoded picture held in memory (cover art, an Office
 * file's embedded thumbnail): same loader allowlist and pixel limit as
 * uploaded images, shrink-on-load, EXIF orientation applied. `what` names
 * the picture in errors ("cover art"). */
int aw_thumbnail_write_from_buffer(aw_ctx *ctx, const void *data, size_t size, const char *what,
                                   aw_error *err);

#endif
