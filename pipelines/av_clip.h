/* av_clip.h — a short MP4 cut from the input: decode → filter graph (trim,
 * rotate, scale, resample) → encode (libx264, AAC) → mux with faststart.
 * One lane per stream; the preview stage decides what goes in. */
#ifndef AW_AV_CLIP_H
#define AW_AV_CLIP_H

#include "av.h"

#include <libavfilter/avfilter.h>

typedef struct aw_clip_spec {
    double start, seconds; /* the window, from the start of the input */
    bool video, audio;     /* lanes wanted (each needs its track) */
    int width, height;     /* video: encoded size (even) */
    double max_fps;        /* video: frame rate cap (0 = keep) */
    int crf;               /* video: libx264 CRF */
    const char *preset;    /* video: libx264 preset */
    int audio_bitrate;     /* audio: AAC bits per second */
    int threads;           /* decoder and encoder threads */
} aw_clip_spec;

/* One stream's way through: decoder, filter graph, encoder, output stream. */
typedef struct aw_lane {
    int index; /* input stream, -1 when the lane is unused */
    AVCodecContext *dec, *enc;
    AVFilterGraph *graph;
    AVFilterContext *src, *sink;
    AVStream *out;
    double end_time; /* input seconds from which no frame is needed (frames come
                                in display order: the first one past it ends the lane) */
    bool input_done;
    int64_t end_pts; /* end of the last packet written, enc time base */
    long packets;    /* packets written */
} aw_lane;

/* Lane set-up (av_lane.c): decoder, graph from the decoder's format, then
 * the encoder from the graph's output. */
int aw_lane_open_video(const aw_ctx *ctx, aw_av_input *in, const aw_clip_spec *spec, aw_lane *lane,
                       aw_error *err);
int aw_lane_open_audio(const aw_ctx *ctx, aw_av_input *in, const aw_clip_spec *spec, aw_lane *lane,
                       aw_error *err);
void aw_lane_close(aw_lane *lane);

/* Writes the clip to path; *seconds gets its length. The progress of the
 * encoding is reported through aw_ctx_progress(). */
int aw_clip_write(aw_ctx *ctx, aw_av_input *in, const aw_clip_spec *spec, const char *path,
                  double *seconds, aw_error *err);

/* Preview geometry and window (av_preview.c), shared with the benchmarks. */
void aw_preview_size(int shown_w, int shown_h, int lines, int *w, int *h);
double aw_preview_audio_start(double duration, double seconds);

#endif
