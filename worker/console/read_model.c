/* read_model.c — the console's database: schema, connections, batches and
 * the offsets stored with them. The rules of folding events in are in
 * read_model_apply.c, the reading side in read_model_query.c. */
#define _GNU_SOURCE
#include "read_model_internal.h"

#include "alloc.h"
#include "log.h"
#include "sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Times are ms since the epoch (INTEGER); *_json columns hold JSON text. */
static const char SCHEMA[] =
    "PRAGMA journal_mode=WAL;"
    "CREATE TABLE IF NOT EXISTS offsets(topic TEXT NOT NULL, partition INTEGER NOT NULL,"
    " next_offset INTEGER NOT NULL, PRIMARY KEY(topic, partition));"
    "CREATE TABLE IF NOT EXISTS applied(feed INTEGER NOT NULL, ce_id TEXT NOT NULL,"
    " PRIMARY KEY(feed, ce_id));"
    "CREATE TABLE IF NOT EXISTS counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "INSERT OR IGNORE INTO counters VALUES('consumed', 0), ('malformed', 0), ('revision', 0);"
    "CREATE TABLE IF NOT EXISTS assets(id TEXT PRIMARY KEY, storage_key TEXT, mime_type TEXT,"
    " file_size INTEGER, title TEXT, created_by TEXT, project_id TEXT, asset_type TEXT,"
    " uploaded_at INTEGER);"
    "CREATE TABLE IF NOT EXISTS jobs(id TEXT PRIMARY KEY, asset_id TEXT NOT NULL,"
    " kind TEXT NOT NULL DEFAULT 'upload', regenerate_types_json TEXT,"
    " status TEXT NOT NULL, rank INTEGER NOT NULL, progress INTEGER NOT NULL DEFAULT 0,"
    " stage TEXT, error_message TEXT, scan_status TEXT, scan_signature TEXT,"
    " asset_type TEXT, mime_type TEXT, stages_json TEXT, errors_json TEXT,"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, completed_at INTEGER,"
    " requested_by TEXT);"
    "CREATE INDEX IF NOT EXISTS jobs_by_time ON jobs(created_at DESC, id);"
    "CREATE TABLE IF NOT EXISTS outputs(job_id TEXT NOT NULL, name TEXT NOT NULL,"
    " id TEXT NOT NULL, asset_id TEXT NOT NULL, kind TEXT NOT NULL, size TEXT,"
    " storage_key TEXT NOT NULL, content_type TEXT, width INTEGER, height INTEGER,"
    " file_size INTEGER, duration REAL, created_at INTEGER NOT NULL,"
    " PRIMARY KEY(job_id, name));"
    "CREATE INDEX IF NOT EXISTS outputs_by_id ON outputs(id);"
    "CREATE TABLE IF NOT EXISTS visibility(output_id TEXT PRIMARY KEY,"
    " is_public INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS dead_letters(topic TEXT NOT NULL, partition INTEGER NOT NULL,"
    " offset INTEGER NOT NULL, key TEXT, headers_json TEXT, value TEXT,"
    " received_at INTEGER NOT NULL, PRIMARY KEY(topic, partition, offset));";

int aw_rm_sql_error(sqlite3 *db, aw_error *err)
{
    return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "database", "SQLite: %s",
                        sqlite3_errmsg(db));
}

static sqlite3 *connect(const char *path, int flags, aw_error *err)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "database", "cannot open %s: %s", path,
                     db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 5000);
    return db;
}

/* A database made before jobs.requested_by (issue 33) gains it. */
static int add_requested_by(sqlite3 *db)
{
    if (aw_sql_int(db, "SELECT count(*) FROM pragma_table_info('jobs') WHERE name = 'requested_by'",
                   0, "") > 0)
        return SQLITE_OK;
    return sqlite3_exec(db, "ALTER TABLE jobs ADD COLUMN requested_by TEXT", NULL, NULL, NULL);
}

