/* av.c — opening an upload with FFmpeg safely, and the helpers every
 * audio/video stage uses. */
#include "av.h"

#include <libavutil/display.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* The one demuxer each accepted container group is read with. FFmpeg never
 * probes: a file libmagic calls MP4 is read as MP4 or not at all, so a
 * playlist (hls), a concat list or an image2 pattern can never be chosen. */
static const struct {
    const char *group, *demuxer;
} demuxers[] = {
    {"isobmff", "mov"},   {"matroska", "matroska"}, {"riff-avi", "avi"}, {"mpeg-audio", "mp3"},
    {"riff-wave", "wav"}, {"ogg", "ogg"},           {"aac", "aac"},      {"flac", "flac"},
};

#define AW_AV_MAX_BAD_PACKETS 200

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char last_log[256];

/* FFmpeg's messages: the last error is kept for the job's error message;
 * nothing is printed (a hostile file can make FFmpeg very talkative). */
static void keep_log_line(void *avcl, int level, const char *fmt, va_list args)
{
    (void)avcl;
    if (level > AV_LOG_ERROR)
        return;
    char line[sizeof last_log];
    vsnprintf(line, sizeof line, fmt, args);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    if (n == 0)
        return;
    pthread_mutex_lock(&log_lock);
    memcpy(last_log, line, n + 1);
    pthread_mutex_unlock(&log_lock);
}

void aw_av_reset_log(void)
{
    pthread_mutex_lock(&log_lock);
    last_log[0] = '\0';
    pthread_mutex_unlock(&log_lock);
}

int aw_av_init(const aw_config *cfg, aw_error *err)
{
    (void)cfg;
    (void)err;
    av_log_set_callback(keep_log_line);
    av_log_set_level(AV_LOG_ERROR);
    return AW_OK;
}

int aw_av_fail(aw_error *err, aw_code code, const char *reason, int averr, const char *what)
{
    char detail[AV_ERROR_MAX_STRING_SIZE] = "";
    if (averr < 0)
        av_strerror(averr, detail, sizeof detail);
    pthread_mutex_lock(&log_lock);
    aw_error_set(err, code, reason, "%s: %s%s%s", what, detail[0] ? detail : "failed",
                 last_log[0] ? "; " : "", last_log);
    pthread_mutex_unlock(&log_lock);
    return AW_ERROR;
}

bool aw_av_damaged(const aw_av_input *in)
{
    pthread_mutex_lock(&log_lock);
    bool logged = last_log[0] != '\0';
    pthread_mutex_unlock(&log_lock);
    return in->read_error != 0 || in->bad_packets > 0 || logged;
}

static const char *demuxer_for(const aw_ctx *ctx)
{
    const aw_media_type *media = ctx->result->media;
    for (size_t i = 0; media != NULL && i < sizeof demuxers / sizeof demuxers[0]; i++)
        if (strcmp(demuxers[i].group, media->group) == 0)
            return demuxers[i].demuxer;
    return NULL;
}

/* io_open of the input context: the uploaded file is already open, and no
 * demuxer may reach any other file (HLS segments, concat entries, MOV data
 * references, DASH manifests …). */
static int refuse_nested_open(AVFormatContext *s, AVIOContext **pb, const char *url, int flags,
                              AVDictionary **options)
{
    (void)pb, (void)flags, (void)options;
    av_log(s, AV_LOG_ERROR, "refused to open '%.80s': only the uploaded file may be read\n", url);
    return AVERROR(EPERM);
}

static int first_stream(const AVFormatContext *fmt, enum AVMediaType type, bool cover)
{
    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        const AVStream *st = fmt->streams[i];
        bool is_cover = (st->disposition & AV_DISPOSITION_ATTACHED_PIC) != 0;
        if (st->codecpar->codec_type == type && is_cover == cover)
            return (int)i;
    }
    return -1;
}

