/* zip_salvage.c — an OOXML package whose ZIP central directory is damaged
 * or missing (an upload cut short, a directory overwritten): libgsf needs
 * that directory, so the members are found by their local headers instead,
 * front to back, and the document-property parts (docProps/…) among them
 * are inflated, checked against their CRC and packed into a new package
 * in memory, which libgsf reads like any other. Nothing else of the
 * package is kept. Bounded: headers looked at (the entry limit), parts
 * kept, and bytes inflated. */
#define _GNU_SOURCE /* memmem */
#include "zip_salvage.h"

#include <gsf/gsf-input-memory.h>
#include <gsf/gsf-outfile-zip.h>
#include <gsf/gsf-output-memory.h>
#include <string.h>
#include <zlib.h>

#define LOCAL_HEADER 30
#define PARTS_MAX 16
#define PART_MAX_BYTES (16u << 20) /* the embedded thumbnail at most */
#define TOTAL_MAX_BYTES (32u << 20)
#define SALVAGED_KEY "aw-zip-salvaged"
#define PREFIX "docProps/"

typedef struct part {
    char name[64]; /* below docProps/ */
    GByteArray *bytes;
} part;

typedef struct salvage {
    part parts[PARTS_MAX];
    int count;
    size_t total;
} salvage;

static uint32_t le16(const guint8 *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const guint8 *p)
{
    return le16(p) | le16(p + 2) << 16;
}

/* A raw deflate stream from `in` (at most `avail` bytes) into `out`, up to
 * `cap` bytes; false unless the stream ends within both. */
static bool inflate_part(const guint8 *in, size_t avail, size_t cap, GByteArray *out)
{
    z_stream z = {0};
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK)
        return false;
    guint8 buf[16384];
    int rc = Z_OK;
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)MIN(avail, (size_t)UINT_MAX);
    while (rc == Z_OK && out->len <= cap) {
        z.next_out = buf, z.avail_out = sizeof buf;
        rc = inflate(&z, Z_NO_FLUSH);
        g_byte_array_append(out, buf, (guint)(sizeof buf - z.avail_out));
        if (rc == Z_OK && z.avail_in == 0)
            rc = Z_BUF_ERROR; /* the file ends inside the stream */
    }
    inflateEnd(&z);
    return rc == Z_STREAM_END && out->len <= cap;
}

static bool known(const salvage *s, const char *name)
{
    for (int i = 0; i < s->count; i++)
        if (strcmp(s->parts[i].name, name) == 0)
            return true;
    return false;
}

/* The member whose local header is at `h` (end: the file's end), when it
 * is a docProps part that inflates whole and matches its CRC. */
static void take_member(salvage *s, const guint8 *h, const guint8 *end)
{
    uint32_t flags = le16(h + 6), method = le16(h + 8), crc = le32(h + 14);
    uint32_t packed = le32(h + 18), name_len = le16(h + 26), extra_len = le16(h + 28);
    const guint8 *name = h + LOCAL_HEADER, *data = name + name_len + extra_len;
    size_t plen = strlen(PREFIX), rest = name_len - plen;
    if (data > end || name_len <= plen || rest >= sizeof s->parts[0].name || (flags & 1) ||
        memcmp(name, PREFIX, plen) != 0 || s->count == PARTS_MAX)
        return; /* not a docProps part, encrypted, or no room */
    char leaf[sizeof s->parts[0].name];
    memcpy(leaf, name + plen, rest);
    leaf[rest] = '\0';
    bool sized = (flags & 8) == 0; /* else sizes and CRC follow the data */
    if (strchr(leaf, '/') != NULL || known(s, leaf) || (sized && packed > (size_t)(end - data)))
        return;
    GByteArray *out = g_byte_array_new();
    size_t cap = MIN(PART_MAX_BYTES, TOTAL_MAX_BYTES - s->total);
    bool whole = method == 8 ? inflate_part(data, sized ? packed : (size_t)(end - data), cap, out)
                 : method == 0 && sized && packed <= cap
                     ? (g_byte_array_append(out, data, packed), true)
                     : false;
    if (!whole || (sized && crc32(0, out->data, out->len) != crc)) {
        g_byte_array_free(out, TRUE);
        return;
    }
    snprintf(s->parts[s->count].name, sizeof s->parts[0].name, "%s", leaf);
    s->parts[s->count++].bytes = out;
    s->total += out->len;
}

static void find_members(salvage *s, const guint8 *file, size_t size, unsigned max_headers)
{
    const guint8 *end = file + size, *at = file;
    for (unsigned n = 0; n < max_headers && at + LOCAL_HEADER <= end; n++) {
        at = memmem(at, (size_t)(end - at), "PK\x03\x04", 4);
        if (at == NULL || at + LOCAL_HEADER > end)
            break;
        take_member(s, at, end);
        at += 4;
    }
}

/* The parts as a new package in memory, opened by libgsf. */
static GsfInfile *repack(const salvage *s)
{
    GsfOutput *mem = gsf_output_memory_new();
    GsfOutfile *zip = gsf_outfile_zip_new(mem, NULL);
    GsfOutput *props = zip ? gsf_outfile_new_child(zip, "docProps", TRUE) : NULL;
    for (int i = 0; props != NULL && i < s->count; i++) {
        GsfOutput *child = gsf_outfile_new_child(GSF_OUTFILE(props), s->parts[i].name, FALSE);
        gsf_output_write(child, s->parts[i].bytes->len, s->parts[i].bytes->data);
        gsf_output_close(child);
        g_object_unref(child);
    }
    if (props != NULL)
        gsf_output_close(props), g_object_unref(props);
    GsfInfile *root = NULL;
    if (zip != NULL && gsf_output_close(GSF_OUTPUT(zip))) {
        const guint8 *bytes = gsf_output_memory_get_bytes(GSF_OUTPUT_MEMORY(mem));
        GsfInput *in = gsf_input_memory_new_clone(bytes, gsf_output_size(mem));
        root = in ? gsf_infile_zip_new(in, NULL) : NULL;
        if (in != NULL)
            g_object_unref(in);
    }
    if (zip != NULL)
        g_object_unref(zip);
    g_object_unref(mem);
    return root;
}

GsfInfile *aw_zip_salvage(const char *path, const aw_limits *limits)
{
    GMappedFile *map = g_mapped_file_new(path, FALSE, NULL);
    if (map == NULL)
        return NULL;
    salvage s = {0};
    find_members(&s, (const guint8 *)g_mapped_file_get_contents(map), g_mapped_file_get_length(map),
                 limits->max_zip_entries);
    g_mapped_file_unref(map);
    GsfInfile *root = s.count > 0 ? repack(&s) : NULL;
    for (int i = 0; i < s.count; i++)
        g_byte_array_free(s.parts[i].bytes, TRUE);
    if (root != NULL)
        g_object_set_data(G_OBJECT(root), SALVAGED_KEY, GINT_TO_POINTER(1));
    return root;
}

bool aw_zip_is_salvaged(GsfInfile *root)
{
    return root != NULL && g_object_get_data(G_OBJECT(root), SALVAGED_KEY) != NULL;
}
