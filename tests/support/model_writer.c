/* model_writer.c — see model_writer.h. */
#include "model_writer.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

/* A triangle mesh: positions, optional texture coordinates, indices. */
static aw_mesh mesh_new(void)
{
    return (aw_mesh){g_array_new(FALSE, FALSE, sizeof(float)),
                     g_array_new(FALSE, FALSE, sizeof(float)),
                     g_array_new(FALSE, FALSE, sizeof(uint32_t))};
}

void aw_mesh_free(aw_mesh *m)
{
    g_array_free(m->pos, TRUE), g_array_free(m->uv, TRUE), g_array_free(m->idx, TRUE);
}

static uint32_t vertex(aw_mesh *m, double x, double y, double z)
{
    float p[3] = {(float)x, (float)y, (float)z};
    g_array_append_vals(m->pos, p, 3);
    return m->pos->len / 3 - 1;
}

static void triangle(aw_mesh *m, uint32_t a, uint32_t b, uint32_t c)
{
    uint32_t t[3] = {a, b, c};
    g_array_append_vals(m->idx, t, 3);
}

/* A cube of side 2 from (0,0,0), four vertices per face (so each face
 * carries the whole texture), 12 triangles. */
aw_mesh aw_mesh_cube(void)
{
    static const int faces[6][4][3] = {
        {{0, 0, 2}, {2, 0, 2}, {2, 2, 2}, {0, 2, 2}}, {{2, 0, 0}, {0, 0, 0}, {0, 2, 0}, {2, 2, 0}},
        {{2, 0, 2}, {2, 0, 0}, {2, 2, 0}, {2, 2, 2}}, {{0, 0, 0}, {0, 0, 2}, {0, 2, 2}, {0, 2, 0}},
        {{0, 2, 2}, {2, 2, 2}, {2, 2, 0}, {0, 2, 0}}, {{0, 0, 0}, {2, 0, 0}, {2, 0, 2}, {0, 0, 2}},
    };
    static const float corner_uv[4][2] = {{0, 1}, {1, 1}, {1, 0}, {0, 0}};
    aw_mesh m = mesh_new();
    for (int f = 0; f < 6; f++) {
        uint32_t first = m.pos->len / 3;
        for (int c = 0; c < 4; c++) {
            vertex(&m, faces[f][c][0], faces[f][c][1], faces[f][c][2]);
            g_array_append_vals(m.uv, corner_uv[c], 2);
        }
        triangle(&m, first, first + 1, first + 2);
        triangle(&m, first, first + 2, first + 3);
    }
    return m;
}

static uint32_t midpoint(aw_mesh *m, GHashTable *cache, uint32_t a, uint32_t b)
{
    uint64_t key = a < b ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
    gpointer hit = g_hash_table_lookup(cache, &key);
    if (hit != NULL)
        return GPOINTER_TO_UINT(hit) - 1;
    const float *p = (const float *)m->pos->data;
    double x = (p[a * 3] + p[b * 3]) / 2, y = (p[a * 3 + 1] + p[b * 3 + 1]) / 2,
           z = (p[a * 3 + 2] + p[b * 3 + 2]) / 2, l = sqrt(x * x + y * y + z * z);
    uint32_t v = vertex(m, x / l, y / l, z / l);
    uint64_t *k = g_new(uint64_t, 1);
    *k = key;
    g_hash_table_insert(cache, k, GUINT_TO_POINTER(v + 1));
    return v;
}

/* The unit icosphere: an icosahedron (12 vertices, 20 triangles) split
 * once (42 vertices, 80 triangles). */
aw_mesh aw_mesh_icosphere(void)
{
    static const int faces[20][3] = {
        {0, 11, 5},  {0, 5, 1},  {0, 1, 7},  {0, 7, 10}, {0, 10, 11}, {1, 5, 9}, {5, 11, 4},
        {11, 10, 2}, {10, 7, 6}, {7, 1, 8},  {3, 9, 4},  {3, 4, 2},   {3, 2, 6}, {3, 6, 8},
        {3, 8, 9},   {4, 9, 5},  {2, 4, 11}, {6, 2, 10}, {8, 6, 7},   {9, 8, 1},
    };
    double t = (1 + sqrt(5)) / 2, l = sqrt(1 + t * t);
    double base[12][3] = {{-1, t, 0}, {1, t, 0}, {-1, -t, 0}, {1, -t, 0},
                          {0, -1, t}, {0, 1, t}, {0, -1, -t}, {0, 1, -t},
                          {t, 0, -1}, {t, 0, 1}, {-t, 0, -1}, {-t, 0, 1}};
    aw_mesh m = mesh_new();
    for (int i = 0; i < 12; i++)
        vertex(&m, base[i][0] / l, base[i][1] / l, base[i][2] / l);
    GHashTable *cache = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    for (int f = 0; f < 20; f++) {
        uint32_t a = (uint32_t)faces[f][0], b = (uint32_t)faces[f][1], c = (uint32_t)faces[f][2];
        uint32_t ab = midpoint(&m, cache, a, b), bc = midpoint(&m, cache, b, c),
                 ca = midpoint(&m, cache, c, a);
        triangle(&m, a, ab, ca), triangle(&m, b, bc, ab), triangle(&m, c, ca, bc);
        triangle(&m, ab, bc, ca);
    }
    g_hash_table_destroy(cache);
    return m;
}

