/* jsonutil.c — sanitising untrusted text for JSON. */
#include "jsonutil.h"

#include <stdbool.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
    size_t len;
    unsigned min;
    unsigned cp;
    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xe0) == 0xc0)
        len = 2, min = 0x80, cp = s[0] & 0x1f;
    else if ((s[0] & 0xf0) == 0xe0)
        len = 3, min = 0x800, cp = s[0] & 0x0f;
    else if ((s[0] & 0xf8) == 0xf0)
        len = 4, min = 0x10000, cp = s[0] & 0x07;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

json_t *aw_json_text(const char *s, size_t n)
{
    if (s == NULL)
        return NULL;
    char out[AW_JSON_TEXT_MAX + 4];
    size_t o = 0;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n && u[i] != '\0' && o < AW_JSON_TEXT_MAX;) {
        size_t len = utf8_sequence(u + i, n - i);
        if (len == 0) {
            memcpy(out + o, "\xef\xbf\xbd", 3); /* U+FFFD */
            o += 3, i += 1;
        } else if (len == 1) {
            out[o++] = (u[i] < 0x20 || u[i] == 0x7f) ? ' ' : (char)u[i];
            i += 1;
        } else {
            if (o + len > AW_JSON_TEXT_MAX)
                break;
            memcpy(out + o, u + i, len);
            o += len, i += len;
        }
    }
    size_t start = 0;
    while (start < o && out[start] == ' ')
        start++;
    while (o > start && out[o - 1] == ' ')
        o--;
    if (o == start)
        return NULL;
    return json_stringn(out + start, o - start);
}

int aw_json_set_text(json_t *obj, const char *key, const char *s)
{
    json_t *v = aw_json_text(s, s ? strlen(s) : 0);
    if (v == NULL)
        return 0;
    json_object_set_new(obj, key, v);
    return 1;
}

static bool is_blank(unsigned char c)
{
    return c <= 0x20 || c == 0x7f;
}

json_t *aw_json_text_strict(const char *s, size_t n, size_t max)
{
    if (s == NULL || max > AW_JSON_TEXT_MAX)
        return NULL;
    const unsigned char *u = (const unsigned char *)s;
    n = strnlen(s, n);
    for (size_t i = 0, len; i < n; i += len)
        if ((len = utf8_sequence(u + i, n - i)) == 0)
            return NULL;
    size_t start = 0, end = n;
    while (start < end && is_blank(u[start]))
        start++;
    while (end > start && is_blank(u[end - 1]))
        end--;
    if (start == end || end - start > max)
        return NULL;
    char out[AW_JSON_TEXT_MAX];
    for (size_t i = start; i < end; i++)
        out[i - start] = is_blank(u[i]) ? ' ' : (char)u[i];
    return json_stringn(out, end - start);
}

int aw_json_set_strict(json_t *obj, const char *key, const char *s, size_t max)
{
    json_t *v = aw_json_text_strict(s, s ? strlen(s) : 0, max);
    if (v == NULL)
        return 0;
    json_object_set_new(obj, key, v);
    return 1;
}
