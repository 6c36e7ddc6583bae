/* result.c — the job result: building it, and its JSON for the
 * asset.job.completed event. */
#include "result.h"

#include "jsonutil.h"

#include <string.h>

int aw_result_init(aw_result *r)
{
    memset(r, 0, sizeof *r);
    r->status = AW_JOB_COMPLETED;
    r->scan_status = AW_SCAN_PENDING;
    r->variants = json_pack("{s:{},s:{}}", "thumbnails", "previews");
    r->metadata = json_pack("{s:s}", "type", "DOCUMENT");
    r->errors = json_array();
    if (r->variants == NULL || r->metadata == NULL || r->errors == NULL) {
        aw_result_free(r);
        return AW_ERROR;
    }
    return AW_OK;
}

void aw_result_free(aw_result *r)
{
    if (r == NULL)
        return;
    json_decref(r->variants);
    json_decref(r->metadata);
    json_decref(r->errors);
    json_decref(r->recipes);
    r->variants = r->metadata = r->errors = r->recipes = NULL;
}

/* Library text (error messages quote decoders, signature names come from
 * the database) as a JSON string that always exists and is valid UTF-8. */
static json_t *text_or_empty(const char *s)
{
    json_t *t = aw_json_text(s, strlen(s));
    return t != NULL ? t : json_string("");
}

void aw_result_add_error(aw_result *r, const char *stage, const aw_error *err)
{
    json_t *e = json_pack("{s:s,s:s,s:s,s:o}", "stage", stage, "code", aw_code_name(err->code),
                          "reason", err->reason, "message", text_or_empty(err->message));
    if (e != NULL)
        json_array_append_new(r->errors, e);
}

void aw_result_add_shortfall(aw_result *r, const char *stage, const aw_error *err)
{
    aw_result_add_error(r, stage, err);
    r->shortfalls++;
}

json_t *aw_result_section(aw_result *r, const char *name)
{
    json_t *section = json_object_get(r->metadata, name);
    if (section == NULL) {
        section = json_object();
        json_object_set_new(r->metadata, name, section);
    }
    return section;
}

const char *aw_result_status_name(aw_job_status s)
{
    switch (s) {
    case AW_JOB_COMPLETED: return "completed";
    case AW_JOB_PARTIAL: return "partial";
    default: return "failed";
    }
}

const char *aw_result_scan_status_name(aw_scan_status s)
{
    switch (s) {
    case AW_SCAN_CLEAN: return "CLEAN";
    case AW_SCAN_INFECTED: return "INFECTED";
    case AW_SCAN_ERROR: return "ERROR";
    default: return "PENDING";
    }
}

static json_t *timings_json(const aw_result *r)
{
    json_t *list = json_array();
    for (int i = 0; i < r->timing_count; i++) {
        const aw_stage_timing *t = &r->timings[i];
        const char *outcome = t->outcome == AW_OK         ? "ok"
                              : t->outcome == AW_DECLINED ? "skipped"
                                                          : "error";
        json_array_append_new(list, json_pack("{s:s,s:f,s:s}", "stage", t->stage, "ms", t->ms,
                                              "outcome", outcome));
    }
    return list;
}

json_t *aw_result_to_json(const aw_result *r, const aw_job *job)
{
    json_t *data = json_pack("{s:s,s:s,s:s,s:s,s:O,s:O,s:O,s:o,s:f}", "jobId",
                             job->job_id ? job->job_id : "", "assetId",
                             job->asset_id ? job->asset_id : "", "status",
                             aw_result_status_name(r->status), "scanStatus",
                             aw_result_scan_status_name(r->scan_status), "variants", r->variants,
                             "metadata", r->metadata, "errors", r->errors, "timings",
                             timings_json(r), "durationMs", r->total_ms);
    if (data == NULL)
        return NULL;
    if (r->scan_signature[0] != '\0')
        json_object_set_new(data, "signature", text_or_empty(r->scan_signature));
    if (r->media != NULL)
        json_object_set_new(data, "mimeType", json_string(r->media->mime));
    if (r->recipes != NULL)
        json_object_set(data, "recipes", r->recipes);
    if (r->scan_database[0] != '\0')
        json_object_set_new(data, "scanDatabase", json_string(r->scan_database));
    return data;
}
