/* recipe.c — see recipe.h. A version is bumped by hand, in this table, in
 * the commit that changes what the stage writes (sizes, encoder, fields);
 * the settings are hashed, so an operator's change of quality or length
 * makes a new id without anyone bumping anything. */
#include "recipe.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

typedef struct recipe {
    aw_stage_kind kind;
    int version;
    void (*settings)(const aw_config *cfg, GString *out); /* what shapes the output */
} recipe;

static void thumbnail_settings(const aw_config *c, GString *out)
{
    g_string_append_printf(out, "format=%s;quality=%d;effort=%d;sizes=200,400,800",
                           c->thumb_format == AW_THUMB_JPEG ? "jpeg" : "webp", c->thumb_quality,
                           c->thumb_effort);
}

static void preview_settings(const aw_config *c, GString *out)
{
    g_string_append_printf(out, "video=%us;audio=%us;height=%d;crf=%d", c->preview_seconds,
                           c->audio_preview_seconds, c->preview_height, c->preview_crf);
}

static void waveform_settings(const aw_config *c, GString *out)
{
    g_string_append_printf(out, "spp=%u;width=%d;height=%d", c->waveform_spp, c->waveform_width,
                           c->waveform_height);
}

static void metadata_settings(const aw_config *c, GString *out)
{
    (void)c, (void)out; /* what a file says does not depend on settings */
}

static const recipe RECIPES[] = {
    /* 2: 3D models' facts from assimp (issue 18), containers' capture facts (issue 21);
       3: unusual and damaged files' facts (issue 31), Office pageCount from LibreOffice's
       layout (issue 32) */
    {AW_STAGE_METADATA, 3, metadata_settings},
    /* 2: Office and OpenDocument pages rendered by LibreOffice (issue 32) */
    {AW_STAGE_THUMBNAIL, 2, thumbnail_settings},
    {AW_STAGE_PREVIEW, 1, preview_settings},
    {AW_STAGE_WAVEFORM, 1, waveform_settings},
};

const aw_stage_kind aw_recipe_kinds[] = {AW_STAGE_METADATA, AW_STAGE_THUMBNAIL, AW_STAGE_PREVIEW,
                                         AW_STAGE_WAVEFORM};

bool aw_recipe_id(aw_stage_kind kind, const aw_config *cfg, char out[AW_RECIPE_MAX])
{
    for (size_t i = 0; i < sizeof RECIPES / sizeof RECIPES[0]; i++) {
        if (RECIPES[i].kind != kind)
            continue;
        GString *s = g_string_new(NULL);
        RECIPES[i].settings(cfg, s);
        gchar *hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256, s->str, (gssize)s->len);
        snprintf(out, AW_RECIPE_MAX, "%s@%d+%.8s", aw_stage_kind_name(kind), RECIPES[i].version,
                 hash);
        g_free(hash);
        g_string_free(s, TRUE);
        return true;
    }
    out[0] = '\0';
    return false;
}

json_t *aw_recipe_ids(unsigned mask, const aw_config *cfg)
{
    json_t *ids = json_object();
    char id[AW_RECIPE_MAX];
    for (int i = 0; i < AW_RECIPE_KINDS; i++)
        if ((mask & aw_recipe_kinds[i]) && aw_recipe_id(aw_recipe_kinds[i], cfg, id))
            json_object_set_new(ids, aw_stage_kind_name(aw_recipe_kinds[i]), json_string(id));
    return ids;
}
