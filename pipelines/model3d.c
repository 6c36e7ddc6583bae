/* model3d.c — the 3D model stages: metadata (technical.model) and
 * thumbnails (the model rendered once at 800 × 800, then the three sizes
 * as for images). Each opens the model itself (declared counts, limits,
 * assimp), so either can be asked for alone. */
#include "model3d.h"

#include "thumbnail.h"

#include <stdlib.h>
#include <string.h>

static int model_metadata_run(aw_ctx *ctx, aw_error *err)
{
    json_t *t = aw_result_section(ctx->result, "technical");
    json_object_set_new(t, "format", json_string(ctx->result->media->group));
    aw_model m;
    int rc = aw_model_open(ctx, &m, err);
    if (rc == AW_OK)
        json_object_set_new(t, "model", aw_model_facts(ctx, &m));
    aw_model_close(&m);
    return rc;
}

static int model_thumbnail_run(aw_ctx *ctx, aw_error *err)
{
    aw_model m;
    VipsImage *picture = NULL;
    int rc = aw_model_open(ctx, &m, err);
    if (rc == AW_OK && m.scene == NULL)
        rc = aw_error_set(err, AW_CODE_PROCESSING_FAILED, "missing_resource",
                          "the model's geometry is in %d file(s) it names but the upload "
                          "does not hold: nothing to draw",
                          m.files_missing + m.files_refused);
    if (rc == AW_OK)
        rc = aw_model_render(ctx, m.scene, AW_MODEL_RENDER_SIZE, &picture, err);
    aw_model_close(&m);
    aw_ctx_progress(ctx, 0.8);
    if (rc == AW_OK)
        rc = aw_thumbnail_write_all(ctx, picture, err);
    if (picture != NULL)
        g_object_unref(picture);
    return rc;
}

/* Mesa's renderer: draw in the job's own thread (the executor runs one job
 * on one core, and the zygote must have no thread when it forks) and keep
 * no shader cache on disk (the sandbox has none). */
static int model_render_init(const aw_config *cfg, aw_error *err)
{
    (void)err;
    setenv("LP_NUM_THREADS", "0", 1);
    setenv("MESA_SHADER_CACHE_DISABLE", "true", 0);
    if (cfg->warm_up)
        aw_model_render_warm_up(cfg);
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
