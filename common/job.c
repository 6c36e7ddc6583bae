/* job.c — stage names, the stage list parser and the job result. */
#include "job.h"

#include "jsonutil.h"

#include <string.h>

static const char *const stage_names[] = {"sniff",     "scan",    "metadata",
                                          "thumbnail", "preview", "waveform"};

#define STAGE_NAME_COUNT (sizeof stage_names / sizeof stage_names[0])

const char *aw_stage_kind_name(aw_stage_kind kind)
{
    for (unsigned i = 0; i < STAGE_NAME_COUNT; i++)
        if (kind == (aw_stage_kind)(1u << i))
            return stage_names[i];
    return "unknown";
}

static int stage_bit(const char *word, size_t n, unsigned *bit)
{
    if (n == 3 && strncmp(word, "all", 3) == 0) {
        *bit = AW_STAGES_ALL;
        return AW_OK;
    }
    for (unsigned i = 0; i < STAGE_NAME_COUNT; i++)
        if (strlen(stage_names[i]) == n && strncmp(stage_names[i], word, n) == 0) {
            *bit = 1u << i;
            return AW_OK;
        }
    return AW_ERROR;
}

int aw_stage_mask_parse(const char *list, unsigned *mask, aw_error *err)
{
    unsigned result = AW_STAGE_SNIFF;
    for (const char *p = list; p != NULL && *p != '\0';) {
        size_t n = strcspn(p, ",");
        unsigned bit = 0;
        if (n > 0 && stage_bit(p, n, &bit) != AW_OK)
            return aw_error_set(err, AW_CODE_INVALID_METADATA, "unknown_stage",
                                "unknown stage '%.*s' (known: scan, metadata, thumbnail, "
                                "preview, waveform, all)",
                                (int)n, p);
        result |= bit;
        p += n;
        p += (*p == ',');
    }
    *mask = result;
    return AW_OK;
}

static const char id_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";

bool aw_id_valid(const char *id)
{
    if (id == NULL || id[0] == '\0' || id[0] == '.')
        return false;
    size_t n = strspn(id, id_chars);
    return id[n] == '\0' && n <= 128;
}

void aw_id_from_name(const char *path, char *buf, size_t size)
{
    const char *base = strrchr(path, '/');
    snprintf(buf, size, "%.128s", base ? base + 1 : path);
    char *dot = strrchr(buf, '.');
    if (dot != NULL && dot != buf)
        *dot = '\0';
    for (char *p = buf; *p != '\0'; p++)
        if (strchr(id_chars, *p) == NULL)
            *p = '-';
    if (buf[0] == '\0')
        snprintf(buf, size, "a");
    else if (buf[0] == '.')
        buf[0] = 'a';
}

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
    r->variants = r->metadata = r->errors = NULL;
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

json_t *aw_result_section(aw_result *r, const char *name)
{
    json_t *section = json_object_get(r->metadata, name);
    if (section == NULL) {
        section = json_object();
        json_object_set_new(r->metadata, name, section);
    }
    return section;
}

const char *aw_job_status_name(aw_job_status s)
{
    switch (s) {
    case AW_JOB_COMPLETED: return "completed";
    case AW_JOB_PARTIAL: return "partial";
    default: return "failed";
    }
}

const char *aw_scan_status_name(aw_scan_status s)
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
        const char *outcome = t->outcome == AW_OK ? "ok" : t->outcome == AW_DECLINED ? "skipped"
                                                                                      : "error";
        json_array_append_new(list, json_pack("{s:s,s:f,s:s}", "stage", t->stage, "ms", t->ms,
                                              "outcome", outcome));
    }
    return list;
}

json_t *aw_result_to_json(const aw_result *r, const aw_job *job)
{
    json_t *data = json_pack(
        "{s:s,s:s,s:s,s:s,s:O,s:O,s:O,s:o,s:f}", "jobId", job->job_id ? job->job_id : "",
        "assetId", job->asset_id ? job->asset_id : "", "status", aw_job_status_name(r->status),
        "scanStatus", aw_scan_status_name(r->scan_status), "variants", r->variants, "metadata",
        r->metadata, "errors", r->errors, "timings", timings_json(r), "durationMs", r->total_ms);
    if (data == NULL)
        return NULL;
    if (r->scan_signature[0] != '\0')
        json_object_set_new(data, "signature", text_or_empty(r->scan_signature));
    if (r->media != NULL)
        json_object_set_new(data, "mimeType", json_string(r->media->mime));
    return data;
}
