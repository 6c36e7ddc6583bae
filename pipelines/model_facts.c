/* model_facts.c — technical.model: the counts the file declares (the
 * numbers the limits were checked on) and what assimp's scene holds —
 * meshes, triangles, materials, textures, animations, cameras, lights,
 * nodes, the glTF asset's generator, version and copyright — and the
 * bounding box in world space (node transforms applied). A model that
 * declares nothing to draw is not imported: its counts are the
 * declaration's, and `empty` says so. */
#include "model3d.h"

#include <assimp/cimport.h>
#include <assimp/material.h>
#include <assimp/metadata.h>
#include <glib.h>
#include <math.h>
#include <string.h>

static void set_count(json_t *o, const char *key, uint64_t n)
{
    json_object_set_new(o, key, json_integer(n > INT64_MAX ? INT64_MAX : (json_int_t)n));
}

static void walk_bounds(const struct aiScene *s, const struct aiNode *node, struct aiMatrix4x4 m,
                        int depth, double min[3], double max[3], bool *any)
{
    if (depth > AW_MODEL_NODE_DEPTH_MAX)
        return;
    aiMultiplyMatrix4(&m, &node->mTransformation);
    for (unsigned i = 0; i < node->mNumMeshes; i++) {
        if (node->mMeshes[i] >= s->mNumMeshes)
            continue;
        const struct aiMesh *mesh = s->mMeshes[node->mMeshes[i]];
        for (unsigned v = 0; v < mesh->mNumVertices; v++) {
            struct aiVector3D p = mesh->mVertices[v];
            aiTransformVecByMatrix4(&p, &m);
            double xyz[3] = {p.x, p.y, p.z};
            if (!isfinite(xyz[0]) || !isfinite(xyz[1]) || !isfinite(xyz[2]))
                continue;
            for (int k = 0; k < 3; k++) {
                min[k] = *any ? fmin(min[k], xyz[k]) : xyz[k];
                max[k] = *any ? fmax(max[k], xyz[k]) : xyz[k];
            }
            *any = true;
        }
    }
    for (unsigned c = 0; c < node->mNumChildren; c++)
        walk_bounds(s, node->mChildren[c], m, depth + 1, min, max, any);
}

bool aw_model_bounds(const struct aiScene *scene, double min[3], double max[3])
{
    struct aiMatrix4x4 identity;
    bool any = false;
    aiIdentityMatrix4(&identity);
    if (scene->mRootNode != NULL)
        walk_bounds(scene, scene->mRootNode, identity, 0, min, max, &any);
    return any;
}

static uint64_t count_nodes(const struct aiNode *node, int depth)
{
    uint64_t n = 1;
    for (unsigned c = 0; depth < AW_MODEL_NODE_DEPTH_MAX && c < node->mNumChildren; c++)
        n += count_nodes(node->mChildren[c], depth + 1);
    return n;
}

static uint64_t triangles(const struct aiScene *s)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < s->mNumMeshes; i++)
        for (unsigned f = 0; f < s->mMeshes[i]->mNumFaces; f++)
            n += s->mMeshes[i]->mFaces[f].mNumIndices == 3;
    return n;
}

/* Materials some mesh uses, leaving out the one assimp adds for meshes
 * that have none ("DefaultMaterial") and the ones no face refers to. */
static uint64_t materials(const struct aiScene *s)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < s->mNumMaterials; i++) {
        struct aiString name;
        bool used = false;
        for (unsigned m = 0; m < s->mNumMeshes && !used; m++)
            used = s->mMeshes[m]->mMaterialIndex == i;
        if (aiGetMaterialString(s->mMaterials[i], AI_MATKEY_NAME, &name) == aiReturn_SUCCESS &&
            strcmp(name.data, AI_DEFAULT_MATERIAL_NAME) == 0)
            used = false;
        n += used;
    }
    return n;
}

/* Distinct images the materials use: "*N" (embedded) or a file name. */
static uint64_t textures_used(const struct aiScene *s)
{
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (unsigned i = 0; i < s->mNumMaterials; i++)
        for (int type = 1; type <= AI_TEXTURE_TYPE_MAX; type++)
            for (unsigned t = 0; t < aiGetMaterialTextureCount(s->mMaterials[i], type); t++) {
                struct aiString path;
                if (aiGetMaterialTexture(s->mMaterials[i], type, t, &path, NULL, NULL, NULL, NULL,
                                         NULL, NULL) == aiReturn_SUCCESS)
                    g_hash_table_add(seen, g_strndup(path.data, path.length));
            }
    uint64_t n = g_hash_table_size(seen);
    g_hash_table_destroy(seen);
    return n;
}

