/* obj.c — Wavefront OBJ facts from its text: vertices (`v`), faces (`f`,
 * any arity; triangles = n − 2 each), texture coordinates and normals,
 * objects and groups, distinct `usemtl` materials, material libraries
 * named (`mtllib`, not opened), bounding box of the vertices. */
#include "model3d.h"

#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OBJ_LINE_MAX 65536
#define OBJ_MAX_MATERIALS 4096

typedef struct obj_tally {
    json_int_t vertices, faces, triangles, texcoords, normals, objects, groups, libraries;
    GHashTable *materials;
    double min[3], max[3];
} obj_tally;

static void vertex(obj_tally *t, const char *rest)
{
    double xyz[3];
    char *end;
    for (int i = 0; i < 3; i++, rest = end) {
        xyz[i] = strtod(rest, &end);
        if (end == rest || !isfinite(xyz[i]))
            return; /* counted, but kept out of the box */
    }
    for (int i = 0; i < 3; i++) {
        t->min[i] = t->vertices ? fmin(t->min[i], xyz[i]) : xyz[i];
        t->max[i] = t->vertices ? fmax(t->max[i], xyz[i]) : xyz[i];
    }
}

static int words(const char *rest)
{
    int n = 0;
    for (const char *p = rest; *p != '\0';) {
        p += strspn(p, " \t\r\n");
        if (*p == '\0')
            break;
        n++;
        p += strcspn(p, " \t\r\n");
    }
    return n;
}

static void material(obj_tally *t, const char *rest)
{
    rest += strspn(rest, " \t");
    size_t len = strcspn(rest, "\r\n");
    if (len > 0 && g_hash_table_size(t->materials) < OBJ_MAX_MATERIALS)
        g_hash_table_add(t->materials, g_strndup(rest, len));
}

static void line(obj_tally *t, const char *text)
{
    text += strspn(text, " \t");
    size_t kw = strcspn(text, " \t\r\n");
    const char *rest = text + kw;
#define IS(word) (kw == strlen(word) && strncmp(text, word, kw) == 0)
    if (IS("v")) {
        vertex(t, rest);
        t->vertices++;
    } else if (IS("f")) {
        int n = words(rest);
        t->faces++;
        t->triangles += n > 2 ? n - 2 : 0;
    } else if (IS("vt")) {
        t->texcoords++;
    } else if (IS("vn")) {
        t->normals++;
    } else if (IS("o")) {
        t->objects++;
    } else if (IS("g")) {
        t->groups++;
    } else if (IS("usemtl")) {
        material(t, rest);
    } else if (IS("mtllib")) {
        t->libraries += words(rest);
    }
#undef IS
}

static void report(const obj_tally *t, json_t *model)
{
    json_object_set_new(model, "vertices", json_integer(t->vertices));
    json_object_set_new(model, "faces", json_integer(t->faces));
    json_object_set_new(model, "triangles", json_integer(t->triangles));
    json_object_set_new(model, "texcoords", json_integer(t->texcoords));
    json_object_set_new(model, "normals", json_integer(t->normals));
    json_object_set_new(model, "objects", json_integer(t->objects));
    json_object_set_new(model, "groups", json_integer(t->groups));
    json_object_set_new(model, "materials", json_integer(g_hash_table_size(t->materials)));
    json_object_set_new(model, "externalFiles", json_integer(t->libraries));
    if (t->vertices > 0)
        json_object_set_new(model, "boundingBox", aw_model_bbox(t->min, t->max));
}

int aw_obj_read(const char *path, json_t *model, aw_error *err)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return aw_error_set(err, AW_CODE_STORAGE_ERROR, "unreadable", "cannot open the model");
    obj_tally t = {.materials = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL)};
    char *buf = g_malloc(OBJ_LINE_MAX);
    bool continued = false; /* inside an over-long line: its tail is not a new line */
    while (fgets(buf, OBJ_LINE_MAX, f) != NULL) {
        if (!continued)
            line(&t, buf);
        continued = strchr(buf, '\n') == NULL;
    }
    fclose(f);
    g_free(buf);
    report(&t, model);
    g_hash_table_destroy(t.materials);
    return t.vertices > 0 ? AW_OK
                          : aw_error_set(err, AW_CODE_PROCESSING_FAILED, "corrupt",
                                         "no vertex: not a Wavefront OBJ model");
}
