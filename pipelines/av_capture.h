/* av_capture.h — where, when and with what a video or recording was made,
 * from the container's tags as FFmpeg's demuxers export them. */
#ifndef AW_AV_CAPTURE_H
#define AW_AV_CAPTURE_H

#include <jansson.h>
#include <libavformat/avformat.h>
#include <stddef.h>

/* Longest make, model, software or Android version kept, in bytes. */
#define AW_CAPTURE_NAME_MAX 255

/* Sets in `extracted`, each when the file states it and it passes its own
 * checks: make, model, software, androidVersion, gps {latitude, longitude,
 * altitude?} and creationDateLocal. `group` is the sniffed container group
 * ("isobmff", "riff-wave", …). */
void aw_av_capture_facts(const AVFormatContext *fmt, const char *group, json_t *extracted);

/* "2019-07-24T11:25:40+0300" (or +03:00, a space for the T, fractions of a
 * second kept) →
 * "2019-07-24T11:25:40+03:00". Returns 0, or -1 when `in` is not such a
 * time with a UTC offset (no offset and "Z" included: nothing local). */
int aw_local_time_iso(const char *in, char *out, size_t size);

#endif
