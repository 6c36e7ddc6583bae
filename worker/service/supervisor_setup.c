/* supervisor_setup.c — everything before the loop: the HTTP endpoints,
 * the first zygote and its executors (with the callbacks that wake a
 * message), the embedded cluster, the spool, storage and its transfer
 * pool, and the Kafka clients (delivery reports, rebalances, errors and
 * statistics go to the supervisor). */
#define _GNU_SOURCE
#include "supervisor.h"

#include "kafka.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- callbacks: executors and delivery reports wake messages ----------- */

static void on_progress(void *owner, void *job, const char *stage, int percent)
{
    aw_message_on_progress(owner, job, stage, percent);
}

static void on_result(void *owner, void *job, json_t *result)
{
    aw_message_on_result(owner, job, result);
}

static void on_lost(void *owner, void *job, const aw_exec_loss *loss)
{
    aw_message_on_lost(owner, job, loss);
}

static void on_restarted(void *owner, const char *reason)
{
    aw_supervisor *sv = owner;
    aw_metrics_add(sv->metrics, AW_M_EXECUTOR_RESTARTS, 1, "reason", reason, NULL);
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    if (m->_private != NULL)
        aw_message_on_delivery(opaque, m->_private, m->err);
    if (m->err)
        aw_log_warn("delivery to %s failed: %s", rd_kafka_topic_name(m->rkt),
                    rd_kafka_err2str(m->err));
}

/* ---- the parts, each started once ------------------------------------- */

static rd_kafka_t *make_producer(aw_supervisor *sv, char *errstr, size_t n)
{
    static const char *const fixed[] = {"enable.idempotence", "true", "acks", "all", NULL};
    rd_kafka_conf_t *conf = aw_kafka_conf(sv->cfg, NULL, fixed, errstr, n);
    if (conf == NULL)
        return NULL;
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, sv);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, n);
    if (rk == NULL)
        rd_kafka_conf_destroy(conf); /* rd_kafka_new owns it only on success */
    return rk;
}

static void on_commit(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                      rd_kafka_topic_partition_list_t *offsets, void *opaque)
{
    (void)rk, (void)opaque, (void)offsets;
    /* automatic commits retry on their own at the next interval */
    if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
        aw_log_warn("offset commit failed (retried): %s", rd_kafka_err2str(err));
}

static void on_kafka_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)rk;
    aw_health_on_kafka_error(opaque, (rd_kafka_resp_err_t)err, reason);
}

static int on_statistics(rd_kafka_t *rk, char *json, size_t len, void *opaque)
{
    (void)rk, (void)len;
    aw_health_on_statistics(opaque, json);
    return 0; /* librdkafka frees json */
}

static rd_kafka_t *make_consumer(aw_supervisor *sv, char *errstr, size_t n)
{
    static const char *const fixed[] = {"enable.auto.offset.store", "false", "enable.auto.commit",
                                        "true", NULL};
    /* fetch.wait.max.ms: the mock cluster answers an empty fetch only when
     * the long poll runs out, a broker as soon as data arrives */
    const char *const defaults[] = {"group.id",
                                    sv->cfg->group,
                                    "partition.assignment.strategy",
                                    "cooperative-sticky",
                                    "auto.offset.reset",
                                    "earliest",
                                    "auto.commit.interval.ms",
                                    "1000",
                                    "statistics.interval.ms",
                                    "5000",
                                    "fetch.wait.max.ms",
                                    sv->cfg->embedded ? "50" : "500",
                                    NULL};
    rd_kafka_conf_t *conf = aw_kafka_conf(sv->cfg, defaults, fixed, errstr, n);
    if (conf == NULL)
        return NULL;
    rd_kafka_conf_set_rebalance_cb(conf, aw_supervisor_rebalance);
    rd_kafka_conf_set_offset_commit_cb(conf, on_commit);
    rd_kafka_conf_set_error_cb(conf, on_kafka_error);
    rd_kafka_conf_set_stats_cb(conf, on_statistics);
    rd_kafka_conf_set_opaque(conf, sv);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, n);
    if (rk != NULL)
        rd_kafka_poll_set_consumer(rk);
    else
        rd_kafka_conf_destroy(conf); /* rd_kafka_new owns it only on success */
    return rk;
}

