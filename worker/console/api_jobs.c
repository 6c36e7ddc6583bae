/* api_jobs.c — /api/v1/jobs…, /dead-letters and /status. */
#define _GNU_SOURCE
#include "api_internal.h"

#include "alloc.h"
#include "regenerate_request.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 304 when the client's copy is current; NULL-free: fills etag. */
static bool not_modified(const api_request *r, char *etag, size_t size)
{
    snprintf(etag, size, "\"r%lld\"", (long long)aw_read_model_revision(r->deps->rm));
    const char *have = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "If-None-Match");
    return have != NULL && strstr(have, etag) != NULL;
}

enum MHD_Result aw_api_jobs(const api_request *r)
{
    aw_job_filter f;
    enum MHD_Result reply = MHD_NO;
    if (!aw_api_job_filter(r, &f, &reply))
        return reply;
    char etag[64];
    if (not_modified(r, etag, sizeof etag))
        reply = aw_api_json_etag(r->conn, MHD_HTTP_NOT_MODIFIED, NULL, etag);
    else
        reply = aw_api_json_etag(r->conn, MHD_HTTP_OK, aw_read_model_jobs(r->deps->rm, &f), etag);
    aw_api_job_filter_free(&f);
    return reply;
}

enum MHD_Result aw_api_job(const api_request *r)
{
    json_t *job = aw_read_model_job(r->deps->rm, r->seg[1]);
    if (job == NULL)
        return aw_api_error(r->conn, MHD_HTTP_NOT_FOUND, "id", "no job %.200s", r->seg[1]);
    return aw_api_json(r->conn, MHD_HTTP_OK, job);
}

enum MHD_Result aw_api_job_assets(const api_request *r)
{
    json_t *list = aw_read_model_job_outputs(r->deps->rm, r->seg[1]);
    if (list == NULL)
        return aw_api_error(r->conn, MHD_HTTP_NOT_FOUND, "id", "no job %.200s", r->seg[1]);
    json_t *out;
    size_t i;
    json_array_foreach(list, i, out)
        aw_api_output_url(r->deps, out);
    return aw_api_json(r->conn, MHD_HTTP_OK, list);
}

static const char *const REGENERATE_TYPES[] = {"thumbnail", "preview",  "metadata",
                                               "all",       "outdated", NULL};

/* body {"types": [...]} → the list, or NULL (400 queued in *reply). */
static json_t *regenerate_types(const api_request *r, enum MHD_Result *reply)
{
    json_t *body = aw_api_body_json(r, reply);
    if (body == NULL)
        return NULL;
    json_t *types = json_object_get(body, "types"), *t;
    size_t i;
    bool ok = json_is_array(types) && json_array_size(types) > 0 && json_array_size(types) <= 4;
    json_array_foreach(types, i, t) {
        bool bad = true;
        for (const char *const *k = REGENERATE_TYPES; *k != NULL && bad; k++)
            bad = !json_is_string(t) || strcmp(json_string_value(t), *k) != 0;
        ok = ok && !bad;
    }
    json_t *out = ok ? json_incref(types) : NULL;
    json_decref(body);
    if (!ok)
        *reply = aw_api_error(
            r->conn, MHD_HTTP_BAD_REQUEST, "types",
            "types must be a list of thumbnail, preview, metadata, all, outdated");
    return out;
}

/* Who asked: the user an authenticating proxy in front of the console names
 * (X-Forwarded-User, else X-Forwarded-Email), else "console". Seed 000's
 * createdBy of the upload is someone else: the uploader. */
static const char *requester(const api_request *r)
{
    const char *names[] = {"X-Forwarded-User", "X-Forwarded-Email"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        const char *v = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, names[i]);
        if (v != NULL && *v != '\0' && strlen(v) <= 128)
            return v;
    }
    return "console";
}

/* The console reads its own request back from the topic within a moment:
 * answering once the job is in the view lets a client that lists the jobs
 * right after the 202 see it (queued), and follow it from there. */
static void wait_until_listed(aw_read_model *rm, const char *job_id)
{
    for (int i = 0; i < 100; i++) { /* up to 5 s; the job is listed later otherwise */
        json_t *job = aw_read_model_job(rm, job_id);
        bool listed = job != NULL;
        json_decref(job);
        if (listed)
            return;
        usleep(50000);
    }
}

enum MHD_Result aw_api_regenerate(const api_request *r)
{
    enum MHD_Result reply = MHD_NO;
    json_t *types = regenerate_types(r, &reply);
    if (types == NULL)
        return reply;
    json_t *src = aw_read_model_job_source(r->deps->rm, r->seg[1]);
    if (src == NULL) {
        json_decref(types);
        return aw_api_error(r->conn, MHD_HTTP_NOT_FOUND, "id",
                            "no job %.200s, or its upload was never seen", r->seg[1]);
    }
    char hex[17];
    aw_event_random_hex(hex, 8);
    json_t *req = json_pack("{s:s+,s:O,s:O,s:O,s:o,s:s}", "jobId", "regen-", hex, "assetId",
                            json_object_get(src, "asset_id"), "storageKey",
                            json_object_get(src, "storage_key"), "mimeType",
                            json_object_get(src, "mime_type"), "types", types, "requestedBy",
                            requester(r));
    json_decref(src);
    aw_input_event ev;
    aw_error err;
    aw_error_clear(&err);
    int rc = req ? aw_regenerate_publish(r->deps->producer, r->deps->topic_regenerate,
                                         r->deps->source, req, &ev, &err)
                 : aw_error_set(&err, AW_CODE_INVALID_METADATA, "bad_field", "incomplete source");
    if (rc == AW_OK && rd_kafka_flush(r->deps->producer, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR)
        rc = aw_error_set(&err, AW_CODE_PROCESSING_FAILED, "kafka", "not acknowledged in 10 s");
    if (rc == AW_OK)
        wait_until_listed(r->deps->rm, ev.job_id);
    json_t *answer = rc == AW_OK ? json_pack("{s:s,s:s,s:O}", "job_id", ev.job_id, "asset_id",
                                             ev.asset_id, "types", json_object_get(req, "types"))
                                 : NULL;
    json_decref(req);
    if (rc != AW_OK)
        return aw_api_error(r->conn, MHD_HTTP_SERVICE_UNAVAILABLE, NULL, "%s", err.message);
    return aw_api_json(r->conn, MHD_HTTP_ACCEPTED, answer);
}

enum MHD_Result aw_api_dead_letters(const api_request *r)
{
    int64_t limit, offset;
    enum MHD_Result reply = MHD_NO;
    if (!aw_api_int_param(r, "limit", 20, 1, 100, &limit, &reply) ||
        !aw_api_int_param(r, "offset", 0, 0, INT32_MAX, &offset, &reply))
        return reply;
    json_t *list = aw_read_model_dead_letters(r->deps->rm, limit, offset);
    aw_api_replay_annotate(r->deps, json_object_get(list, "dead_letters"));
    return aw_api_json(r->conn, MHD_HTTP_OK, list);
}

enum MHD_Result aw_api_status(const api_request *r)
{
    return aw_api_json(r->conn, MHD_HTTP_OK, aw_read_model_status(r->deps->rm));
}
