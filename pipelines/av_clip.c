/* av_clip.c — the clip's main loop: packets read once, each lane decodes,
 * filters and encodes its own stream, the MP4 muxer interleaves them and
 * moves the index to the front (faststart) at the end. */
#include "av_clip.h"

#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <math.h>

typedef struct clip {
    aw_ctx *ctx;
    aw_av_input *in;
    const aw_clip_spec *spec;
    AVFormatContext *out;
    aw_lane lanes[2]; /* video, audio */
    AVFrame *frame;
    AVPacket *packet;
    double reported; /* last progress fraction reported */
} clip;

static aw_lane *lane_of(clip *c, int stream_index)
{
    for (int i = 0; i < 2; i++)
        if (c->lanes[i].index >= 0 && c->lanes[i].index == stream_index)
            return &c->lanes[i];
    return NULL;
}

/* Every packet the encoder has, into the muxer. */
static int write_packets(clip *c, aw_lane *lane)
{
    for (;;) {
        int rc = avcodec_receive_packet(lane->enc, c->packet);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF)
            return 0;
        if (rc < 0)
            return rc;
        if (c->packet->duration <= 0 && lane->enc->framerate.num > 0) /* libx264 leaves it 0 */
            c->packet->duration = av_rescale_q(1, av_inv_q(lane->enc->framerate),
                                               lane->enc->time_base);
        lane->packets++;
        int64_t end = c->packet->pts + c->packet->duration;
        if (end > lane->end_pts)
            lane->end_pts = end;
        c->packet->stream_index = lane->out->index;
        av_packet_rescale_ts(c->packet, lane->enc->time_base, lane->out->time_base);
        rc = av_interleaved_write_frame(c->out, c->packet);
        if (rc < 0)
            return rc;
    }
}

/* Every frame the graph has, into the encoder (NULL frame at the end). */
static int encode_filtered(clip *c, aw_lane *lane, bool flush)
{
    for (;;) {
        int rc = av_buffersink_get_frame(lane->sink, c->frame);
        if (rc == AVERROR(EAGAIN) || (rc == AVERROR_EOF && !flush))
            return 0;
        if (rc == AVERROR_EOF)
            break;
        if (rc < 0)
            return rc;
        c->frame->pict_type = AV_PICTURE_TYPE_NONE;
        rc = avcodec_send_frame(lane->enc, c->frame);
        av_frame_unref(c->frame);
        if (rc >= 0)
            rc = write_packets(c, lane);
        if (rc < 0)
            return rc;
    }
    int rc = avcodec_send_frame(lane->enc, NULL);
    return rc < 0 ? rc : write_packets(c, lane);
}

static void report_progress(clip *c, const aw_lane *lane, const AVFrame *frame)
{
    const AVStream *st = c->in->fmt->streams[lane->index];
    double t = (double)frame->best_effort_timestamp * av_q2d(st->time_base) -
               aw_av_stream_start(c->in, lane->index) - c->spec->start;
    double fraction = t / c->spec->seconds;
    if (lane == &c->lanes[0] || c->lanes[0].index < 0) { /* the video lane leads */
        if (fraction - c->reported >= 0.1) {
            c->reported = fraction;
            aw_ctx_progress(c->ctx, fraction);
        }
    }
}

/* Every frame the decoder has, through the graph. Frames past the window
 * end the lane's input. */
static int filter_decoded(clip *c, aw_lane *lane)
{
    const AVStream *st = c->in->fmt->streams[lane->index];
    for (;;) {
        int rc = avcodec_receive_frame(lane->dec, c->frame);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF)
            return 0;
        if (aw_av_skip_damage(c->in, rc))
            continue;
        if (rc < 0)
            return rc;
        c->frame->pts = c->frame->best_effort_timestamp;
        if (c->frame->pts != AV_NOPTS_VALUE &&
            (double)c->frame->pts * av_q2d(st->time_base) >= lane->end_time) {
            lane->input_done = true;
            av_frame_unref(c->frame);
            continue;
        }
        report_progress(c, lane, c->frame);
        rc = av_buffersrc_add_frame(lane->src, c->frame); /* takes the frame's data */
        if (rc >= 0)
            rc = encode_filtered(c, lane, false);
        if (rc < 0)
            return rc;
    }
}

static bool inputs_done(const clip *c)
{
    return (c->lanes[0].index < 0 || c->lanes[0].input_done) &&
           (c->lanes[1].index < 0 || c->lanes[1].input_done);
}

