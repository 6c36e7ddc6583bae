/* manifest.c — see manifest.h. */
#define _GNU_SOURCE
#include "manifest.h"

#include "recipe.h"
#include "stage_kind.h"
#include "timeutil.h"

#include <stdio.h>
#include <string.h>

void aw_manifest_key(const char *asset_id, char *buf, size_t size)
{
    snprintf(buf, size, "derived/%s/manifest.json", asset_id);
}

/* Where a kind's outputs live in the variants, or NULL for metadata. */
static const char *variant_part(aw_stage_kind kind)
{
    switch (kind) {
    case AW_STAGE_THUMBNAIL: return "thumbnails";
    case AW_STAGE_PREVIEW: return "previews";
    case AW_STAGE_WAVEFORM: return "waveform";
    default: return NULL;
    }
}

static bool has_outputs(json_t *m, aw_stage_kind kind)
{
    const char *part = variant_part(kind);
    if (part == NULL)
        return json_is_object(json_object_get(m, "metadata"));
    json_t *v = json_object_get(json_object_get(m, "variants"), part);
    if (kind == AW_STAGE_PREVIEW)
        return json_object_get(v, "key") != NULL;
    return json_is_object(v) && json_object_size(v) > 0;
}

static bool listed(json_t *list, const char *name)
{
    json_t *v;
    size_t i;
    json_array_foreach(list, i, v)
        if (json_is_string(v) && strcmp(json_string_value(v), name) == 0)
            return true;
    return false;
}

unsigned aw_manifest_outdated(json_t *manifest, const aw_config *cfg)
{
    unsigned all = 0, stale = 0;
    json_t *recipes = json_object_get(manifest, "recipes");
    for (int i = 0; i < AW_RECIPE_KINDS; i++) {
        aw_stage_kind k = aw_recipe_kinds[i];
        const char *name = aw_stage_kind_name(k);
        char now[AW_RECIPE_MAX];
        aw_recipe_id(k, cfg, now);
        const char *had = json_string_value(json_object_get(recipes, name));
        all |= k;
        if (listed(json_object_get(manifest, "failed"), name) ||
            (had != NULL && (strcmp(had, now) != 0 || !has_outputs(manifest, k))))
            stale |= k;
    }
    return manifest == NULL ? all : stale;
}

/* Copies kind's outputs (or the metadata) from one document to another. */
static void take_part(json_t *to, json_t *from, aw_stage_kind kind)
{
    const char *part = variant_part(kind);
    if (part == NULL) {
        json_object_set(to, "metadata", json_object_get(from, "metadata"));
        return;
    }
    json_t *v = json_object_get(json_object_get(from, "variants"), part);
    json_t *to_variants = json_object_get(to, "variants");
    if (to_variants == NULL) {
        to_variants = json_pack("{s:{},s:{}}", "thumbnails", "previews");
        json_object_set_new(to, "variants", to_variants);
    }
    if (v != NULL)
        json_object_set(to_variants, part, v);
    else
        json_object_del(to_variants, part);
}

/* Kinds named by the job's errors. */
static json_t *failed_kinds(json_t *completed)
{
    json_t *out = json_array(), *e;
    size_t i;
    json_array_foreach(json_object_get(completed, "errors"), i, e) {
        const char *stage = json_string_value(json_object_get(e, "stage"));
        for (int k = 0; stage && k < AW_RECIPE_KINDS; k++)
            if (strcmp(stage, aw_stage_kind_name(aw_recipe_kinds[k])) == 0 && !listed(out, stage))
                json_array_append_new(out, json_string(stage));
    }
    return out;
}

/* Last time's failures that this job did not run again, and this job's. */
static json_t *merge_failed(json_t *old, json_t *completed)
{
    json_t *now = failed_kinds(completed), *v;
    json_t *made = json_object_get(completed, "recipes");
    size_t i;
    json_array_foreach(json_object_get(old, "failed"), i, v) {
        const char *name = json_string_value(v);
        if (name && !json_object_get(made, name) && !listed(now, name))
            json_array_append_new(now, json_string(name));
    }
    return now;
}