static int subscribe(aw_supervisor *sv)
{
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(2);
    rd_kafka_topic_partition_list_add(topics, sv->cfg->topic_uploads, RD_KAFKA_PARTITION_UA);
    rd_kafka_topic_partition_list_add(topics, sv->cfg->topic_regenerate, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(sv->consumer, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err)
        aw_log_error("subscribe: %s", rd_kafka_err2str(err));
    return err ? -1 : 0;
}

static int open_storage(aw_supervisor *sv)
{
    char dir[PATH_MAX + 16];
    if (sv->cfg->storage_url == NULL && sv->cfg->embedded) {
        static char url[PATH_MAX + 32];
        if (getcwd(dir, sizeof dir - 16) == NULL)
            return -1;
        strcat(dir, "/aw-storage");
        mkdir(dir, 0755);
        snprintf(url, sizeof url, "file://%s", dir);
        sv->cfg->storage_url = url;
    }
    aw_error err;
    sv->storage = aw_storage_open(sv->cfg->storage_url, &err);
    if (sv->storage == NULL)
        aw_log_error("storage: %s", err.message);
    return sv->storage ? 0 : -1;
}

static int make_spool(aw_service_config *cfg)
{
    static char dir[PATH_MAX];
    if (cfg->spool_dir == NULL) {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/asset-worker-spool-%d", tmp && *tmp ? tmp : "/tmp",
                 (int)getpid());
        cfg->spool_dir = dir;
    }
    if (mkdir(cfg->spool_dir, 0700) != 0 && errno != EEXIST) {
        aw_log_error("spool %s: %s", cfg->spool_dir, strerror(errno));
        return -1;
    }
    return 0;
}

static int start_clients(aw_supervisor *sv)
{
    char errstr[512];
    sv->producer = make_producer(sv, errstr, sizeof errstr);
    if (sv->producer != NULL)
        sv->consumer = make_consumer(sv, errstr, sizeof errstr);
    if (sv->producer == NULL || sv->consumer == NULL) {
        aw_log_error("kafka: %s", errstr);
        return -1;
    }
    return subscribe(sv);
}

static int start_http(aw_supervisor *sv)
{
    if (sv->cfg->http_port == 0)
        return 0;
    aw_error err;
    sv->http = aw_http_start(sv->cfg->http_address, sv->cfg->http_port, sv->metrics, &err);
    if (sv->http == NULL) {
        aw_log_error("%s", err.message);
        return -1;
    }
    aw_log_info("http: /healthz, /readyz, /metrics on %s:%d", sv->cfg->http_address,
                aw_http_port(sv->http));
    return 0;
}

static int start_transfers(aw_supervisor *sv)
{
    aw_error err;
    sv->transfers = aw_transfers_new(sv->storage, sv->cfg->transfers, &err);
    if (sv->transfers == NULL)
        aw_log_error("%s", err.message);
    return sv->transfers != NULL ? 0 : -1;
}

static aw_pool *start_pool(aw_supervisor *sv, aw_zygote *z)
{
    aw_error err;
    const aw_pool_limits limits = {sv->cfg->stage_timeout_ms, sv->cfg->sandbox.memory_bytes,
                                   sv->cfg->sandbox.cpu_seconds * 1000.0, sv->cfg->spool_dir};
    const aw_pool_callbacks cb = {on_progress, on_result, on_lost, on_restarted};
    aw_pool *p = aw_pool_new(z, sv->cfg->concurrency, &limits, &cb, sv, &err);
    if (p == NULL)
        aw_log_error("executors: %s", err.message);
    return p;
}

/* Everything before the loop: HTTP, the first zygote, the embedded
 * cluster, spool, storage, executors, Kafka clients. */
int aw_supervisor_start(aw_supervisor *sv, aw_embedded **mock)
{
    aw_error err;
    aw_service_config *cfg = sv->cfg;
    if (start_http(sv) != 0 || make_spool(cfg) != 0) /* the executors work in the spool */
        return -1;
    sv->office = aw_office_start(cfg); /* before the zygote: its executors connect */
    aw_zygote *z = aw_engines_start(&sv->engines, cfg, sv->metrics, &err);
    if (z == NULL) {
        aw_log_error("set-up failed: %s", err.message);
        return -1;
    }
    if ((sv->pool = start_pool(sv, z)) == NULL)
        return -1;
    if (cfg->embedded && (*mock = aw_embedded_start(cfg, &err)) == NULL) {
        aw_log_error("embedded cluster: %s", err.message);
        return -1;
    }
    return open_storage(sv) == 0 && start_transfers(sv) == 0 && start_clients(sv) == 0 ? 0 : -1;
}

/* Says at start-up what the executors give up before their first job. */
void aw_supervisor_log_sandbox(const aw_service_config *cfg)
{
    const aw_sandbox_config *sb = &cfg->sandbox;
    int abi = aw_sandbox_landlock_abi();
    if (!sb->enabled) {
        aw_log_warn("sandbox OFF (--sandbox off): executors run jobs unconfined");
        return;
    }
    aw_log_info("sandbox: seccomp filter, limits (memory +%llu MiB, CPU %u s, files %llu MiB, "
                "%u open files, stage %.0f s, job %.0f s), %s",
                (unsigned long long)(sb->memory_bytes >> 20), sb->cpu_seconds,
                (unsigned long long)(sb->file_bytes >> 20), sb->open_files,
                cfg->stage_timeout_ms / 1000, cfg->job_timeout_ms / 1000,
                abi > 0 ? "Landlock file confinement"
                        : "NO file confinement (the kernel has no Landlock)");
}
