/* model_render.c — a model's picture, drawn on the CPU by OSMesa (Mesa's
 * off-screen software renderer) with OpenGL 1.x's fixed pipeline.
 *
 * What it shows: every triangle of the scene with its node transforms,
 * framed on the world bounding box (scaled into a unit sphere first, so
 * huge or tiny coordinates frame alike) from a fixed three-quarter view
 * (45° round, 25° above, +Y up as glTF says), in perspective. Shading is
 * two directional lights on the normals (assimp makes smooth ones where the
 * file has none) times the material's base colour, textured when the
 * texture is embedded in the file; both faces are lit. The background is a
 * neutral light grey. It is drawn at twice the asked size and halved with
 * libvips (4 samples a pixel: anti-aliased). Nothing random or
 * time-dependent enters, so the same file gives the same pixels.
 * Triangles are drawn in batches and the wall clock is checked between
 * them against the render limit. */
#define _GNU_SOURCE
#include "model_render.h"

#include "alloc.h"
#include "log.h"

#include <GL/osmesa.h>
#include <assimp/cimport.h>
#include <assimp/material.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SUPERSAMPLE 2
#define BATCH_TRIANGLES 65536
#define TEXTURES_MAX 16 /* embedded textures decoded per model */
#define FOV_DEGREES 30.0
#define AZIMUTH_DEGREES 45.0
#define ELEVATION_DEGREES 25.0
#define BACKGROUND 0.92f

_Static_assert(sizeof(struct aiVector3D) == 3 * sizeof(GLfloat), "assimp built with float");

typedef struct draw_state {
    const struct aiScene *scene;
    struct aiMatrix4x4 view; /* camera × normalisation, row-major (assimp) */
    GLuint textures[TEXTURES_MAX];
    bool texture_tried[TEXTURES_MAX];
    char texture_refs[TEXTURES_MAX][64];
    int textures_used;
    uint64_t max_texture_pixels;
    double deadline; /* CLOCK_MONOTONIC seconds */
    bool late;
    GLuint *batch; /* BATCH_TRIANGLES × 3 indices */
} draw_state;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Row-major assimp matrix → column-major GL array. */
static void load_matrix(const struct aiMatrix4x4 *m)
{
    const ai_real *r = &m->a1;
    GLfloat gl[16];
    for (int row = 0; row < 4; row++)
        for (int col = 0; col < 4; col++)
            gl[col * 4 + row] = (GLfloat)r[row * 4 + col];
    glLoadMatrixf(gl);
}

/* Camera on the three-quarter direction at a distance where the unit
 * sphere fills the field of view, looking at the origin, +Y up. */
static void camera(struct aiMatrix4x4 *out, double distance)
{
    double az = AZIMUTH_DEGREES * M_PI / 180, el = ELEVATION_DEGREES * M_PI / 180;
    double back[3] = {sin(az) * cos(el), sin(el), cos(az) * cos(el)}; /* eye direction */
    double side[3] = {back[2], 0, -back[0]};                          /* up × back */
    double ls = sqrt(side[0] * side[0] + side[2] * side[2]);
    side[0] /= ls, side[2] /= ls;
    double up[3] = {back[1] * side[2] - back[2] * side[1], back[2] * side[0] - back[0] * side[2],
                    back[0] * side[1] - back[1] * side[0]};
    *out = (struct aiMatrix4x4){
        (ai_real)side[0],
        (ai_real)side[1],
        (ai_real)side[2],
        0,
        (ai_real)up[0],
        (ai_real)up[1],
        (ai_real)up[2],
        0,
        (ai_real)back[0],
        (ai_real)back[1],
        (ai_real)back[2],
        (ai_real)-distance,
        0,
        0,
        0,
        1,
    };
}

/* The view: the bounding box's centre to the origin, its half diagonal to
 * 1, then the camera. Projection: perspective with room around the sphere. */
