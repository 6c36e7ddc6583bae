/* read_model_query.c — the view as the API serves it (docs/console.md):
 * seed 000's snake_case shapes, times as ISO 8601 UTC with milliseconds. */
#define _GNU_SOURCE
#include "read_model_internal.h"

#include "alloc.h"
#include "sql.h"

#include <stdlib.h>
#include <string.h>

const char AW_RM_JOB_SELECT[] =
    "SELECT j.id, coalesce(j.requested_by, a.created_by) AS user_id, a.project_id AS brand_kit_id,"
    " coalesce(j.asset_type, a.asset_type) AS asset_type, j.status, j.progress,"
    " j.error_message, " ISO(
        "j.created_at") " AS created_at,"
                        " " ISO("j.updated_at") " AS updated_at, " ISO(
                            "j.completed_at") " AS completed_at,"
                                              " j.asset_id, a.title, coalesce(j.mime_type, "
                                              "a.mime_type) AS mime_type, a.file_size,"
                                              " j.kind, j.regenerate_types_json, j.stage, "
                                              "j.scan_status, j.scan_signature,"
                                              " (SELECT count(*) FROM outputs o WHERE o.job_id = "
                                              "j.id) AS asset_count,"
                                              " coalesce(j.stages_json, '[]') AS stages_json, "
                                              "coalesce(j.errors_json, '[]') AS errors_json"
                                              " FROM jobs j LEFT JOIN assets a ON a.id = "
                                              "j.asset_id";

static const char OUTPUT_SELECT[] =
    "SELECT o.id, o.job_id, a.created_by AS user_id, o.kind AS asset_type, NULL AS url,"
    " CASE WHEN o.width >= 0 THEN o.width END AS width,"
    " CASE WHEN o.height >= 0 THEN o.height END AS height,"
    " CASE WHEN o.file_size >= 0 THEN o.file_size END AS file_size,"
    " coalesce(v.is_public, 0) AS is_public, NULL AS viral_score,"
    " " ISO("o.created_at") " AS created_at, o.name, o.size, o.content_type,"
                            " o.storage_key AS key, CASE WHEN o.duration >= 0 THEN o.duration END "
                            "AS duration"
                            " FROM outputs o LEFT JOIN assets a ON a.id = o.asset_id"
                            " LEFT JOIN visibility v ON v.output_id = o.id";

static const char OUTPUT_ORDER[] =
    " ORDER BY CASE o.size WHEN 'small' THEN 1 WHEN 'medium' THEN 2 WHEN 'large' THEN 3"
    " ELSE 4 END, o.name";

json_t *aw_rm_rows(sqlite3_stmt *st, void (*fix)(json_t *))
{
    json_t *list = json_array();
    while (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
        json_t *row = aw_sql_row_object(st);
        if (fix != NULL)
            fix(row);
        json_array_append_new(list, row);
    }
    sqlite3_finalize(st);
    return list;
}

static void output_row(json_t *out)
{
    json_object_set_new(out, "is_public",
                        json_boolean(json_integer_value(json_object_get(out, "is_public"))));
}

/* The first row of sql bound to one text parameter; NULL when none. */
static json_t *one_row(aw_read_model *rm, const char *sql, const char *param)
{
    pthread_mutex_lock(&rm->reader_lock);
    json_t *list = aw_rm_rows(aw_sql_query(rm->reader, sql, "t", param), NULL);
    pthread_mutex_unlock(&rm->reader_lock);
    json_t *row = json_incref(json_array_get(list, 0));
    json_decref(list);
    return row;
}

json_t *aw_read_model_job(aw_read_model *rm, const char *job_id)
{
    char *sql = aw_xasprintf("%s WHERE j.id = ?1", AW_RM_JOB_SELECT);
    json_t *job = one_row(rm, sql, job_id);
    free(sql);
    return job;
}

json_t *aw_read_model_job_outputs(aw_read_model *rm, const char *job_id)
{
    char *sql = aw_xasprintf("%s WHERE o.job_id = ?1%s", OUTPUT_SELECT, OUTPUT_ORDER);
    pthread_mutex_lock(&rm->reader_lock);
    bool known = aw_sql_int(rm->reader, "SELECT 1 FROM jobs WHERE id = ?1", 0, "t", job_id);
    json_t *list = known ? aw_rm_rows(aw_sql_query(rm->reader, sql, "t", job_id), output_row)
                         : NULL;
    pthread_mutex_unlock(&rm->reader_lock);
    free(sql);
    return list;
}