void aw_mesh_bounds(const aw_mesh *m, double min[3], double max[3])
{
    const float *p = (const float *)m->pos->data;
    for (guint i = 0; i < m->pos->len; i++) {
        int k = (int)(i % 3);
        min[k] = i < 3 ? p[i] : fmin(min[k], p[i]);
        max[k] = i < 3 ? p[i] : fmax(max[k], p[i]);
    }
}

void aw_write_obj(const char *dir, const char *name, const aw_mesh *m, const char *head)
{
    char *path = g_build_filename(dir, name, NULL);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "# written by the test\n%s", head);
    const float *p = (const float *)m->pos->data;
    for (guint i = 0; i < m->pos->len; i += 3)
        fprintf(f, "v %.7g %.7g %.7g\n", p[i], p[i + 1], p[i + 2]);
    const uint32_t *t = (const uint32_t *)m->idx->data;
    for (guint i = 0; i < m->idx->len; i += 3)
        fprintf(f, "f %u %u %u\n", t[i] + 1, t[i + 1] + 1, t[i + 2] + 1);
    fclose(f);
    g_free(path);
}

static void append_aligned(GByteArray *bin, const void *data, size_t len)
{
    g_byte_array_append(bin, data, (guint)len);
    while (bin->len % 4)
        g_byte_array_append(bin, (const guint8 *)"\0", 1);
}

static json_t *view(size_t offset, size_t length)
{
    return json_pack("{s:i,s:I,s:I}", "buffer", 0, "byteOffset", (json_int_t)offset, "byteLength",
                     (json_int_t)length);
}

/* The document and its binary buffer (positions, indices, uvs, png). */
static json_t *gltf_document(const aw_mesh *m, const aw_gltf_recipe *r, GByteArray *bin)
{
    double min[3], max[3];
    aw_mesh_bounds(m, min, max);
    json_t *views = json_array(), *accessors = json_array(), *attributes = json_object();
    json_array_append_new(views, view(bin->len, m->pos->len * 4));
    append_aligned(bin, m->pos->data, m->pos->len * 4);
    json_array_append_new(views, view(bin->len, m->idx->len * 4));
    append_aligned(bin, m->idx->data, m->idx->len * 4);
    json_int_t count = r->claim_count ? r->claim_count : (json_int_t)(m->pos->len / 3);
    json_array_append_new(accessors,
                          json_pack("{s:i,s:i,s:I,s:s,s:[f,f,f],s:[f,f,f]}", "bufferView", 0,
                                    "componentType", 5126, "count", count, "type", "VEC3", "min",
                                    min[0], min[1], min[2], "max", max[0], max[1], max[2]));
    json_array_append_new(accessors,
                          json_pack("{s:i,s:i,s:I,s:s}", "bufferView", 1, "componentType", 5125,
                                    "count", (json_int_t)m->idx->len, "type", "SCALAR"));
    json_object_set_new(attributes, "POSITION", json_integer(0));
    json_t *pbr = json_pack("{s:[f,f,f,f]}", "baseColorFactor", r->colour[0], r->colour[1],
                            r->colour[2], 1.0);
    json_t *doc = json_pack("{s:{s:s,s:s},s:i,s:[{s:[i]}],s:[{s:i}]}", "asset", "version", "2.0",
                            "generator", "aw-test", "scene", 0, "scenes", "nodes", 0, "nodes",
                            "mesh", 0);
    if (r->png != NULL && m->uv->len > 0) {
        json_array_append_new(views, view(bin->len, m->uv->len * 4));
        append_aligned(bin, m->uv->data, m->uv->len * 4);
        json_array_append_new(accessors,
                              json_pack("{s:i,s:i,s:I,s:s}", "bufferView", 2, "componentType", 5126,
                                        "count", (json_int_t)(m->uv->len / 2), "type", "VEC2"));
        json_object_set_new(attributes, "TEXCOORD_0", json_integer(2));
        json_t *image = json_pack("{s:I,s:s}", "bufferView", (json_int_t)json_array_size(views),
                                  "mimeType", "image/png");
        json_array_append_new(views, view(bin->len, g_bytes_get_size(r->png)));
        append_aligned(bin, g_bytes_get_data(r->png, NULL), g_bytes_get_size(r->png));
        json_object_set_new(doc, "images", json_pack("[o]", image));
        json_object_set_new(doc, "textures", json_pack("[{s:i}]", "source", 0));
        json_object_set_new(pbr, "baseColorTexture", json_pack("{s:i}", "index", 0));
    }
    json_object_set_new(doc, "bufferViews", views);
    json_object_set_new(doc, "accessors", accessors);
    json_object_set_new(doc, "materials",
                        json_pack("[{s:s,s:o}]", "name", "paint", "pbrMetallicRoughness", pbr));
    json_object_set_new(doc, "meshes",
                        json_pack("[{s:[{s:o,s:i,s:i}]}]", "primitives", "attributes", attributes,
                                  "indices", 1, "material", 0));
    return doc;
}