/* Reads packets until every lane has its window (or the file ends). */
static int run_lanes(clip *c)
{
    while (!inputs_done(c)) {
        int rc = av_read_frame(c->in->fmt, c->in->packet);
        if (rc < 0) {
            if (rc != AVERROR_EOF)
                c->in->read_error = rc; /* damage: keep what was decoded */
            return 0;
        }
        aw_lane *lane = lane_of(c, c->in->packet->stream_index);
        if (lane == NULL || lane->input_done) {
            av_packet_unref(c->in->packet);
            continue;
        }
        rc = avcodec_send_packet(lane->dec, c->in->packet);
        av_packet_unref(c->in->packet);
        if (aw_av_skip_damage(c->in, rc))
            continue;
        if (rc >= 0)
            rc = filter_decoded(c, lane);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Decoders drained, graphs closed, encoders flushed. */
static int finish_lanes(clip *c)
{
    for (int i = 0; i < 2; i++) {
        aw_lane *lane = &c->lanes[i];
        if (lane->index < 0)
            continue;
        int rc = 0;
        if (!lane->input_done && avcodec_send_packet(lane->dec, NULL) >= 0)
            rc = filter_decoded(c, lane);
        if (rc >= 0)
            rc = av_buffersrc_add_frame(lane->src, NULL);
        if (rc >= 0)
            rc = encode_filtered(c, lane, true);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int add_output_stream(clip *c, aw_lane *lane)
{
    lane->out = avformat_new_stream(c->out, NULL);
    if (lane->out == NULL)
        return AVERROR(ENOMEM);
    lane->out->time_base = lane->enc->time_base;
    return avcodec_parameters_from_context(lane->out->codecpar, lane->enc);
}

static int open_output(clip *c, const char *path, aw_error *err)
{
    int rc = avformat_alloc_output_context2(&c->out, NULL, "mp4", path);
    for (int i = 0; i < 2 && rc >= 0; i++)
        if (c->lanes[i].index >= 0)
            rc = add_output_stream(c, &c->lanes[i]);
    if (rc >= 0)
        rc = avio_open(&c->out->pb, path, AVIO_FLAG_WRITE);
    AVDictionary *opts = NULL;
    av_dict_set(&opts, "movflags", "+faststart", 0);
    if (rc >= 0)
        rc = avformat_write_header(c->out, &opts);
    av_dict_free(&opts);
    if (rc < 0)
        return aw_av_fail(err, AW_CODE_PROCESSING_FAILED, "write", rc, "cannot start the clip");
    return AW_OK;
}

static int open_lanes(clip *c, aw_error *err)
{
    const aw_clip_spec *spec = c->spec;
    if (spec->video && aw_lane_open_video(c->ctx, c->in, spec, &c->lanes[0], err) != AW_OK)
        return AW_ERROR;
    if (spec->audio && aw_lane_open_audio(c->ctx, c->in, spec, &c->lanes[1], err) != AW_OK)
        return AW_ERROR;
    for (unsigned i = 0; i < c->in->fmt->nb_streams; i++) /* demux only what is used */
        c->in->fmt->streams[i]->discard = lane_of(c, (int)i) ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    if (spec->start > 0) /* the keyframe at or before the window; trim cuts the rest */
        aw_av_seek(c->in, NULL, spec->start);
    return AW_OK;
}

/* Length of the clip: the longest lane. */
static double clip_seconds(const clip *c)
{
    double longest = 0;
    for (int i = 0; i < 2; i++)
        if (c->lanes[i].index >= 0 && c->lanes[i].enc != NULL) {
            double s = (double)c->lanes[i].end_pts * av_q2d(c->lanes[i].enc->time_base);
            longest = s > longest ? s : longest;
        }
    return longest;
}

static int encode_clip(clip *c, const char *path, aw_error *err)
{
    if (open_lanes(c, err) != AW_OK || open_output(c, path, err) != AW_OK)
        return AW_ERROR;
    int rc = run_lanes(c);
    if (rc >= 0)
        rc = finish_lanes(c);
    if (rc >= 0)
        rc = av_write_trailer(c->out);
    if (rc < 0)
        return aw_av_fail(err, AW_CODE_PROCESSING_FAILED, "encode", rc, "cannot encode the clip");
    double expected = fmin(c->spec->seconds, aw_av_duration(c->in) - c->spec->start);
    if (aw_av_damaged(c->in) && clip_seconds(c) < expected - 1.0)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "corrupt",
                            "the file is damaged: the clip stops at %.2f s of %.2f s",
                            clip_seconds(c), expected);
    if (c->lanes[0].packets + c->lanes[1].packets > 0)
        return AW_OK;
    if (aw_av_damaged(c->in))
        return aw_av_fail(err, AW_CODE_PROCESSING_FAILED, "corrupt", c->in->read_error,
                          "nothing could be decoded for the clip");
    return aw_error_set(err, AW_CODE_PROCESSING_FAILED, c->spec->video ? "no_frame" : "no_audio",
                        "the %s track holds nothing to decode (empty): no clip",
                        c->spec->video ? "video" : "audio");
}

int aw_clip_write(aw_ctx *ctx, aw_av_input *in, const aw_clip_spec *spec, const char *path,
                  double *seconds, aw_error *err)
{
    clip c = {.ctx = ctx, .in = in, .spec = spec, .lanes = {{.index = -1}, {.index = -1}}};
    c.frame = av_frame_alloc();
    c.packet = av_packet_alloc();
    int rc = (c.frame && c.packet)
                 ? encode_clip(&c, path, err)
                 : aw_av_fail(err, AW_CODE_PROCESSING_FAILED, "memory", AVERROR(ENOMEM), "clip");
    *seconds = clip_seconds(&c);
    for (int i = 0; i < 2; i++)
        aw_lane_close(&c.lanes[i]);
    if (c.out != NULL) {
        avio_closep(&c.out->pb);
        avformat_free_context(c.out);
    }
    av_frame_free(&c.frame);
    av_packet_free(&c.packet);
    return rc;
}
