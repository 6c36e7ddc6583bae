/* sql.h — a thin layer over sqlite3 for the read model: one statement
 * prepared, bound from a type string and stepped, in one call. */
#ifndef AW_SQL_H
#define AW_SQL_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

/* Binds the variadic arguments to ?1, ?2, … by the letters of types:
 *   t  const char *   (NULL binds NULL)
 *   i  int64_t
 *   d  double
 * and steps once. SQLITE_DONE or SQLITE_ROW when it ran (use aw_sql_query
 * to read rows), another sqlite3 result code otherwise. */
int aw_sql_exec(sqlite3 *db, const char *sql, const char *types, ...);

/* Prepares and binds as aw_sql_exec without stepping; NULL on error. */
sqlite3_stmt *aw_sql_query(sqlite3 *db, const char *sql, const char *types, ...);

/* The first column of the first row as an integer (fallback when none). */
int64_t aw_sql_int(sqlite3 *db, const char *sql, int64_t fallback, const char *types, ...);

/* Column i as JSON: NULL → null, integers, reals, text; for columns named
 * "*_json" the text is parsed (null when unparsable). New reference. */
json_t *aw_sql_column_json(sqlite3_stmt *st, int i);

/* The current row as an object {column name: value}. New reference. */
json_t *aw_sql_row_object(sqlite3_stmt *st);

#endif
