/* model_io.h — assimp's file access for one model, confined to the model's
 * own directory (model_io.c says what is refused). */
#ifndef AW_MODEL_IO_H
#define AW_MODEL_IO_H

#include <assimp/cfileio.h>

/* An IO system for the model at `source`; assimp is to be given
 * aw_model_io_name() (the model under a name with `extension`, "glb",
 * "gltf" or "obj", which chooses the importer). */
struct aiFileIO *aw_model_io_new(const char *source, const char *extension);
const char *aw_model_io_name(const struct aiFileIO *io);

typedef enum {
    AW_MODEL_REF_PRESENT, /* a regular file in the model's directory */
    AW_MODEL_REF_MISSING, /* would be read, but is not there */
    AW_MODEL_REF_REFUSED, /* absolute, "..", a URL or a link: never read */
} aw_model_reference;

/* What becomes of a file the model names (a glTF URI, an OBJ mtllib). */
aw_model_reference aw_model_io_reference(const struct aiFileIO *io, const char *ref);

void aw_model_io_free(struct aiFileIO *io);

#endif
