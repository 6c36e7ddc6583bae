/* av_lane.c — setting up one lane of a clip: decoder, filter graph
 * (trim, rotation, scale / resample), encoder. */
#include "av_clip.h"

#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/opt.h>
#include <stdio.h>

/* Builds src → description → sink. */
static int build_graph(aw_lane *lane, const char *source, const char *src_args,
                       const char *sink_name, const char *description, aw_error *err)
{
    AVFilterInOut *outputs = avfilter_inout_alloc(), *inputs = avfilter_inout_alloc();
    lane->graph = avfilter_graph_alloc();
    int rc = (outputs && inputs && lane->graph) ? 0 : AVERROR(ENOMEM);
    if (rc == 0)
        rc = avfilter_graph_create_filter(&lane->src, avfilter_get_by_name(source), "in", src_args,
                                          NULL, lane->graph);
    if (rc >= 0)
        rc = avfilter_graph_create_filter(&lane->sink, avfilter_get_by_name(sink_name), "out", NULL,
                                          NULL, lane->graph);
    if (rc >= 0) {
        lane->graph->nb_threads = 1;
        outputs->name = av_strdup("in"), outputs->filter_ctx = lane->src;
        inputs->name = av_strdup("out"), inputs->filter_ctx = lane->sink;
        rc = avfilter_graph_parse_ptr(lane->graph, description, &inputs, &outputs, NULL);
    }
    if (rc >= 0)
        rc = avfilter_graph_config(lane->graph, NULL);
    avfilter_inout_free(&inputs);
    avfilter_inout_free(&outputs);
    return rc < 0 ? aw_av_fail(err, AW_CODE_PROCESSING_FAILED, "filter", rc,
                               "cannot set up the filters")
                  : AW_OK;
}

/* "trim=start=…:duration=…" for the lane's window, in input time. */
static void trim_args(const aw_av_input *in, const aw_lane *lane, const aw_clip_spec *spec,
                      char *buf, size_t size)
{
    if (spec->start > 0)
        snprintf(buf, size, "start=%.6f:duration=%.6f",
                 aw_av_stream_start(in, lane->index) + spec->start, spec->seconds);
    else
        snprintf(buf, size, "duration=%.6f", spec->seconds);
}

static const char *rotation_filters(int rotation)
{
    return rotation == 90    ? "transpose=clock,"
           : rotation == 180 ? "hflip,vflip,"
           : rotation == 270 ? "transpose=cclock,"
                             : "";
}

static int open_encoder(aw_lane *lane, const AVCodec *codec, AVDictionary **opts, aw_error *err)
{
    int rc = avcodec_open2(lane->enc, codec, opts);
    av_dict_free(opts);
    if (rc < 0)
        return aw_av_fail(err, AW_CODE_PROCESSING_FAILED, "encoder", rc, "cannot open the encoder");
    return AW_OK;
}

static int video_graph(aw_av_input *in, const aw_clip_spec *spec, aw_lane *lane, aw_error *err)
{
    const AVStream *st = in->fmt->streams[lane->index];
    AVRational sar = lane->dec->sample_aspect_ratio;
    char args[256], trim[96], fps[32] = "", description[512];
    snprintf(args, sizeof args, "video_size=%dx%d:pix_fmt=%d:time_base=%d/%d:pixel_aspect=%d/%d",
             lane->dec->width, lane->dec->height, lane->dec->pix_fmt, st->time_base.num,
             st->time_base.den, sar.num > 0 ? sar.num : 1, sar.den > 0 ? sar.den : 1);
    trim_args(in, lane, spec, trim, sizeof trim);
    double rate = av_q2d(av_guess_frame_rate(in->fmt, (AVStream *)st, NULL));
    if (spec->max_fps > 0 && (rate <= 0 || rate > spec->max_fps + 0.01))
        snprintf(fps, sizeof fps, "fps=%g,", spec->max_fps);
    snprintf(description, sizeof description,
             "trim=%s,setpts=PTS-STARTPTS,%sscale=%d:%d:flags=bicubic,setsar=1,%sformat=yuv420p",
             trim, rotation_filters(aw_av_rotation(st)), spec->width, spec->height, fps);
    return build_graph(lane, "buffer", args, "buffersink", description, err);
}

static int video_encoder(const aw_clip_spec *spec, aw_lane *lane, AVRational guessed_rate,
                         aw_error *err)
{
    const AVCodec *codec = avcodec_find_encoder_by_name("libx264");
    if (codec == NULL)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "encoder",
                            "FFmpeg has no libx264 encoder");
    lane->enc = avcodec_alloc_context3(codec);
    if (lane->enc == NULL)
        return aw_av_fail(err, AW_CODE_PROCESSING_FAILED, "memory", AVERROR(ENOMEM), "encoder");
    lane->enc->width = av_buffersink_get_w(lane->sink);
    lane->enc->height = av_buffersink_get_h(lane->sink);
    lane->enc->pix_fmt = av_buffersink_get_format(lane->sink);
    lane->enc->sample_aspect_ratio = (AVRational){1, 1};
    lane->enc->time_base = av_buffersink_get_time_base(lane->sink);
    lane->enc->framerate = av_buffersink_get_frame_rate(lane->sink);
    if (lane->enc->framerate.num <= 0 || lane->enc->framerate.den <= 0)
        lane->enc->framerate = guessed_rate.num > 0 ? guessed_rate : (AVRational){25, 1};
    lane->enc->thread_count = spec->threads;
    lane->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER; /* MP4 keeps SPS/PPS in avcC */
    AVDictionary *opts = NULL;
    char crf[16];
    snprintf(crf, sizeof crf, "%d", spec->crf);
    av_dict_set(&opts, "preset", spec->preset, 0);
    av_dict_set(&opts, "crf", crf, 0);
    return open_encoder(lane, codec, &opts, err);
}

