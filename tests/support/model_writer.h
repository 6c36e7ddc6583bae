/* model_writer.h — 3D models written by the tests at run time: a cube and
 * an icosphere as meshes, saved as Wavefront OBJ or glTF 2.0 (JSON with
 * the buffer inline, or GLB), with the ways a hostile file lies. */
#ifndef AW_MODEL_WRITER_H
#define AW_MODEL_WRITER_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* A triangle mesh: positions, optional texture coordinates, indices. */
typedef struct aw_mesh {
    GArray *pos; /* float x, y, z */
    GArray *uv;  /* float u, v, or empty */
    GArray *idx; /* uint32 */
} aw_mesh;

/* A cube of side 2 from (0,0,0), four vertices per face (each face
 * carries the whole texture): 24 vertices, 12 triangles. */
aw_mesh aw_mesh_cube(void);

/* The unit icosphere: an icosahedron split once, 42 vertices, 80 triangles. */
aw_mesh aw_mesh_icosphere(void);

void aw_mesh_bounds(const aw_mesh *m, double min[3], double max[3]);
void aw_mesh_free(aw_mesh *m);

/* dir/name as OBJ: `head` lines first, then v and f lines. */
void aw_write_obj(const char *dir, const char *name, const aw_mesh *m, const char *head);

/* How a glTF is written: its buffer inline (data: URI), in a GLB's BIN
 * chunk, or named by a URI; a base colour; an embedded PNG texture; a
 * POSITION count that lies; a buffer cut short; more buffers. */
typedef struct aw_gltf_recipe {
    bool binary;
    const char *buffer_uri; /* NULL: data: URI (or the GLB chunk) */
    double colour[3];
    GBytes *png;               /* embedded base-colour texture, or NULL */
    json_int_t claim_count;    /* POSITION accessor count written, 0 = true one */
    size_t cut;                /* bytes left out of the end of the buffer */
    const char *extra_buffers; /* JSON array of more "buffers" items, or NULL */
} aw_gltf_recipe;

void aw_write_gltf(const char *dir, const char *name, const aw_mesh *m, const aw_gltf_recipe *r);

/* A 64 × 64 PNG of one sRGB colour, by libvips. */
GBytes *aw_png_of(double r, double g, double b);

#endif
