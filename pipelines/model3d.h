/* model3d.h — 3D models (glTF 2.0 JSON and binary, Wavefront OBJ).
 *
 * A job's way: what the file declares is counted first (model_declared_*.c)
 * and checked against the limits; assimp then imports it with its file
 * access confined to the model's own directory (model_io.c); the facts of
 * technical.model come from both (model_facts.c); the thumbnail is the
 * model drawn in software with OSMesa from a fixed three-quarter view
 * (model_render.c) and handed to the image thumbnailer. */
#ifndef AW_MODEL3D_H
#define AW_MODEL3D_H

#include "stage.h"
#include "thumbnail.h"

#include <assimp/scene.h>
#include <glib.h>
#include <stdint.h>
#include <vips/vips.h>

/* What the file itself declares, before any import. */
typedef struct aw_model_declared {
    uint64_t meshes;           /* glTF primitives (assimp makes one mesh of each) */
    uint64_t vertices;         /* OBJ `v` lines; glTF POSITION accessor counts */
    uint64_t triangles;        /* what the faces/primitives draw */
    uint64_t faces;            /* OBJ `f` lines */
    uint64_t largest_accessor; /* glTF: the largest count of any accessor */
    uint64_t texcoords, normals, objects, groups; /* OBJ lines */
    uint64_t external_files; /* OBJ mtllib names; glTF buffer/image URIs not data: */
    GPtrArray *references;   /* the first AW_MODEL_REFERENCES_MAX of those names */
    bool no_scene;           /* glTF: no scene to show (`scenes` absent or empty) */
    json_t *asset;           /* glTF: the `asset` object (version, generator, …) */
} aw_model_declared;

#define AW_MODEL_REFERENCES_MAX 64

/* Notes a file the model names (counted; kept while under the cap). */
void aw_model_declared_reference(aw_model_declared *d, const char *name, size_t len);

int aw_model_declared_gltf(const char *path, bool binary, aw_model_declared *d, aw_error *err);

/* Refuses (corrupt) what assimp 5.2 would follow without a check. */
int aw_model_gltf_check(json_t *root, aw_error *err);
int aw_model_declared_obj(const char *path, aw_model_declared *d, aw_error *err);

/* a + b, saturated (declared counts come from hostile files). */
uint64_t aw_model_count_add(uint64_t a, uint64_t b);

/* A model as the stages use it: what it declares, and assimp's scene
 * (NULL when the import failed for want of a file the model names, or
 * when the file declares nothing to draw) with its world-space bounding
 * box. */
typedef struct aw_model {
    aw_model_declared declared;
    const struct aiScene *scene;
    bool empty; /* valid, but nothing to draw: a glTF without a scene, an OBJ without a face */
    int files_refused, files_missing; /* references not followed / not there */
    bool has_bounds;                  /* some finite vertex */
    double min[3], max[3];
} aw_model;

/* Node hierarchies deeper than this are refused (glTF) and not walked. */
#define AW_MODEL_NODE_DEPTH_MAX 256

/* Counts the declaration, checks the limits (ASSET_FILE_TOO_LARGE), then
 * imports. A model that cannot be imported because a file it names is
 * absent or refused still opens (scene NULL), and so does one that
 * declares nothing to draw (scene NULL, empty; assimp refuses those: "No
 * scene", "Mesh contains no faces"); one assimp cannot read is
 * ASSET_PROCESSING_FAILED/corrupt. */
int aw_model_open(aw_ctx *ctx, aw_model *m, aw_error *err);
void aw_model_close(aw_model *m);

/* technical.model of an opened model. */
json_t *aw_model_facts(const aw_ctx *ctx, const aw_model *m);

/* The world-space bounding box of the scene's meshes (node transforms
 * applied); false when it has no finite vertex. */
bool aw_model_bounds(const struct aiScene *scene, double min[3], double max[3]);

/* The opened model's scene drawn at size × size (RGB, anti-aliased), or
 * AW_ERROR. */
int aw_model_render(aw_ctx *ctx, const aw_model *m, int size, VipsImage **out, aw_error *err);

/* Frees the process's drawing context (the stage's exit_global). */
void aw_model_render_exit(void);

#define AW_MODEL_RENDER_SIZE AW_THUMB_LARGE_BOX /* one render, the large size */

#endif