int aw_lane_open_video(const aw_ctx *ctx, aw_av_input *in, const aw_clip_spec *spec, aw_lane *lane,
                       aw_error *err)
{
    lane->index = in->video;
    lane->end_time = aw_av_stream_start(in, lane->index) + spec->start + spec->seconds;
    if (aw_av_open_decoder(ctx, in, lane->index, true, &lane->dec, err) != AW_OK)
        return AW_ERROR;
    if (lane->dec->pix_fmt == AV_PIX_FMT_NONE || lane->dec->width <= 0)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "corrupt",
                            "the video track does not say its frame format");
    if (video_graph(in, spec, lane, err) != AW_OK)
        return AW_ERROR;
    AVStream *st = in->fmt->streams[lane->index];
    return video_encoder(spec, lane, av_guess_frame_rate(in->fmt, st, NULL), err);
}

/* AAC's nearest supported rate at or above the source (at most 48 kHz). */
static int aac_rate(const AVCodec *codec, int source)
{
    int best = 48000;
    for (const int *r = codec->supported_samplerates; r != NULL && *r != 0; r++)
        if (*r >= source && *r < best)
            best = *r;
    return best;
}

static int audio_graph(aw_av_input *in, const aw_clip_spec *spec, aw_lane *lane, int rate,
                       bool mono, aw_error *err)
{
    AVChannelLayout layout;
    if (lane->dec->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC)
        av_channel_layout_default(&layout, lane->dec->ch_layout.nb_channels);
    else
        av_channel_layout_copy(&layout, &lane->dec->ch_layout);
    char layout_name[96], args[256], trim[96], description[384];
    av_channel_layout_describe(&layout, layout_name, sizeof layout_name);
    av_channel_layout_uninit(&layout);
    const AVStream *st = in->fmt->streams[lane->index];
    snprintf(args, sizeof args, "time_base=%d/%d:sample_rate=%d:sample_fmt=%s:channel_layout=%s",
             st->time_base.num, st->time_base.den, lane->dec->sample_rate,
             av_get_sample_fmt_name(lane->dec->sample_fmt), layout_name);
    trim_args(in, lane, spec, trim, sizeof trim);
    snprintf(description, sizeof description,
             "atrim=%s,asetpts=PTS-STARTPTS,aresample=%d,"
             "aformat=sample_fmts=fltp:channel_layouts=%s",
             trim, rate, mono ? "mono" : "stereo");
    return build_graph(lane, "abuffer", args, "abuffersink", description, err);
}

int aw_lane_open_audio(const aw_ctx *ctx, aw_av_input *in, const aw_clip_spec *spec, aw_lane *lane,
                       aw_error *err)
{
    lane->index = in->audio;
    lane->end_time = aw_av_stream_start(in, lane->index) + spec->start + spec->seconds;
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_AAC);
    if (codec == NULL)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "encoder", "FFmpeg has no AAC encoder");
    if (aw_av_open_decoder(ctx, in, lane->index, true, &lane->dec, err) != AW_OK)
        return AW_ERROR;
    if (lane->dec->sample_rate <= 0 || lane->dec->ch_layout.nb_channels <= 0 ||
        lane->dec->sample_fmt == AV_SAMPLE_FMT_NONE)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "corrupt",
                            "the audio track does not say its sample format");
    bool mono = lane->dec->ch_layout.nb_channels == 1;
    int rate = aac_rate(codec, lane->dec->sample_rate);
    if (audio_graph(in, spec, lane, rate, mono, err) != AW_OK)
        return AW_ERROR;
    lane->enc = avcodec_alloc_context3(codec);
    if (lane->enc == NULL)
        return aw_av_fail(err, AW_CODE_PROCESSING_FAILED, "memory", AVERROR(ENOMEM), "encoder");
    lane->enc->sample_rate = rate;
    lane->enc->sample_fmt = AV_SAMPLE_FMT_FLTP;
    av_channel_layout_default(&lane->enc->ch_layout, mono ? 1 : 2);
    lane->enc->bit_rate = spec->audio_bitrate;
    lane->enc->time_base = (AVRational){1, rate};
    lane->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    AVDictionary *opts = NULL;
    if (open_encoder(lane, codec, &opts, err) != AW_OK)
        return AW_ERROR;
    av_buffersink_set_frame_size(lane->sink, (unsigned)lane->enc->frame_size);
    return AW_OK;
}

void aw_lane_close(aw_lane *lane)
{
    avfilter_graph_free(&lane->graph);
    avcodec_free_context(&lane->dec);
    avcodec_free_context(&lane->enc);
}
