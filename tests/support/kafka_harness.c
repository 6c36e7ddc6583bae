/* kafka_harness.c — mock cluster, workers and event collection for tests. */
#define _GNU_SOURCE
#include "kafka_harness.h"

#include "alloc.h"
#include "timeutil.h"

#include <fcntl.h>
#include <glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct delivery {
    bool done;
    rd_kafka_resp_err_t err;
    int32_t partition;
    int64_t offset;
} delivery;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk, (void)opaque;
    delivery *d = m->_private;
    d->err = m->err, d->partition = m->partition, d->offset = m->offset, d->done = true;
}

int kh_cluster_start(kh_cluster *k)
{
    char errstr[256];
    memset(k, 0, sizeof *k);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "2", errstr, sizeof errstr);
    k->host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (k->host == NULL || (k->mock = rd_kafka_mock_cluster_new(k->host, 3)) == NULL)
        return -1;
    snprintf(k->bootstraps, sizeof k->bootstraps, "%s", rd_kafka_mock_cluster_bootstraps(k->mock));
    conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", k->bootstraps, errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "log_level", "2", errstr, sizeof errstr);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    k->producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    return k->producer ? 0 : -1;
}

void kh_cluster_stop(kh_cluster *k)
{
    if (k->producer)
        rd_kafka_destroy(k->producer);
    if (k->mock)
        rd_kafka_mock_cluster_destroy(k->mock);
    if (k->host)
        rd_kafka_destroy(k->host);
}

void kh_scope_init(kh_cluster *k, kh_scope *s, const char *name, int partitions)
{
    snprintf(s->uploads, sizeof s->uploads, "%s.uploads", name);
    snprintf(s->regenerate, sizeof s->regenerate, "%s.regenerate", name);
    snprintf(s->events, sizeof s->events, "%s.events", name);
    snprintf(s->dlq, sizeof s->dlq, "%s.dlq", name);
    snprintf(s->group, sizeof s->group, "%s-workers", name);
    rd_kafka_mock_topic_create(k->mock, s->uploads, partitions, 1);
    rd_kafka_mock_topic_create(k->mock, s->regenerate, 2, 1);
    rd_kafka_mock_topic_create(k->mock, s->events, partitions, 1);
    rd_kafka_mock_topic_create(k->mock, s->dlq, 1, 1);
}

int kh_produce(kh_cluster *k, const char *topic, const char *key, const void *value, size_t len,
               const char *const *headers, int32_t *partition, int64_t *offset)
{
    rd_kafka_headers_t *h = rd_kafka_headers_new(8);
    for (int i = 0; headers != NULL && headers[i] != NULL; i += 2)
        rd_kafka_header_add(h, headers[i], -1, headers[i + 1], -1);
    delivery d = {0};
    rd_kafka_resp_err_t err = rd_kafka_producev(
        k->producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, key ? strlen(key) : 0),
        RD_KAFKA_V_VALUE((void *)value, len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_OPAQUE(&d), RD_KAFKA_V_END);
    if (err) {
        rd_kafka_headers_destroy(h);
        return -1;
    }
    double deadline = aw_time_mono_ms() + 20000;
    while (!d.done && aw_time_mono_ms() < deadline)
        rd_kafka_poll(k->producer, 50);
    if (!d.done || d.err)
        return -1;
    *partition = d.partition, *offset = d.offset;
    return 0;
}

int kh_produce_upload(kh_cluster *k, const kh_scope *s, const char *asset, const char *key,
                      const char *mime, long long size, const char *traceparent, char id[64],
                      int32_t *partition, int64_t *offset)
{
    static int seq;
    snprintf(id, 64, "evt-%s-%d-%ld", asset, ++seq, (long)getpid());
    json_t *data = json_pack("{s:s,s:s,s:s,s:I,s:s,s:s}", "assetId", asset, "storageKey", key,
                             "mimeType", mime, "fileSize", size, "title", asset, "createdBy",
                             "tester");
    char *value = json_dumps(data, JSON_COMPACT);
    const char *headers[] = {"ce_specversion",
                             "1.0",
                             "ce_id",
                             id,
                             "ce_type",
                             "asset.upload.confirmed",
                             "ce_source",
                             "test-api",
                             "content-type",
                             "application/json",
                             traceparent ? "traceparent" : NULL,
                             traceparent,
                             NULL};
    int rc = kh_produce(k, s->uploads, asset, value, strlen(value), headers, partition, offset);
    free(value), json_decref(data);
    return rc;
}

char *kh_log_path(const char *dir, const char *name)
{
    char *p = NULL;
    if (asprintf(&p, "%s/%s.log", dir, name) < 0)
        abort();
    return p;
}

