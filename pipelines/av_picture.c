/* av_picture.c — video frame → upright RGB VipsImage. */
#include "av_picture.h"

#include "av.h"

#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
#include <math.h>

/* Fits w × h (display proportions) into box × box, never enlarging. */
static void fit(int w, int h, int box, int *out_w, int *out_h)
{
    double scale = fmin(1.0, fmin((double)box / w, (double)box / h));
    *out_w = (int)fmax(1.0, lround(w * scale));
    *out_h = (int)fmax(1.0, lround(h * scale));
}

static bool full_range(const AVFrame *frame)
{
    switch (frame->format) {
    case AV_PIX_FMT_YUVJ420P:
    case AV_PIX_FMT_YUVJ422P:
    case AV_PIX_FMT_YUVJ444P:
    case AV_PIX_FMT_YUVJ440P: return true;
    default: return frame->color_range == AVCOL_RANGE_JPEG;
    }
}

/* BT.709 for HD when the file does not say (what players assume). */
static const int *source_matrix(const AVFrame *frame)
{
    int cs = frame->colorspace;
    if (cs == AVCOL_SPC_UNSPECIFIED || cs == AVCOL_SPC_RESERVED)
        cs = frame->height >= 720 ? SWS_CS_ITU709 : SWS_CS_DEFAULT;
    return sws_getCoefficients(cs);
}

/* Scales the frame into a packed RGB buffer of w × h. */
static int scale_to_rgb(const AVFrame *frame, int w, int h, uint8_t *rgb)
{
    int flags = (w * 2 < frame->width) ? SWS_AREA : SWS_BICUBIC;
    struct SwsContext *sws = sws_getContext(frame->width, frame->height, frame->format, w, h,
                                            AV_PIX_FMT_RGB24, flags | SWS_ACCURATE_RND, NULL, NULL,
                                            NULL);
    if (sws == NULL)
        return -1;
    sws_setColorspaceDetails(sws, source_matrix(frame), full_range(frame),
                             sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);
    uint8_t *dst[4] = {rgb, NULL, NULL, NULL};
    int stride[4] = {w * 3, 0, 0, 0};
    int rc = sws_scale(sws, (const uint8_t *const *)frame->data, frame->linesize, 0, frame->height,
                       dst, stride);
    sws_freeContext(sws);
    return rc == h ? 0 : -1;
}

static VipsImage *rotated(VipsImage *img, int rotation)
{
    if (rotation == 0)
        return img;
    VipsImage *out = NULL;
    VipsAngle angle = rotation == 90    ? VIPS_ANGLE_D90
                      : rotation == 180 ? VIPS_ANGLE_D180
                                        : VIPS_ANGLE_D270;
    int rc = vips_rot(img, &out, angle, NULL);
    g_object_unref(img);
    return rc == 0 ? out : NULL;
}

VipsImage *aw_av_picture(const AVStream *st, const AVFrame *frame, int box)
{
    if (frame->width <= 0 || frame->height <= 0)
        return NULL;
    AVRational sar = frame->sample_aspect_ratio.num > 0 ? frame->sample_aspect_ratio
                                                        : st->sample_aspect_ratio;
    int dw = frame->width, dh = frame->height, w, h; /* shown proportions, before rotation */
    if (sar.num > 0 && sar.den > 0 && sar.num != sar.den)
        dw = (int)fmax(1.0, lround((double)dw * sar.num / sar.den));
    fit(dw, dh, box, &w, &h);
    uint8_t *rgb = g_malloc((size_t)w * h * 3);
    if (scale_to_rgb(frame, w, h, rgb) != 0) {
        g_free(rgb);
        return NULL;
    }
    VipsImage *img = vips_image_new_from_memory_copy(rgb, (size_t)w * h * 3, w, h, 3,
                                                     VIPS_FORMAT_UCHAR);
    g_free(rgb);
    if (img == NULL)
        return NULL;
    img->Type = VIPS_INTERPRETATION_sRGB;
    return rotated(img, aw_av_rotation(st));
}

double aw_av_picture_detail(VipsImage *picture)
{
    VipsImage *grey = NULL;
    double deviation = 0.0;
    if (vips_colourspace(picture, &grey, VIPS_INTERPRETATION_B_W, NULL) == 0) {
        if (vips_deviate(grey, &deviation, NULL) != 0)
            deviation = 0.0;
        g_object_unref(grey);
    }
    return deviation;
}
