/* waveform_png.c — the waveform picture: one vertical bar per column from
 * the lowest to the highest peak it covers, on a transparent background.
 * Written with zlib alone (a waveform job needs no image library), as a
 * 1-bit palette PNG: transparent and the bar colour, the same RGBA pixels
 * once decoded as the 8-bit RGBA it used to be, for a 32nd of the bytes
 * to deflate. */
#include "waveform.h"

#include "alloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Palette entry 0 transparent black (tRNS), entry 1 the bar, opaque. */
static const uint8_t palette[6] = {0, 0, 0, 0x2b, 0x6c, 0xb0};
static const uint8_t palette_alpha[1] = {0};

/* Lowest and highest 8-bit value of the points column x covers. */
static void column_range(const aw_peaks *p, int x, int width, int *low, int *high)
{
    size_t first = (size_t)x * p->length / (size_t)width;
    size_t last = (size_t)(x + 1) * p->length / (size_t)width;
    if (last <= first)
        last = first + 1;
    *low = 127, *high = -128;
    for (size_t i = first; i < last && i < p->length; i++) {
        if (p->data[2 * i] < *low)
            *low = p->data[2 * i];
        if (p->data[2 * i + 1] > *high)
            *high = p->data[2 * i + 1];
    }
    if (*low > *high) /* past the end: silence */
        *low = *high = 0;
}

static int row_of(int value, int height)
{
    return (127 - value) * (height - 1) / 255;
}

/* PNG's rows: a filter byte (0, none) and 1 bit per pixel, most
 * significant first; 1 where a bar is. */
static size_t row_bytes(int width)
{
    return 1 + ((size_t)width + 7) / 8;
}

static void draw(const aw_peaks *p, int width, int height, uint8_t *rows)
{
    size_t stride = row_bytes(width);
    for (int x = 0; x < width; x++) {
        int low, high;
        column_range(p, x, width, &low, &high);
        for (int y = row_of(high, height); y <= row_of(low, height); y++)
            rows[(size_t)y * stride + 1 + (size_t)x / 8] |= (uint8_t)(0x80 >> (x % 8));
    }
}

/* Big-endian, as PNG stores every number. */
static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* One chunk: length, type, data, CRC of type and data. */
static bool write_chunk(FILE *f, const char type[4], const uint8_t *data, size_t size)
{
    uint8_t head[8], tail[4];
    put_u32(head, (uint32_t)size);
    memcpy(head + 4, type, 4);
    uLong crc = crc32(0, (const Bytef *)type, 4);
    if (size > 0) /* crc32 of a NULL buffer is its initial value, not the CRC so far */
        crc = crc32(crc, data, (uInt)size);
    put_u32(tail, (uint32_t)crc);
    return fwrite(head, 1, 8, f) == 8 && (size == 0 || fwrite(data, 1, size, f) == size) &&
           fwrite(tail, 1, 4, f) == 4;
}

static bool write_header(FILE *f, int width, int height)
{
    static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    uint8_t ihdr[13] = {0};
    put_u32(ihdr, (uint32_t)width);
    put_u32(ihdr + 4, (uint32_t)height);
    ihdr[8] = 1, ihdr[9] = 3; /* bit depth, colour type palette */
    return fwrite(signature, 1, 8, f) == 8 && write_chunk(f, "IHDR", ihdr, sizeof ihdr) &&
           write_chunk(f, "PLTE", palette, sizeof palette) &&
           write_chunk(f, "tRNS", palette_alpha, sizeof palette_alpha);
}

/* The rows deflated at zlib's level 6 (what libvips' pngsave used). */
static int write_png(const uint8_t *rows, int width, int height, const char *path)
{
    uLong raw_size = (uLong)(row_bytes(width) * (size_t)height);
    uLongf packed_size = compressBound(raw_size);
    uint8_t *packed = aw_xmalloc(packed_size);
    int rc = compress2(packed, &packed_size, rows, raw_size, 6) == Z_OK ? 0 : -1;
    FILE *f = rc == 0 ? fopen(path, "wb") : NULL;
    if (f != NULL) {
        bool ok = write_header(f, width, height) && write_chunk(f, "IDAT", packed, packed_size) &&
                  write_chunk(f, "IEND", NULL, 0);
        rc = (fclose(f) == 0 && ok) ? 0 : -1;
    } else {
        rc = -1;
    }
    free(packed);
    return rc;
}

int aw_peaks_write_png(const aw_peaks *p, int width, int height, const char *path)
{
    if (width < 1 || height < 2)
        return -1;
    uint8_t *rows = aw_xcalloc(row_bytes(width), (size_t)height);
    draw(p, width, height, rows);
    int rc = write_png(rows, width, height, path);
    free(rows);
    return rc;
}