static void set_buffers(json_t *doc, const aw_gltf_recipe *r, const GByteArray *bin)
{
    json_t *buffer = json_pack("{s:I}", "byteLength", (json_int_t)bin->len);
    if (r->buffer_uri != NULL) {
        json_object_set_new(buffer, "uri", json_string(r->buffer_uri));
    } else if (!r->binary) {
        gchar *b64 = g_base64_encode(bin->data, bin->len - r->cut);
        gchar *uri = g_strconcat("data:application/octet-stream;base64,", b64, NULL);
        json_object_set_new(buffer, "uri", json_string(uri));
        g_free(uri), g_free(b64);
    }
    json_t *buffers = json_pack("[o]", buffer);
    json_t *extra = r->extra_buffers ? json_loads(r->extra_buffers, 0, NULL) : NULL;
    if (extra != NULL)
        json_array_extend(buffers, extra);
    json_decref(extra);
    json_object_set_new(doc, "buffers", buffers);
}

static void write_glb(const char *path, const char *text, const GByteArray *bin, size_t cut)
{
    size_t jlen = (strlen(text) + 3) & ~(size_t)3, blen = bin->len - cut;
    uint32_t head[5] = {0x46546C67u, 2, (uint32_t)(12 + 8 + jlen + 8 + blen), (uint32_t)jlen,
                        0x4E4F534Au};
    uint32_t chunk[2] = {(uint32_t)blen, 0x004E4942u}; /* "BIN\0" */
    GString *out = g_string_new_len((const char *)head, sizeof head);
    g_string_append(out, text);
    while (out->len < 20 + jlen)
        g_string_append_c(out, ' ');
    g_string_append_len(out, (const char *)chunk, sizeof chunk);
    g_string_append_len(out, (const char *)bin->data, (gssize)blen);
    assert_true(g_file_set_contents(path, out->str, (gssize)out->len, NULL));
    g_string_free(out, TRUE);
}

void aw_write_gltf(const char *dir, const char *name, const aw_mesh *m, const aw_gltf_recipe *r)
{
    GByteArray *bin = g_byte_array_new();
    json_t *doc = gltf_document(m, r, bin);
    set_buffers(doc, r, bin);
    char *text = json_dumps(doc, JSON_COMPACT), *path = g_build_filename(dir, name, NULL);
    if (r->binary)
        write_glb(path, text, bin, r->cut);
    else
        assert_true(g_file_set_contents(path, text, -1, NULL));
    free(text), g_free(path), json_decref(doc);
    g_byte_array_free(bin, TRUE);
}

/* A 64 × 64 PNG of one colour, by libvips. */
GBytes *aw_png_of(double r, double g, double b)
{
    VipsImage *black = NULL, *lit = NULL, *cast = NULL;
    double rgb[3] = {r, g, b}, zero[3] = {0, 0, 0};
    void *buf = NULL;
    size_t len = 0;
    assert_int_equal(vips_black(&black, 64, 64, "bands", 3, NULL), 0);
    assert_int_equal(vips_linear(black, &lit, zero, rgb, 3, NULL), 0);
    assert_int_equal(vips_cast_uchar(lit, &cast, NULL), 0);
    cast->Type = VIPS_INTERPRETATION_sRGB;
    assert_int_equal(vips_pngsave_buffer(cast, &buf, &len, NULL), 0);
    g_object_unref(black), g_object_unref(lit), g_object_unref(cast);
    return g_bytes_new_take(buf, len);
}
