/* model_import.c — opening a model: its declared counts against the
 * limits first, then assimp's import through the confined file access. */
#include "model3d.h"

#include "model_io.h"

#include <assimp/cimport.h>
#include <assimp/config.h>
#include <assimp/postprocess.h>
#include <string.h>

uint64_t aw_model_count_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

void aw_model_declared_reference(aw_model_declared *d, const char *name, size_t len)
{
    d->external_files++;
    if (d->references == NULL)
        d->references = g_ptr_array_new_with_free_func(g_free);
    if (d->references->len < AW_MODEL_REFERENCES_MAX)
        g_ptr_array_add(d->references, g_strndup(name, len));
}

/* The files the model names, each found in its directory, absent, or refused. */
static void classify_references(aw_model *m, const struct aiFileIO *io)
{
    for (unsigned i = 0; m->declared.references && i < m->declared.references->len; i++) {
        const char *ref = g_ptr_array_index(m->declared.references, i);
        char *plain = g_uri_unescape_string(ref, NULL); /* glTF URIs are escaped */
        aw_model_reference r = aw_model_io_reference(io, plain ? plain : ref);
        m->files_missing += r == AW_MODEL_REF_MISSING;
        m->files_refused += r == AW_MODEL_REF_REFUSED;
        g_free(plain);
    }
}

static int over(aw_error *err, const char *what, uint64_t declared, uint64_t limit)
{
    return aw_error_set(err, AW_CODE_FILE_TOO_LARGE, "model_limit",
                        "the model declares %llu %s, over the limit of %llu",
                        (unsigned long long)declared, what, (unsigned long long)limit);
}

static int check_limits(const aw_limits *l, const aw_model_declared *d, aw_error *err)
{
    if (d->vertices > l->max_model_vertices)
        return over(err, "vertices", d->vertices, l->max_model_vertices);
    if (d->triangles > l->max_model_triangles)
        return over(err, "triangles", d->triangles, l->max_model_triangles);
    if (d->meshes > l->max_model_meshes)
        return over(err, "meshes", d->meshes, l->max_model_meshes);
    /* any other accessor (indices, morph targets, animation) fits in that too */
    uint64_t t = l->max_model_triangles;
    uint64_t elements = t > UINT64_MAX / 3 ? UINT64_MAX : t * 3;
    if (d->largest_accessor > elements && d->largest_accessor > l->max_model_vertices)
        return over(err, "elements in one accessor", d->largest_accessor, elements);
    return AW_OK;
}

/* assimp's message, printable ASCII only (it may quote the file). */
static int import_failed(aw_error *err)
{
    char text[200];
    snprintf(text, sizeof text, "%s", aiGetErrorString());
    for (char *p = text; *p != '\0'; p++)
        if (*p < 0x20 || *p > 0x7e)
            *p = '?';
    return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "corrupt", "assimp cannot import it: %s",
                        text[0] ? text : "no reason given");
}

/* Triangles only (faces of more corners split), smooth normals where the
 * file has none except across edges sharper than 80° (a cube stays a
 * cube), and assimp's own check of every index it made. */
static const struct aiScene *import(const char *path, const char *extension, aw_model *m)
{
    struct aiFileIO *io = aw_model_io_new(path, extension);
    struct aiPropertyStore *props = aiCreatePropertyStore();
    aiSetImportPropertyFloat(props, AI_CONFIG_PP_GSN_MAX_SMOOTHING_ANGLE, 80.0f);
    unsigned flags = aiProcess_Triangulate | aiProcess_GenSmoothNormals |
                     aiProcess_ValidateDataStructure;
    const struct aiScene *scene = aiImportFileExWithProperties(aw_model_io_name(io), flags, io,
                                                               props);
    classify_references(m, io);
    aiReleasePropertyStore(props);
    aw_model_io_free(io);
    return scene;
}

/* Valid, but nothing to draw, and nothing assimp would import: a glTF
 * without a scene (the smallest valid glTF is its `asset` block alone), an
 * OBJ of vertices without a face (a point cloud). */
static bool declares_nothing_to_draw(const char *group, const aw_model_declared *d)
{
    return strcmp(group, "obj") == 0 ? d->faces == 0 : d->no_scene;
}

int aw_model_open(aw_ctx *ctx, aw_model *m, aw_error *err)
{
    const char *group = ctx->result->media->group;
    *m = (aw_model){0};
    int rc = strcmp(group, "obj") == 0
                 ? aw_model_declared_obj(ctx->input_path, &m->declared, err)
                 : aw_model_declared_gltf(ctx->input_path, strcmp(group, "glb") == 0, &m->declared,
                                          err);
    if (rc != AW_OK || (rc = check_limits(&ctx->config->limits, &m->declared, err)) != AW_OK)
        return rc;
    m->empty = declares_nothing_to_draw(group, &m->declared);
    if (m->empty)
        return AW_OK;
    m->scene = import(ctx->input_path, group, m);
    if (m->scene == NULL && m->files_refused + m->files_missing == 0)
        return import_failed(err);
    m->has_bounds = m->scene != NULL && aw_model_bounds(m->scene, m->min, m->max);
    return AW_OK;
}

void aw_model_close(aw_model *m)
{
    if (m->declared.references != NULL)
        g_ptr_array_free(m->declared.references, TRUE);
    m->declared.references = NULL;
    json_decref(m->declared.asset);
    m->declared.asset = NULL;
    if (m->scene != NULL)
        aiReleaseImport(m->scene);
    m->scene = NULL;
}
