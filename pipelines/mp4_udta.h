/* mp4_udta.h — the 3GPP asset-information strings of an MP4/MOV file's
 * moov/udta (3GPP TS 26.244: titl, auth, perf, dscp), which FFmpeg 5.1's
 * MOV demuxer does not export. */
#ifndef AW_MP4_UDTA_H
#define AW_MP4_UDTA_H

#include <jansson.h>

/* Reads them from the file at `path` into `descriptive` (titl → title,
 * auth → author, perf → artist, dscp → subject), each only where that
 * field is not set yet and only when its text passes aw_json_text_strict.
 * Returns how many were set; a file that is not such an MP4 gives 0. */
int aw_mp4_udta_read(const char *path, json_t *descriptive);

#endif
