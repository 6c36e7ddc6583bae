/* event.c — CloudEvents decode/validate and output event data. */
#include "event.h"

#include "ids.h"
#include "media.h"
#include "stage_kind.h"

#include <ctype.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

#define CE_JSON "application/cloudevents+json"

static int bad(aw_error *err, const char *reason, const char *what)
{
    return aw_error_set(err, AW_CODE_INVALID_METADATA, reason, "%s", what);
}

int aw_traceparent_valid(const char *s)
{
    static const char shape[] = "xx-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx-xxxxxxxxxxxxxxxx-xx";
    if (s == NULL || strlen(s) != sizeof shape - 1)
        return 0;
    for (size_t i = 0; i < sizeof shape - 1; i++)
        if (shape[i] == 'x' ? !isxdigit((unsigned char)s[i]) : s[i] != '-')
            return 0;
    return 1;
}

void aw_event_hash(char out[33], const char *const *parts, int n)
{
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
    for (int i = 0; i < n; i++) {
        if (i > 0)
            g_checksum_update(sum, (const guchar *)"\n", 1);
        g_checksum_update(sum, (const guchar *)parts[i], (gssize)strlen(parts[i]));
    }
    snprintf(out, 33, "%s", g_checksum_get_string(sum));
    g_checksum_free(sum);
}

void aw_event_id(char out[33], const char *job_id, const char *type, const char *discriminator)
{
    const char *parts[] = {job_id, type, discriminator ? discriminator : ""};
    aw_event_hash(out, parts, 3);
}

/* Copies obj[key] (a string of 1..size-1 bytes) into buf. */
static int take_string(json_t *obj, const char *key, char *buf, size_t size, bool required,
                       aw_error *err)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v)) {
        if (!required)
            return AW_OK;
        return aw_error_set(err, AW_CODE_INVALID_METADATA, "missing_field", "missing field %s",
                            key);
    }
    size_t n = json_string_length(v);
    if (!json_is_string(v) || n == 0 || n >= size || memchr(json_string_value(v), 0, n))
        return aw_error_set(err, AW_CODE_INVALID_METADATA, "bad_field",
                            "field %s must be a non-empty string of at most %zu bytes", key,
                            size - 1);
    memcpy(buf, json_string_value(v), n + 1);
    return AW_OK;
}

static int take_id(json_t *obj, const char *key, char *buf, size_t size, aw_error *err)
{
    if (take_string(obj, key, buf, size, true, err) != AW_OK)
        return AW_ERROR;
    if (!aw_id_valid(buf))
        return aw_error_set(err, AW_CODE_INVALID_METADATA, "bad_field",
                            "field %s must be 1-128 of [A-Za-z0-9._-]", key);
    return AW_OK;
}

static int take_mime(json_t *data, aw_input_event *out, aw_error *err)
{
    if (take_string(data, "mimeType", out->mime, sizeof out->mime, true, err) != AW_OK)
        return AW_ERROR;
    if (aw_media_by_mime(out->mime) == NULL)
        return aw_error_set(err, AW_CODE_INVALID_FILE_TYPE, "declared_not_allowed",
                            "mimeType %s is not an accepted type", out->mime);
    return AW_OK;
}

/* "thumbnail" | "preview" | "metadata" | "all" → stage bits; "outdated"
 * sets *outdated (the stages are chosen later, from the asset's manifest). */
static int regenerate_stages(json_t *types, unsigned *stages, bool *outdated, aw_error *err)
{
    if (!json_is_array(types) || json_array_size(types) == 0)
        return bad(err, "bad_field", "field types must be a non-empty array");
    unsigned s = AW_STAGE_SNIFF | AW_STAGE_SCAN;
    size_t i;
    json_t *t;
    json_array_foreach(types, i, t) {
        const char *v = json_string_value(t);
        if (v && strcmp(v, "thumbnail") == 0)
            s |= AW_STAGE_THUMBNAIL;
        else if (v && strcmp(v, "preview") == 0)
            s |= AW_STAGE_PREVIEW | AW_STAGE_WAVEFORM;
        else if (v && strcmp(v, "metadata") == 0)
            s |= AW_STAGE_METADATA;
        else if (v && strcmp(v, "all") == 0)
            s |= AW_STAGES_ALL;
        else if (v && strcmp(v, "outdated") == 0)
            *outdated = true;
        else
            return bad(err, "bad_field",
                       "types must be thumbnail, preview, metadata, all or outdated");
    }
    *stages = s;
    return AW_OK;
}

static int decode_upload(json_t *data, aw_input_event *out, aw_error *err)
{
    char created_by[130];
    json_t *size = json_object_get(data, "fileSize");
    if (take_id(data, "assetId", out->asset_id, sizeof out->asset_id, err) != AW_OK ||
        take_string(data, "storageKey", out->storage_key, sizeof out->storage_key, true, err) ||
        take_mime(data, out, err) != AW_OK ||
        take_string(data, "createdBy", created_by, sizeof created_by, true, err) != AW_OK)
        return AW_ERROR;
    if (!json_is_integer(size) || json_integer_value(size) < 0)
        return bad(err, size ? "bad_field" : "missing_field",
                   "field fileSize must be a non-negative integer");
    out->file_size = json_integer_value(size);
    out->stages = AW_STAGES_ALL;
    const char *parts[] = {out->ce_source, out->ce_id};
    char hash[33];
    aw_event_hash(hash, parts, 2);
    snprintf(out->job_id, sizeof out->job_id, "job-%s", hash);
    return AW_OK;
}