static void set_view(draw_state *st, const double min[3], const double max[3])
{
    double c[3], r = 0;
    for (int k = 0; k < 3; k++) {
        c[k] = (min[k] + max[k]) / 2;
        r += (max[k] - min[k]) * (max[k] - min[k]);
    }
    r = sqrt(r) / 2;
    if (!(r > 1e-12) || !isfinite(r))
        r = 1;
    double half = FOV_DEGREES / 2 * M_PI / 180, distance = 1.08 / sin(half);
    struct aiMatrix4x4 normalise = {
        (ai_real)(1 / r),
        0,
        0,
        (ai_real)(-c[0] / r),
        0,
        (ai_real)(1 / r),
        0,
        (ai_real)(-c[1] / r),
        0,
        0,
        (ai_real)(1 / r),
        (ai_real)(-c[2] / r),
        0,
        0,
        0,
        1,
    };
    camera(&st->view, distance);
    aiMultiplyMatrix4(&st->view, &normalise);
    double near = distance - 1.5, far = distance + 1.5, t = near * tan(half);
    glMatrixMode(GL_PROJECTION);
    glLoadIdentity();
    glFrustum(-t, t, -t, t, near, far);
    glMatrixMode(GL_MODELVIEW);
}

static void lights(void)
{
    static const GLfloat key_dir[] = {-0.45f, 0.65f, 0.62f, 0}, key[] = {0.75f, 0.75f, 0.75f, 1};
    static const GLfloat fill_dir[] = {0.6f, -0.2f, 0.77f, 0}, fill[] = {0.25f, 0.25f, 0.25f, 1};
    static const GLfloat ambient[] = {0.3f, 0.3f, 0.3f, 1}, none[] = {0, 0, 0, 1};
    glLoadIdentity(); /* light directions are in eye space */
    glLightfv(GL_LIGHT0, GL_POSITION, key_dir);
    glLightfv(GL_LIGHT0, GL_DIFFUSE, key);
    glLightfv(GL_LIGHT0, GL_SPECULAR, none);
    glLightfv(GL_LIGHT1, GL_POSITION, fill_dir);
    glLightfv(GL_LIGHT1, GL_DIFFUSE, fill);
    glLightfv(GL_LIGHT1, GL_SPECULAR, none);
    glLightModelfv(GL_LIGHT_MODEL_AMBIENT, ambient);
    glLightModeli(GL_LIGHT_MODEL_TWO_SIDE, GL_TRUE);
    glEnable(GL_LIGHTING), glEnable(GL_LIGHT0), glEnable(GL_LIGHT1);
    glEnable(GL_NORMALIZE), glEnable(GL_DEPTH_TEST), glEnable(GL_COLOR_MATERIAL);
    glColorMaterial(GL_FRONT_AND_BACK, GL_AMBIENT_AND_DIFFUSE);
    glShadeModel(GL_SMOOTH);
    glTexEnvi(GL_TEXTURE_ENV, GL_TEXTURE_ENV_MODE, GL_MODULATE);
}

/* The material's base colour (glTF) or diffuse colour (OBJ), else grey. */
static void material_colour(const struct aiMaterial *mat)
{
    struct aiColor4D c = {0.8f, 0.8f, 0.8f, 1};
    if (mat != NULL && aiGetMaterialColor(mat, AI_MATKEY_BASE_COLOR, &c) != aiReturn_SUCCESS &&
        aiGetMaterialColor(mat, AI_MATKEY_COLOR_DIFFUSE, &c) != aiReturn_SUCCESS)
        c = (struct aiColor4D){0.8f, 0.8f, 0.8f, 1};
    GLfloat rgb[3] = {c.r, c.g, c.b};
    for (int k = 0; k < 3; k++)
        rgb[k] = isfinite(rgb[k]) ? fminf(fmaxf(rgb[k], 0), 1) : 0.8f;
    glColor4f(rgb[0], rgb[1], rgb[2], 1);
}

