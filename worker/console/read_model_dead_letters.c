/* read_model_dead_letters.c — messages the worker gave up on: kept as they
 * came (headers, key, value) under their own topic/partition/offset. When
 * the message is an upload or regenerate request the worker could read,
 * its job is failed with the dead letter's reason (unless it already ended). */
#define _GNU_SOURCE
#include "read_model_internal.h"

#include "alloc.h"
#include "sql.h"

#include <stdlib.h>
#include <string.h>

static const char *header(const aw_feed_message *m, const char *name)
{
    return json_string_value(json_object_get(m->headers, name));
}

/* The value as text: the bytes when they are UTF-8 (JSON checks that), else
 * a note saying how long it was. */
static char *value_text(const aw_feed_message *m)
{
    json_t *s = json_stringn(m->value ? m->value : "", m->value ? m->value_len : 0);
    char *out = s ? aw_xstrdup(json_string_value(s))
                  : aw_xasprintf("(%zu bytes, not UTF-8)", m->value_len);
    json_decref(s);
    return out;
}

/* created: the request's own time (its headers travel with it); ended:
 * when it was dead-lettered. */
static int fail_job(aw_read_model *rm, const aw_feed_message *m, int64_t created, int64_t ended)
{
    aw_input_event ev;
    aw_error ignored;
    aw_error_clear(&ignored);
    if (m->value == NULL || aw_event_decode(m->value, m->value_len, &m->ce, &ev, &ignored) != AW_OK)
        return AW_OK; /* not a job we can name */
    if (aw_sql_int(rm->writer, "SELECT rank FROM jobs WHERE id = ?1", -1, "t", ev.job_id) == 2)
        return AW_OK;
    const char *code = header(m, "x-dlq-error-code"), *why = header(m, "x-dlq-error-message");
    char *message = aw_xasprintf("%s: %s", code ? code : "ASSET_PROCESSING_FAILED",
                                 why ? why : "dead-lettered");
    int rc = aw_sql_exec(rm->writer,
                         "INSERT INTO jobs(id, asset_id, kind, status, rank, created_at,"
                         " updated_at) VALUES(?1, ?2, ?3, 'failed', 2, ?4, ?5)"
                         " ON CONFLICT(id) DO UPDATE SET status = 'failed', rank = 2,"
                         " stage = NULL, created_at = min(created_at, ?4),"
                         " updated_at = max(updated_at, ?5)",
                         "tttii", ev.job_id, ev.asset_id,
                         ev.kind == AW_EVENT_UPLOAD ? "upload" : "regenerate", created, ended);
    if (rc == SQLITE_DONE)
        rc = aw_sql_exec(rm->writer,
                         "UPDATE jobs SET error_message = ?2, completed_at = ?3 WHERE id = ?1",
                         "tti", ev.job_id, message, ended);
    free(message);
    return rc == SQLITE_DONE ? AW_OK : AW_ERROR;
}

int aw_rm_apply_dead_letter(aw_read_model *rm, const aw_feed_message *m, aw_error *err)
{
    int64_t at = m->timestamp_ms >= 0 ? m->timestamp_ms : aw_rm_event_time(m);
    char *headers = json_dumps(m->headers, JSON_COMPACT);
    char *value = value_text(m);
    int rc = aw_sql_exec(rm->writer,
                         "INSERT OR IGNORE INTO dead_letters VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                         "tiittti", m->topic, (int64_t)m->partition, m->offset, m->key, headers,
                         value, at);
    free(headers), free(value);
    if (rc != SQLITE_DONE || fail_job(rm, m, aw_rm_event_time(m), at) != AW_OK)
        return aw_rm_sql_error(rm->writer, err);
    return AW_OK;
}
