/* av_thumbnail.c — thumbnails of audio/video: a poster frame for video
 * (seek to a representative point, keyframes only, blank frames skipped
 * when cheap), the embedded cover art for audio. Both end in the image
 * path's thumbnail writer: one decode, three sizes. */
#include "av.h"
#include "av_picture.h"
#include "thumbnail.h"

#define POSTER_AT 0.10            /* of the duration … */
#define POSTER_AT_MAX_S 30.0      /* … but never later than this */
#define POSTER_MAX_KEYFRAMES 6    /* looked at before settling for the best */
#define POSTER_DETAIL_ENOUGH 12.0 /* luma standard deviation of a frame worth showing */
#define POSTER_SCAN_CANDIDATES 16 /* then, from the start: frames looked at … */
#define POSTER_SCAN_STRIDE 6      /* … one in every this many decoded */

double aw_av_poster_time(double duration)
{
    if (duration <= 0)
        return 0.0;
    double t = duration * POSTER_AT;
    return t < POSTER_AT_MAX_S ? t : POSTER_AT_MAX_S;
}

/* Keeps the picture with more detail in *best. */
static void keep_better(VipsImage **best, double *best_detail, VipsImage *candidate, double detail)
{
    if (*best == NULL || detail > *best_detail) {
        if (*best != NULL)
            g_object_unref(*best);
        *best = candidate, *best_detail = detail;
    } else {
        g_object_unref(candidate);
    }
}

/* Looks at up to `candidates` decoded frames, one in every `stride`, from
 * the current position; returns the first with enough detail, or the most
 * detailed one (its detail in *detail). */
static VipsImage *pick_frame(aw_av_input *in, AVCodecContext *dec, AVFrame *frame, int candidates,
                             int stride, double *detail)
{
    const AVStream *st = in->fmt->streams[in->video];
    VipsImage *best = NULL;
    *detail = -1.0;
    for (int n = 0; n < candidates * stride && *detail < POSTER_DETAIL_ENOUGH; n++) {
        if (aw_av_next_frame(in, in->video, dec, frame) < 0)
            break;
        VipsImage *picture = n % stride == 0 ? aw_av_picture(st, frame, AW_THUMB_LARGE_BOX) : NULL;
        av_frame_unref(frame);
        if (picture != NULL)
            keep_better(&best, detail, picture, aw_av_picture_detail(picture));
    }
    return best;
}

static VipsImage *poster_frame(aw_av_input *in, AVCodecContext *dec, AVFrame *frame, double *detail)
{
    dec->skip_frame = AVDISCARD_NONKEY; /* keyframes decode alone: no reference chain */
    double at = aw_av_poster_time(aw_av_duration(in));
    if (at > 0)
        aw_av_seek(in, dec, at);
    return pick_frame(in, dec, frame, POSTER_MAX_KEYFRAMES, 1, detail);
}

/* Every frame from the start, the input opened afresh, when the keyframes
 * gave nothing worth showing: short clips with one keyframe, files without
 * an index, damaged clusters a seek cannot cross back. Keeps *best unless
 * a frame with more detail turns up. */
static void first_frames(const aw_ctx *ctx, aw_av_input *in, AVFrame *frame, VipsImage **best,
                         double *best_detail)
{
    aw_av_close(in);
    aw_error ignored;
    AVCodecContext *dec = NULL;
    if (aw_av_open(ctx, in, &ignored) != AW_OK || in->video < 0 ||
        aw_av_open_decoder(ctx, in, in->video, false, &dec, &ignored) != AW_OK)
        return;
    double detail;
    VipsImage *found = pick_frame(in, dec, frame, POSTER_SCAN_CANDIDATES, POSTER_SCAN_STRIDE,
                                  &detail);
    avcodec_free_context(&dec);
    if (found != NULL)
        keep_better(best, best_detail, found, detail);
}

static int video_poster(aw_ctx *ctx, aw_av_input *in, aw_error *err)
{
    AVCodecContext *dec = NULL;
    if (aw_av_check_frame_pixels(ctx, in, err) != AW_OK ||
        aw_av_open_decoder(ctx, in, in->video, false, &dec, err) != AW_OK)
        return AW_ERROR;
    AVFrame *frame = av_frame_alloc();
    double detail = -1.0;
    VipsImage *poster = frame ? poster_frame(in, dec, frame, &detail) : NULL;
    avcodec_free_context(&dec);
    if (detail < POSTER_DETAIL_ENOUGH && frame != NULL)
        first_frames(ctx, in, frame, &poster, &detail);
    int rc;
    if (poster == NULL) {
        rc = aw_av_fail(err, AW_CODE_PROCESSING_FAILED, aw_av_damaged(in) ? "corrupt" : "no_frame",
                        in->read_error, "no video frame could be decoded");
    } else {
        rc = aw_thumbnail_write_all(ctx, poster, err);
        g_object_unref(poster);
    }
    av_frame_free(&frame);
    return rc;
}

/* The attached picture is a JPEG or PNG file inside the container. */
static int cover_art(aw_ctx *ctx, aw_av_input *in, aw_error *err)
{
    const AVPacket *pic = &in->fmt->streams[in->cover]->attached_pic;
    if (pic->data == NULL || pic->size <= 0)
        return AW_DECLINED;
    return aw_thumbnail_write_from_buffer(ctx, pic->data, (size_t)pic->size, "cover art", err);
}

/* Video: poster frame. Audio: cover art when there is one, else nothing
 * to show (declined, not an error); when FFmpeg refuses the file, the
 * cover art TagLib finds. */
static int av_thumbnail_run(aw_ctx *ctx, aw_error *err)
{
    aw_av_input in;
    if (aw_av_open(ctx, &in, err) != AW_OK) {
        aw_error refused = *err; /* damaged: TagLib may still find the cover */
        return aw_av_salvage_cover(ctx, &refused, err);
    }
    int rc = AW_DECLINED;
    if (in.video >= 0)
        rc = video_poster(ctx, &in, err);
    else if (in.cover >= 0)
        rc = cover_art(ctx, &in, err);
    aw_av_close(&in);
    return rc;
}

const aw_stage aw_stage_av_thumbnail = {
    .name = "av.thumbnail",
    .kind = AW_STAGE_THUMBNAIL,
    .families = AW_FAMILY_VIDEO | AW_FAMILY_AUDIO,
    .init_global = aw_av_init,
    .exit_global = NULL,
    .execute = av_thumbnail_run,
};
