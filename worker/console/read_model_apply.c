/* read_model_apply.c — how each message changes the view (docs/console.md):
 * statuses only move up their rank (queued < processing < terminal), and
 * progress only grows within processing; whatever order the topics are
 * read in, the same messages give the same rows. */
#define _GNU_SOURCE
#include "read_model_internal.h"

#include "alloc.h"
#include "ids.h"
#include "media.h"
#include "sql.h"

#include <stdlib.h>
#include <string.h>

/* Creates the job or moves it: see the rules above. */
static int touch_job(aw_read_model *rm, const char *job_id, const char *asset_id,
                     const char *status, int rank, int64_t progress, const char *stage, int64_t at)
{
    static const char sql[] =
        "INSERT INTO jobs(id, asset_id, status, rank, progress, stage, created_at, updated_at)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) ON CONFLICT(id) DO UPDATE SET"
        " status = CASE WHEN excluded.rank > rank OR excluded.rank = 2 THEN excluded.status"
        "   ELSE status END,"
        " progress = CASE WHEN rank = 2 AND excluded.rank < 2 THEN progress"
        "   ELSE max(progress, excluded.progress) END,"
        " stage = CASE WHEN excluded.rank = 2 THEN NULL WHEN rank = 2 THEN stage"
        "   WHEN excluded.progress >= progress THEN coalesce(excluded.stage, stage)"
        "   ELSE stage END,"
        " rank = max(rank, excluded.rank),"
        " created_at = min(created_at, excluded.created_at),"
        " updated_at = max(updated_at, excluded.updated_at)";
    return aw_sql_exec(rm->writer, sql, "tttiiti", job_id, asset_id, status, (int64_t)rank,
                       progress, stage, at) == SQLITE_DONE
               ? AW_OK
               : AW_ERROR;
}

/* The event's data: the payload, or its "data" in structured mode. */
static json_t *load_data(const aw_feed_message *m, json_t **root)
{
    *root = json_loadb(m->value, m->value_len, 0, NULL);
    json_t *data = json_object_get(*root, "data");
    return json_object_get(*root, "specversion") && json_is_object(data) ? data : *root;
}

static const char *text(json_t *obj, const char *name)
{
    return json_string_value(json_object_get(obj, name));
}

static int decode_input(const aw_feed_message *m, aw_input_event *ev, aw_error *err)
{
    return aw_event_decode(m->value, m->value_len, &m->ce, ev, err);
}

static int db_failed(aw_read_model *rm, aw_error *err)
{
    return aw_rm_sql_error(rm->writer, err);
}

static int store_asset(aw_read_model *rm, const aw_input_event *ev, json_t *data, int64_t at)
{
    const aw_media_type *t = aw_media_by_mime(ev->mime);
    const char *type = t ? aw_family_asset_type(t->family) : "DOCUMENT";
    return aw_sql_exec(rm->writer,
                       "INSERT INTO assets VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                       " ON CONFLICT(id) DO UPDATE SET storage_key = excluded.storage_key,"
                       " mime_type = excluded.mime_type, file_size = excluded.file_size,"
                       " title = excluded.title, created_by = excluded.created_by,"
                       " project_id = excluded.project_id, asset_type = excluded.asset_type,"
                       " uploaded_at = excluded.uploaded_at",
                       "tttitttti", ev->asset_id, ev->storage_key, ev->mime, ev->file_size,
                       text(data, "title"), text(data, "createdBy"), text(data, "projectId"), type,
                       at) == SQLITE_DONE
               ? AW_OK
               : AW_ERROR;
}

int aw_rm_apply_upload(aw_read_model *rm, const aw_feed_message *m, aw_error *err)
{
    aw_input_event ev;
    if (decode_input(m, &ev, err) != AW_OK)
        return AW_ERROR;
    if (ev.kind != AW_EVENT_UPLOAD)
        return aw_error_set(err, AW_CODE_INVALID_METADATA, "unknown_type",
                            "a regenerate request on the uploads topic");
    json_t *root, *data = load_data(m, &root);
    int64_t at = aw_rm_event_time(m);
    bool ok = store_asset(rm, &ev, data, at) == AW_OK &&
              touch_job(rm, ev.job_id, ev.asset_id, "queued", RM_QUEUED, 0, NULL, at) == AW_OK &&
              aw_sql_exec(rm->writer,
                          "UPDATE jobs SET asset_type = coalesce(asset_type,"
                          " (SELECT asset_type FROM assets WHERE id = ?2)),"
                          " mime_type = coalesce(mime_type, ?3) WHERE id = ?1",
                          "ttt", ev.job_id, ev.asset_id, ev.mime) == SQLITE_DONE;
    json_decref(root);
    return ok ? AW_OK : db_failed(rm, err);
}