static json_t *source_of(json_t *old, const char *storage_key, const char *sha256, long long bytes)
{
    json_t *was = json_object_get(old, "source");
    const char *was_key = json_string_value(json_object_get(was, "storageKey"));
    json_t *src = json_pack("{s:s}", "storageKey", storage_key);
    if (sha256 != NULL && sha256[0] != '\0')
        json_object_set_new(src, "sha256", json_string(sha256));
    else if (was_key && strcmp(was_key, storage_key) == 0 && json_object_get(was, "sha256"))
        json_object_set(src, "sha256", json_object_get(was, "sha256"));
    if (bytes >= 0)
        json_object_set_new(src, "bytes", json_integer(bytes));
    else if (json_object_get(was, "bytes"))
        json_object_set(src, "bytes", json_object_get(was, "bytes"));
    return src;
}

static void record_scan(json_t *m, json_t *completed)
{
    json_t *scan = json_pack("{s:O}", "status", json_object_get(completed, "scanStatus"));
    if (json_object_get(completed, "signature"))
        json_object_set(scan, "signature", json_object_get(completed, "signature"));
    if (json_object_get(completed, "scanDatabase"))
        json_object_set(scan, "database", json_object_get(completed, "scanDatabase"));
    json_object_set_new(m, "scan", scan);
}

json_t *aw_manifest_merge(json_t *old, json_t *completed, const char *storage_key,
                          const char *sha256, long long bytes)
{
    const char *status = json_string_value(json_object_get(completed, "status"));
    if (status == NULL || strcmp(status, "failed") == 0)
        return NULL;
    json_t *m = old ? json_deep_copy(old) : json_object();
    char now[40];
    aw_time_iso8601(now, sizeof now);
    json_object_set(m, "assetId", json_object_get(completed, "assetId"));
    json_object_set(m, "jobId", json_object_get(completed, "jobId"));
    json_object_set_new(m, "updatedAt", json_string(now));
    if (json_object_get(completed, "mimeType"))
        json_object_set(m, "mimeType", json_object_get(completed, "mimeType"));
    json_object_set_new(m, "source", source_of(old, storage_key, sha256, bytes));
    json_t *recipes = json_object_get(m, "recipes"), *id;
    if (recipes == NULL)
        json_object_set_new(m, "recipes", recipes = json_object());
    const char *name;
    json_object_foreach(json_object_get(completed, "recipes"), name, id) {
        json_object_set(recipes, name, id);
        for (int k = 0; k < AW_RECIPE_KINDS; k++)
            if (strcmp(name, aw_stage_kind_name(aw_recipe_kinds[k])) == 0)
                take_part(m, completed, aw_recipe_kinds[k]);
    }
    json_object_set_new(m, "failed", merge_failed(old, completed));
    record_scan(m, completed);
    return m;
}

void aw_manifest_complete_event(json_t *completed, json_t *manifest)
{
    json_t *made = json_object_get(completed, "recipes");
    json_t *failed = failed_kinds(completed);
    json_t *outputs = json_object(), *all = json_object();
    json_object_update(outputs, json_object_get(completed, "outputs")); /* "reused" stays */
    json_object_update(all, made);
    for (int k = 0; k < AW_RECIPE_KINDS; k++) {
        aw_stage_kind kind = aw_recipe_kinds[k];
        const char *name = aw_stage_kind_name(kind);
        json_t *had = json_object_get(json_object_get(manifest, "recipes"), name);
        if (json_object_get(made, name) != NULL) {
            if (json_object_get(outputs, name) == NULL)
                json_object_set_new(outputs, name, json_string("made"));
        } else if (had != NULL && !listed(failed, name) && has_outputs(manifest, kind)) {
            json_object_set_new(outputs, name, json_string("current"));
            json_object_set(all, name, had);
            take_part(completed, manifest, kind);
        }
    }
    json_decref(failed);
    json_object_set_new(completed, "outputs", outputs);
    if (json_object_size(all) > 0)
        json_object_set_new(completed, "recipes", all);
    else
        json_decref(all);
}