json_t *aw_read_model_output(aw_read_model *rm, const char *output_id)
{
    char *sql = aw_xasprintf("%s WHERE o.id = ?1 ORDER BY o.created_at DESC LIMIT 1",
                             OUTPUT_SELECT);
    json_t *out = one_row(rm, sql, output_id);
    free(sql);
    if (out != NULL)
        output_row(out);
    return out;
}

int aw_read_model_set_public(aw_read_model *rm, const char *output_id, bool is_public)
{
    pthread_mutex_lock(&rm->reader_lock);
    bool known = aw_sql_int(rm->reader, "SELECT 1 FROM outputs WHERE id = ?1", 0, "t", output_id);
    int rc = known ? aw_sql_exec(rm->reader,
                                 "INSERT INTO visibility VALUES(?1, ?2) ON CONFLICT(output_id)"
                                 " DO UPDATE SET is_public = excluded.is_public",
                                 "ti", output_id, (int64_t)is_public)
                   : SQLITE_NOTFOUND;
    if (rc == SQLITE_DONE)
        aw_sql_exec(rm->reader, "UPDATE counters SET value = value + 1 WHERE name = 'revision'",
                    "");
    pthread_mutex_unlock(&rm->reader_lock);
    return rc == SQLITE_DONE ? AW_OK : AW_ERROR;
}

json_t *aw_read_model_job_source(aw_read_model *rm, const char *job_id)
{
    return one_row(rm,
                   "SELECT a.id AS asset_id, a.storage_key, a.mime_type FROM jobs j"
                   " JOIN assets a ON a.id = j.asset_id WHERE j.id = ?1",
                   job_id);
}

json_t *aw_read_model_dead_letters(aw_read_model *rm, int64_t limit, int64_t offset)
{
    pthread_mutex_lock(&rm->reader_lock);
    json_t *list = aw_rm_rows(
        aw_sql_query(rm->reader,
                     "SELECT topic, partition, offset, key, headers_json, value,"
                     " " ISO("received_at") " AS received_at FROM dead_letters"
                                            " ORDER BY received_at DESC, partition, offset"
                                            " LIMIT ?1 OFFSET ?2",
                     "ii", limit, offset),
        NULL);
    int64_t total = aw_sql_int(rm->reader, "SELECT count(*) FROM dead_letters", 0, "");
    pthread_mutex_unlock(&rm->reader_lock);
    return json_pack("{s:o,s:I,s:I,s:I}", "dead_letters", list, "total", (json_int_t)total, "limit",
                     (json_int_t)limit, "offset", (json_int_t)offset);
}

json_t *aw_read_model_dead_letter(aw_read_model *rm, int32_t partition, int64_t offset)
{
    pthread_mutex_lock(&rm->reader_lock);
    json_t *list = aw_rm_rows(aw_sql_query(rm->reader,
                                           "SELECT topic, partition, offset, key, headers_json,"
                                           " value FROM dead_letters WHERE partition = ?1"
                                           " AND offset = ?2 LIMIT 1",
                                           "ii", (int64_t)partition, offset),
                              NULL);
    pthread_mutex_unlock(&rm->reader_lock);
    json_t *row = json_incref(json_array_get(list, 0));
    json_decref(list);
    return row;
}

static int64_t counter(aw_read_model *rm, const char *name)
{
    return aw_sql_int(rm->reader, "SELECT value FROM counters WHERE name = ?1", 0, "t", name);
}

json_t *aw_read_model_status(aw_read_model *rm)
{
    pthread_mutex_lock(&rm->reader_lock);
    json_t *s = json_pack("{s:I,s:I,s:I}", "consumed", (json_int_t)counter(rm, "consumed"),
                          "malformed", (json_int_t)counter(rm, "malformed"), "jobs",
                          (json_int_t)aw_sql_int(rm->reader, "SELECT count(*) FROM jobs", 0, ""));
    pthread_mutex_unlock(&rm->reader_lock);
    return s;
}

int64_t aw_read_model_revision(aw_read_model *rm)
{
    pthread_mutex_lock(&rm->reader_lock);
    int64_t r = counter(rm, "revision");
    pthread_mutex_unlock(&rm->reader_lock);
    return r;
}
