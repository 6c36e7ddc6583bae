/* av_waveform.c — the waveform stage: the audio track decoded with FFmpeg
 * (every codec it has, AAC included), mixed to mono, reduced to min/max
 * peaks; written as audiowaveform JSON and a PNG. */
#include "av.h"
#include "waveform.h"

#include <libavutil/opt.h>
#include <libswresample/swresample.h>
#include <math.h>

typedef struct mono_mixer {
    SwrContext *swr;
    int rate, format, channels; /* what swr was set up for */
    float *buf, *right;         /* the mix; a stereo frame's right channel */
    int buf_samples;
} mono_mixer;

/* Mono and stereo frames in the formats decoders give are mixed here, to
 * the values swr gives (a loop instead of swr's conversion, rematrix and
 * copies); other layouts and formats go through swr. */
static bool is_layout(const AVChannelLayout *layout, AVChannelLayout expected)
{
    if (layout->order == AV_CHANNEL_ORDER_UNSPEC)
        return layout->nb_channels == expected.nb_channels;
    return av_channel_layout_compare(layout, &expected) == 0;
}

static bool mixes_directly(const AVFrame *frame)
{
    enum AVSampleFormat packed = av_get_packed_sample_fmt(frame->format);
    bool known = packed == AV_SAMPLE_FMT_S16 || packed == AV_SAMPLE_FMT_S32 ||
                 packed == AV_SAMPLE_FMT_FLT;
    return known && (is_layout(&frame->ch_layout, (AVChannelLayout)AV_CHANNEL_LAYOUT_MONO) ||
                     is_layout(&frame->ch_layout, (AVChannelLayout)AV_CHANNEL_LAYOUT_STEREO));
}

/* n samples from `in`, `step` apart, as float, converted as swr converts:
 * s16 × 2^-15, s32 × 2^-31. Inlined with step 1 or 2, so the compiler
 * makes vector loops of both. */
static inline void to_float(enum AVSampleFormat packed, const uint8_t *in, size_t step, size_t n,
                            float *out)
{
    if (packed == AV_SAMPLE_FMT_S16)
        for (size_t i = 0; i < n; i++)
            out[i] = ((const int16_t *)in)[i * step] * (1.0f / (1 << 15));
    else if (packed == AV_SAMPLE_FMT_S32)
        for (size_t i = 0; i < n; i++)
            out[i] = ((const int32_t *)in)[i * step] * (1.0f / (1U << 31));
    else /* float */
        for (size_t i = 0; i < n; i++)
            out[i] = ((const float *)in)[i * step];
}

/* Channel c of the frame as float. */
static void channel_to_float(const AVFrame *frame, int c, float *out)
{
    enum AVSampleFormat packed = av_get_packed_sample_fmt(frame->format);
    size_t n = (size_t)frame->nb_samples;
    if (av_sample_fmt_is_planar(frame->format) || frame->ch_layout.nb_channels == 1)
        to_float(packed, frame->extended_data[c], 1, n, out);
    else /* interleaved stereo */
        to_float(packed, frame->extended_data[0] + (size_t)c * av_get_bytes_per_sample(packed), 2,
                 n, out);
}

/* Stereo is each channel × 0.5 and the sum: swr's M_SQRT1_2 per channel
 * scaled down to rematrix_maxval 1 (mixer_setup), in float as its mix. */
static int mix_directly(mono_mixer *m, const AVFrame *frame)
{
    channel_to_float(frame, 0, m->buf);
    if (frame->ch_layout.nb_channels == 2) {
        channel_to_float(frame, 1, m->right);
        for (int i = 0; i < frame->nb_samples; i++)
            m->buf[i] = m->buf[i] * 0.5f + m->right[i] * 0.5f;
    }
    return frame->nb_samples;
}

static int mixer_setup(mono_mixer *m, const AVFrame *frame)
{
    AVChannelLayout in_layout, mono = AV_CHANNEL_LAYOUT_MONO;
    if (frame->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC)
        av_channel_layout_default(&in_layout, frame->ch_layout.nb_channels);
    else if (av_channel_layout_copy(&in_layout, &frame->ch_layout) < 0)
        return AVERROR(ENOMEM);
    swr_free(&m->swr);
    int rc = swr_alloc_set_opts2(&m->swr, &mono, AV_SAMPLE_FMT_FLT, frame->sample_rate, &in_layout,
                                 frame->format, frame->sample_rate, 0, NULL);
    av_channel_layout_uninit(&in_layout);
    /* an average of the channels, as audiowaveform mixes them: float output
     * would otherwise keep swr's -3 dB per channel and clip loud stereo */
    if (rc >= 0)
        rc = av_opt_set_double(m->swr, "rematrix_maxval", 1.0, 0);
    m->rate = frame->sample_rate, m->format = frame->format;
    m->channels = frame->ch_layout.nb_channels;
    return rc < 0 ? rc : swr_init(m->swr);
}

/* The frame as mono float samples in m->buf; returns how many, or < 0. */
static int mix_to_mono(mono_mixer *m, const AVFrame *frame)
{
    if (frame->nb_samples > m->buf_samples) {
        av_freep(&m->buf);
        av_freep(&m->right);
        m->buf = av_malloc_array((size_t)frame->nb_samples, sizeof(float));
        m->right = av_malloc_array((size_t)frame->nb_samples, sizeof(float));
        m->buf_samples = m->buf && m->right ? frame->nb_samples : 0;
        if (m->buf_samples == 0)
            return AVERROR(ENOMEM);
    }
    if (mixes_directly(frame))
        return mix_directly(m, frame);
    if (m->swr == NULL || frame->sample_rate != m->rate || frame->format != m->format ||
        frame->ch_layout.nb_channels != m->channels) { /* first frame, or the stream changed */
        int rc = mixer_setup(m, frame);
        if (rc < 0)
            return rc;
    }
    uint8_t *out[1] = {(uint8_t *)m->buf};
    return swr_convert(m->swr, out, m->buf_samples, (const uint8_t **)frame->extended_data,
                       frame->nb_samples);
}

