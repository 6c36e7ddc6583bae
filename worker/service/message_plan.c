/* message_plan.c — the work of MSG_PLANNING and MSG_RECORDING: a message
 * and its asset's manifest (manifest.h). A regenerate first reads the
 * manifest: "outdated" adds the stages whose recipe changed, and when
 * nothing is outdated the job's event says every output is current, with
 * no download and no executor. After any job that made something, the
 * merged manifest is written once its outputs are durable, before the
 * job's events go out. A manifest that cannot be read as JSON counts as
 * none (the asset is then regenerated whole): it is advisory, never a
 * reason to fail. Each function reports to the state machine (message.c). */
#define _GNU_SOURCE
#include "supervisor.h"

#include "alloc.h"
#include "manifest.h"
#include "media.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MANIFEST_MAX_BYTES (4u << 20)

bool aw_message_needs_plan(const aw_message *r)
{
    return !r->dead_letter_only && !r->planned && r->ev.kind == AW_EVENT_REGENERATE;
}

void aw_message_get_manifest(aw_supervisor *sv, aw_message *r)
{
    char key[300], path[PATH_MAX + 32];
    aw_manifest_key(r->ev.asset_id, key, sizeof key);
    aw_message_spool_path(r, "manifest.json", path, sizeof path);
    aw_message_submit(sv, r,
                      aw_transfer_new(AW_TRANSFER_GET, r, key, path, NULL, MANIFEST_MAX_BYTES));
}

/* Nothing is outdated: the asset's outputs, all current, without a job. */
static void report_all_current(aw_message *r)
{
    json_t *m = r->manifest;
    json_t *scan = json_object_get(m, "scan");
    json_t *completed = json_pack("{s:s,s:s,s:s,s:O,s:{s:{},s:{}},s:o,s:[],s:{}}", "jobId",
                                  r->ev.job_id, "assetId", r->ev.asset_id, "status", "completed",
                                  "scanStatus",
                                  json_object_get(scan, "status") ? json_object_get(scan, "status")
                                                                  : json_string("PENDING"),
                                  "variants", "thumbnails", "previews", "metadata",
                                  json_pack("{s:s}", "type", "DOCUMENT"), "errors", "recipes");
    if (completed == NULL)
        abort(); /* the format above is fixed: only memory can fail it */
    if (json_object_get(m, "mimeType"))
        json_object_set(completed, "mimeType", json_object_get(m, "mimeType"));
    if (json_object_get(scan, "signature"))
        json_object_set(completed, "signature", json_object_get(scan, "signature"));
    aw_manifest_complete_event(completed, m);
    json_decref(r->completed);
    r->completed = completed;
    r->no_scan_event = true;
    aw_log_fields f = aw_message_log_fields(r, NULL);
    aw_log(AW_LOG_INFO, &f, "outdated: every output of %s is current; nothing runs",
           r->ev.asset_id);
}

static json_t *load_manifest(aw_message *r)
{
    json_t *m = aw_message_spool_json(r, "manifest.json");
    if (m == NULL) {
        aw_log_fields f = aw_message_log_fields(r, NULL);
        aw_log(AW_LOG_WARN, &f, "the manifest of %s is not a JSON object: taken as none",
               r->ev.asset_id);
    }
    return m;
}

aw_plan_outcome aw_message_read_manifest(aw_supervisor *sv, aw_message *r, const aw_transfer *t)
{
    if (t->rc != AW_OK && t->err.code != AW_CODE_NOT_FOUND)
        return AW_PLAN_FAULT;
    json_decref(r->manifest);
    r->manifest = t->rc == AW_OK ? load_manifest(r) : NULL;
    r->planned = true;
    if (!r->ev.outdated)
        return AW_PLAN_FETCH;
    r->ev.stages |= aw_manifest_outdated(r->manifest, &sv->cfg->pipeline);
    if ((r->ev.stages & ~(unsigned)(AW_STAGE_SNIFF | AW_STAGE_SCAN)) != 0 || r->manifest == NULL)
        return AW_PLAN_FETCH;
    report_all_current(r);
    return AW_PLAN_ALL_CURRENT;
}

/* The merged manifest into the spool and on its way to the asset's key;
 * false when there is nothing to write (it cannot be merged or saved). */
bool aw_message_put_manifest(aw_supervisor *sv, aw_message *r)
{
    json_t *merged = aw_manifest_merge(r->manifest, r->completed, r->ev.storage_key,
                                       r->source_sha256, r->ev.file_size);
    aw_manifest_complete_event(r->completed, r->manifest);
    char path[PATH_MAX + 32], key[300];
    aw_message_spool_path(r, "manifest.new.json", path, sizeof path);
    bool saved = merged != NULL && json_dump_file(merged, path, JSON_COMPACT | JSON_SORT_KEYS) == 0;
    json_decref(merged);
    if (!saved)
        return false;
    aw_manifest_key(r->ev.asset_id, key, sizeof key);
    aw_message_submit(sv, r, aw_transfer_new(AW_TRANSFER_PUT, r, key, path, "application/json", 0));
    return true;
}

static bool is_manifest(const char *key)
{
    size_t n = strlen(key);
    return n >= 14 && strcmp(key + n - 14, "/manifest.json") == 0;
}

/* The manifest must be written (true: its PUT failed, the round is retried
 * like outputs); the index entry beside it is advisory (a failure is
 * logged, the job goes on). */
bool aw_message_manifest_failed(const aw_message *r, const aw_transfer *t)
{
    if (t->rc == AW_OK)
        return false;
    if (is_manifest(t->key))
        return true;
    aw_log_fields f = aw_message_log_fields(r, NULL);
    aw_log(AW_LOG_WARN, &f, "reuse index entry not written: %s", t->err.message);
    return false;
}
