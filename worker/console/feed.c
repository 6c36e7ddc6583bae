/* feed.c — see feed.h. */
#define _GNU_SOURCE
#include "feed.h"

#include "alloc.h"
#include "kafka.h"
#include "log.h"
#include "timeutil.h"

#include <stdlib.h>
#include <string.h>

#define BATCH_MAX 500

#define TOPICS 4
#define REFRESH_MS 5000.0 /* how often new topics and partitions are looked for */

typedef struct feed_topic {
    const char *name;
    rd_kafka_topic_t *handle;
    int assigned; /* partitions 0..assigned-1 are being read */
} feed_topic;

struct aw_console_feed {
    rd_kafka_t *consumer;
    aw_read_model *rm;
    const aw_console_config *cfg;
    feed_topic topics[TOPICS];
    double refreshed_at;
    rd_kafka_message_t *batch[BATCH_MAX];
};

static rd_kafka_t *make_consumer(aw_console_feed *f, aw_error *err)
{
    static const char *const fixed[] = {
        "enable.auto.commit", "false", "enable.auto.offset.store", "false", "auto.offset.reset",
        "earliest",           NULL};
    char errstr[512];
    rd_kafka_conf_t *conf = aw_kafka_conf(&f->cfg->svc, NULL, fixed, errstr, sizeof errstr);
    if (conf != NULL && rd_kafka_conf_set(conf, "group.id", f->cfg->svc.group, errstr,
                                          sizeof errstr) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        conf = NULL;
    }
    rd_kafka_t *rk = conf ? rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr) : NULL;
    if (rk == NULL)
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "kafka", "consumer: %s", errstr);
    return rk;
}

/* The partitions of t beyond those already read, each from where the
 * database says (the earliest offset when it has nothing). */
static void assign_new_partitions(aw_console_feed *f, feed_topic *t)
{
    const struct rd_kafka_metadata *md = NULL;
    if (rd_kafka_metadata(f->consumer, 0, t->handle, &md, 2000) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return;
    int n = md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR
                ? md->topics[0].partition_cnt
                : 0;
    rd_kafka_metadata_destroy(md);
    if (n <= t->assigned)
        return;
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(n - t->assigned);
    int resumed = 0;
    for (int p = t->assigned; p < n; p++) {
        int64_t next = aw_read_model_resume_offset(f->rm, t->name, p);
        rd_kafka_topic_partition_list_add(parts, t->name, p)->offset =
            next >= 0 ? next : RD_KAFKA_OFFSET_BEGINNING;
        resumed += next >= 0;
    }
    rd_kafka_error_t *e = rd_kafka_incremental_assign(f->consumer, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    if (e != NULL) {
        aw_log_warn("console: cannot read %s: %s", t->name, rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
        return;
    }
    aw_log_info("console: reading %s partitions %d-%d (%d from the database's offsets, the rest "
                "from the earliest)",
                t->name, t->assigned, n - 1, resumed);
    t->assigned = n;
}

/* One replica reads every partition itself: no group membership, so a
 * restart reads at once (a group would first wait out the old member). */
static void refresh_assignment(aw_console_feed *f)
{
    double now = aw_time_mono_ms();
    if (f->refreshed_at > 0 && now - f->refreshed_at < REFRESH_MS)
        return;
    f->refreshed_at = now;
    for (int i = 0; i < TOPICS; i++)
        assign_new_partitions(f, &f->topics[i]);
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
    const char *names[TOPICS] = {cfg->svc.topic_uploads, cfg->svc.topic_regenerate,
                                 cfg->svc.topic_events, cfg->svc.topic_dlq};
    for (int i = 0; i < TOPICS; i++) {
        f->topics[i].name = names[i];
        f->topics[i].handle = rd_kafka_topic_new(f->consumer, names[i], NULL);
    }
    refresh_assignment(f);
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
            p = rd_kafka_topic_partition_list_add(done, rd_kafka_topic_name(m->rkt), m->partition);
        p->offset = m->offset + 1 > p->offset ? m->offset + 1 : p->offset;
    }
    rd_kafka_commit(f->consumer, done, 1); /* lag monitoring only: the database is the truth */
    rd_kafka_topic_partition_list_destroy(done);
}

int aw_console_feed_step(aw_console_feed *f, int wait_ms)
{
    refresh_assignment(f);
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
    for (int i = 0; i < TOPICS; i++)
        if (f->topics[i].handle != NULL)
            rd_kafka_topic_destroy(f->topics[i].handle);
    rd_kafka_destroy(f->consumer);
    free(f);
}
