/* console.c — one console process: storage (to hand out the outputs),
 * the read model, a producer for regenerate requests, the consumer, the
 * HTTP server; the main thread feeds the read model until a signal. */
#define _GNU_SOURCE
#include "console.h"

#include "api.h"
#include "feed.h"
#include "kafka.h"
#include "log.h"

#include <signal.h>
#include <stdio.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static rd_kafka_t *make_producer(const aw_console_config *cfg, aw_error *err)
{
    static const char *const fixed[] = {"enable.idempotence", "true", "acks", "all", NULL};
    char errstr[512];
    rd_kafka_conf_t *conf = aw_kafka_conf(&cfg->svc, NULL, fixed, errstr, sizeof errstr);
    rd_kafka_t *p = conf ? rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr) : NULL;
    if (p == NULL)
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "kafka", "producer: %s", errstr);
    return p;
}

typedef struct console_parts {
    aw_storage *storage;
    aw_read_model *rm;
    rd_kafka_t *producer;
    aw_console_feed *feed;
    aw_console_api *api;
} console_parts;

static int start(const aw_console_config *cfg, console_parts *p, aw_error *err)
{
    if ((p->storage = aw_storage_open(cfg->svc.storage_url, err)) == NULL ||
        (p->rm = aw_read_model_open(cfg->db_path, err)) == NULL ||
        (p->producer = make_producer(cfg, err)) == NULL ||
        (p->feed = aw_console_feed_start(cfg, p->rm, err)) == NULL)
        return AW_ERROR;
    aw_console_deps deps = {p->rm,
                            p->storage,
                            p->producer,
                            cfg->svc.topic_regenerate,
                            cfg->svc.topic_uploads,
                            cfg->svc.source,
                            cfg->web_dir};
    p->api = aw_console_api_start(cfg->http_address, cfg->http_port, &deps, err);
    return p->api ? AW_OK : AW_ERROR;
}

static void stop(console_parts *p)
{
    aw_console_api_stop(p->api);
    aw_console_feed_stop(p->feed);
    if (p->producer != NULL) {
        rd_kafka_flush(p->producer, 5000);
        rd_kafka_destroy(p->producer);
    }
    aw_read_model_close(p->rm);
    if (p->storage != NULL)
        aw_storage_close(p->storage);
}

int aw_console_run(const aw_console_config *cfg)
{
    aw_log_setup(cfg->svc.log_level, cfg->svc.log_format);
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    console_parts p = {0};
    aw_error err;
    aw_error_clear(&err);
    if (start(cfg, &p, &err) != AW_OK) {
        aw_log_error("console: %s", err.message);
        stop(&p);
        return 3;
    }
    printf("console=http://%s:%d\n", cfg->http_address, aw_console_api_port(p.api));
    fflush(stdout);
    aw_log_info("console: listening on %s:%d, database %s", cfg->http_address,
                aw_console_api_port(p.api), cfg->db_path);
    int rc = 0;
    while (!stop_requested && rc == 0)
        rc = aw_console_feed_step(p.feed, 200) < 0 ? 3 : 0;
    aw_log_info("console: stopping");
    stop(&p);
    return rc;
}
