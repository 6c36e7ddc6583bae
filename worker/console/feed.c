/* feed.c — see feed.h. */
#define _GNU_SOURCE
#include "feed.h"

#include "alloc.h"
#include "kafka.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

#define BATCH_MAX 500

struct aw_console_feed {
    rd_kafka_t *consumer;
    aw_read_model *rm;
    const aw_console_config *cfg;
    rd_kafka_message_t *batch[BATCH_MAX];
};

/* Eager rebalancing: an assignment starts where the database says. */
static void rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t why,
                      rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    aw_console_feed *f = opaque;
    if (why != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        rd_kafka_assign(rk, NULL);
        return;
    }
    for (int i = 0; i < parts->cnt; i++) {
        rd_kafka_topic_partition_t *p = &parts->elems[i];
        int64_t next = aw_read_model_resume_offset(f->rm, p->topic, p->partition);
        p->offset = next >= 0 ? next : RD_KAFKA_OFFSET_BEGINNING;
    }
    rd_kafka_assign(rk, parts);
}

static rd_kafka_t *make_consumer(aw_console_feed *f, aw_error *err)
{
    static const char *const fixed[] = {"enable.auto.commit", "false", "enable.auto.offset.store",
                                        "false", "auto.offset.reset", "earliest",
                                        "partition.assignment.strategy", "range,roundrobin", NULL};
    char errstr[512];
    rd_kafka_conf_t *conf = aw_kafka_conf(&f->cfg->svc, fixed, errstr, sizeof errstr);
    if (conf != NULL &&
        rd_kafka_conf_set(conf, "group.id", f->cfg->svc.group, errstr, sizeof errstr) !=
            RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        conf = NULL;
    }
    if (conf != NULL) {
        rd_kafka_conf_set_rebalance_cb(conf, rebalance);
        rd_kafka_conf_set_opaque(conf, f);
    }
    rd_kafka_t *rk = conf ? rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr) : NULL;
    if (rk == NULL)
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "kafka", "consumer: %s", errstr);
    return rk;
}

aw_console_feed *aw_console_feed_start(const aw_console_config *cfg, aw_read_model *rm,
                                       aw_error *err)
{
    aw_console_feed *f = aw_xcalloc(1, sizeof *f);
    f->rm = rm, f->cfg = cfg;
    f->consumer = make_consumer(f, err);
    if (f->consumer == NULL) {
        free(f);
        return NULL;
    }
    rd_kafka_poll_set_consumer(f->consumer);
    const char *topics[] = {cfg->svc.topic_uploads, cfg->svc.topic_regenerate,
                            cfg->svc.topic_events, cfg->svc.topic_dlq};
    rd_kafka_topic_partition_list_t *subs = rd_kafka_topic_partition_list_new(4);
    for (int i = 0; i < 4; i++)
        rd_kafka_topic_partition_list_add(subs, topics[i], RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(f->consumer, subs);
    rd_kafka_topic_partition_list_destroy(subs);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "kafka", "subscribe: %s", rd_kafka_err2str(e));
        aw_console_feed_stop(f);
        return NULL;
    }
    return f;
}

static aw_feed feed_of(const aw_console_config *cfg, const char *topic)
{
    if (strcmp(topic, cfg->svc.topic_uploads) == 0)
        return AW_FEED_UPLOADS;
    if (strcmp(topic, cfg->svc.topic_regenerate) == 0)
        return AW_FEED_REGENERATE;
    return strcmp(topic, cfg->svc.topic_events) == 0 ? AW_FEED_EVENTS : AW_FEED_DLQ;
}

/* Every header as {name: value} (the last of a repeated name; values that
 * are not UTF-8 are left out). */
static json_t *all_headers(const rd_kafka_message_t *m)
{
    json_t *out = json_object();
    rd_kafka_headers_t *hdrs = NULL;
    if (rd_kafka_message_headers(m, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return out;
    const char *name;
    const void *v;
    size_t n;
    for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &v, &n) == 0; i++) {
        json_t *s = json_stringn(v ? v : "", v ? n : 0);
        if (s != NULL)
            json_object_set_new(out, name, s);
    }
    return out;
}

static void apply_one(aw_console_feed *f, const rd_kafka_message_t *km)
{
    char ce[6][256], time[256];
    char *key = km->key ? aw_xasprintf("%.*s", (int)km->key_len, (const char *)km->key) : NULL;
    rd_kafka_timestamp_type_t tstype;
    aw_feed_message m = {
        .feed = feed_of(f->cfg, rd_kafka_topic_name(km->rkt)),
        .topic = rd_kafka_topic_name(km->rkt),
        .partition = km->partition,
        .offset = km->offset,
        .key = key,
        .value = km->payload,
        .value_len = km->len,
        .ce_time = aw_kafka_header(km, "ce_time", time),
        .timestamp_ms = rd_kafka_message_timestamp(km, &tstype),
        .headers = all_headers(km),
    };
    aw_kafka_ce_headers(km, &m.ce, ce);
    aw_error err;
    aw_error_clear(&err);
    if (aw_read_model_apply(f->rm, &m, &err) != AW_OK)
        aw_log_warn("console: skipped a malformed message at %s/%d@%lld: %s", m.topic,
                    (int)m.partition, (long long)m.offset, err.message);
    json_decref(m.headers);
    free(key);
}

/* Up to BATCH_MAX messages: the first waits, the rest are what is there. */
static int collect(aw_console_feed *f, int wait_ms)
{
    int n = 0;
    while (n < BATCH_MAX) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(f->consumer, n == 0 ? wait_ms : 0);
        if (m == NULL)
            break;
        if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                aw_log(AW_LOG_DEBUG, NULL, "console: consumer: %s", rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            continue;
        }
        f->batch[n++] = m;
    }
    return n;
}

static void commit_to_kafka(aw_console_feed *f, int n)
{
    rd_kafka_topic_partition_list_t *done = rd_kafka_topic_partition_list_new(n);
    for (int i = 0; i < n; i++) {
        const rd_kafka_message_t *m = f->batch[i];
        rd_kafka_topic_partition_t *p = rd_kafka_topic_partition_list_find(
            done, rd_kafka_topic_name(m->rkt), m->partition);
        if (p == NULL)
            p = rd_kafka_topic_partition_list_add(done, rd_kafka_topic_name(m->rkt),
                                                  m->partition);
        p->offset = m->offset + 1 > p->offset ? m->offset + 1 : p->offset;
    }
    rd_kafka_commit(f->consumer, done, 1); /* lag monitoring only: the database is the truth */
    rd_kafka_topic_partition_list_destroy(done);
}

int aw_console_feed_step(aw_console_feed *f, int wait_ms)
{
    int n = collect(f, wait_ms);
    if (n == 0)
        return 0;
    aw_error err;
    aw_error_clear(&err);
    int rc = aw_read_model_begin(f->rm, &err);
    for (int i = 0; rc == AW_OK && i < n; i++)
        apply_one(f, f->batch[i]);
    if (rc == AW_OK)
        rc = aw_read_model_end(f->rm, &err);
    if (rc == AW_OK)
        commit_to_kafka(f, n);
    else
        aw_log_error("console: the database refused a batch of %d messages: %s", n, err.message);
    for (int i = 0; i < n; i++)
        rd_kafka_message_destroy(f->batch[i]);
    return rc == AW_OK ? n : -1;
}

void aw_console_feed_stop(aw_console_feed *f)
{
    if (f == NULL)
        return;
    rd_kafka_consumer_close(f->consumer);
    rd_kafka_destroy(f->consumer);
    free(f);
}
