/* waveform_png.c — the waveform picture: one vertical bar per column from
 * the lowest to the highest peak it covers, on a transparent background.
 * Written with zlib alone: a waveform job needs no image library. */
#include "waveform.h"

#include "alloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static const uint8_t bar_rgba[4] = {0x2b, 0x6c, 0xb0, 0xff};

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

static void draw(const aw_peaks *p, int width, int height, uint8_t *rgba)
{
    for (int x = 0; x < width; x++) {
        int low, high;
        column_range(p, x, width, &low, &high);
        for (int y = row_of(high, height); y <= row_of(low, height); y++)
            memcpy(rgba + ((size_t)y * width + x) * 4, bar_rgba, 4);
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

/* The rows behind PNG's "up" filter (each byte minus the one above): a
 * bar's column repeats down the picture, so nearly every byte is 0. */
static uint8_t *filtered_rows(const uint8_t *rgba, int width, int height, size_t *size)
{
    size_t stride = (size_t)width * 4;
    *size = (stride + 1) * (size_t)height;
    uint8_t *rows = aw_xmalloc(*size);
    for (int y = 0; y < height; y++) {
        uint8_t *row = rows + (size_t)y * (stride + 1);
        const uint8_t *cur = rgba + (size_t)y * stride, *above = y > 0 ? cur - stride : NULL;
        row[0] = 2; /* up */
        for (size_t i = 0; i < stride; i++)
            row[1 + i] = (uint8_t)(cur[i] - (above != NULL ? above[i] : 0));
    }
    return rows;
}

/* 8-bit RGBA, deflated at zlib's level 6 (what libvips' pngsave used). */
static int write_png(const uint8_t *rgba, int width, int height, const char *path)
{
    static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    uint8_t ihdr[13] = {0};
    put_u32(ihdr, (uint32_t)width);
    put_u32(ihdr + 4, (uint32_t)height);
    ihdr[8] = 8, ihdr[9] = 6; /* bit depth, colour type RGBA */
    size_t raw_size;
    uint8_t *raw = filtered_rows(rgba, width, height, &raw_size);
    uLongf packed_size = compressBound((uLong)raw_size);
    uint8_t *packed = aw_xmalloc(packed_size);
    int rc = compress2(packed, &packed_size, raw, (uLong)raw_size, 6) == Z_OK ? 0 : -1;
    free(raw);
    FILE *f = rc == 0 ? fopen(path, "wb") : NULL;
    if (f != NULL) {
        bool ok = fwrite(signature, 1, 8, f) == 8 && write_chunk(f, "IHDR", ihdr, sizeof ihdr) &&
                  write_chunk(f, "IDAT", packed, packed_size) && write_chunk(f, "IEND", NULL, 0);
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
    uint8_t *rgba = aw_xcalloc((size_t)width * height, 4);
    draw(p, width, height, rgba);
    int rc = write_png(rgba, width, height, path);
    free(rgba);
    return rc;
}
