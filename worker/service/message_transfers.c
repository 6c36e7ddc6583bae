/* message_transfers.c — the work of MSG_FETCHING and MSG_STORING: a
 * message's source downloaded into the spool (bounded by the file size
 * limit, hashed on the way), and its outputs uploaded all at once after
 * the job. Both run on the transfer pool; what comes back goes to the
 * state machine (message.c), which judges it. */
#define _GNU_SOURCE
#include "supervisor.h"

#include <stdio.h>
#include <string.h>

void aw_message_get_source(aw_supervisor *sv, aw_message *r)
{
    char source[PATH_MAX + 16];
    aw_message_spool_path(r, "source", source, sizeof source);
    aw_message_submit(sv, r,
                      aw_transfer_new(AW_TRANSFER_GET, r, r->ev.storage_key, source, NULL,
                                      sv->cfg->pipeline.limits.max_file_bytes));
}

/* Uploads the output file that v[key_field] names, typed by v[type_field]. */
static void put_file(aw_supervisor *sv, aw_message *r, json_t *v, const char *key_field,
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
static void put_variant(aw_supervisor *sv, aw_message *r, json_t *v)
{
    put_file(sv, r, v, "key", "contentType");
    put_file(sv, r, v, "dataKey", "dataContentType");
    const char *k;
    json_t *child;
    json_object_foreach(v, k, child)
        if (json_is_object(child))
            put_variant(sv, r, child);
}

/* All outputs in flight at once (none: r->transfers stays 0); a retry
 * sends them all again (a PUT of the same bytes at the same key is
 * idempotent). */
void aw_message_put_outputs(aw_supervisor *sv, aw_message *r)
{
    put_variant(sv, r, json_object_get(r->completed, "variants"));
}
