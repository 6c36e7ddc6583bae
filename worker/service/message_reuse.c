/* message_reuse.c — an upload whose bytes were processed before under the
 * same recipes (reuse_index.h): once its source is downloaded (and hashed on
 * the way), the index is looked up; on a match the earlier asset's outputs
 * are copied to this asset's keys on the storage side instead of decoding
 * again. The scan verdict is reused only under the same ClamAV database;
 * otherwise an executor scans (sniff and scan only) first, and anything
 * but CLEAN ends the reuse. Whatever goes wrong on the way (no entry, a
 * damaged one, a copy that fails) falls back to processing the file
 * normally: the index is advisory. After a job processed normally, its
 * entry is written beside the manifest. This is the work of MSG_LOOKUP and
 * MSG_REUSING; each function reports to the state machine (message.c). */
#define _GNU_SOURCE
#include "supervisor.h"

#include "alloc.h"
#include "reuse_index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define INDEX_MAX_BYTES (4u << 20)

static long long source_bytes(const aw_message *r)
{
    char path[PATH_MAX + 16];
    aw_message_spool_path(r, "source", path, sizeof path);
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

bool aw_message_may_reuse(const aw_supervisor *sv, const aw_message *r)
{
    return sv->cfg->reuse && !r->reuse_tried && r->ev.kind == AW_EVENT_UPLOAD &&
           strlen(r->source_sha256) == 64;
}

void aw_message_get_index_entry(aw_supervisor *sv, aw_message *r)
{
    r->reuse_tried = true;
    char key[300], path[PATH_MAX + 32];
    aw_reuse_index_key(r->source_sha256, &sv->cfg->pipeline, key, sizeof key);
    aw_message_spool_path(r, "index.json", path, sizeof path);
    aw_message_submit(sv, r, aw_transfer_new(AW_TRANSFER_GET, r, key, path, NULL, INDEX_MAX_BYTES));
}

/* The entry that came back, kept in r->reuse when it fits these bytes and
 * recipes; a scan first unless it was judged under the same database. */
aw_lookup_outcome aw_message_judge_index_entry(aw_supervisor *sv, aw_message *r,
                                               const aw_transfer *t)
{
    if (t->rc != AW_OK)
        return AW_LOOKUP_NONE; /* no entry (or none readable now) */
    json_t *entry = aw_message_spool_json(r, "index.json");
    if (!aw_reuse_entry_fits(entry, r->source_sha256, source_bytes(r), r->ev.asset_id,
                             &sv->cfg->pipeline)) {
        aw_log_fields f = aw_message_log_fields(r, NULL);
        aw_log(AW_LOG_WARN, &f,
               "reuse: the index entry for %.16s… does not fit; processing "
               "normally",
               r->source_sha256);
        json_decref(entry);
        return AW_LOOKUP_NONE;
    }
    r->reuse = entry;
    const char *db = json_string_value(json_object_get(json_object_get(entry, "scan"), "database"));
    if (db != NULL && sv->engines.database[0] != '\0' && strcmp(db, sv->engines.database) == 0)
        return AW_LOOKUP_COPY;
    r->ev.stages = AW_STAGE_SNIFF | AW_STAGE_SCAN; /* a new database: scan, then copy */
    return AW_LOOKUP_SCAN_FIRST;
}

/* The executor's scan with the current database: true when it was CLEAN
 * and the outputs may be copied; otherwise the entry is dropped (the
 * verdict is the news: no outputs for what is not clean). */
bool aw_message_scan_lets_reuse(aw_message *r, json_t *result)
{
    const char *scan = json_string_value(json_object_get(result, "scanStatus"));
    const char *status = json_string_value(json_object_get(result, "status"));
    if (scan != NULL && strcmp(scan, "CLEAN") == 0 && status != NULL &&
        strcmp(status, "failed") != 0)
        return true;
    json_decref(r->reuse);
    r->reuse = NULL;
    return false;
}

/* Back to the ordinary way: the whole pipeline in an executor. */
void aw_message_forget_reuse(aw_message *r, const char *why)
{
    if (r->reuse != NULL) {
        aw_log_fields f = aw_message_log_fields(r, NULL);
        aw_log(AW_LOG_INFO, &f, "reuse: not this time (%s); processing normally", why);
    }
    json_decref(r->reuse);
    r->reuse = NULL;
    r->ev.stages = r->stages_asked;
}

static void submit_copy(const char *src, const char *dst, void *user)
{
    void **ctx = user;
    aw_message_submit(ctx[0], ctx[1], aw_transfer_new_copy(ctx[1], src, dst));
}

/* The outputs, to this asset's keys (none: r->transfers stays 0); the
 * event says where they came from. scanned: the executor's result (sniff
 * and scan), or NULL when the verdict is reused too. */
void aw_message_copy_outputs(aw_supervisor *sv, aw_message *r, json_t *scanned)
{
    json_t *event = aw_reuse_event(r->reuse, r->ev.job_id, r->ev.asset_id);
    static const char *const from_scan[] = {"scanStatus", "signature",      "scanDatabase",
                                            "timings",    "durationMs",     "cpuMs",
                                            "peakRssKiB", "scanPeakRssKiB", NULL};
    for (int i = 0; scanned != NULL && from_scan[i] != NULL; i++)
        if (json_object_get(scanned, from_scan[i]) != NULL)
            json_object_set(event, from_scan[i], json_object_get(scanned, from_scan[i]));
    json_decref(r->completed);
    r->completed = event;
    void *ctx[] = {sv, r};
    aw_reuse_each_copy(r->reuse, r->ev.asset_id, submit_copy, ctx);
    aw_log_fields f = aw_message_log_fields(r, NULL);
    aw_log(AW_LOG_INFO, &f, "reuse: the outputs of %s (same bytes and recipes) are copied%s",
           json_string_value(json_object_get(r->reuse, "assetId")),
           scanned ? " after a scan with the current database" : ", verdict included");
}

/* After a job processed normally (an upload that reused nothing). */
void aw_message_put_index_entry(aw_supervisor *sv, aw_message *r)
{
    if (r->reuse != NULL || r->ev.kind != AW_EVENT_UPLOAD)
        return;
    json_t *entry = aw_reuse_entry(r->completed, r->source_sha256, source_bytes(r));
    char path[PATH_MAX + 32], key[300];
    aw_message_spool_path(r, "index.new.json", path, sizeof path);
    if (entry == NULL || json_dump_file(entry, path, JSON_COMPACT | JSON_SORT_KEYS) != 0) {
        json_decref(entry);
        return;
    }
    json_decref(entry);
    aw_reuse_index_key(r->source_sha256, &sv->cfg->pipeline, key, sizeof key);
    aw_message_submit(sv, r, aw_transfer_new(AW_TRANSFER_PUT, r, key, path, "application/json", 0));
}
