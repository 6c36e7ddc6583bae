/* picture_stats.c — see picture_stats.h. */
#include "picture_stats.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <vips/vips.h>

#define OFF_BACKGROUND 16

static unsigned char *rgb_pixels(const char *path, int *w, int *h)
{
    VipsImage *img = vips_image_new_from_file(path, NULL), *srgb = NULL, *rgb = NULL;
    unsigned char *px = NULL;
    size_t bytes = 0;
    if (img != NULL && vips_colourspace(img, &srgb, VIPS_INTERPRETATION_sRGB, NULL) == 0 &&
        vips_extract_band(srgb, &rgb, 0, "n", 3, NULL) == 0)
        px = vips_image_write_to_memory(rgb, &bytes);
    if (px != NULL)
        *w = rgb->Xsize, *h = rgb->Ysize;
    if (img)
        g_object_unref(img);
    if (srgb)
        g_object_unref(srgb);
    if (rgb)
        g_object_unref(rgb);
    if (px == NULL)
        fail_msg("cannot decode %s: %s", path, vips_error_buffer());
    return px;
}

void aw_picture_stats_of(const char *path, aw_picture_stats *s)
{
    int w = 0, h = 0;
    unsigned char *px = rgb_pixels(path, &w, &h);
    double sum[3] = {0, 0, 0};
    long n = 0;
    for (long i = 0; i < (long)w * h; i++) {
        const unsigned char *p = px + i * 3;
        if (abs(p[0] - px[0]) <= OFF_BACKGROUND && abs(p[1] - px[1]) <= OFF_BACKGROUND &&
            abs(p[2] - px[2]) <= OFF_BACKGROUND)
            continue;
        for (int k = 0; k < 3; k++)
            sum[k] += p[k];
        n++;
    }
    *s = (aw_picture_stats){.width = w, .height = h, .foreground = (double)n / ((double)w * h)};
    if (n > 0)
        s->r = sum[0] / (double)n, s->g = sum[1] / (double)n, s->b = sum[2] / (double)n;
    g_free(px);
}