int aw_rm_apply_regenerate(aw_read_model *rm, const aw_feed_message *m, aw_error *err)
{
    aw_input_event ev;
    if (decode_input(m, &ev, err) != AW_OK)
        return AW_ERROR;
    if (ev.kind != AW_EVENT_REGENERATE)
        return aw_error_set(err, AW_CODE_INVALID_METADATA, "unknown_type",
                            "an upload on the regenerate topic");
    json_t *root, *data = load_data(m, &root);
    char *types = json_dumps(json_object_get(data, "types"), JSON_COMPACT);
    int64_t at = aw_rm_event_time(m);
    bool ok = touch_job(rm, ev.job_id, ev.asset_id, "queued", RM_QUEUED, 0, NULL, at) == AW_OK &&
              aw_sql_exec(rm->writer,
                          "UPDATE jobs SET kind = 'regenerate', regenerate_types_json = ?2,"
                          " mime_type = coalesce(mime_type, ?3), asset_type = coalesce(asset_type,"
                          " (SELECT asset_type FROM assets WHERE id = ?4)), requested_by = ?5"
                          " WHERE id = ?1",
                          "ttttt", ev.job_id, types, ev.mime, ev.asset_id,
                          text(data, "requestedBy")) == SQLITE_DONE;
    free(types);
    json_decref(root);
    return ok ? AW_OK : db_failed(rm, err);
}

/* jobId and assetId of an output event, both valid ids. */
static int event_ids(json_t *data, const char **job_id, const char **asset_id, aw_error *err)
{
    *job_id = text(data, "jobId"), *asset_id = text(data, "assetId");
    if (*job_id == NULL || *asset_id == NULL || !aw_id_valid(*job_id) || !aw_id_valid(*asset_id))
        return aw_error_set(err, AW_CODE_INVALID_METADATA, "missing_field",
                            "jobId and assetId must be valid ids");
    return AW_OK;
}

static int apply_progress(aw_read_model *rm, json_t *data, int64_t at, aw_error *err)
{
    const char *job_id, *asset_id, *stage = text(data, "stage"), *status = text(data, "status");
    json_t *p = json_object_get(data, "progress");
    if (event_ids(data, &job_id, &asset_id, err) != AW_OK)
        return AW_ERROR;
    if (!json_is_integer(p) || json_integer_value(p) < 0 || json_integer_value(p) > 100 ||
        stage == NULL || status == NULL ||
        (strcmp(status, "queued") != 0 && strcmp(status, "processing") != 0))
        return aw_error_set(err, AW_CODE_INVALID_METADATA, "bad_field",
                            "progress needs stage, status queued|processing and 0-100");
    bool queued = strcmp(status, "queued") == 0;
    return touch_job(rm, job_id, asset_id, status, queued ? RM_QUEUED : RM_PROCESSING,
                     json_integer_value(p), stage, at) == AW_OK
               ? AW_OK
               : db_failed(rm, err);
}

