/* mp4_udta.c — 3GPP asset-information boxes read by hand. Only box headers
 * are walked to reach moov/udta: every size is checked against its parent,
 * at most MAX_BOXES are looked at a level, and only the four string boxes'
 * payloads (at most MAX_PAYLOAD bytes each) are read. Each is a full box:
 * version and flags, a packed ISO 639-2 language, then a NUL-ended string,
 * UTF-8 or UTF-16 with its byte-order mark. */
#include "mp4_udta.h"

#include "jsonutil.h"

#include <fcntl.h>
#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_BOXES 1024
#define MAX_PAYLOAD 8192

#define FOURCC(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

typedef struct box {
    uint32_t type;
    uint64_t payload, end; /* file offsets */
} box;

static const struct {
    uint32_t type;
    const char *field;
} strings[] = {
    {FOURCC('t', 'i', 't', 'l'), "title"},
    {FOURCC('a', 'u', 't', 'h'), "author"},
    {FOURCC('p', 'e', 'r', 'f'), "artist"},
    {FOURCC('d', 's', 'c', 'p'), "subject"},
};

static uint64_t be(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v = v << 8 | p[i];
    return v;
}

/* The box whose header is at pos, which must end by `limit`. */
static int read_box(int fd, uint64_t pos, uint64_t limit, box *b)
{
    unsigned char h[16];
    uint64_t header = 8;
    if (limit - pos < 8 || pread(fd, h, 8, (off_t)pos) != 8)
        return -1;
    uint64_t size = be(h, 4);
    if (size == 1) { /* 64-bit size follows the type */
        if (limit - pos < 16 || pread(fd, h + 8, 8, (off_t)(pos + 8)) != 8)
            return -1;
        size = be(h + 8, 8), header = 16;
    } else if (size == 0) { /* to the end of the parent */
        size = limit - pos;
    }
    if (size < header || size > limit - pos)
        return -1;
    *b = (box){.type = (uint32_t)be(h + 4, 4), .payload = pos + header, .end = pos + size};
    return 0;
}

/* The first box of `type` among those in [from, to). */
static int find_box(int fd, uint64_t from, uint64_t to, uint32_t type, box *out)
{
    for (int n = 0; n < MAX_BOXES && from < to; n++) {
        if (read_box(fd, from, to, out) != 0)
            return -1;
        if (out->type == type)
            return 0;
        from = out->end;
    }
    return -1;
}

/* UTF-16 text after its byte-order mark (big_endian or not) as UTF-8, up
 * to its NUL; NULL when it is not valid UTF-16. Caller g_free()s. */
static char *utf16_text(const unsigned char *p, size_t n, bool big_endian)
{
    gunichar2 units[MAX_PAYLOAD / 2];
    size_t count = 0;
    for (size_t i = 0; i + 1 < n; i += 2) {
        gunichar2 u = big_endian ? (gunichar2)(p[i] << 8 | p[i + 1])
                                 : (gunichar2)(p[i + 1] << 8 | p[i]);
        if (u == 0)
            break;
        units[count++] = u;
    }
    return g_utf16_to_utf8(units, (glong)count, NULL, NULL, NULL);
}

/* A string box's payload (version, flags, language, text) as JSON text. */
static json_t *box_text(const unsigned char *p, size_t n)
{
    if (n < 6)
        return NULL;
    const unsigned char *text = p + 6;
    size_t len = n - 6;
    bool bom_be = len >= 2 && text[0] == 0xfe && text[1] == 0xff;
    bool bom_le = len >= 2 && text[0] == 0xff && text[1] == 0xfe;
    if (!bom_be && !bom_le)
        return aw_json_text_strict((const char *)text, len, AW_JSON_TEXT_MAX);
    char *utf8 = utf16_text(text + 2, len - 2, bom_be);
    json_t *v = utf8 ? aw_json_text_strict(utf8, strlen(utf8), AW_JSON_TEXT_MAX) : NULL;
    g_free(utf8);
    return v;
}

static int read_string_box(int fd, const box *b, const char *field, json_t *descriptive)
{
    unsigned char payload[MAX_PAYLOAD];
    uint64_t n = b->end - b->payload;
    if (json_object_get(descriptive, field) != NULL || n > sizeof payload ||
        pread(fd, payload, (size_t)n, (off_t)b->payload) != (ssize_t)n)
        return 0;
    json_t *v = box_text(payload, (size_t)n);
    if (v == NULL)
        return 0;
    json_object_set_new(descriptive, field, v);
    return 1;
}

static int read_udta(int fd, const box *udta, json_t *descriptive)
{
    int set = 0;
    box b;
    uint64_t pos = udta->payload;
    for (int n = 0; n < MAX_BOXES && pos < udta->end && read_box(fd, pos, udta->end, &b) == 0;
         n++, pos = b.end)
        for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
            if (b.type == strings[i].type)
                set += read_string_box(fd, &b, strings[i].field, descriptive);
    return set;
}

int aw_mp4_udta_read(const char *path, json_t *descriptive)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat st;
    box moov, udta;
    int set = 0;
    if (fstat(fd, &st) == 0 && st.st_size > 0 &&
        find_box(fd, 0, (uint64_t)st.st_size, FOURCC('m', 'o', 'o', 'v'), &moov) == 0 &&
        find_box(fd, moov.payload, moov.end, FOURCC('u', 'd', 't', 'a'), &udta) == 0)
        set = read_udta(fd, &udta, descriptive);
    close(fd);
    return set;
}
