/* audio_tags.h — audio tags read with TagLib (ID3v1/v2, Vorbis comments,
 * FLAC, MP4 atoms, RIFF INFO) into metadata.descriptive, and the cover art
 * they hold. TagLib is C++; this is its C face. */
#ifndef AW_AUDIO_TAGS_H
#define AW_AUDIO_TAGS_H

#include <jansson.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Which TagLib file class reads the container (chosen from the sniffed
 * container and the codec FFmpeg found, never from the file name). */
typedef enum {
    AW_TAGS_NONE,
    AW_TAGS_MPEG,
    AW_TAGS_OGG_VORBIS,
    AW_TAGS_OGG_OPUS,
    AW_TAGS_OGG_FLAC,
    AW_TAGS_FLAC,
    AW_TAGS_MP4,
    AW_TAGS_WAV,
} aw_tags_format;

/* Sets title, artist, album, albumArtist, composer (several values joined
 * with "; "), genre (a list), year and track in `descriptive` from the tags
 * of `path`. Returns AW_OK, AW_DECLINED when TagLib cannot read the file
 * or it has no tags, or AW_ERROR when TagLib failed (out of memory). */
int aw_audio_tags_read(const char *path, aw_tags_format format, json_t *descriptive);

/* The first picture the tags hold (Vorbis/Opus METADATA_BLOCK_PICTURE,
 * FLAC PICTURE, ID3v2 APIC, MP4 covr), as its encoded bytes in *data
 * (malloc'd, the caller frees). TagLib reads tags without FFmpeg, so this
 * works on a file whose container FFmpeg refuses. AW_OK, AW_DECLINED when
 * TagLib cannot read the file or there is no picture, AW_ERROR when out of
 * memory. */
int aw_audio_cover_read(const char *path, aw_tags_format format, void **data, size_t *size);

#ifdef __cplusplus
}
#endif

#endif
