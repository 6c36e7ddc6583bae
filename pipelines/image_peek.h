/* image_peek.h — image dimensions read straight from the first bytes of
 * formats whose header is fixed (PNG IHDR, GIF screen descriptor), so a
 * decompression bomb is refused even when its header is too broken for the
 * decoder to report a size. */
#ifndef AW_IMAGE_PEEK_H
#define AW_IMAGE_PEEK_H

#include <stdint.h>

/* Returns 0 and the claimed size, or -1 when the format has no fixed header
 * we read or the bytes are not one. */
int aw_image_peek_size(const char *path, uint32_t *width, uint32_t *height);

#endif
