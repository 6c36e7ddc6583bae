/* resample.c — thumbnails' shrinking with libswscale's Lanczos-3 (see
 * resample.h). Interleaved RGB is turned into planar GBR by the scaler
 * itself (full chroma, no YUV on the way), planes are scaled as they are,
 * and interleaved again only for the encoder. */
#include "resample.h"

#include <libswscale/swscale.h>
#include <stdlib.h>
#include <string.h>

/* swscale's GBRP order: data[0] green, [1] blue, [2] red. */
static const int gbr_plane[3] = {1, 2, 0}; /* swscale plane → our R,G,B index */

enum { SWS_FLAGS = SWS_LANCZOS | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP };
enum { STRIP_ROWS = 64 }; /* rows asked of libvips at a time */
enum { PAD = 64 };        /* alignment and slack of every row and buffer */

static int padded(int bytes)
{
    return (bytes + PAD - 1) / PAD * PAD + PAD;
}

bool aw_resample_accepts(const VipsImage *img)
{
    return img->BandFmt == VIPS_FORMAT_UCHAR && img->Bands == 3 && img->Coding == VIPS_CODING_NONE;
}

void aw_resample_fit(int width, int height, int box, int *out_width, int *out_height)
{
    int longest = width > height ? width : height;
    if (longest <= box) {
        *out_width = width, *out_height = height;
        return;
    }
    double shrink = (double)longest / box;
    int w = width >= height ? box : (int)(width / shrink + 0.5);
    int h = height > width ? box : (int)(height / shrink + 0.5);
    *out_width = w < 1 ? 1 : w;
    *out_height = h < 1 ? 1 : h;
}

void aw_planes_free(aw_planes *p)
{
    for (int i = 0; i < 3; i++) {
        free(p->plane[i]);
        p->plane[i] = NULL;
    }
}

static uint8_t *padded_alloc(size_t bytes)
{
    void *p = NULL;
    return posix_memalign(&p, PAD, bytes + PAD) == 0 ? p : NULL;
}

static int planes_alloc(aw_planes *p, int width, int height)
{
    *p = (aw_planes){.width = width, .height = height, .stride = padded(width)};
    for (int i = 0; i < 3; i++)
        if ((p->plane[i] = padded_alloc((size_t)p->stride * (size_t)height)) == NULL) {
            aw_planes_free(p);
            return -1;
        }
    return 0;
}

/* Pointers and strides of `p` in swscale's GBR order. */
static void gbr_pointers(const aw_planes *p, uint8_t *data[3], int stride[3])
{
    for (int i = 0; i < 3; i++) {
        data[i] = p->plane[gbr_plane[i]];
        stride[i] = p->stride;
    }
}

/* Scalers kept from one thumbnail to the next: building one computes its
 * filter (1–1.5 ms, as much as the shrink of an 800 px image), and photos
 * of one camera share their sizes. A scaler holds coefficients and the rows
 * it last worked on, which it overwrites before it reads them again. */
enum { SCALERS = 4 };

typedef struct scaler {
    struct SwsContext *sws;
    int src_w, src_h, src_fmt, dst_w, dst_h;
} scaler;

static scaler scalers[SCALERS];
static unsigned scaler_next;

static struct SwsContext *scaler_for(int src_w, int src_h, int src_fmt, int dst_w, int dst_h)
{
    for (int i = 0; i < SCALERS; i++) {
        const scaler *s = &scalers[i];
        if (s->sws != NULL && s->src_w == src_w && s->src_h == src_h && s->src_fmt == src_fmt &&
            s->dst_w == dst_w && s->dst_h == dst_h)
            return s->sws;
    }
    struct SwsContext *sws = sws_getContext(src_w, src_h, src_fmt, dst_w, dst_h, AV_PIX_FMT_GBRP,
                                            SWS_FLAGS, NULL, NULL, NULL);
    if (sws == NULL)
        return NULL;
    scaler *slot = &scalers[scaler_next++ % SCALERS];
    sws_freeContext(slot->sws);
    *slot = (scaler){sws, src_w, src_h, src_fmt, dst_w, dst_h};
    return sws;
}

static int refuse(const char *why)
{
    vips_error("resample", "%s", why);
    return -1;
}

/* What is done with each strip of rows libvips decodes, top to bottom. */
typedef void strip_fn(VipsRegion *region, const VipsRect *strip, void *state);

static int for_each_strip(VipsImage *in, strip_fn *fn, void *state)
{
    VipsRegion *region = vips_region_new(in);
    int rc = 0;
    for (int y = 0; y < in->Ysize && rc == 0; y += STRIP_ROWS) {
        VipsRect strip = {0, y, in->Xsize, VIPS_MIN(STRIP_ROWS, in->Ysize - y)};
        if ((rc = vips_region_prepare(region, &strip)) == 0)
            fn(region, &strip, state);
    }
    g_object_unref(region);
    return rc == 0 ? 0 : -1;
}

