/* model_texture.c — an embedded texture (a PNG or JPEG inside a GLB) as
 * a GL texture: decoded by libvips with the same loaders as uploads, its
 * size checked against the image pixel limit from the header before any
 * pixel is decoded, shrunk to fit 1024 × 1024, RGBA, rows bottom-up (GL's
 * first row is t = 0; assimp's texture coordinates have v up). */
#include "model_render.h"

#include <assimp/texture.h>
#include <stdlib.h>
#include <string.h>

#define TEXTURE_BOX 1024

/* 8-bit sRGB RGBA, flipped for GL, in memory (caller frees with g_free). */
static void *rgba_pixels(VipsImage *in, int *w, int *h)
{
    VipsImage *srgb = NULL, *rgba = NULL, *flipped = NULL;
    void *pixels = NULL;
    size_t bytes = 0;
    if (vips_colourspace(in, &srgb, VIPS_INTERPRETATION_sRGB, NULL) == 0 &&
        (srgb->Bands == 4 ? vips_copy(srgb, &rgba, NULL)
                          : vips_bandjoin_const1(srgb, &rgba, 255.0, NULL)) == 0 &&
        rgba->Bands == 4 && vips_flip(rgba, &flipped, VIPS_DIRECTION_VERTICAL, NULL) == 0)
        pixels = vips_image_write_to_memory(flipped, &bytes);
    if (pixels != NULL) {
        *w = flipped->Xsize;
        *h = flipped->Ysize;
    }
    if (srgb)
        g_object_unref(srgb);
    if (rgba)
        g_object_unref(rgba);
    if (flipped)
        g_object_unref(flipped);
    return pixels;
}

/* The decoded, shrunk picture of a compressed embedded texture, or NULL
 * (not decodable, or over the pixel limit: the mesh is drawn untextured). */
static VipsImage *decode(const struct aiTexture *tex, uint64_t max_pixels)
{
    if (tex->mHeight != 0 || tex->mWidth == 0 || tex->pcData == NULL)
        return NULL; /* raw texel arrays are not drawn */
    VipsImage *header = vips_image_new_from_buffer(tex->pcData, tex->mWidth, "", "access",
                                                   VIPS_ACCESS_SEQUENTIAL, NULL);
    VipsImage *small = NULL;
    if (header != NULL && (uint64_t)header->Xsize * (uint64_t)header->Ysize <= max_pixels &&
        vips_thumbnail_image(header, &small, TEXTURE_BOX, "height", TEXTURE_BOX, "size",
                             VIPS_SIZE_DOWN, NULL) != 0)
        small = NULL;
    if (header != NULL)
        g_object_unref(header);
    vips_error_clear();
    return small;
}

/* "*N" names the scene's texture N; any other name, a texture whose
 * file name it carries (assimp's rule, scene.h GetEmbeddedTexture). */
static const struct aiTexture *embedded(const struct aiScene *scene, const char *ref)
{
    if (ref[0] == '*') {
        char *end;
        unsigned long i = strtoul(ref + 1, &end, 10);
        return end != ref + 1 && *end == '\0' && i < scene->mNumTextures ? scene->mTextures[i]
                                                                         : NULL;
    }
    const char *base = strrchr(ref, '/') ? strrchr(ref, '/') + 1 : ref;
    for (unsigned i = 0; i < scene->mNumTextures; i++) {
        const char *name = scene->mTextures[i]->mFilename.data;
        const char *nbase = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
        if (name[0] != '\0' && strcmp(base, nbase) == 0)
            return scene->mTextures[i];
    }
    return NULL;
}

GLuint aw_model_texture_load(const struct aiScene *scene, const char *ref, uint64_t max_pixels)
{
    const struct aiTexture *tex = embedded(scene, ref);
    VipsImage *img = tex ? decode(tex, max_pixels) : NULL;
    int w = 0, h = 0;
    void *pixels = img ? rgba_pixels(img, &w, &h) : NULL;
    GLuint name = 0;
    if (pixels != NULL) {
        glGenTextures(1, &name);
        glBindTexture(GL_TEXTURE_2D, name);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
        glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
        g_free(pixels);
    }
    if (img != NULL)
        g_object_unref(img);
    vips_error_clear();
    return name;
}
