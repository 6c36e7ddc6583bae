/* av_picture.h — a decoded video frame as a small upright RGB picture:
 * scaled once by swscale straight to the size needed (sample aspect ratio
 * and colour matrix honoured), then rotated as a player would. */
#ifndef AW_AV_PICTURE_H
#define AW_AV_PICTURE_H

#include <libavformat/avformat.h>
#include <vips/vips.h>

/* `frame` of stream `st` fitted into box × box (never enlarged), 8-bit
 * sRGB, rotation applied. NULL on failure. */
VipsImage *aw_av_picture(const AVStream *st, const AVFrame *frame, int box);

/* How much there is to see: the standard deviation of luma over the
 * picture (0 for a black or flat frame). */
double aw_av_picture_detail(VipsImage *picture);

#endif
