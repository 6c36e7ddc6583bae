/* av_preview.c — the preview stage: a short clip to play before the full
 * file. Video: the first seconds, at most 480p, H.264 + AAC in MP4 with
 * faststart (no audio track when the source has none). Audio: AAC in M4A
 * from a representative window. */
#include "av_clip.h"

#include <math.h>
#include <unistd.h>

#define AW_PREVIEW_MAX_FPS 30.0
#define AW_PREVIEW_VIDEO_AUDIO_BPS 96000
#define AW_PREVIEW_AUDIO_BPS 128000

/* Fits the shown size into a 16:9 box of `lines` (landscape or portrait),
 * never enlarging, both sides even (4:2:0 needs it). */
void aw_preview_size(int shown_w, int shown_h, int lines, int *w, int *h)
{
    int long_side = (lines * 16 + 8) / 9, box_w, box_h;
    box_w = shown_w >= shown_h ? long_side : lines;
    box_h = shown_w >= shown_h ? lines : long_side;
    double scale = fmin(1.0, fmin((double)box_w / shown_w, (double)box_h / shown_h));
    *w = (int)fmin(2 * lround(shown_w * scale / 2), shown_w & ~1); /* nearest even, */
    *h = (int)fmin(2 * lround(shown_h * scale / 2), shown_h & ~1); /* never above the source */
    *w = *w < 2 ? 2 : *w;
    *h = *h < 2 ? 2 : *h;
}

/* Audio: the window starts a third into tracks longer than three clips
 * (past intros), at the start otherwise. */
double aw_preview_audio_start(double duration, double seconds)
{
    return duration > 3 * seconds ? floor(duration / 3) : 0.0;
}

static bool can_decode(const aw_av_input *in, int index)
{
    return index >= 0 && avcodec_find_decoder(in->fmt->streams[index]->codecpar->codec_id) != NULL;
}

static void video_spec(const aw_ctx *ctx, const aw_av_input *in, aw_clip_spec *spec)
{
    int shown_w, shown_h;
    aw_av_display_size(in->fmt->streams[in->video], true, &shown_w, &shown_h);
    aw_preview_size(shown_w, shown_h, ctx->config->preview_height, &spec->width, &spec->height);
    spec->video = true;
    spec->audio = can_decode(in, in->audio);
    spec->seconds = ctx->config->preview_seconds;
    spec->max_fps = AW_PREVIEW_MAX_FPS;
    spec->crf = ctx->config->preview_crf;
    spec->preset = "veryfast";
    spec->audio_bitrate = AW_PREVIEW_VIDEO_AUDIO_BPS;
}

static void audio_spec(const aw_ctx *ctx, const aw_av_input *in, aw_clip_spec *spec)
{
    spec->audio = true;
    spec->seconds = ctx->config->audio_preview_seconds;
    spec->start = aw_preview_audio_start(aw_av_duration(in), spec->seconds);
    spec->audio_bitrate = AW_PREVIEW_AUDIO_BPS;
}

static void record(aw_ctx *ctx, const aw_clip_spec *spec, const char *file, const char *path,
                   double seconds)
{
    char key[512];
    aw_ctx_output_key(ctx, file, key, sizeof key);
    json_t *v = json_pack("{s:s,s:f,s:s,s:I}", "key", key, "duration", round(seconds * 1000) / 1000,
                          "contentType", spec->video ? "video/mp4" : "audio/mp4", "bytes",
                          (json_int_t)aw_output_bytes(path));
    if (spec->video) {
        json_object_set_new(v, "width", json_integer(spec->width));
        json_object_set_new(v, "height", json_integer(spec->height));
    }
    if (spec->start > 0)
        json_object_set_new(v, "start", json_real(spec->start));
    json_object_set_new(ctx->result->variants, "previews", v);
}

static int write_preview(aw_ctx *ctx, aw_av_input *in, aw_error *err)
{
    aw_clip_spec spec = {.threads = ctx->config->codec_threads};
    if (in->video >= 0) {
        if (aw_av_check_frame_pixels(ctx, in, err) != AW_OK)
            return AW_ERROR;
        video_spec(ctx, in, &spec);
    } else if (can_decode(in, in->audio)) {
        audio_spec(ctx, in, &spec);
    } else {
        return in->audio >= 0 ? aw_error_set(err, AW_CODE_PROCESSING_FAILED, "unsupported_codec",
                                             "no decoder for the audio track")
                              : AW_DECLINED;
    }
    const char *file = spec.video ? "preview.mp4" : "preview.m4a";
    char path[4096];
    aw_ctx_output_path(ctx, file, path, sizeof path);
    double seconds = 0;
    if (aw_clip_write(ctx, in, &spec, path, &seconds, err) != AW_OK) {
        unlink(path);
        return AW_ERROR;
    }
    record(ctx, &spec, file, path, seconds);
    return AW_OK;
}

static int av_preview_run(aw_ctx *ctx, aw_error *err)
{
    aw_av_input in;
    if (aw_av_open(ctx, &in, err) != AW_OK)
        return AW_ERROR;
    int rc = write_preview(ctx, &in, err);
    aw_av_close(&in);
    return rc;
}

const aw_stage aw_stage_av_preview = {
    .name = "av.preview",
    .kind = AW_STAGE_PREVIEW,
    .families = AW_FAMILY_VIDEO | AW_FAMILY_AUDIO,
    .init_global = aw_av_init,
    .exit_global = NULL,
    .execute = av_preview_run,
};
