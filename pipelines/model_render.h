/* model_render.h — what the model renderer's files share. */
#ifndef AW_MODEL_RENDER_H
#define AW_MODEL_RENDER_H

#include "model3d.h"

#include <GL/gl.h>

/* The embedded texture `ref` ("*0", or a file name an embedded texture
 * carries) uploaded to the current GL context: its name, or 0 when there
 * is no such texture or it cannot be decoded within max_pixels. */
GLuint aw_model_texture_load(const struct aiScene *scene, const char *ref, uint64_t max_pixels);

#endif
