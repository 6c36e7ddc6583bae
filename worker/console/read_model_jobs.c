/* read_model_jobs.c — the jobs list (docs/console.md): filtered by status
 * (any of several), asset type, a search text and a time range, in one of
 * three orders, a page at a time, with the count of each status. */
#define _GNU_SOURCE
#include "read_model_internal.h"

#include "alloc.h"
#include "sql.h"

#include <stdlib.h>

/* ?1 statuses ",a,b,", ?2 asset type, ?3 search text, ?4..?5 created
 * range (ms); a NULL parameter filters nothing. */
#define FILTER_ON_ALL_BUT_STATUS                                                                   \
    " (?2 IS NULL OR coalesce(j.asset_type, a.asset_type) = ?2)"                                   \
    " AND (?3 IS NULL OR instr(lower(j.id), lower(?3)) OR instr(lower(j.asset_id), lower(?3))"     \
    "  OR instr(lower(coalesce(a.title, '')), lower(?3))"                                          \
    "  OR instr(lower(coalesce(a.storage_key, '')), lower(?3)))"                                   \
    " AND j.created_at BETWEEN ?4 AND ?5"

static const char JOB_FILTER[] =
    " WHERE (?1 IS NULL OR instr(?1, ',' || j.status || ',') > 0) AND" FILTER_ON_ALL_BUT_STATUS;

static const char FROM_JOBS[] = " FROM jobs j LEFT JOIN assets a ON a.id = j.asset_id";

static const char *const ORDER_BY[] = {
    [AW_ORDER_NEWEST] = " ORDER BY j.created_at DESC, j.id",
    [AW_ORDER_OLDEST] = " ORDER BY j.created_at ASC, j.id",
    [AW_ORDER_UPDATED] = " ORDER BY j.updated_at DESC, j.id",
};

static const char *const STATUSES[] = {"queued", "processing", "completed", "failed", "partial"};

static void job_list_row(json_t *job)
{
    json_object_del(job, "stages"); /* the detail's */
    json_object_del(job, "errors");
}

/* {status: number} for every status, under all but the status filter. */
static json_t *status_counts(aw_read_model *rm, const aw_job_filter *f)
{
    json_t *counts = json_object();
    for (size_t i = 0; i < sizeof STATUSES / sizeof *STATUSES; i++)
        json_object_set_new(counts, STATUSES[i], json_integer(0));
    char *sql = aw_xasprintf("SELECT j.status, count(*)%s WHERE" FILTER_ON_ALL_BUT_STATUS
                             " GROUP BY j.status",
                             FROM_JOBS);
    sqlite3_stmt *st = aw_sql_query(rm->reader, sql, "tttii", NULL, f->asset_type, f->query,
                                    f->created_from, f->created_to);
    while (st != NULL && sqlite3_step(st) == SQLITE_ROW)
        json_object_set_new(counts, (const char *)sqlite3_column_text(st, 0),
                            json_integer(sqlite3_column_int64(st, 1)));
    sqlite3_finalize(st);
    free(sql);
    return counts;
}

json_t *aw_read_model_jobs(aw_read_model *rm, const aw_job_filter *f)
{
    char *list_sql = aw_xasprintf("%s%s%s LIMIT ?6 OFFSET ?7", AW_RM_JOB_SELECT, JOB_FILTER,
                                  ORDER_BY[f->order]);
    char *count_sql = aw_xasprintf("SELECT count(*)%s%s", FROM_JOBS, JOB_FILTER);
    pthread_mutex_lock(&rm->reader_lock);
    json_t *jobs = aw_rm_rows(aw_sql_query(rm->reader, list_sql, "tttiiii", f->statuses,
                                           f->asset_type, f->query, f->created_from, f->created_to,
                                           f->limit, f->offset),
                              job_list_row);
    int64_t total = aw_sql_int(rm->reader, count_sql, 0, "tttii", f->statuses, f->asset_type,
                               f->query, f->created_from, f->created_to);
    json_t *counts = status_counts(rm, f);
    pthread_mutex_unlock(&rm->reader_lock);
    free(list_sql), free(count_sql);
    return json_pack("{s:o,s:I,s:I,s:I,s:o}", "jobs", jobs, "total", (json_int_t)total, "limit",
                     (json_int_t)f->limit, "offset", (json_int_t)f->offset, "counts", counts);
}
