/* db_watch.h — notices that the ClamAV database directory changed
 * (freshclam renames a new .cvd/.cld in; an operator copies a .hdb/.ndb),
 * and says so once the directory has been quiet for a settle time, so a
 * reload sees a complete update. Bookkeeping files (freshclam.dat,
 * mirrors.dat, dot files, *.tmp) are not changes. */
#ifndef AW_DB_WATCH_H
#define AW_DB_WATCH_H

#include "error.h"

#include <stdbool.h>

typedef struct aw_db_watch aw_db_watch;

aw_db_watch *aw_db_watch_new(const char *dir, double settle_ms, aw_error *err);
void aw_db_watch_free(aw_db_watch *w);

/* Readable when something happened in the directory. */
int aw_db_watch_fd(const aw_db_watch *w);

/* Reads what happened; true once, when changes have settled. */
bool aw_db_watch_settled(aw_db_watch *w);

/* Asks for another reload later (the last one could not be done). */
void aw_db_watch_again(aw_db_watch *w);

#endif
