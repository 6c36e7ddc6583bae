/* read_model_outputs.c — a completed job's outputs, from the variants of
 * its event (seed 003's AssetVariantsResponse shape): one row per stored
 * object, under an id that stays the same for the asset's object
 * ("<assetId>.thumbnail-small"), so its visibility outlives a regenerate. */
#define _GNU_SOURCE
#include "read_model_internal.h"

#include "alloc.h"
#include "log.h"
#include "sql.h"
#include "storage.h"

#include <stdlib.h>
#include <string.h>

typedef struct output_row {
    const char *name, *kind, *size, *key_field, *type_field;
} output_row;

/* A key the worker would write for this asset: derived/{assetId}/… and safe. */
static bool key_of_asset(const char *key, const char *asset_id)
{
    size_t n = strlen(asset_id);
    return key != NULL && aw_storage_key_safe(key) && strncmp(key, "derived/", 8) == 0 &&
           strncmp(key + 8, asset_id, n) == 0 && key[8 + n] == '/';
}

static json_t *number_or_null(json_t *v)
{
    return json_is_number(v) ? v : NULL;
}

static int store_one(aw_read_model *rm, const char *job_id, const char *asset_id,
                     const output_row *r, json_t *v, int64_t at)
{
    const char *key = json_string_value(json_object_get(v, r->key_field));
    if (!key_of_asset(key, asset_id)) {
        aw_log_warn("console: job %s: output %s has no key of its asset; skipped", job_id, r->name);
        return AW_OK;
    }
    bool peaks = strcmp(r->kind, "waveform_peaks") == 0; /* the PNG's size is not the JSON's */
    json_t *w = peaks ? NULL : number_or_null(json_object_get(v, "width"));
    json_t *h = peaks ? NULL : number_or_null(json_object_get(v, "height"));
    json_t *bytes = peaks ? NULL : number_or_null(json_object_get(v, "bytes"));
    json_t *duration = number_or_null(json_object_get(v, "duration"));
    char *id = aw_xasprintf("%s.%s", asset_id, r->name);
    int rc = aw_sql_exec(rm->writer,
                         "INSERT OR REPLACE INTO outputs VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
                         " ?9, ?10, ?11, ?12, ?13)",
                         "ttttttttiiidi", job_id, r->name, id, asset_id, r->kind, r->size, key,
                         json_string_value(json_object_get(v, r->type_field)),
                         w ? (int64_t)json_number_value(w) : (int64_t)-1,
                         h ? (int64_t)json_number_value(h) : (int64_t)-1,
                         bytes ? (int64_t)json_number_value(bytes) : (int64_t)-1,
                         duration ? json_number_value(duration) : -1.0, at);
    free(id);
    return rc == SQLITE_DONE ? AW_OK : AW_ERROR;
}

static const output_row THUMBNAILS[] = {
    {"thumbnail-small", "thumbnail", "small", "key", "contentType"},
    {"thumbnail-medium", "thumbnail", "medium", "key", "contentType"},
    {"thumbnail-large", "thumbnail", "large", "key", "contentType"},
};
static const output_row PREVIEW = {"preview", "preview", NULL, "key", "contentType"};
static const output_row WAVEFORM = {"waveform", "waveform", NULL, "key", "contentType"};
static const output_row PEAKS = {"waveform-peaks", "waveform_peaks", NULL, "dataKey",
                                 "dataContentType"};

int aw_rm_store_outputs(aw_read_model *rm, const char *job_id, const char *asset_id,
                        json_t *variants, int64_t at)
{
    if (aw_sql_exec(rm->writer, "DELETE FROM outputs WHERE job_id = ?1", "t", job_id) !=
        SQLITE_DONE)
        return AW_ERROR;
    json_t *thumbs = json_object_get(variants, "thumbnails");
    int rc = AW_OK;
    for (size_t i = 0; i < sizeof THUMBNAILS / sizeof THUMBNAILS[0] && rc == AW_OK; i++) {
        json_t *t = json_object_get(thumbs, THUMBNAILS[i].size);
        if (json_is_object(t))
            rc = store_one(rm, job_id, asset_id, &THUMBNAILS[i], t, at);
    }
    json_t *preview = json_object_get(variants, "previews");
    if (rc == AW_OK && json_object_get(preview, "key") != NULL)
        rc = store_one(rm, job_id, asset_id, &PREVIEW, preview, at);
    json_t *wave = json_object_get(variants, "waveform");
    if (rc == AW_OK && json_is_object(wave))
        rc = store_one(rm, job_id, asset_id, &WAVEFORM, wave, at);
    if (rc == AW_OK && json_is_object(wave))
        rc = store_one(rm, job_id, asset_id, &PEAKS, wave, at);
    return rc;
}