static void find_tracks(aw_av_input *in)
{
    in->video = first_stream(in->fmt, AVMEDIA_TYPE_VIDEO, false);
    in->cover = first_stream(in->fmt, AVMEDIA_TYPE_VIDEO, true);
    in->audio = av_find_best_stream(in->fmt, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    if (in->audio < 0)
        in->audio = -1;
}

static int open_demuxer(const aw_ctx *ctx, aw_av_input *in, const AVInputFormat *ifmt,
                        const char *name, aw_error *err)
{
    in->fmt = avformat_alloc_context();
    if (in->fmt == NULL)
        return aw_av_fail(err, AW_CODE_PROCESSING_FAILED, "memory", AVERROR(ENOMEM), "FFmpeg");
    in->fmt->pb = in->io;
    in->fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
    in->fmt->io_open = refuse_nested_open;
    in->fmt->protocol_whitelist = av_strdup("file");
    in->fmt->format_whitelist = av_strdup(name);
    AVDictionary *opts = NULL;
    if (strcmp(name, "mov") == 0)
        av_dict_set(&opts, "export_xmp", "1", 0); /* XMP uuid box → "xmp" tag (titles) */
    int rc = avformat_open_input(&in->fmt, ctx->input_path, ifmt, &opts);
    av_dict_free(&opts);
    if (rc < 0) /* the context is freed by FFmpeg on failure */
        return aw_av_fail(err, AW_CODE_PROCESSING_FAILED, "corrupt", rc, "cannot read the file");
    rc = avformat_find_stream_info(in->fmt, NULL);
    if (rc < 0)
        return aw_av_fail(err, AW_CODE_PROCESSING_FAILED, "corrupt", rc,
                          "cannot read the stream headers");
    return AW_OK;
}

int aw_av_open(const aw_ctx *ctx, aw_av_input *in, aw_error *err)
{
    *in = (aw_av_input){.video = -1, .audio = -1, .cover = -1};
    aw_av_reset_log();
    const char *name = demuxer_for(ctx);
    const AVInputFormat *ifmt = name ? av_find_input_format(name) : NULL;
    if (ifmt == NULL)
        return aw_error_set(err, AW_CODE_INVALID_FILE_TYPE, "demuxer",
                            "no audio/video demuxer is enabled for this type");
    AVDictionary *opts = NULL;
    av_dict_set(&opts, "protocol_whitelist", "file", 0);
    char url[4200];
    snprintf(url, sizeof url, "file:%s", ctx->input_path);
    int rc = avio_open2(&in->io, url, AVIO_FLAG_READ, NULL, &opts);
    av_dict_free(&opts);
    in->packet = av_packet_alloc();
    if (rc < 0 || in->packet == NULL) {
        aw_av_close(in);
        return aw_av_fail(err, AW_CODE_STORAGE_ERROR, "unreadable", rc, "cannot open the file");
    }
    if (open_demuxer(ctx, in, ifmt, name, err) != AW_OK) {
        aw_av_close(in);
        return AW_ERROR;
    }
    find_tracks(in);
    return AW_OK;
}

void aw_av_close(aw_av_input *in)
{
    if (in->fmt != NULL)
        avformat_close_input(&in->fmt);
    avio_closep(&in->io); /* opened by avio_open2: buffer and protocol closed too */
    av_packet_free(&in->packet);
}

double aw_av_duration(const aw_av_input *in)
{
    if (in->fmt == NULL || in->fmt->duration == AV_NOPTS_VALUE || in->fmt->duration <= 0)
        return -1.0;
    return (double)in->fmt->duration / AV_TIME_BASE;
}

double aw_av_stream_start(const aw_av_input *in, int index)
{
    const AVStream *st = in->fmt->streams[index];
    return st->start_time == AV_NOPTS_VALUE ? 0.0 : (double)st->start_time * av_q2d(st->time_base);
}

int aw_av_check_frame_pixels(const aw_ctx *ctx, const aw_av_input *in, aw_error *err)
{
    if (in->video < 0)
        return AW_OK;
    const AVCodecParameters *par = in->fmt->streams[in->video]->codecpar;
    uint64_t pixels = (uint64_t)(par->width > 0 ? par->width : 0) *
                      (uint64_t)(par->height > 0 ? par->height : 0);
    uint64_t limit = ctx->config->limits.max_video_pixels;
    if (pixels > limit)
        return aw_error_set(err, AW_CODE_FILE_TOO_LARGE, "frame_pixels",
                            "video frames are %dx%d = %llu pixels, over the limit of %llu",
                            par->width, par->height, (unsigned long long)pixels,
                            (unsigned long long)limit);
    return AW_OK;
}

int aw_av_open_decoder(const aw_ctx *ctx, aw_av_input *in, int index, bool keep_others,
                       AVCodecContext **out, aw_error *err)
{
    AVStream *st = in->fmt->streams[index];
    const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
    if (codec == NULL)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "unsupported_codec",
                            "no decoder for codec %s", avcodec_get_name(st->codecpar->codec_id));
    AVCodecContext *dec = avcodec_alloc_context3(codec);
    if (dec == NULL)
        return aw_av_fail(err, AW_CODE_PROCESSING_FAILED, "memory", AVERROR(ENOMEM), "decoder");
    int rc = avcodec_parameters_to_context(dec, st->codecpar);
    dec->pkt_timebase = st->time_base;
    dec->thread_count = ctx->config->codec_threads;
    dec->max_pixels = (int64_t)ctx->config->limits.max_video_pixels;
    if (rc >= 0)
        rc = avcodec_open2(dec, codec, NULL);
    if (rc < 0) {
        avcodec_free_context(&dec);
        return aw_av_fail(err, AW_CODE_PROCESSING_FAILED, "decoder", rc, "cannot open the decoder");
    }
    for (unsigned i = 0; i < in->fmt->nb_streams && !keep_others; i++)
        in->fmt->streams[i]->discard = (int)i == index ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    *out = dec;
    return AW_OK;
}