aw_read_model *aw_read_model_open(const char *path, aw_error *err)
{
    aw_read_model *rm = aw_xcalloc(1, sizeof *rm);
    pthread_mutex_init(&rm->reader_lock, NULL);
    rm->writer = connect(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err);
    if (rm->writer != NULL && (sqlite3_exec(rm->writer, SCHEMA, NULL, NULL, NULL) != SQLITE_OK ||
                               add_requested_by(rm->writer) != SQLITE_OK)) {
        aw_rm_sql_error(rm->writer, err);
        aw_read_model_close(rm);
        return NULL;
    }
    rm->reader = rm->writer ? connect(path, SQLITE_OPEN_READWRITE, err) : NULL;
    if (rm->reader == NULL) {
        aw_read_model_close(rm);
        return NULL;
    }
    sqlite3_exec(rm->writer, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
    return rm;
}

void aw_read_model_close(aw_read_model *rm)
{
    if (rm == NULL)
        return;
    sqlite3_close(rm->reader);
    sqlite3_close(rm->writer);
    pthread_mutex_destroy(&rm->reader_lock);
    free(rm);
}

int aw_read_model_begin(aw_read_model *rm, aw_error *err)
{
    rm->n_batch = 0;
    rm->consumed = rm->malformed = rm->applied = 0;
    if (sqlite3_exec(rm->writer, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return aw_rm_sql_error(rm->writer, err);
    return AW_OK;
}

static void note_offset(aw_read_model *rm, const aw_feed_message *m)
{
    for (int i = 0; i < rm->n_batch; i++) {
        rm_offset *o = &rm->batch[i];
        if (o->partition == m->partition && strcmp(o->topic, m->topic) == 0) {
            o->next = m->offset + 1 > o->next ? m->offset + 1 : o->next;
            return;
        }
    }
    if (rm->n_batch == AW_RM_MAX_PARTITIONS)
        abort(); /* a batch is at most 500 messages (feed.c) */
    rm_offset *o = &rm->batch[rm->n_batch++];
    snprintf(o->topic, sizeof o->topic, "%s", m->topic);
    o->partition = m->partition;
    o->next = m->offset + 1;
}

static int apply_feed(aw_read_model *rm, const aw_feed_message *m, aw_error *err)
{
    switch (m->feed) {
    case AW_FEED_UPLOADS: return aw_rm_apply_upload(rm, m, err);
    case AW_FEED_REGENERATE: return aw_rm_apply_regenerate(rm, m, err);
    case AW_FEED_EVENTS: return aw_rm_apply_event(rm, m, err);
    case AW_FEED_DLQ: return aw_rm_apply_dead_letter(rm, m, err);
    }
    return aw_error_set(err, AW_CODE_INVALID_METADATA, "unknown_feed", "no such feed");
}

/* A message whose ce_id this feed applied before: true, and nothing is done. */
static bool seen_before(aw_read_model *rm, const aw_feed_message *m)
{
    if (m->feed == AW_FEED_DLQ || m->ce.id == NULL || m->ce.id[0] == '\0')
        return false; /* dead letters are keyed by their own offset */
    aw_sql_exec(rm->writer, "INSERT OR IGNORE INTO applied VALUES(?1, ?2)", "it", (int64_t)m->feed,
                m->ce.id);
    return sqlite3_changes(rm->writer) == 0;
}

int aw_read_model_apply(aw_read_model *rm, const aw_feed_message *m, aw_error *err)
{
    note_offset(rm, m);
    rm->consumed++;
    sqlite3_exec(rm->writer, "SAVEPOINT message", NULL, NULL, NULL);
    int rc = seen_before(rm, m) ? AW_OK : apply_feed(rm, m, err);
    if (rc == AW_OK) {
        rm->applied++;
        sqlite3_exec(rm->writer, "RELEASE message", NULL, NULL, NULL);
    } else {
        /* a malformed message leaves no trace but its count */
        sqlite3_exec(rm->writer, "ROLLBACK TO message; RELEASE message", NULL, NULL, NULL);
        rm->malformed++;
    }
    return rc;
}

static int store_batch(aw_read_model *rm)
{
    int rc = SQLITE_DONE;
    for (int i = 0; i < rm->n_batch && rc == SQLITE_DONE; i++)
        rc = aw_sql_exec(rm->writer,
                         "INSERT INTO offsets VALUES(?1, ?2, ?3) ON CONFLICT(topic, partition)"
                         " DO UPDATE SET next_offset = max(next_offset, excluded.next_offset)",
                         "tii", rm->batch[i].topic, (int64_t)rm->batch[i].partition,
                         rm->batch[i].next);
    if (rc == SQLITE_DONE)
        rc = aw_sql_exec(rm->writer,
                         "UPDATE counters SET value = value + CASE name WHEN 'consumed' THEN ?1"
                         " WHEN 'malformed' THEN ?2 WHEN 'revision' THEN ?3 > 0 END",
                         "iii", rm->consumed, rm->malformed, rm->applied);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int aw_read_model_end(aw_read_model *rm, aw_error *err)
{
    if (store_batch(rm) != SQLITE_OK ||
        sqlite3_exec(rm->writer, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        aw_rm_sql_error(rm->writer, err);
        sqlite3_exec(rm->writer, "ROLLBACK", NULL, NULL, NULL);
        return AW_ERROR;
    }
    return AW_OK;
}

int64_t aw_read_model_resume_offset(aw_read_model *rm, const char *topic, int32_t partition)
{
    return aw_sql_int(rm->writer,
                      "SELECT next_offset FROM offsets WHERE topic = ?1 AND partition = ?2", -1,
                      "ti", topic, (int64_t)partition);
}
