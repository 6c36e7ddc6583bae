/* model_declared_gltf.c — what a glTF 2.0 document declares (a .gltf
 * file, or the JSON chunk of a .glb), read before assimp is: meshes,
 * primitives, the vertices of every primitive's POSITION accessor and the
 * triangles it draws, the buffers and images named by a URI outside of
 * the file, whether it has a scene at all, and its `asset` block. These are the numbers the limits are checked on, so a model
 * claiming ten million vertices is refused before anything allocates them.
 * Every index is checked against its array; no URI is followed. */
#include "model3d.h"

#include <glib.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define GLB_MAGIC 0x46546C67u      /* "glTF" */
#define GLB_JSON_CHUNK 0x4E4F534Au /* "JSON" */

/* accessors[index], or NULL when index is not a valid accessor. */
static json_t *accessor(json_t *root, json_t *index)
{
    json_t *accessors = json_object_get(root, "accessors");
    if (!json_is_integer(index) || json_integer_value(index) < 0)
        return NULL;
    return json_array_get(accessors, (size_t)json_integer_value(index));
}

/* Triangles a primitive draws: lists (mode 4), strips and fans (5, 6). */
static uint64_t triangles(json_int_t mode, json_int_t count)
{
    if (mode == 4)
        return (uint64_t)count / 3;
    return (mode == 5 || mode == 6) && count > 2 ? (uint64_t)count - 2 : 0;
}

static void count_primitive(json_t *root, json_t *prim, aw_model_declared *d)
{
    json_t *position = accessor(root,
                                json_object_get(json_object_get(prim, "attributes"), "POSITION"));
    json_int_t vertices = json_integer_value(json_object_get(position, "count"));
    json_t *indices = accessor(root, json_object_get(prim, "indices"));
    json_int_t drawn = indices ? json_integer_value(json_object_get(indices, "count")) : vertices;
    json_t *mode = json_object_get(prim, "mode");
    d->meshes++;
    d->vertices = aw_model_count_add(d->vertices, vertices > 0 ? (uint64_t)vertices : 0);
    d->triangles = aw_model_count_add(
        d->triangles,
        triangles(json_is_integer(mode) ? json_integer_value(mode) : 4, drawn > 0 ? drawn : 0));
}

/* Buffers and images named by a URI other than data: (files beside the
 * model, which an upload does not bring along). */
static void external_files(json_t *root, aw_model_declared *d)
{
    static const char *const lists[] = {"buffers", "images"};
    for (int l = 0; l < 2; l++) {
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(root, lists[l]), i, item) {
            json_t *uri = json_object_get(item, "uri");
            if (json_is_string(uri) && strncmp(json_string_value(uri), "data:", 5) != 0)
                aw_model_declared_reference(d, json_string_value(uri), json_string_length(uri));
        }
    }
}

static int analyse(json_t *root, aw_model_declared *d, aw_error *err)
{
    if (!json_is_object(root) || !json_is_object(json_object_get(root, "asset")))
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "corrupt",
                            "not a glTF document (no \"asset\" object)");
    size_t i, j;
    json_t *mesh, *prim;
    json_array_foreach(json_object_get(root, "meshes"), i, mesh) {
        json_array_foreach(json_object_get(mesh, "primitives"), j, prim)
            count_primitive(root, prim, d);
    }
    json_t *acc;
    json_array_foreach(json_object_get(root, "accessors"), i, acc) {
        json_int_t n = json_integer_value(json_object_get(acc, "count"));
        if (n > 0 && (uint64_t)n > d->largest_accessor)
            d->largest_accessor = (uint64_t)n;
    }
    external_files(root, d);
    d->no_scene = json_array_size(json_object_get(root, "scenes")) == 0;
    d->asset = json_deep_copy(json_object_get(root, "asset"));
    return aw_model_gltf_check(root, err);
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

int aw_model_declared_gltf(const char *path, bool binary, aw_model_declared *d, aw_error *err)
{
    json_error_t jerr;
    json_t *root = binary ? load_glb(path, err)
                          : json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL)
        return binary ? AW_ERROR
                      : aw_error_set(err, AW_CODE_PROCESSING_FAILED, "corrupt",
                                     "invalid glTF JSON at line %d: %s", jerr.line, jerr.text);
    int rc = analyse(root, d, err);
    json_decref(root);
    return rc;
}