bool aw_av_skip_damage(aw_av_input *in, int rc)
{
    return rc == AVERROR_INVALIDDATA && ++in->bad_packets <= AW_AV_MAX_BAD_PACKETS;
}

/* Reads the next packet of stream `index` into the decoder (or flushes it
 * at the end). 0, or a negative AVERROR other than EOF. */
static int feed_decoder(aw_av_input *in, int index, AVCodecContext *dec)
{
    for (;;) {
        int rc = av_read_frame(in->fmt, in->packet);
        if (rc < 0) { /* end of file, or damage the demuxer cannot pass: what was read stands */
            if (rc != AVERROR_EOF)
                in->read_error = rc;
            in->drained = true;
            return avcodec_send_packet(dec, NULL);
        }
        if (in->packet->stream_index != index) {
            av_packet_unref(in->packet);
            continue;
        }
        rc = avcodec_send_packet(dec, in->packet);
        av_packet_unref(in->packet);
        if (aw_av_skip_damage(in, rc))
            continue;
        return rc;
    }
}

int aw_av_next_frame(aw_av_input *in, int index, AVCodecContext *dec, AVFrame *frame)
{
    for (;;) {
        int rc = avcodec_receive_frame(dec, frame);
        if (aw_av_skip_damage(in, rc))
            continue;
        if (rc != AVERROR(EAGAIN))
            return rc;
        if (in->drained)
            return AVERROR_EOF;
        rc = feed_decoder(in, index, dec);
        if (rc < 0 && rc != AVERROR_EOF)
            return rc;
    }
}

int aw_av_seek(aw_av_input *in, AVCodecContext *dec, double seconds)
{
    int64_t ts = (int64_t)(seconds * AV_TIME_BASE);
    if (in->fmt->start_time != AV_NOPTS_VALUE)
        ts += in->fmt->start_time;
    int rc = avformat_seek_file(in->fmt, -1, INT64_MIN, ts, ts, 0);
    if (rc >= 0) {
        if (dec != NULL)
            avcodec_flush_buffers(dec);
        in->drained = false;
    }
    return rc;
}

int aw_av_rotation(const AVStream *st)
{
    const int32_t *matrix = (const int32_t *)av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX,
                                                                     NULL);
    double theta = 0.0;
    if (matrix != NULL) {
        theta = -av_display_rotation_get(matrix); /* counter-clockwise → clockwise */
    } else {
        const AVDictionaryEntry *tag = av_dict_get(st->metadata, "rotate", NULL, 0);
        if (tag != NULL)
            theta = atof(tag->value);
    }
    if (isnan(theta))
        return 0;
    long quarter = lround(theta / 90.0) % 4;
    return (int)((quarter + 4) % 4) * 90;
}

void aw_av_display_size(const AVStream *st, bool with_sar, int *w, int *h)
{
    int width = st->codecpar->width, height = st->codecpar->height;
    AVRational sar = st->sample_aspect_ratio.num ? st->sample_aspect_ratio
                                                 : st->codecpar->sample_aspect_ratio;
    if (with_sar && sar.num > 0 && sar.den > 0 && sar.num != sar.den)
        width = (int)lround((double)width * sar.num / sar.den);
    bool swap = aw_av_rotation(st) % 180 != 0;
    *w = swap ? height : width;
    *h = swap ? width : height;
}