int kh_log_count(const char *dir, const char *name, const char *text)
{
    char *path = kh_log_path(dir, name);
    gchar *content = NULL;
    int n = 0;
    if (g_file_get_contents(path, &content, NULL, NULL))
        for (const char *p = content; (p = strstr(p, text)) != NULL; p++)
            n++;
    g_free(content), free(path);
    return n;
}

static pid_t started[64]; /* workers not yet stopped, for kh_kill_workers */

static void forget(pid_t pid)
{
    for (int i = 0; i < 64; i++)
        if (started[i] == pid)
            started[i] = 0;
}

void kh_kill_workers(void)
{
    for (int i = 0; i < 64; i++)
        if (started[i] > 0) {
            kill(started[i], SIGKILL);
            waitpid(started[i], NULL, 0);
            started[i] = 0;
        }
}

static void remember(pid_t pid)
{
    for (int i = 0; i < 64 && pid > 0; i++)
        if (started[i] == 0) {
            started[i] = pid;
            return;
        }
}

pid_t kh_worker_start(const kh_cluster *k, const kh_scope *s, const char *bin, const char *storage,
                      const char *db, const char *log_path, const char *const *extra)
{
    char url[4200];
    snprintf(url, sizeof url, "%s%s", strstr(storage, "://") ? "" : "file://", storage);
    const char *argv[64] = {bin,
                            "run",
                            "--brokers",
                            k->bootstraps,
                            "--storage",
                            url,
                            "--clamav-db",
                            db,
                            "--group",
                            s->group,
                            "--topic-uploads",
                            s->uploads,
                            "--topic-regenerate",
                            s->regenerate,
                            "--topic-events",
                            s->events,
                            "--topic-dlq",
                            s->dlq,
                            "-X",
                            "topic.metadata.refresh.interval.ms=1000",
                            "-X",
                            "log_level=3",
                            "--http-port",
                            "0"};
    int n = 24;
    for (int i = 0; extra != NULL && extra[i] != NULL && n < 62; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
        dup2(fd, 1), dup2(fd, 2);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    remember(pid);
    return pid;
}

/* The base URL the console printed into its log, or "" so far. */
static bool console_url(const char *log_path, char url[128])
{
    gchar *text = NULL;
    url[0] = '\0';
    if (!g_file_get_contents(log_path, &text, NULL, NULL))
        return false;
    const char *at = strstr(text, "console=");
    if (at != NULL)
        sscanf(at + 8, "%127s", url);
    g_free(text);
    return url[0] != '\0';
}

pid_t kh_console_start(const kh_cluster *k, const kh_scope *s, const char *bin,
                       const char *storage_url, const char *db_path, const char *log_path,
                       char url[128])
{
    char group[128];
    snprintf(group, sizeof group, "%s-console", s->group);
    const char *argv[] = {bin,
                          "console",
                          "--brokers",
                          k->bootstraps,
                          "--storage",
                          storage_url,
                          "--db",
                          db_path,
                          "--group",
                          group,
                          "--topic-uploads",
                          s->uploads,
                          "--topic-regenerate",
                          s->regenerate,
                          "--topic-events",
                          s->events,
                          "--topic-dlq",
                          s->dlq,
                          "--http-address",
                          "127.0.0.1",
                          "--http-port",
                          "0",
                          "-X",
                          "topic.metadata.refresh.interval.ms=1000",
                          "-X",
                          "log_level=3",
                          NULL};
    unlink(log_path); /* not an earlier run's URL */
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1), dup2(fd, 2);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    remember(pid);
    for (int i = 0; i < 200 && pid > 0; i++) {
        if (console_url(log_path, url))
            return pid;
        usleep(100000);
    }
    kh_worker_stop(pid, SIGKILL, 5);
    return -1;
}

int kh_worker_stop(pid_t pid, int sig, int timeout_s)
{
    int status = 0;
    forget(pid);
    kill(pid, sig);
    for (int i = 0; i < timeout_s * 20; i++) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return status;
        usleep(50000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

void kh_collector_start(kh_collector *c, kh_cluster *k, const kh_scope *s)
{
    char errstr[256], group[128];
    memset(c, 0, sizeof *c);
    snprintf(group, sizeof group, "collector-%s", s->group);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", k->bootstraps, errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "group.id", group, errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "topic.metadata.refresh.interval.ms", "1000", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "log_level", "2", errstr, sizeof errstr);
    c->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    rd_kafka_poll_set_consumer(c->consumer);
    rd_kafka_topic_partition_list_t *t = rd_kafka_topic_partition_list_new(2);
    rd_kafka_topic_partition_list_add(t, s->events, RD_KAFKA_PARTITION_UA);
    rd_kafka_topic_partition_list_add(t, s->dlq, RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(c->consumer, t);
    rd_kafka_topic_partition_list_destroy(t);
}

void kh_collector_stop(kh_collector *c)
{
    rd_kafka_consumer_close(c->consumer);
    rd_kafka_destroy(c->consumer);
    for (size_t i = 0; i < c->n; i++) {
        json_decref(c->events[i].data);
        free(c->events[i].raw);
    }
    free(c->events);
}

static void header(const rd_kafka_message_t *m, const char *name, char *buf, size_t size)
{
    rd_kafka_headers_t *h = NULL;
    const void *v = NULL;
    size_t n = 0;
    buf[0] = '\0';
    if (rd_kafka_message_headers(m, &h) == 0 && rd_kafka_header_get_last(h, name, &v, &n) == 0 &&
        v != NULL && n < size) {
        memcpy(buf, v, n);
        buf[n] = '\0';
    }
}

static bool seen(const kh_collector *c, const char *id, const char *topic)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->events[i].id, id) == 0 && strcmp(c->events[i].topic, topic) == 0)
            return true;
    return false;
}

