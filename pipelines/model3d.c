/* model3d.c — the 3D model stages: metadata (technical.model) and
 * thumbnails (the model rendered once, then the three sizes as for
 * images). Either can be asked for alone; when both run they share one
 * open of the model (declared counts, limits, assimp). */
#include "model3d.h"

#include "alloc.h"
#include "thumbnail.h"

#include <stdlib.h>
#include <string.h>

/* The job's model, opened by whichever stage comes first and kept in
 * ctx->shared until the job ends, so metadata and thumbnail read and import
 * it once; an open that failed fails both stages alike. */
typedef struct opened_model {
    aw_model model;
    int rc;
    aw_error err;
} opened_model;

static void opened_free(void *shared)
{
    opened_model *o = shared;
    aw_model_close(&o->model);
    free(o);
}

static const aw_model *model_of(aw_ctx *ctx, aw_error *err)
{
    opened_model *o = ctx->shared;
    if (o == NULL) {
        o = aw_xcalloc(1, sizeof *o);
        aw_error_clear(&o->err);
        o->rc = aw_model_open(ctx, &o->model, &o->err);
        ctx->shared = o;
        ctx->shared_free = opened_free;
    }
    if (o->rc != AW_OK)
        *err = o->err;
    return o->rc == AW_OK ? &o->model : NULL;
}

static int model_metadata_run(aw_ctx *ctx, aw_error *err)
{
    json_t *t = aw_result_section(ctx->result, "technical");
    json_object_set_new(t, "format", json_string(ctx->result->media->group));
    const aw_model *m = model_of(ctx, err);
    if (m == NULL)
        return AW_ERROR;
    json_object_set_new(t, "model", aw_model_facts(ctx, m));
    return AW_OK;
}

static int model_thumbnail_run(aw_ctx *ctx, aw_error *err)
{
    const aw_model *m = model_of(ctx, err);
    if (m == NULL)
        return AW_ERROR;
    if (m->empty)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "no_geometry",
                            "the model declares nothing to draw (%s)",
                            strcmp(ctx->result->media->group, "obj") == 0 ? "no face" : "no scene");
    if (m->scene == NULL)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "missing_resource",
                            "the model's geometry is in %d file(s) it names but the upload "
                            "does not hold: nothing to draw",
                            m->files_missing + m->files_refused);
    VipsImage *picture = NULL;
    int rc = aw_model_render(ctx, m, AW_MODEL_RENDER_SIZE, &picture, err);
    /* the last model stage: the scene goes before the encoders' memory comes */
    opened_free(ctx->shared);
    ctx->shared = NULL, ctx->shared_free = NULL;
    aw_ctx_progress(ctx, 0.8);
    if (rc == AW_OK)
        rc = aw_thumbnail_write_all(ctx, picture, err);
    if (picture != NULL)
        g_object_unref(picture);
    return rc;
}

/* Mesa's renderer: draw in the job's own thread (the executor runs one job
 * on one core) and keep no shader cache on disk (the sandbox has none). */
static int model_render_init(const aw_config *cfg, aw_error *err)
{
    (void)cfg, (void)err;
    setenv("LP_NUM_THREADS", "0", 1);
    setenv("MESA_SHADER_CACHE_DISABLE", "true", 0);
    return AW_OK;
}

const aw_stage aw_stage_model_metadata = {
    .name = "model3d.metadata",
    .kind = AW_STAGE_METADATA,
    .families = AW_FAMILY_MODEL3D,
    .init_global = NULL,
    .exit_global = NULL,
    .execute = model_metadata_run,
};

const aw_stage aw_stage_model_thumbnail = {
    .name = "model3d.thumbnail",
    .kind = AW_STAGE_THUMBNAIL,
    .families = AW_FAMILY_MODEL3D,
    .init_global = model_render_init,
    .exit_global = aw_model_render_exit,
    .execute = model_thumbnail_run,
};
