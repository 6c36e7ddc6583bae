/* waveform_png.c — the waveform picture: one vertical bar per column from
 * the lowest to the highest peak it covers, on a transparent background. */
#include "waveform.h"

#include <string.h>
#include <vips/vips.h>

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

int aw_peaks_write_png(const aw_peaks *p, int width, int height, const char *path)
{
    if (width < 1 || height < 2)
        return -1;
    size_t size = (size_t)width * height * 4;
    uint8_t *rgba = g_malloc0(size);
    draw(p, width, height, rgba);
    VipsImage *img = vips_image_new_from_memory(rgba, size, width, height, 4, VIPS_FORMAT_UCHAR);
    int rc = -1;
    if (img != NULL) {
        img->Type = VIPS_INTERPRETATION_sRGB;
        rc = vips_pngsave(img, path, "compression", 6, NULL);
        g_object_unref(img);
    }
    g_free(rgba);
    return rc == 0 ? 0 : -1;
}