/* Text of the file's own (glTF asset block), if UTF-8 and at most 1 KiB. */
static void set_text(json_t *o, const char *key, const char *text, size_t length)
{
    if (length > 0 && length <= 1024 && g_utf8_validate(text, (gssize)length, NULL))
        json_object_set_new(o, key, json_stringn(text, length));
}

/* A string of the scene's metadata ("SourceAsset_Generator"). */
static void set_meta_text(json_t *o, const char *key, const struct aiScene *s, const char *name)
{
    const struct aiMetadata *md = s->mMetaData;
    for (unsigned i = 0; md != NULL && i < md->mNumProperties; i++) {
        const struct aiString *v = md->mValues[i].mData;
        if (strcmp(md->mKeys[i].data, name) == 0 && md->mValues[i].mType == AI_AISTRING)
            set_text(o, key, v->data, v->length);
    }
}

/* glTF 2.0 §3.4: +Y up, metres. */
static void gltf_axes(json_t *o)
{
    json_object_set_new(o, "upAxis", json_string("Y"));
    json_object_set_new(o, "units", json_string("m"));
}

static void scene_facts(json_t *o, const aw_model *m, bool gltf)
{
    const struct aiScene *s = m->scene;
    set_count(o, "meshes", s->mNumMeshes);
    set_count(o, "triangles", triangles(s));
    set_count(o, "materials", materials(s));
    set_count(o, "textures", textures_used(s));
    set_count(o, "embeddedTextures", s->mNumTextures);
    set_count(o, "animations", s->mNumAnimations);
    set_count(o, "cameras", s->mNumCameras);
    set_count(o, "lights", s->mNumLights);
    set_count(o, "nodes", s->mRootNode ? count_nodes(s->mRootNode, 0) : 0);
    set_meta_text(o, "version", s, "SourceAsset_FormatVersion");
    set_meta_text(o, "generator", s, "SourceAsset_Generator");
    set_meta_text(o, "copyright", s, "SourceAsset_Copyright");
    if (gltf)
        gltf_axes(o);
    json_object_set_new(o, "empty", json_boolean(s->mNumMeshes == 0));
    if (m->has_bounds)
        json_object_set_new(o, "boundingBox",
                            json_pack("{s:[f,f,f],s:[f,f,f]}", "min", m->min[0], m->min[1],
                                      m->min[2], "max", m->max[0], m->max[1], m->max[2]));
}

static void declared_facts(json_t *o, const aw_model_declared *d, bool obj)
{
    set_count(o, "vertices", d->vertices);
    set_count(o, "triangles", d->triangles);
    set_count(o, "meshes", d->meshes);
    set_count(o, "externalFiles", d->external_files);
    if (!obj)
        return;
    set_count(o, "faces", d->faces);
    set_count(o, "texcoords", d->texcoords);
    set_count(o, "normals", d->normals);
    set_count(o, "objects", d->objects);
    set_count(o, "groups", d->groups);
}

/* A model that declares nothing to draw (not imported): no mesh, so no
 * material or texture a mesh uses; a glTF's asset block says the rest. */
static void empty_facts(json_t *o, const aw_model_declared *d, bool gltf)
{
    set_count(o, "materials", 0);
    set_count(o, "textures", 0);
    json_object_set_new(o, "empty", json_true());
    if (!gltf)
        return;
    static const char *const keys[] = {"version", "generator", "copyright"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        json_t *text = json_object_get(d->asset, keys[i]);
        if (json_is_string(text))
            set_text(o, keys[i], json_string_value(text), json_string_length(text));
    }
    gltf_axes(o);
}

json_t *aw_model_facts(const aw_ctx *ctx, const aw_model *m)
{
    bool obj = strcmp(ctx->result->media->group, "obj") == 0;
    json_t *o = json_object();
    declared_facts(o, &m->declared, obj);
    if (m->scene != NULL) /* the scene's counts replace the declared ones */
        scene_facts(o, m, !obj);
    else if (m->empty)
        empty_facts(o, &m->declared, !obj);
    json_object_set_new(o, "imported", json_boolean(m->scene != NULL));
    if (m->files_missing > 0)
        set_count(o, "missingFiles", (uint64_t)m->files_missing);
    if (m->files_refused > 0)
        set_count(o, "refusedFiles", (uint64_t)m->files_refused);
    return o;
}
