/* jsonutil.h — JSON strings from untrusted bytes (EXIF, XMP, tags): always
 * valid UTF-8, no control characters, bounded length. */
#ifndef AW_JSONUTIL_H
#define AW_JSONUTIL_H

#include <jansson.h>
#include <stddef.h>

#define AW_JSON_TEXT_MAX 1024

/* A JSON string of at most AW_JSON_TEXT_MAX bytes made from n bytes at s:
 * invalid UTF-8 and control characters become U+FFFD / spaces, surrounding
 * blanks and NULs are trimmed. NULL when nothing printable is left. */
json_t *aw_json_text(const char *s, size_t n);

/* Sets obj[key] = aw_json_text(s) when that is not NULL; returns 1 if set. */
int aw_json_set_text(json_t *obj, const char *key, const char *s);

#endif
