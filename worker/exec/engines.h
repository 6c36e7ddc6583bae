/* engines.h — the executors' ClamAV engine over the service's life: the
 * first zygote at start-up, a new zygote (a fresh engine) when the database
 * directory changes, and the switch to it once it is ready. Jobs in flight
 * finish on the engine they started with; a database that does not load
 * leaves the one in use in place. */
#ifndef AW_ENGINES_H
#define AW_ENGINES_H

#include "db_watch.h"
#include "metrics.h"
#include "pool.h"
#include "service_config.h"

#include <poll.h>

typedef struct aw_engines {
    const aw_service_config *cfg;
    aw_metrics *metrics;
    aw_db_watch *watch; /* NULL with --clamav-watch off */
    aw_zygote *loading; /* the next zygote while it sets up */
    char database[64];  /* the database new jobs scan with (aw_scan_database_id), "" none */
} aw_engines;

/* Starts the first zygote and waits until it is ready. */
aw_zygote *aw_engines_start(aw_engines *e, const aw_service_config *cfg, aw_metrics *m,
                            aw_error *err);

/* Descriptors to wake the loop for (the watch, a loading zygote). */
int aw_engines_pollfds(const aw_engines *e, struct pollfd *fds, int max);

/* Notices changes, starts and switches to new zygotes. */
void aw_engines_step(aw_engines *e, aw_pool *pool);

void aw_engines_stop(aw_engines *e);

#endif