static bool one_of(const char *s, const char *const *list)
{
    for (; s != NULL && *list != NULL; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

static const char *const SCAN_STATUSES[] = {"CLEAN", "INFECTED", "ERROR", NULL};
/* A job that ended before its scan ran (an empty file, a type refused by
 * sniff, a storage fault) says PENDING: no verdict, scan_status NULL. */
static const char *const FINAL_SCAN_STATUSES[] = {"PENDING", "CLEAN", "INFECTED", "ERROR", NULL};

static int apply_scan(aw_read_model *rm, json_t *data, int64_t at, aw_error *err)
{
    const char *job_id, *asset_id, *scan = text(data, "scanStatus");
    if (event_ids(data, &job_id, &asset_id, err) != AW_OK)
        return AW_ERROR;
    if (!one_of(scan, SCAN_STATUSES))
        return aw_error_set(err, AW_CODE_INVALID_METADATA, "bad_field",
                            "scanStatus must be CLEAN, INFECTED or ERROR");
    bool ok = touch_job(rm, job_id, asset_id, "processing", RM_PROCESSING, 0, NULL, at) == AW_OK &&
              aw_sql_exec(rm->writer,
                          "UPDATE jobs SET scan_status = ?2, scan_signature = ?3"
                          " WHERE id = ?1 AND (rank < 2 OR scan_status IS NULL)",
                          "ttt", job_id, scan, text(data, "signature")) == SQLITE_DONE;
    return ok ? AW_OK : db_failed(rm, err);
}

/* "ASSET_…: message" of the first error, or NULL. */
static char *first_error(json_t *errors)
{
    json_t *e = json_array_get(errors, 0);
    const char *code = text(e, "code"), *message = text(e, "message");
    return code ? aw_xasprintf("%s: %s", code, message ? message : "") : NULL;
}

/* timings [{stage, ms, outcome}] → [{name, outcome, ms}] as JSON text. */
static char *stages_json(json_t *timings)
{
    json_t *out = json_array(), *t;
    size_t i;
    json_array_foreach(timings, i, t) {
        if (text(t, "stage") != NULL)
            json_array_append_new(out,
                                  json_pack("{s:s,s:s?,s:O?}", "name", text(t, "stage"), "outcome",
                                            text(t, "outcome"), "ms", json_object_get(t, "ms")));
    }
    char *s = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    return s;
}

static const char *const JOB_STATUSES[] = {"completed", "partial", "failed", NULL};

static int store_completion(aw_read_model *rm, json_t *data, const char *job_id, int64_t at)
{
    char *error = first_error(json_object_get(data, "errors"));
    char *stages = stages_json(json_object_get(data, "timings"));
    char *errors = json_dumps(json_object_get(data, "errors"), JSON_COMPACT | JSON_ENCODE_ANY);
    const char *type = text(json_object_get(data, "metadata"), "type");
    const char *scan = text(data, "scanStatus");
    if (strcmp(scan, "PENDING") == 0)
        scan = NULL;
    int rc = aw_sql_exec(rm->writer,
                         "UPDATE jobs SET error_message = ?2, scan_status = ?3,"
                         " scan_signature = ?4, stages_json = ?5, errors_json = ?6,"
                         " asset_type = coalesce(?7, asset_type), mime_type = coalesce(?8,"
                         " mime_type), completed_at = ?9 WHERE id = ?1",
                         "tttttttti", job_id, error, scan, text(data, "signature"), stages, errors,
                         type, text(data, "mimeType"), at);
    free(error), free(stages), free(errors);
    return rc == SQLITE_DONE ? AW_OK : AW_ERROR;
}

static int apply_completed(aw_read_model *rm, json_t *data, int64_t at, aw_error *err)
{
    const char *job_id, *asset_id, *status = text(data, "status");
    if (event_ids(data, &job_id, &asset_id, err) != AW_OK)
        return AW_ERROR;
    if (!one_of(status, JOB_STATUSES) || !one_of(text(data, "scanStatus"), FINAL_SCAN_STATUSES) ||
        !json_is_array(json_object_get(data, "errors")))
        return aw_error_set(err, AW_CODE_INVALID_METADATA, "bad_field",
                            "job.completed needs status, scanStatus and errors");
    int64_t progress = strcmp(status, "failed") == 0 ? 0 : 100;
    bool ok = touch_job(rm, job_id, asset_id, status, RM_TERMINAL, progress, NULL, at) == AW_OK &&
              store_completion(rm, data, job_id, at) == AW_OK &&
              aw_rm_store_outputs(rm, job_id, asset_id, json_object_get(data, "variants"), at) ==
                  AW_OK;
    return ok ? AW_OK : db_failed(rm, err);
}

int aw_rm_apply_event(aw_read_model *rm, const aw_feed_message *m, aw_error *err)
{
    json_t *root, *data = load_data(m, &root);
    const char *type = m->ce.type ? m->ce.type : text(root, "type");
    int64_t at = aw_rm_event_time(m);
    int rc;
    if (!json_is_object(data))
        rc = aw_error_set(err, AW_CODE_INVALID_METADATA, "not_json", "not a JSON object");
    else if (type != NULL && strcmp(type, AW_TYPE_PROGRESS) == 0)
        rc = apply_progress(rm, data, at, err);
    else if (type != NULL && strcmp(type, AW_TYPE_SCAN) == 0)
        rc = apply_scan(rm, data, at, err);
    else if (type != NULL && strcmp(type, AW_TYPE_COMPLETED) == 0)
        rc = apply_completed(rm, data, at, err);
    else
        rc = aw_error_set(err, AW_CODE_INVALID_METADATA, "unknown_type",
                          "unknown event type %.100s", type ? type : "(none)");
    json_decref(root);
    return rc;
}
