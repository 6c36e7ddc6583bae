/* av.h — what the audio/video stages share: the local input opened with
 * FFmpeg under a whitelist (one demuxer chosen from the sniffed type, the
 * file opened by us, every nested open refused), the tracks found in it,
 * decoders, rotation, header limits, and FFmpeg errors turned into ours. */
#ifndef AW_AV_H
#define AW_AV_H

#include "stage.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <stdbool.h>

typedef struct aw_av_input {
    AVFormatContext *fmt;
    AVIOContext *io; /* ours: the demuxer never opens a file itself */
    AVPacket *packet;
    int video;       /* picture track (not cover art), or -1 */
    int audio;       /* best audio track, or -1 */
    int cover;       /* attached picture (ID3 APIC, FLAC/Vorbis picture, covr), or -1 */
    bool drained;    /* the demuxer reached the end and the decoder was flushed */
    int bad_packets; /* packets a decoder refused (corrupt data skipped) */
    int read_error;  /* the AVERROR that ended reading early, or 0 */
} aw_av_input;

/* Opens the job's input with the demuxer of its sniffed container group and
 * reads the stream headers. Errors: ASSET_INVALID_FILE_TYPE/demuxer when the
 * family has no demuxer, ASSET_PROCESSING_FAILED/corrupt when FFmpeg cannot
 * read it. */
int aw_av_open(const aw_ctx *ctx, aw_av_input *in, aw_error *err);
void aw_av_close(aw_av_input *in);

/* Container duration in seconds; negative when unknown. */
double aw_av_duration(const aw_av_input *in);

/* Start time of stream `index` in seconds (0 when unknown). */
double aw_av_stream_start(const aw_av_input *in, int index);

/* ASSET_FILE_TOO_LARGE/frame_pixels when the video track's frames are over
 * the limit. */
int aw_av_check_frame_pixels(const aw_ctx *ctx, const aw_av_input *in, aw_error *err);

/* Opens a decoder for stream `index` (frame-pixel limit and thread count
 * from the config). Other streams are marked to be discarded by the
 * demuxer unless `keep_others`. */
int aw_av_open_decoder(const aw_ctx *ctx, aw_av_input *in, int index, bool keep_others,
                       AVCodecContext **out, aw_error *err);

/* The next decoded frame of stream `index`: 0, AVERROR_EOF at the end, or
 * another negative AVERROR. Packets a decoder rejects are skipped (counted
 * in bad_packets) as the ffmpeg tool does; too many of them is an error. */
int aw_av_next_frame(aw_av_input *in, int index, AVCodecContext *dec, AVFrame *frame);

/* True when a decoder's answer `rc` is damaged data that may be skipped
 * (counted in bad_packets, as the ffmpeg tool skips it) rather than an
 * error: AVERROR_INVALIDDATA, up to a limit per input. */
bool aw_av_skip_damage(aw_av_input *in, int rc);

/* Seeks every stream to `seconds` (keyframe at or before it) and resets
 * the decoder (NULL: none opened yet, or several the caller resets).
 * Returns 0 or a negative AVERROR (position unchanged). */
int aw_av_seek(aw_av_input *in, AVCodecContext *dec, double seconds);

/* Clockwise rotation a player applies (display matrix or legacy "rotate"
 * tag), as 0, 90, 180 or 270. */
int aw_av_rotation(const AVStream *st);

/* Width × height as shown: sample aspect ratio applied when `with_sar`,
 * then transposed for 90/270° rotation. */
void aw_av_display_size(const AVStream *st, bool with_sar, int *w, int *h);

/* Where the poster frame is looked for: 10 % into the video, at most 30 s. */
double aw_av_poster_time(double duration);

/* Fills err from an FFmpeg return code and the last error FFmpeg logged.
 * Returns AW_ERROR. */
int aw_av_fail(aw_error *err, aw_code code, const char *reason, int averr, const char *what);

/* True when reading showed damage: a read error, packets the decoder
 * refused, or an error FFmpeg logged since the input was opened. Decides
 * between reasons "corrupt" and "no_frame"/"no_audio" when nothing decoded. */
bool aw_av_damaged(const aw_av_input *in);

/* When FFmpeg refused an audio file as damaged (`refused`, reason
 * corrupt): its tags as TagLib reads them go into the metadata, and a
 * shortfall (tags_only) says what is missing: the job is partial. AW_OK,
 * or AW_ERROR when TagLib reads no tag either (av_salvage.c). */
int aw_av_salvage_tags(aw_ctx *ctx, const aw_error *refused);

/* The same for the thumbnails: the cover art TagLib finds. AW_OK, or
 * AW_ERROR with err (left as it is when there is no cover to read). */
int aw_av_salvage_cover(aw_ctx *ctx, const aw_error *refused, aw_error *err);

/* Forgets what FFmpeg logged for the previous job. */
void aw_av_reset_log(void);

/* Process-wide set-up: FFmpeg's log goes to a buffer, not stderr. */
int aw_av_init(const aw_config *cfg, aw_error *err);

#endif
