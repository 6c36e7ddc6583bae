/* image_peek.c — claimed dimensions from fixed headers. */
#include "image_peek.h"

#include <stdio.h>
#include <string.h>

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le16(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

int aw_image_peek_size(const char *path, uint32_t *width, uint32_t *height)
{
    unsigned char b[24];
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    size_t n = fread(b, 1, sizeof b, f);
    fclose(f);
    /* PNG: signature, then the IHDR chunk: length, "IHDR", width, height. */
    if (n >= 24 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0 && memcmp(b + 12, "IHDR", 4) == 0) {
        *width = be32(b + 16);
        *height = be32(b + 20);
        return 0;
    }
    /* GIF: "GIF87a"/"GIF89a", then the logical screen width and height. */
    if (n >= 10 && (memcmp(b, "GIF87a", 6) == 0 || memcmp(b, "GIF89a", 6) == 0)) {
        *width = le16(b + 6);
        *height = le16(b + 8);
        return 0;
    }
    return -1;
}