/* The embedded base-colour/diffuse texture of a material, bound; false if none. */
static bool bind_texture(draw_state *st, const struct aiMaterial *mat)
{
    struct aiString ref;
    if (mat == NULL || (aiGetMaterialTexture(mat, aiTextureType_BASE_COLOR, 0, &ref, NULL, NULL,
                                             NULL, NULL, NULL, NULL) != aiReturn_SUCCESS &&
                        aiGetMaterialTexture(mat, aiTextureType_DIFFUSE, 0, &ref, NULL, NULL, NULL,
                                             NULL, NULL, NULL) != aiReturn_SUCCESS))
        return false;
    int i = 0;
    while (i < st->textures_used && strcmp(st->texture_refs[i], ref.data) != 0)
        i++;
    if (i == st->textures_used) {
        if (i == TEXTURES_MAX || ref.length >= sizeof st->texture_refs[0])
            return false;
        memcpy(st->texture_refs[i], ref.data, ref.length + 1);
        st->textures[i] = aw_model_texture_load(st->scene, ref.data, st->max_texture_pixels);
        st->textures_used++;
    }
    if (st->textures[i] == 0)
        return false;
    glBindTexture(GL_TEXTURE_2D, st->textures[i]);
    return true;
}

static void set_arrays(const struct aiMesh *mesh, bool textured)
{
    glEnableClientState(GL_VERTEX_ARRAY);
    glVertexPointer(3, GL_FLOAT, 0, mesh->mVertices);
    if (mesh->mNormals != NULL) {
        glEnableClientState(GL_NORMAL_ARRAY);
        glNormalPointer(GL_FLOAT, 0, mesh->mNormals);
    } else {
        glDisableClientState(GL_NORMAL_ARRAY);
        glNormal3f(0, 0, 1);
    }
    if (textured) {
        glEnable(GL_TEXTURE_2D);
        glEnableClientState(GL_TEXTURE_COORD_ARRAY);
        glTexCoordPointer(2, GL_FLOAT, sizeof(struct aiVector3D), mesh->mTextureCoords[0]);
    } else {
        glDisable(GL_TEXTURE_2D);
        glDisableClientState(GL_TEXTURE_COORD_ARRAY);
    }
}

/* The mesh's triangles in batches; stops when the render is over time. */
static void draw_mesh(draw_state *st, const struct aiMesh *mesh)
{
    const struct aiMaterial *mat = mesh->mMaterialIndex < st->scene->mNumMaterials
                                       ? st->scene->mMaterials[mesh->mMaterialIndex]
                                       : NULL;
    material_colour(mat);
    set_arrays(mesh, mesh->mTextureCoords[0] != NULL && bind_texture(st, mat));
    unsigned f = 0;
    while (f < mesh->mNumFaces && !st->late) {
        GLsizei n = 0;
        for (; f < mesh->mNumFaces && n < BATCH_TRIANGLES * 3; f++) {
            const struct aiFace *face = &mesh->mFaces[f];
            if (face->mNumIndices != 3)
                continue; /* points and lines are not drawn */
            memcpy(st->batch + n, face->mIndices, 3 * sizeof(GLuint));
            n += 3;
        }
        glDrawElements(GL_TRIANGLES, n, GL_UNSIGNED_INT, st->batch);
        glFinish();
        st->late = now_seconds() > st->deadline;
    }
}

static void draw_node(draw_state *st, const struct aiNode *node, struct aiMatrix4x4 world,
                      int depth)
{
    if (depth > AW_MODEL_NODE_DEPTH_MAX || st->late)
        return;
    aiMultiplyMatrix4(&world, &node->mTransformation);
    struct aiMatrix4x4 mv = st->view;
    aiMultiplyMatrix4(&mv, &world);
    load_matrix(&mv);
    for (unsigned i = 0; i < node->mNumMeshes && !st->late; i++)
        if (node->mMeshes[i] < st->scene->mNumMeshes)
            draw_mesh(st, st->scene->mMeshes[node->mMeshes[i]]);
    for (unsigned c = 0; c < node->mNumChildren; c++) {
        draw_node(st, node->mChildren[c], world, depth + 1);
        load_matrix(&mv);
    }
}

