/* gltf.c — glTF 2.0 facts from the JSON document (of a .gltf file, or the
 * JSON chunk of a .glb). Every index is checked against its array; a URI
 * is counted, never followed. */
#include "model3d.h"

#include <glib.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define GLB_MAGIC 0x46546C67u      /* "glTF" */
#define GLB_JSON_CHUNK 0x4E4F534Au /* "JSON" */

typedef struct gltf_tally {
    json_int_t primitives, vertices, triangles;
    double min[3], max[3];
    bool has_box;
} gltf_tally;

static json_int_t array_size(json_t *root, const char *name)
{
    return (json_int_t)json_array_size(json_object_get(root, name));
}

/* accessors[index], or NULL when index is not a valid accessor. */
static json_t *accessor(json_t *root, json_t *index)
{
    json_t *accessors = json_object_get(root, "accessors");
    if (!json_is_integer(index) || json_integer_value(index) < 0)
        return NULL;
    return json_array_get(accessors, (size_t)json_integer_value(index));
}

static void grow_box(gltf_tally *t, json_t *acc)
{
    json_t *min = json_object_get(acc, "min"), *max = json_object_get(acc, "max");
    if (json_array_size(min) != 3 || json_array_size(max) != 3)
        return;
    for (int i = 0; i < 3; i++) {
        double lo = json_number_value(json_array_get(min, i));
        double hi = json_number_value(json_array_get(max, i));
        t->min[i] = t->has_box ? fmin(t->min[i], lo) : lo;
        t->max[i] = t->has_box ? fmax(t->max[i], hi) : hi;
    }
    t->has_box = true;
}

/* Triangles a primitive draws: lists (mode 4), strips and fans (5, 6). */
static json_int_t triangles(json_int_t mode, json_int_t count)
{
    if (mode == 4)
        return count / 3;
    return (mode == 5 || mode == 6) && count > 2 ? count - 2 : 0;
}

static void count_primitive(json_t *root, json_t *prim, gltf_tally *t)
{
    json_t *position = accessor(root,
                                json_object_get(json_object_get(prim, "attributes"), "POSITION"));
    json_int_t vertices = json_integer_value(json_object_get(position, "count"));
    json_t *indices = accessor(root, json_object_get(prim, "indices"));
    json_int_t drawn = indices ? json_integer_value(json_object_get(indices, "count")) : vertices;
    json_t *mode = json_object_get(prim, "mode");
    t->primitives++;
    t->vertices += vertices > 0 ? vertices : 0;
    t->triangles += triangles(json_is_integer(mode) ? json_integer_value(mode) : 4,
                              drawn > 0 ? drawn : 0);
    if (position != NULL)
        grow_box(t, position);
}

/* Buffers and images named by a URI other than data: — files beside the
 * model that we do not have and never open. */
static json_int_t external_files(json_t *root)
{
    static const char *const lists[] = {"buffers", "images"};
    json_int_t n = 0;
    for (int l = 0; l < 2; l++) {
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(root, lists[l]), i, item) {
            const char *uri = json_string_value(json_object_get(item, "uri"));
            n += uri != NULL && strncmp(uri, "data:", 5) != 0;
        }
    }
    return n;
}

static void set_text(json_t *model, const char *key, json_t *value)
{
    if (json_is_string(value) && json_string_length(value) > 0)
        json_object_set(model, key, value);
}

static int analyse(json_t *root, json_t *model, aw_error *err)
{
    json_t *asset = json_object_get(root, "asset");
    if (!json_is_object(root) || !json_is_object(asset))
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "corrupt",
                            "not a glTF document (no \"asset\" object)");
    gltf_tally t = {0};
    size_t i, j;
    json_t *mesh, *prim;
    json_array_foreach(json_object_get(root, "meshes"), i, mesh) {
        json_array_foreach(json_object_get(mesh, "primitives"), j, prim)
            count_primitive(root, prim, &t);
    }
    json_object_set_new(model, "meshes", json_integer(array_size(root, "meshes")));
    json_object_set_new(model, "primitives", json_integer(t.primitives));
    json_object_set_new(model, "vertices", json_integer(t.vertices));
    json_object_set_new(model, "triangles", json_integer(t.triangles));
    json_object_set_new(model, "materials", json_integer(array_size(root, "materials")));
    json_object_set_new(model, "textures", json_integer(array_size(root, "textures")));
    json_object_set_new(model, "images", json_integer(array_size(root, "images")));
    json_object_set_new(model, "animations", json_integer(array_size(root, "animations")));
    json_object_set_new(model, "nodes", json_integer(array_size(root, "nodes")));
    json_object_set_new(model, "externalFiles", json_integer(external_files(root)));
    set_text(model, "version", json_object_get(asset, "version"));
    set_text(model, "generator", json_object_get(asset, "generator"));
    set_text(model, "copyright", json_object_get(asset, "copyright"));
    if (t.has_box)
        json_object_set_new(model, "boundingBox", aw_model_bbox(t.min, t.max));
    return AW_OK;
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The JSON chunk of a GLB container (header and chunk lengths checked). */
static json_t *load_glb(const char *path, aw_error *err)
{
    unsigned char head[20];
    FILE *f = fopen(path, "rb");
    if (f == NULL || fread(head, 1, sizeof head, f) != sizeof head) {
        if (f != NULL)
            fclose(f);
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "corrupt", "GLB header is cut short");
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    uint32_t json_len = le32(head + 12);
    json_t *root = NULL;
    if (le32(head) != GLB_MAGIC || le32(head + 4) != 2 || le32(head + 16) != GLB_JSON_CHUNK) {
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "corrupt",
                     "not a glTF 2.0 binary (magic, version or first chunk)");
    } else if (le32(head + 8) > (uint64_t)size || (uint64_t)json_len + 20 > (uint64_t)size) {
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "corrupt", "GLB lengths exceed the file");
    } else {
        char *json = g_malloc(json_len ? json_len : 1);
        fseek(f, 20, SEEK_SET);
        if (fread(json, 1, json_len, f) == json_len)
            root = json_loadb(json, json_len, JSON_REJECT_DUPLICATES, NULL);
        g_free(json);
        if (root == NULL)
            aw_error_set(err, AW_CODE_PROCESSING_FAILED, "corrupt", "the GLB's JSON is invalid");
    }
    fclose(f);
    return root;
}

int aw_gltf_read(const char *path, bool binary, json_t *model, aw_error *err)
{
    json_error_t jerr;
    json_t *root = binary ? load_glb(path, err)
                          : json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL)
        return binary ? AW_ERROR
                      : aw_error_set(err, AW_CODE_PROCESSING_FAILED, "corrupt",
                                     "invalid glTF JSON at line %d: %s", jerr.line, jerr.text);
    int rc = analyse(root, model, err);
    json_decref(root);
    return rc;
}
