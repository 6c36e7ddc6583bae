/* engines.c — ClamAV database reloads through new zygotes. */
#include "engines.h"

#include "log.h"

#include <string.h>

/* A full database (about 8 million signatures) takes tens of seconds. */
#define FIRST_SETUP_MS 600000.0

static void publish_engine(aw_engines *e, const aw_zygote *z)
{
    const aw_scan_engine *s = aw_zygote_engine(z);
    aw_metrics_set(e->metrics, AW_M_CLAMAV_SIGNATURES, s->signatures, NULL);
    aw_metrics_set(e->metrics, AW_M_CLAMAV_VERSION, s->version, NULL);
    aw_metrics_set(e->metrics, AW_M_CLAMAV_DB_TIME, (double)s->built, NULL);
    if (s->loaded)
        aw_scan_database_id(s, e->database, sizeof e->database);
    else
        e->database[0] = '\0';
    if (s->loaded)
        aw_log_info("ClamAV engine: database version %u, %u signatures", s->version, s->signatures);
    else if (s->enabled)
        aw_log_error("ClamAV engine: not loaded: %s", s->error);
}

aw_zygote *aw_engines_start(aw_engines *e, const aw_service_config *cfg, aw_metrics *m,
                            aw_error *err)
{
    memset(e, 0, sizeof *e);
    e->cfg = cfg, e->metrics = m;
    aw_zygote *z = aw_zygote_launch(cfg->argv, err);
    if (z == NULL || aw_zygote_wait_ready(z, FIRST_SETUP_MS, err) != AW_OK) {
        aw_zygote_stop(z);
        return NULL;
    }
    publish_engine(e, z);
    if (cfg->clamav_watch && cfg->pipeline.scan_enabled) {
        aw_error werr;
        e->watch = aw_db_watch_new(cfg->pipeline.clamav_db_dir, cfg->clamav_settle_ms, &werr);
        if (e->watch == NULL)
            aw_log_warn("%s: database updates need a restart", werr.message);
    }
    return z;
}

int aw_engines_pollfds(const aw_engines *e, struct pollfd *fds, int max)
{
    int k = 0;
    if (e->watch != NULL && k < max)
        fds[k++] = (struct pollfd){.fd = aw_db_watch_fd(e->watch), .events = POLLIN};
    if (e->loading != NULL && k < max)
        fds[k++] = (struct pollfd){.fd = aw_zygote_event_fd(e->loading), .events = POLLIN};
    return k;
}

/* The loading zygote is ready or failed: switch to it, or keep the old. */
static void finish_loading(aw_engines *e, aw_pool *pool)
{
    aw_error err;
    int rc = aw_zygote_poll_ready(e->loading, &err);
    if (rc == 0 || (rc == 1 && aw_pool_switching(pool)))
        return; /* still setting up, or the last switch is not over */
    const aw_scan_engine *s = rc == 1 ? aw_zygote_engine(e->loading) : NULL;
    if (rc == 1 && (s->loaded || !s->enabled)) {
        aw_pool_use_zygote(pool, e->loading);
        aw_metrics_add(e->metrics, AW_M_CLAMAV_RELOADS, 1, "result", "ok", NULL);
        aw_log_info("ClamAV database reloaded; new executors use it, jobs in flight finish "
                    "on the previous one");
        publish_engine(e, e->loading);
    } else {
        aw_metrics_add(e->metrics, AW_M_CLAMAV_RELOADS, 1, "result", "failed", NULL);
        aw_log_error("ClamAV database reload failed, keeping the one in use: %s",
                     rc == 1 ? s->error : err.message);
        aw_zygote_stop(e->loading);
    }
    e->loading = NULL;
}

void aw_engines_step(aw_engines *e, aw_pool *pool)
{
    if (e->loading != NULL)
        finish_loading(e, pool);
    if (e->watch == NULL || !aw_db_watch_settled(e->watch))
        return;
    if (e->loading != NULL || aw_pool_switching(pool)) {
        aw_db_watch_again(e->watch); /* one reload at a time */
        return;
    }
    aw_error err;
    aw_log_info("ClamAV database changed in %s: loading it in a new zygote",
                e->cfg->pipeline.clamav_db_dir);
    e->loading = aw_zygote_launch(e->cfg->argv, &err);
    if (e->loading == NULL)
        aw_log_error("ClamAV reload: %s", err.message);
}

void aw_engines_stop(aw_engines *e)
{
    aw_zygote_stop(e->loading);
    e->loading = NULL;
    aw_db_watch_free(e->watch);
    e->watch = NULL;
}