static int duration_limit(const aw_ctx *ctx, double seconds, aw_error *err)
{
    return aw_error_set(err, AW_CODE_FILE_TOO_LARGE, "duration_limit",
                        "audio runs %.0f s, over the limit of %u s", seconds,
                        ctx->config->limits.max_media_seconds);
}

/* Decodes the whole track into peaks. */
static int collect_peaks(const aw_ctx *ctx, aw_av_input *in, AVCodecContext *dec, aw_peaks *peaks,
                         aw_error *err)
{
    AVFrame *frame = av_frame_alloc();
    mono_mixer mixer = {0};
    int rc = frame ? 0 : AVERROR(ENOMEM);
    while (rc >= 0 && (rc = aw_av_next_frame(in, in->audio, dec, frame)) >= 0) {
        if (peaks->length == 0 && peaks->filled == 0)
            peaks->sample_rate = frame->sample_rate; /* the header may say otherwise (SBR) */
        int n = mix_to_mono(&mixer, frame);
        av_frame_unref(frame);
        if (n < 0) {
            rc = n;
            break;
        }
        aw_peaks_add(peaks, mixer.buf, (size_t)n); /* bounded: the duration limit below */
        if ((uint64_t)peaks->length * peaks->samples_per_point >
            (uint64_t)ctx->config->limits.max_media_seconds * peaks->sample_rate)
            rc = AVERROR(EFBIG);
    }
    swr_free(&mixer.swr);
    av_freep(&mixer.buf);
    av_freep(&mixer.right);
    av_frame_free(&frame);
    if (rc == AVERROR(EFBIG))
        return duration_limit(ctx,
                              (double)peaks->length * peaks->samples_per_point / peaks->sample_rate,
                              err);
    if (rc != AVERROR_EOF)
        return aw_av_fail(err, AW_CODE_PROCESSING_FAILED, "decode", rc, "cannot decode the audio");
    aw_peaks_finish(peaks);
    if (peaks->length > 0)
        return AW_OK;
    if (aw_av_damaged(in))
        return aw_av_fail(err, AW_CODE_PROCESSING_FAILED, "corrupt", in->read_error,
                          "no audio could be decoded");
    return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "no_audio",
                        "the audio track holds no sample (empty): no waveform");
}

static void record(aw_ctx *ctx, const aw_peaks *peaks, const char *png, const char *json)
{
    char png_key[512], json_key[512];
    aw_ctx_output_key(ctx, png, png_key, sizeof png_key);
    aw_ctx_output_key(ctx, json, json_key, sizeof json_key);
    json_t *v = json_pack("{s:s,s:s,s:s,s:s,s:i,s:i,s:i,s:i,s:I}", "key", png_key, "dataKey",
                          json_key, "contentType", "image/png", "dataContentType",
                          "application/json", "width", ctx->config->waveform_width, "height",
                          ctx->config->waveform_height, "samplesPerPixel",
                          (int)peaks->samples_per_point, "sampleRate", peaks->sample_rate, "length",
                          (json_int_t)peaks->length);
    json_object_set_new(ctx->result->variants, "waveform", v);
}

static int write_outputs(aw_ctx *ctx, const aw_peaks *peaks, aw_error *err)
{
    char png[4096], json[4096];
    aw_ctx_output_path(ctx, "waveform.png", png, sizeof png);
    aw_ctx_output_path(ctx, "waveform.json", json, sizeof json);
    if (aw_peaks_write_json(peaks, json) != 0)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "write", "cannot write waveform.json");
    if (aw_peaks_write_png(peaks, ctx->config->waveform_width, ctx->config->waveform_height, png) !=
        0)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "write", "cannot write waveform.png");
    record(ctx, peaks, "waveform.png", "waveform.json");
    return AW_OK;
}

static int waveform_of_track(aw_ctx *ctx, aw_av_input *in, aw_error *err)
{
    double claimed = aw_av_duration(in);
    if (claimed > ctx->config->limits.max_media_seconds)
        return duration_limit(ctx, claimed, err);
    AVCodecContext *dec = NULL;
    if (aw_av_open_decoder(ctx, in, in->audio, false, &dec, err) != AW_OK)
        return AW_ERROR;
    aw_peaks peaks;
    aw_peaks_init(&peaks, ctx->config->waveform_spp, dec->sample_rate);
    int rc = collect_peaks(ctx, in, dec, &peaks, err);
    if (rc == AW_OK)
        rc = write_outputs(ctx, &peaks, err);
    aw_peaks_free(&peaks);
    avcodec_free_context(&dec);
    return rc;
}

/* Audio files and the audio track of videos; nothing to draw without one. */
static int av_waveform_run(aw_ctx *ctx, aw_error *err)
{
    aw_av_input in;
    if (aw_av_open(ctx, &in, err) != AW_OK)
        return AW_ERROR;
    int rc = in.audio >= 0 ? waveform_of_track(ctx, &in, err) : AW_DECLINED;
    aw_av_close(&in);
    return rc;
}

const aw_stage aw_stage_av_waveform = {
    .name = "av.waveform",
    .kind = AW_STAGE_WAVEFORM,
    .families = AW_FAMILY_VIDEO | AW_FAMILY_AUDIO,
    .init_global = aw_av_init,
    .exit_global = NULL,
    .execute = av_waveform_run,
};