/* The RGBA frame (top row first) as an RGB image `size` wide: every 2 × 2
 * block of the supersampled frame averaged into one pixel. */
static int to_image(const unsigned char *frame, int px, VipsImage **out)
{
    VipsImage *rgba = vips_image_new_from_memory(frame, (size_t)px * px * 4, px, px, 4,
                                                 VIPS_FORMAT_UCHAR);
    VipsImage *small = NULL, *rgb = NULL;
    int rc = -1;
    if (rgba != NULL && vips_shrink(rgba, &small, SUPERSAMPLE, SUPERSAMPLE, NULL) == 0 &&
        vips_extract_band(small, &rgb, 0, "n", 3, NULL) == 0) {
        rgb->Type = VIPS_INTERPRETATION_sRGB;
        *out = vips_image_copy_memory(rgb); /* computed now, while the frame is alive */
        rc = *out != NULL ? 0 : -1;
    }
    if (rgba)
        g_object_unref(rgba);
    if (small)
        g_object_unref(small);
    if (rgb)
        g_object_unref(rgb);
    return rc;
}

static int render_fail(aw_error *err, const char *reason, const char *message)
{
    vips_error_clear();
    return aw_error_set(err, AW_CODE_PROCESSING_FAILED, reason, "%s", message);
}

/* One drawing context for the life of the process (made at the first
 * render): each render sets every state it uses, and deletes its textures. */
static OSMesaContext context;

void aw_model_render_exit(void)
{
    if (context != NULL)
        OSMesaDestroyContext(context);
    context = NULL;
}

/* The scene framed on its bounding box [min, max] into frame (px × px). */
static int draw_scene(const aw_config *cfg, const struct aiScene *scene, const double min[3],
                      const double max[3], int px, unsigned char *frame, aw_error *err)
{
    if (context == NULL)
        context = OSMesaCreateContextExt(OSMESA_RGBA, 24, 0, 0, NULL);
    if (context == NULL || !OSMesaMakeCurrent(context, frame, GL_UNSIGNED_BYTE, px, px))
        return render_fail(err, "render", "OSMesa cannot make a drawing context");
    OSMesaPixelStore(OSMESA_Y_UP, 0); /* first row on top, as images are */
    draw_state st = {.scene = scene,
                     .max_texture_pixels = cfg->limits.max_image_pixels,
                     .deadline = now_seconds() + cfg->limits.model_render_ms / 1000.0,
                     .batch = aw_xmalloc(BATCH_TRIANGLES * 3 * sizeof(GLuint))};
    glViewport(0, 0, px, px);
    glClearColor(BACKGROUND, BACKGROUND, BACKGROUND, 1);
    glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
    lights();
    set_view(&st, min, max);
    struct aiMatrix4x4 identity;
    aiIdentityMatrix4(&identity);
    draw_node(&st, scene->mRootNode, identity, 0);
    glFinish();
    free(st.batch);
    glDeleteTextures(st.textures_used, st.textures);
    if (st.late)
        return aw_error_set(err, AW_CODE_FILE_TOO_LARGE, "model_limit",
                            "the render took longer than %u s", cfg->limits.model_render_ms / 1000);
    return AW_OK;
}

int aw_model_render(aw_ctx *ctx, const aw_model *m, int size, VipsImage **out, aw_error *err)
{
    if (!m->has_bounds) /* no finite vertex, which covers a scene without nodes */
        return render_fail(err, "no_geometry", "the model has no vertex to draw");
    int px = size * SUPERSAMPLE;
    unsigned char *frame = aw_xmalloc((size_t)px * px * 4);
    int rc = draw_scene(ctx->config, m->scene, m->min, m->max, px, frame, err);
    if (rc == AW_OK && to_image(frame, px, out) != 0)
        rc = render_fail(err, "render", "cannot scale the rendered picture");
    free(frame);
    return rc;
}