static int decode_regenerate(json_t *data, aw_input_event *out, aw_error *err)
{
    if (take_id(data, "jobId", out->job_id, sizeof out->job_id, err) != AW_OK ||
        take_id(data, "assetId", out->asset_id, sizeof out->asset_id, err) != AW_OK ||
        take_string(data, "storageKey", out->storage_key, sizeof out->storage_key, true, err) ||
        take_mime(data, out, err) != AW_OK)
        return AW_ERROR;
    out->file_size = -1;
    return regenerate_stages(json_object_get(data, "types"), &out->stages, &out->outdated, err);
}

/* Fills the envelope attributes and returns the data object (borrowed from
 * *doc, which the caller frees). */
static json_t *open_envelope(const void *payload, size_t len, const aw_ce_headers *h,
                             aw_input_event *out, json_t **doc, aw_error *err)
{
    *doc = json_loadb(payload, len, JSON_REJECT_DUPLICATES, NULL);
    if (*doc == NULL || !json_is_object(*doc)) {
        bad(err, "not_json", "payload is not a JSON object");
        return NULL;
    }
    bool structured = (h->content_type &&
                       strncmp(h->content_type, CE_JSON, strlen(CE_JSON)) == 0) ||
                      (h->type == NULL && json_object_get(*doc, "specversion") != NULL);
    const char *spec = h->specversion, *id = h->id, *type = h->type, *source = h->source;
    const char *trace = h->traceparent;
    json_t *data = *doc;
    if (structured) {
        spec = json_string_value(json_object_get(*doc, "specversion"));
        id = json_string_value(json_object_get(*doc, "id"));
        type = json_string_value(json_object_get(*doc, "type"));
        source = json_string_value(json_object_get(*doc, "source"));
        if (trace == NULL)
            trace = json_string_value(json_object_get(*doc, "traceparent"));
        data = json_object_get(*doc, "data");
    }
    if (spec == NULL || strcmp(spec, "1.0") != 0 || id == NULL || !*id || source == NULL ||
        !*source || type == NULL || !json_is_object(data)) {
        bad(err, "bad_envelope",
            "not a CloudEvents 1.0 event (specversion, id, source, type, "
            "data object)");
        return NULL;
    }
    if (strcmp(type, AW_TYPE_UPLOAD) == 0)
        out->kind = AW_EVENT_UPLOAD;
    else if (strcmp(type, AW_TYPE_REGENERATE) == 0)
        out->kind = AW_EVENT_REGENERATE;
    else {
        aw_error_set(err, AW_CODE_INVALID_METADATA, "unknown_type", "unknown event type %.60s",
                     type);
        return NULL;
    }
    snprintf(out->ce_id, sizeof out->ce_id, "%s", id);
    snprintf(out->ce_source, sizeof out->ce_source, "%s", source);
    if (aw_traceparent_valid(trace))
        snprintf(out->traceparent, sizeof out->traceparent, "%s", trace);
    return data;
}

int aw_event_decode(const void *payload, size_t len, const aw_ce_headers *h, aw_input_event *out,
                    aw_error *err)
{
    memset(out, 0, sizeof *out);
    json_t *doc = NULL;
    json_t *data = open_envelope(payload, len, h, out, &doc, err);
    int rc = AW_ERROR;
    if (data != NULL)
        rc = out->kind == AW_EVENT_UPLOAD ? decode_upload(data, out, err)
                                          : decode_regenerate(data, out, err);
    json_decref(doc);
    return rc;
}

json_t *aw_event_progress(const char *job_id, const char *asset_id, const char *stage, int percent,
                          const char *status)
{
    return json_pack("{s:s,s:s,s:s,s:i,s:s}", "jobId", job_id, "assetId", asset_id, "stage", stage,
                     "progress", percent, "status", status);
}

json_t *aw_event_scan_completed(json_t *job_completed)
{
    json_t *data = json_pack("{s:O,s:O,s:O}", "assetId", json_object_get(job_completed, "assetId"),
                             "jobId", json_object_get(job_completed, "jobId"), "scanStatus",
                             json_object_get(job_completed, "scanStatus"));
    json_t *sig = json_object_get(job_completed, "signature");
    if (data != NULL && sig != NULL)
        json_object_set(data, "signature", sig);
    return data;
}

void aw_event_random_hex(char *out, size_t bytes)
{
    for (size_t i = 0; i < bytes; i++)
        sprintf(out + 2 * i, "%02x", (unsigned)g_random_int_range(0, 256));
}

void aw_event_new_trace(char id[33], char traceparent[56])
{
    char trace[33], span[17];
    aw_event_random_hex(id, 16), aw_event_random_hex(trace, 16), aw_event_random_hex(span, 8);
    snprintf(traceparent, 56, "00-%s-%s-01", trace, span);
}
