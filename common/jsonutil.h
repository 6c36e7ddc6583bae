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

/* Like aw_json_text, but refuses what it would have to repair: NULL when
 * the bytes (up to n or the first NUL) are not valid UTF-8, or when the text
 * is longer than max bytes (at most AW_JSON_TEXT_MAX) once surrounding
 * blanks are trimmed. Control characters still become spaces. */
json_t *aw_json_text_strict(const char *s, size_t n, size_t max);

/* Sets obj[key] = aw_json_text_strict(s, strlen(s), max) when that is not
 * NULL; returns 1 if set. */
int aw_json_set_strict(json_t *obj, const char *key, const char *s, size_t max);

#endif