static void add(kh_collector *c, const rd_kafka_message_t *m)
{
    kh_event e;
    memset(&e, 0, sizeof e);
    snprintf(e.topic, sizeof e.topic, "%s", rd_kafka_topic_name(m->rkt));
    bool dlq = strstr(e.topic, ".dlq") != NULL;
    header(m, "ce_type", e.type, sizeof e.type);
    header(m, "ce_id", e.id, sizeof e.id);
    if (dlq) { /* a dead letter keeps the input's headers: identify by source offset */
        char buf[64];
        header(m, "x-dlq-error-code", e.dlq_code, sizeof e.dlq_code);
        header(m, "x-dlq-source-topic", e.dlq_src_topic, sizeof e.dlq_src_topic);
        header(m, "x-dlq-source-partition", buf, sizeof buf);
        e.dlq_src_partition = atol(buf);
        header(m, "x-dlq-source-offset", buf, sizeof buf);
        e.dlq_src_offset = atoll(buf);
        snprintf(e.id, sizeof e.id, "dlq:%s:%ld:%lld", e.dlq_src_topic, e.dlq_src_partition,
                 e.dlq_src_offset);
        snprintf(e.type, sizeof e.type, "dlq");
    }
    if (seen(c, e.id, e.topic))
        return;
    header(m, "ce_source", e.source, sizeof e.source);
    header(m, "ce_time", e.time, sizeof e.time);
    header(m, "traceparent", e.traceparent, sizeof e.traceparent);
    header(m, "content-type", e.content_type, sizeof e.content_type);
    snprintf(e.key, sizeof e.key, "%.*s", (int)m->key_len, (const char *)m->key);
    e.raw = aw_xmalloc(m->len + 1);
    memcpy(e.raw, m->payload, m->len);
    e.raw[m->len] = '\0', e.raw_len = m->len;
    e.data = json_loadb(m->payload, m->len, 0, NULL);
    e.partition = m->partition, e.offset = m->offset;
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        c->events = aw_xreallocarray(c->events, c->cap, sizeof *c->events);
    }
    c->events[c->n++] = e;
}

int kh_count(const kh_collector *c, const char *type)
{
    int n = 0;
    for (size_t i = 0; i < c->n; i++)
        n += strcmp(c->events[i].type, type) == 0;
    return n;
}

int kh_collect_until(kh_collector *c, const char *type, int n, double timeout_s)
{
    double deadline = aw_time_mono_ms() + timeout_s * 1000;
    while (kh_count(c, type) < n && aw_time_mono_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c->consumer, 100);
        if (m != NULL && m->err == 0)
            add(c, m);
        if (m != NULL)
            rd_kafka_message_destroy(m);
    }
    return kh_count(c, type);
}

const kh_event *kh_find(const kh_collector *c, const char *type, const char *asset_id)
{
    for (size_t i = 0; i < c->n; i++) {
        const char *a = json_string_value(json_object_get(c->events[i].data, "assetId"));
        if (strcmp(c->events[i].type, type) == 0 && a != NULL && strcmp(a, asset_id) == 0)
            return &c->events[i];
    }
    return NULL;
}

int64_t kh_committed(kh_cluster *k, const char *group, const char *topic, int32_t partition)
{
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", k->bootstraps, errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "group.id", group, errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "log_level", "2", errstr, sizeof errstr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, partition);
    int64_t off = -1001;
    if (rd_kafka_committed(rk, l, 10000) == 0)
        off = l->elems[0].offset;
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_destroy(rk);
    return off;
}

void kh_dump(const kh_collector *c, const char *dir)
{
    mkdir(dir, 0755);
    for (size_t i = 0; i < c->n; i++) {
        if (c->events[i].data == NULL || strcmp(c->events[i].type, "dlq") == 0)
            continue;
        char path[4200];
        snprintf(path, sizeof path, "%s/%s-%zu.json", dir, c->events[i].type, i);
        json_dump_file(c->events[i].data, path, JSON_INDENT(1));
    }
}