typedef struct scaling {
    struct SwsContext *sws;
    uint8_t *strip_buf; /* padded: the scaler reads past a row's end */
    int src_stride;
    uint8_t *dst[3];
    int dst_stride[3];
} scaling;

/* A strip copied into the padded buffer and fed to the scaler, in order. */
static void scale_strip(VipsRegion *region, const VipsRect *strip, void *state)
{
    scaling *s = state;
    size_t row_bytes = (size_t)strip->width * 3;
    for (int row = 0; row < strip->height; row++)
        memcpy(s->strip_buf + (size_t)row * (size_t)s->src_stride,
               VIPS_REGION_ADDR(region, 0, strip->top + row), row_bytes);
    const uint8_t *src[1] = {s->strip_buf};
    sws_scale(s->sws, src, &s->src_stride, strip->top, strip->height, s->dst, s->dst_stride);
}

static int scale_strips(struct SwsContext *sws, VipsImage *in, aw_planes *out)
{
    scaling s = {.sws = sws, .src_stride = padded(in->Xsize * 3)};
    if ((s.strip_buf = padded_alloc((size_t)s.src_stride * STRIP_ROWS)) == NULL)
        return refuse("out of memory");
    gbr_pointers(out, s.dst, s.dst_stride);
    int rc = for_each_strip(in, scale_strip, &s);
    free(s.strip_buf);
    return rc;
}

/* Same size: the rows split into planes, no filter. */
static void split_strip(VipsRegion *region, const VipsRect *strip, void *state)
{
    aw_planes *out = state;
    for (int row = strip->top; row < strip->top + strip->height; row++) {
        const uint8_t *px = (const uint8_t *)VIPS_REGION_ADDR(region, 0, row);
        size_t at = (size_t)row * (size_t)out->stride;
        for (int x = 0; x < strip->width; x++, px += 3)
            for (int b = 0; b < 3; b++)
                out->plane[b][at + (size_t)x] = px[b];
    }
}

int aw_resample_image(VipsImage *in, int width, int height, aw_planes *out)
{
    *out = (aw_planes){0};
    if (!aw_resample_accepts(in) || width > in->Xsize || height > in->Ysize)
        return refuse("not an 8-bit RGB image to shrink");
    struct SwsContext *sws = NULL;
    bool same = width == in->Xsize && height == in->Ysize;
    if (!same && (sws = scaler_for(in->Xsize, in->Ysize, AV_PIX_FMT_RGB24, width, height)) == NULL)
        return refuse("the scaler refuses these sizes");
    int rc = planes_alloc(out, width, height);
    if (rc != 0)
        refuse("out of memory");
    else
        rc = same ? for_each_strip(in, split_strip, out) : scale_strips(sws, in, out);
    if (rc != 0)
        aw_planes_free(out);
    return rc;
}

int aw_resample_planes(const aw_planes *in, int width, int height, aw_planes *out)
{
    *out = (aw_planes){0};
    struct SwsContext *sws = scaler_for(in->width, in->height, AV_PIX_FMT_GBRP, width, height);
    if (sws == NULL)
        return refuse("the scaler refuses these sizes");
    if (planes_alloc(out, width, height) != 0)
        return refuse("out of memory");
    uint8_t *src[3], *dst[3];
    int src_stride[3], dst_stride[3];
    gbr_pointers(in, src, src_stride);
    gbr_pointers(out, dst, dst_stride);
    sws_scale(sws, (const uint8_t *const *)src, src_stride, 0, in->height, dst, dst_stride);
    return 0;
}

static void free_pixels(VipsImage *img, void *pixels)
{
    (void)img;
    free(pixels);
}

VipsImage *aw_planes_image(const aw_planes *p)
{
    size_t row_bytes = (size_t)p->width * 3;
    uint8_t *rgb = malloc(row_bytes * (size_t)p->height);
    if (rgb == NULL)
        return NULL;
    for (int y = 0; y < p->height; y++) {
        uint8_t *px = rgb + (size_t)y * row_bytes;
        size_t at = (size_t)y * (size_t)p->stride;
        for (int x = 0; x < p->width; x++, px += 3)
            for (int b = 0; b < 3; b++)
                px[b] = p->plane[b][at + (size_t)x];
    }
    /* the image owns the interleaved pixels: freed when it closes */
    VipsImage *img = vips_image_new_from_memory(rgb, row_bytes * (size_t)p->height, p->width,
                                                p->height, 3, VIPS_FORMAT_UCHAR);
    if (img == NULL) {
        free(rgb);
        return NULL;
    }
    g_signal_connect(img, "postclose", G_CALLBACK(free_pixels), rgb);
    img->Type = VIPS_INTERPRETATION_sRGB;
    return img;
}
