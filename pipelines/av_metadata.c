/* av_metadata.c — the audio/video metadata stage: codec facts from FFmpeg's
 * stream headers (nothing decoded), tags from TagLib for audio files and
 * from the container for video, dates and capture facts into `extracted`.
 * An audio file FFmpeg refuses still gets the tags TagLib reads
 * (av_salvage.c). */
#include "audio_tags.h"
#include "av.h"
#include "av_capture.h"
#include "mp4_udta.h"
#include "jsonutil.h"
#include "xmp.h"

#include <libavutil/pixdesc.h>

#include <math.h>
#include <string.h>

static json_t *rounded(double v, double scale)
{
    return json_real(round(v * scale) / scale);
}

static double frame_rate(const AVStream *st)
{
    AVRational r = st->avg_frame_rate;
    if (r.num <= 0 || r.den <= 0)
        r = st->r_frame_rate;
    return (r.num > 0 && r.den > 0) ? av_q2d(r) : 0.0;
}

/* Every codec in stream order, cover art left out (what ffprobe lists). */
static json_t *codec_list(const AVFormatContext *fmt)
{
    json_t *list = json_array();
    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        const AVStream *st = fmt->streams[i];
        enum AVMediaType type = st->codecpar->codec_type;
        if ((type == AVMEDIA_TYPE_VIDEO || type == AVMEDIA_TYPE_AUDIO) &&
            !(st->disposition & AV_DISPOSITION_ATTACHED_PIC))
            json_array_append_new(list, json_string(avcodec_get_name(st->codecpar->codec_id)));
    }
    return list;
}

static void video_facts(json_t *t, const AVStream *st)
{
    const AVCodecParameters *par = st->codecpar;
    int w, h;
    aw_av_display_size(st, false, &w, &h);
    char resolution[48];
    snprintf(resolution, sizeof resolution, "%dx%d", w, h);
    json_object_set_new(t, "codec", json_string(avcodec_get_name(par->codec_id)));
    if (w > 0 && h > 0) {
        json_object_set_new(t, "width", json_integer(w));
        json_object_set_new(t, "height", json_integer(h));
        json_object_set_new(t, "resolution", json_string(resolution));
        json_object_set_new(t, "storedWidth", json_integer(par->width));
        json_object_set_new(t, "storedHeight", json_integer(par->height));
    }
    json_object_set_new(t, "rotation", json_integer(aw_av_rotation(st)));
    if (frame_rate(st) > 0)
        json_object_set_new(t, "fps", rounded(frame_rate(st), 1000));
    if (st->nb_frames > 0)
        json_object_set_new(t, "frameCount", json_integer(st->nb_frames));
    const char *pix = av_get_pix_fmt_name((enum AVPixelFormat)par->format);
    if (pix != NULL)
        json_object_set_new(t, "pixelFormat", json_string(pix));
    if (par->color_space != AVCOL_SPC_UNSPECIFIED)
        json_object_set_new(t, "colorSpace", json_string(av_color_space_name(par->color_space)));
    if (par->bit_rate > 0)
        json_object_set_new(t, "videoBitrate", json_integer(par->bit_rate));
}

/* The audio track: its codec is the asset's codec when there is no video. */
static void audio_facts(json_t *t, const AVStream *st, bool has_video)
{
    const AVCodecParameters *par = st->codecpar;
    json_object_set_new(t, has_video ? "audioCodec" : "codec",
                        json_string(avcodec_get_name(par->codec_id)));
    if (par->sample_rate > 0)
        json_object_set_new(t, "sampleRate", json_integer(par->sample_rate));
    if (par->ch_layout.nb_channels > 0)
        json_object_set_new(t, "channels", json_integer(par->ch_layout.nb_channels));
    char layout[64];
    if (par->ch_layout.order != AV_CHANNEL_ORDER_UNSPEC &&
        av_channel_layout_describe(&par->ch_layout, layout, sizeof layout) > 0)
        json_object_set_new(t, "channelLayout", json_string(layout));
    int bits = par->bits_per_raw_sample ? par->bits_per_raw_sample : par->bits_per_coded_sample;
    if (bits > 0 && !has_video)
        json_object_set_new(t, "bitsPerSample", json_integer(bits));
    if (par->bit_rate > 0)
        json_object_set_new(t, has_video ? "audioBitrate" : "bitrate", json_integer(par->bit_rate));
}

static void container_facts(aw_ctx *ctx, json_t *t, const aw_av_input *in)
{
    json_object_set_new(t, "format", json_string(ctx->result->media->group));
    json_object_set_new(t, "container", json_string(in->fmt->iformat->name));
    double duration = aw_av_duration(in);
    if (duration >= 0)
        json_object_set_new(t, "duration", rounded(duration, 1000000));
    if (in->fmt->bit_rate > 0)
        json_object_set_new(t, "bitrate", json_integer(in->fmt->bit_rate));
    json_object_set_new(t, "codecs", codec_list(in->fmt));
    json_object_set_new(t, "hasVideo", json_boolean(in->video >= 0));
    json_object_set_new(t, "hasAudio", json_boolean(in->audio >= 0));
    json_object_set_new(t, "hasCoverArt", json_boolean(in->cover >= 0));
}

