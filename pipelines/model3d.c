/* model3d.c — the 3D model metadata stage: technical.model from glTF JSON,
 * GLB or OBJ, as the sniffed type says. No thumbnail (DESIGN §4). */
#include "model3d.h"

#include <string.h>

json_t *aw_model_bbox(const double min[3], const double max[3])
{
    return json_pack("{s:[f,f,f],s:[f,f,f]}", "min", min[0], min[1], min[2], "max", max[0], max[1],
                     max[2]);
}

static int model_metadata_run(aw_ctx *ctx, aw_error *err)
{
    const char *group = ctx->result->media->group;
    json_t *t = aw_result_section(ctx->result, "technical");
    json_t *model = json_object();
    int rc = strcmp(group, "obj") == 0
                 ? aw_obj_read(ctx->input_path, model, err)
                 : aw_gltf_read(ctx->input_path, strcmp(group, "glb") == 0, model, err);
    json_object_set_new(t, "format", json_string(group));
    if (rc == AW_OK)
        json_object_set_new(t, "model", model);
    else
        json_decref(model);
    return rc;
}

const aw_stage aw_stage_model_metadata = {
    .name = "model3d.metadata",
    .kind = AW_STAGE_METADATA,
    .families = AW_FAMILY_MODEL3D,
    .init_global = NULL,
    .exit_global = NULL,
    .execute = model_metadata_run,
};
