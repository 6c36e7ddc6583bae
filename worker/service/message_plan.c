/* message_plan.c — a message and its asset's manifest (manifest.h). A
 * regenerate first reads the manifest: "outdated" adds the stages whose
 * recipe changed, and when nothing is outdated the job ends at once,
 * reporting every output as current, with no download and no executor.
 * After any job that made something, the merged manifest is written once
 * its outputs are durable, before the job's events go out. A manifest that
 * cannot be read as JSON counts as none (the asset is then regenerated
 * whole): it is advisory, never a reason to fail. */
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

void aw_message_start_plan(aw_supervisor *sv, aw_message *r)
{
    aw_error err;
    aw_error_clear(&err);
    if (r->spool[0] == '\0' && aw_message_make_spool(sv, r, &err) != AW_OK) {
        aw_message_clear_spool(r);
        aw_message_storage_fault(sv, r, &err);
        return;
    }
    char key[300], path[PATH_MAX + 32];
    aw_manifest_key(r->ev.asset_id, key, sizeof key);
    aw_message_spool_path(r, "manifest.json", path, sizeof path);
    r->state = MSG_PLANNING;
    aw_message_submit(sv, r,
                      aw_transfer_new(AW_TRANSFER_GET, r, key, path, NULL, MANIFEST_MAX_BYTES));
}

/* Nothing is outdated: the asset's outputs, all current, without a job. */
static void report_all_current(aw_supervisor *sv, aw_message *r)
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
    aw_message_clear_spool(r);
    aw_message_publish_final(sv, r);
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

void aw_message_on_planned(aw_supervisor *sv, aw_message *r, const aw_transfer *t)
{
    if (t->rc != AW_OK && t->err.code != AW_CODE_NOT_FOUND) {
        r->state = MSG_QUEUED;
        aw_message_clear_spool(r);
        aw_message_storage_fault(sv, r, &t->err);
        return;
    }
    json_decref(r->manifest);
    r->manifest = t->rc == AW_OK ? load_manifest(r) : NULL;
    r->planned = true;
    r->state = MSG_QUEUED;
    if (!r->ev.outdated)
        return;
    r->ev.stages |= aw_manifest_outdated(r->manifest, &sv->cfg->pipeline);
    if ((r->ev.stages & ~(unsigned)(AW_STAGE_SNIFF | AW_STAGE_SCAN)) == 0 && r->manifest != NULL)
        report_all_current(sv, r);
}

void aw_message_record(aw_supervisor *sv, aw_message *r)
{
    json_t *merged = aw_manifest_merge(r->manifest, r->completed, r->ev.storage_key,
                                       r->source_sha256, r->ev.file_size);
    aw_manifest_complete_event(r->completed, r->manifest);
    char path[PATH_MAX + 32], key[300];
    aw_message_spool_path(r, "manifest.new.json", path, sizeof path);
    if (merged == NULL || json_dump_file(merged, path, JSON_COMPACT | JSON_SORT_KEYS) != 0) {
        json_decref(merged);
        aw_message_clear_spool(r);
        aw_message_publish_final(sv, r); /* nothing to record */
        return;
    }
    json_decref(merged);
    aw_manifest_key(r->ev.asset_id, key, sizeof key);
    r->state = MSG_RECORDING;
    r->store_failed = false;
    aw_message_submit(sv, r, aw_transfer_new(AW_TRANSFER_PUT, r, key, path, "application/json", 0));
    aw_message_submit_index_entry(sv, r);
}

static bool is_manifest(const char *key)
{
    size_t n = strlen(key);
    return n >= 14 && strcmp(key + n - 14, "/manifest.json") == 0;
}

/* The manifest must be written (retried like outputs); the index entry is
 * advisory (a failure is logged, the job goes on). */
void aw_message_on_recorded(aw_supervisor *sv, aw_message *r, const aw_transfer *t)
{
    if (t->rc != AW_OK && is_manifest(t->key) && !r->store_failed)
        r->store_failed = true, r->store_error = t->err;
    else if (t->rc != AW_OK) {
        aw_log_fields f = aw_message_log_fields(r, NULL);
        aw_log(AW_LOG_WARN, &f, "reuse index entry not written: %s", t->err.message);
    }
    if (r->transfers > 0)
        return;
    if (r->store_failed) {
        r->state = MSG_STORING; /* the next attempt stores the outputs and this again */
        aw_message_storage_fault(sv, r, &r->store_error);
        return;
    }
    aw_message_clear_spool(r);
    aw_message_publish_final(sv, r);
}