static const char *tag(const AVDictionary *m, const char *key)
{
    const AVDictionaryEntry *e = av_dict_get(m, key, NULL, 0);
    return (e != NULL && e->value[0] != '\0') ? e->value : NULL;
}

/* Container tags (MP4 ©nam, Matroska TITLE, …): whatever TagLib did not
 * set. Text that is not UTF-8 or is too long is refused, not repaired. */
static void container_tags(aw_ctx *ctx, const AVDictionary *m)
{
    static const char *const keys[][2] = {
        {"title", "title"},       {"artist", "artist"},
        {"album", "album"},       {"albumArtist", "album_artist"},
        {"composer", "composer"}, {"creator", "encoder"},
        {"comment", "comment"},   {"subject", "description"},
    };
    json_t *d = aw_result_section(ctx->result, "descriptive");
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *value = tag(m, keys[i][1]);
        if (value != NULL && json_object_get(d, keys[i][0]) == NULL)
            aw_json_set_strict(d, keys[i][0], value, AW_JSON_TEXT_MAX);
    }
    const char *genre = tag(m, "genre");
    json_t *g = genre ? aw_json_text_strict(genre, strlen(genre), AW_JSON_TEXT_MAX) : NULL;
    if (g != NULL && json_object_get(d, "genre") == NULL)
        json_object_set_new(d, "genre", json_pack("[o]", g));
    else
        json_decref(g);
    const char *created = tag(m, "creation_time");
    if (created != NULL)
        aw_json_set_strict(aw_result_section(ctx->result, "extracted"), "creationDate", created,
                           AW_JSON_TEXT_MAX);
}

/* Tags of the container and its audio track, capture facts (make, model,
 * GPS, local time), MP4 XMP, then the 3GPP udta strings where neither the
 * tags nor XMP gave that field (exiftool prefers XMP's too). */
static void container_metadata(aw_ctx *ctx, const aw_av_input *in)
{
    json_t *descriptive = aw_result_section(ctx->result, "descriptive");
    json_t *extracted = aw_result_section(ctx->result, "extracted");
    container_tags(ctx, in->fmt->metadata);
    if (in->audio >= 0) /* Ogg keeps its comments on the stream */
        container_tags(ctx, in->fmt->streams[in->audio]->metadata);
    aw_av_capture_facts(in->fmt, ctx->result->media->group, extracted);
    const char *xmp = tag(in->fmt->metadata, "xmp");
    if (xmp != NULL)
        aw_xmp_extract(xmp, strlen(xmp), descriptive, extracted);
    if (strcmp(ctx->result->media->group, "isobmff") == 0)
        aw_mp4_udta_read(ctx->input_path, descriptive);
}

static aw_tags_format tags_format(const aw_ctx *ctx, const aw_av_input *in)
{
    const char *group = ctx->result->media->group;
    enum AVCodecID codec = in->audio >= 0 ? in->fmt->streams[in->audio]->codecpar->codec_id
                                          : AV_CODEC_ID_NONE;
    if (strcmp(group, "mpeg-audio") == 0)
        return AW_TAGS_MPEG;
    if (strcmp(group, "flac") == 0)
        return AW_TAGS_FLAC;
    if (strcmp(group, "isobmff") == 0)
        return AW_TAGS_MP4;
    if (strcmp(group, "riff-wave") == 0)
        return AW_TAGS_WAV;
    if (strcmp(group, "ogg") == 0)
        return codec == AV_CODEC_ID_OPUS   ? AW_TAGS_OGG_OPUS
               : codec == AV_CODEC_ID_FLAC ? AW_TAGS_OGG_FLAC
                                           : AW_TAGS_OGG_VORBIS;
    return AW_TAGS_NONE;
}

static int av_metadata_run(aw_ctx *ctx, aw_error *err)
{
    aw_av_input in;
    if (aw_av_open(ctx, &in, err) != AW_OK)
        return aw_av_salvage_tags(ctx, err); /* damaged: TagLib may still read the tags */
    json_t *t = aw_result_section(ctx->result, "technical");
    container_facts(ctx, t, &in);
    if (in.video >= 0)
        video_facts(t, in.fmt->streams[in.video]);
    if (in.audio >= 0)
        audio_facts(t, in.fmt->streams[in.audio], in.video >= 0);
    int rc = AW_OK;
    if (in.video < 0)
        rc = aw_audio_tags_read(ctx->input_path, tags_format(ctx, &in),
                                aw_result_section(ctx->result, "descriptive"));
    container_metadata(ctx, &in);
    aw_av_close(&in);
    if (rc == AW_ERROR)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "tags",
                            "TagLib failed (out of memory)");
    return AW_OK;
}

const aw_stage aw_stage_av_metadata = {
    .name = "av.metadata",
    .kind = AW_STAGE_METADATA,
    .families = AW_FAMILY_VIDEO | AW_FAMILY_AUDIO,
    .init_global = aw_av_init,
    .exit_global = NULL,
    .execute = av_metadata_run,
};
