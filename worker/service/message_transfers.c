/* message_transfers.c — a message's storage requests, on the transfer pool
 * (storage/transfers.h): its source downloaded into the spool ahead of an
 * idle executor, and its outputs uploaded all at once after the job. The
 * loop never waits for storage; a failed request takes the message through
 * the usual storage retry (backoff, then failed and dead-lettered). */
#define _GNU_SOURCE
#include "supervisor.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Messages holding a source or fetching one: each is an executor's next job. */
static int staged(const aw_supervisor *sv)
{
    int n = 0;
    for (const aw_message *r = sv->messages; r != NULL; r = r->next)
        n += !r->abandoned &&
             (r->state == MSG_FETCHING || r->state == MSG_LOOKUP || r->state == MSG_FETCHED);
    return n;
}

/* Fetches may run ahead of the executors: one for each idle executor, plus
 * --prefetch for the busy ones, so a finished executor finds its next
 * source already in the spool. */
int aw_message_fetch_room(const aw_supervisor *sv)
{
    return aw_pool_idle_count(sv->pool) + sv->cfg->prefetch - staged(sv);
}

void aw_message_submit(aw_supervisor *sv, aw_message *r, aw_transfer *t)
{
    r->transfers++;
    aw_transfers_submit(sv->transfers, t);
}

int aw_message_make_spool(aw_supervisor *sv, aw_message *r, aw_error *err)
{
    char out[PATH_MAX + 16], tmp[PATH_MAX + 16];
    snprintf(r->spool, sizeof r->spool, "%s/%s-%d", sv->cfg->spool_dir, r->ev.job_id,
             r->executor_attempts + r->io_attempts);
    aw_message_spool_path(r, "out", out, sizeof out);
    aw_message_spool_path(r, "tmp", tmp, sizeof tmp);
    if (mkdir(r->spool, 0700) == 0 && mkdir(out, 0700) == 0 && mkdir(tmp, 0700) == 0)
        return AW_OK;
    aw_error_set(err, AW_CODE_STORAGE_ERROR, "spool", "cannot create %s: %s", r->spool,
                 strerror(errno));
    err->retriable = true;
    return AW_ERROR;
}

void aw_message_start_fetch(aw_supervisor *sv, aw_message *r)
{
    aw_error err;
    aw_error_clear(&err);
    if (r->spool[0] == '\0' && aw_message_make_spool(sv, r, &err) != AW_OK) {
        aw_message_clear_spool(r);
        aw_message_storage_fault(sv, r, &err);
        return;
    }
    char source[PATH_MAX + 16];
    aw_message_spool_path(r, "source", source, sizeof source);
    r->state = MSG_FETCHING;
    aw_message_submit(sv, r,
                      aw_transfer_new(AW_TRANSFER_GET, r, r->ev.storage_key, source, NULL,
                                      sv->cfg->pipeline.limits.max_file_bytes));
}

/* Uploads the output file that v[key_field] names, typed by v[type_field]. */
static void store_file(aw_supervisor *sv, aw_message *r, json_t *v, const char *key_field,
                       const char *type_field)
{
    const char *key = json_string_value(json_object_get(v, key_field));
    const char *type = json_string_value(json_object_get(v, type_field));
    if (key == NULL)
        return;
    char path[PATH_MAX + 300], name[280];
    const char *base = strrchr(key, '/');
    snprintf(name, sizeof name, "out/%s", base ? base + 1 : key);
    aw_message_spool_path(r, name, path, sizeof path);
    aw_message_submit(sv, r, aw_transfer_new(AW_TRANSFER_PUT, r, key, path, type, 0));
}

/* Every output named in variants: "key" (typed by "contentType") and
 * "dataKey" (the waveform's peaks, typed by "dataContentType"). */
static void store_variant(aw_supervisor *sv, aw_message *r, json_t *v)
{
    store_file(sv, r, v, "key", "contentType");
    store_file(sv, r, v, "dataKey", "dataContentType");
    const char *k;
    json_t *child;
    json_object_foreach(v, k, child)
        if (json_is_object(child))
            store_variant(sv, r, child);
}

/* All outputs in flight at once; a retry sends them all again (a PUT of the
 * same bytes at the same key is idempotent). */
void aw_message_store_outputs(aw_supervisor *sv, aw_message *r)
{
    if (r->reuse != NULL) { /* copied already: only the manifest is left */
        aw_message_record(sv, r);
        return;
    }
    r->store_failed = false;
    store_variant(sv, r, json_object_get(r->completed, "variants"));
    if (r->transfers == 0) /* nothing to store */
        aw_message_record(sv, r);
}

static void on_fetched(aw_supervisor *sv, aw_message *r, const aw_transfer *t)
{
    if (t->rc == AW_OK) {
        r->state = MSG_FETCHED;
        memcpy(r->source_sha256, t->sha256, sizeof r->source_sha256);
        aw_message_try_reuse(sv, r);
        return;
    }
    r->state = MSG_QUEUED;
    aw_message_clear_spool(r);
    aw_message_storage_fault(sv, r, &t->err);
}

static void on_stored(aw_supervisor *sv, aw_message *r, const aw_transfer *t)
{
    if (t->rc != AW_OK && !r->store_failed)
        r->store_failed = true, r->store_error = t->err;
    if (r->transfers > 0)
        return; /* the others are still under way */
    if (r->store_failed) {
        aw_message_storage_fault(sv, r, &r->store_error);
        return;
    }
    aw_message_record(sv, r);
}

void aw_message_on_transfer(aw_supervisor *sv, aw_transfer *t)
{
    aw_message *r = t->owner;
    r->transfers--;
    aw_message_report_transfer(sv, t);
    if (r->abandoned)
        aw_message_clear_spool(r); /* once the last one is back */
    else if (r->state == MSG_PLANNING)
        aw_message_on_planned(sv, r, t);
    else if (r->state == MSG_RECORDING)
        aw_message_on_recorded(sv, r, t);
    else if (r->state == MSG_LOOKUP)
        aw_message_on_lookup(sv, r, t);
    else if (r->state == MSG_REUSING)
        aw_message_on_copied(sv, r, t);
    else if (t->kind == AW_TRANSFER_GET)
        on_fetched(sv, r, t);
    else
        on_stored(sv, r, t);
    aw_transfer_free(t);
}
