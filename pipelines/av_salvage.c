/* av_salvage.c — what TagLib still reads of an audio file whose container
 * FFmpeg refuses (an Ogg page whose CRC does not match, …): TagLib reads
 * tags without FFmpeg and checks less, so the tags go into the metadata
 * (the job partial: the codec facts are missing) and the cover art into
 * the thumbnails. */
#include "audio_tags.h"
#include "av.h"
#include "thumbnail.h"

#include <stdlib.h>
#include <string.h>

#define OGG_CODECS 3

/* The TagLib classes that may read a container of this group, in the order
 * they are tried (an Ogg file may carry Vorbis, Opus or FLAC: TagLib
 * checks each packet's signature). */
static size_t tag_formats(const char *group, aw_tags_format out[OGG_CODECS])
{
    static const struct {
        const char *group;
        aw_tags_format format;
    } single[] = {{"mpeg-audio", AW_TAGS_MPEG},
                  {"flac", AW_TAGS_FLAC},
                  {"isobmff", AW_TAGS_MP4},
                  {"riff-wave", AW_TAGS_WAV}};
    if (strcmp(group, "ogg") == 0) {
        out[0] = AW_TAGS_OGG_VORBIS, out[1] = AW_TAGS_OGG_OPUS, out[2] = AW_TAGS_OGG_FLAC;
        return OGG_CODECS;
    }
    for (size_t i = 0; i < sizeof single / sizeof single[0]; i++)
        if (strcmp(single[i].group, group) == 0) {
            out[0] = single[i].format;
            return 1;
        }
    return 0;
}

/* Only an audio file FFmpeg found damaged (not one it has no demuxer for,
 * nor one that cannot be opened at all). */
static bool salvageable(const aw_ctx *ctx, const aw_error *refused)
{
    return ctx->result->media->family == AW_FAMILY_AUDIO && strcmp(refused->reason, "corrupt") == 0;
}

int aw_av_salvage_tags(aw_ctx *ctx, const aw_error *refused)
{
    aw_tags_format formats[OGG_CODECS];
    size_t n = salvageable(ctx, refused) ? tag_formats(ctx->result->media->group, formats) : 0;
    int rc = AW_DECLINED;
    json_t *descriptive = aw_result_section(ctx->result, "descriptive");
    for (size_t i = 0; i < n && rc == AW_DECLINED; i++)
        rc = aw_audio_tags_read(ctx->input_path, formats[i], descriptive);
    if (rc != AW_OK)
        return AW_ERROR;
    json_object_set_new(aw_result_section(ctx->result, "technical"), "format",
                        json_string(ctx->result->media->group));
    aw_error missing;
    aw_error_set(&missing, AW_CODE_PROCESSING_FAILED, "tags_only",
                 "only the tags could be read, by TagLib: codec, duration and sample facts are "
                 "missing (%s)",
                 refused->message);
    aw_ctx_shortfall(ctx, &missing);
    return AW_OK;
}

int aw_av_salvage_cover(aw_ctx *ctx, const aw_error *refused, aw_error *err)
{
    aw_tags_format formats[OGG_CODECS];
    size_t n = salvageable(ctx, refused) ? tag_formats(ctx->result->media->group, formats) : 0;
    void *picture = NULL;
    size_t size = 0;
    int rc = AW_DECLINED;
    for (size_t i = 0; i < n && rc == AW_DECLINED; i++)
        rc = aw_audio_cover_read(ctx->input_path, formats[i], &picture, &size);
    if (rc != AW_OK)
        return AW_ERROR; /* err still says why FFmpeg refused the file */
    rc = aw_thumbnail_write_from_buffer(ctx, picture, size, "cover art", err);
    free(picture);
    return rc;
}
