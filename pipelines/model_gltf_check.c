/* model_gltf_check.c — the parts of a glTF document that assimp 5.2
 * (Debian 12's) follows without checking, checked before it is given the
 * file. Found by fuzz_pipeline and by reading its glTF2 reader: a sparse
 * accessor without `indices` or `values` (or their `bufferView`)
 * dereferences a null pointer, and its indices and values are read for
 * `count` elements without a bound; KHR_texture_transform's `offset` and
 * `scale` are read as two numbers whatever their length; the node tree is
 * walked by recursion (20 000 levels overflow the stack) and a node with
 * two parents is copied under each (a chain of such doubles at every
 * level). A document that breaks these is corrupt for us too; glTF itself
 * says a node has at most one parent. */
#include "model3d.h"

#include <glib.h>
#include <string.h>

/* array[index] when `index` is a non-negative integer in range. */
static json_t *item(json_t *root, const char *array, json_t *index)
{
    if (!json_is_integer(index) || json_integer_value(index) < 0)
        return NULL;
    return json_array_get(json_object_get(root, array), (size_t)json_integer_value(index));
}

static json_int_t int_or(json_t *value, json_int_t fallback)
{
    return json_is_integer(value) ? json_integer_value(value) : fallback;
}

static int component_bytes(json_int_t type)
{
    switch (type) {
    case 5120:
    case 5121: return 1; /* (unsigned) byte */
    case 5122:
    case 5123: return 2; /* (unsigned) short */
    case 5125:
    case 5126: return 4; /* unsigned int, float */
    default: return 0;
    }
}

static int type_components(const char *type)
{
    static const struct {
        const char *name;
        int n;
    } types[] = {{"SCALAR", 1}, {"VEC2", 2}, {"VEC3", 3}, {"VEC4", 4},
                 {"MAT2", 4},   {"MAT3", 9}, {"MAT4", 16}};
    for (size_t i = 0; type != NULL && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(type, types[i].name) == 0)
            return types[i].n;
    return 0;
}

/* One part of a sparse accessor: a bufferView in range that holds `count`
 * elements of `size` bytes from its byteOffset. */
static bool sparse_part_fits(json_t *root, json_t *part, json_int_t count, json_int_t size)
{
    json_t *view = item(root, "bufferViews", json_object_get(part, "bufferView"));
    json_int_t offset = int_or(json_object_get(part, "byteOffset"), 0);
    json_int_t length = int_or(json_object_get(view, "byteLength"), -1);
    return view != NULL && size > 0 && offset >= 0 && length >= 0 && count <= length / size &&
           offset <= length - count * size;
}

static bool sparse_ok(json_t *root, json_t *accessor, json_t *sparse)
{
    json_t *indices = json_object_get(sparse, "indices"),
           *values = json_object_get(sparse, "values");
    json_int_t count = int_or(json_object_get(sparse, "count"), -1);
    json_int_t index_type = int_or(json_object_get(indices, "componentType"), 0);
    json_int_t element = (json_int_t)type_components(
                             json_string_value(json_object_get(accessor, "type"))) *
                         component_bytes(int_or(json_object_get(accessor, "componentType"), 0));
    return json_is_object(sparse) && count >= 0 &&
           (index_type == 5121 || index_type == 5123 || index_type == 5125) &&
           sparse_part_fits(root, indices, count, component_bytes(index_type)) &&
           sparse_part_fits(root, values, count, element);
}

static bool texture_transform_ok(json_t *info)
{
    json_t *t = json_object_get(json_object_get(info, "extensions"), "KHR_texture_transform");
    static const char *const pairs[] = {"offset", "scale"};
    for (int i = 0; t != NULL && i < 2; i++) {
        json_t *pair = json_object_get(t, pairs[i]);
        if (pair != NULL &&
            (!json_is_array(pair) || json_array_size(pair) < 2 ||
             !json_is_number(json_array_get(pair, 0)) || !json_is_number(json_array_get(pair, 1))))
            return false;
    }
    return true;
}

/* Every textureInfo of a material: any object under it with an "index". */
static bool material_ok(json_t *value)
{
    const char *key;
    json_t *member;
    if (json_is_object(value) && json_object_get(value, "index") != NULL &&
        !texture_transform_ok(value))
        return false;
    json_object_foreach(value, key, member) {
        if (json_is_object(member) && !material_ok(member))
            return false;
    }
    return true;
}

/* Each node's parent (-1 for none) from the children lists; false when a
 * node has two parents or names itself. */
static bool parents_of(json_t *nodes, long *parent)
{
    size_t n = json_array_size(nodes), i, j;
    json_t *node, *child;
    for (i = 0; i < n; i++)
        parent[i] = -1;
    json_array_foreach(nodes, i, node) {
        json_array_foreach(json_object_get(node, "children"), j, child) {
            json_int_t c = json_integer_value(child);
            if (!json_is_integer(child) || c < 0 || (size_t)c >= n)
                continue; /* assimp skips what is not a node */
            if (parent[c] != -1 || (size_t)c == i)
                return false;
            parent[c] = (long)i;
        }
    }
    return true;
}

/* At most one parent each and no chain deeper than AW_MODEL_NODE_DEPTH_MAX (which
 * a cycle also is). Depths are remembered, so the walk is linear. */
static bool node_tree_ok(json_t *root)
{
    json_t *nodes = json_object_get(root, "nodes");
    size_t n = json_array_size(nodes);
    long *parent = g_new(long, n + 1);
    int *depth = g_new0(int, n + 1); /* 0: not known yet; else depth + 1 */
    bool ok = parents_of(nodes, parent);
    for (size_t i = 0; ok && i < n; i++) {
        int up = 0;
        long at = (long)i;
        while (at != -1 && depth[at] == 0 && up <= AW_MODEL_NODE_DEPTH_MAX)
            at = parent[at], up++;
        int base = at == -1 ? 0 : depth[at];
        ok = up <= AW_MODEL_NODE_DEPTH_MAX && base + up <= AW_MODEL_NODE_DEPTH_MAX + 1;
        for (long k = (long)i; ok && k != at; k = parent[k])
            depth[k] = base + up--;
    }
    g_free(parent), g_free(depth);
    return ok;
}

int aw_model_gltf_check(json_t *root, aw_error *err)
{
    if (!node_tree_ok(root))
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "corrupt",
                            "the nodes are not a tree of at most %d levels (a node with two "
                            "parents, a cycle, or deeper)",
                            AW_MODEL_NODE_DEPTH_MAX);
    size_t i;
    json_t *accessor, *material;
    json_array_foreach(json_object_get(root, "accessors"), i, accessor) {
        json_t *sparse = json_object_get(accessor, "sparse");
        if (sparse != NULL && !sparse_ok(root, accessor, sparse))
            return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "corrupt",
                                "accessor %zu: its sparse part lacks or overruns its indices "
                                "or values",
                                i);
    }
    json_array_foreach(json_object_get(root, "materials"), i, material) {
        if (!material_ok(material))
            return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "corrupt",
                                "material %zu: KHR_texture_transform offset/scale is not two "
                                "numbers",
                                i);
    }
    return AW_OK;
}
