/* model3d.h — 3D model facts (technical.model): counts of meshes,
 * vertices, triangles/faces, materials, textures, animations, the
 * generator and copyright, and a bounding box. glTF JSON and GLB are read
 * with jansson, OBJ line by line; files a model refers to (buffers,
 * textures, material libraries) are counted, never opened. */
#ifndef AW_MODEL3D_H
#define AW_MODEL3D_H

#include "stage.h"

/* glTF 2.0 JSON (.gltf) or binary (.glb) at path into `model`. */
int aw_gltf_read(const char *path, bool binary, json_t *model, aw_error *err);

/* Wavefront OBJ at path into `model`. */
int aw_obj_read(const char *path, json_t *model, aw_error *err);

/* [min x, y, z] and [max x, y, z] as {"min": […], "max": […]}. */
json_t *aw_model_bbox(const double min[3], const double max[3]);

#endif
