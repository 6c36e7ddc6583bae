/* kafka.c — librdkafka configuration and CloudEvents over Kafka. */
#define _GNU_SOURCE
#include "kafka.h"

#include "log.h"
#include "timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int set(rd_kafka_conf_t *conf, const char *key, const char *value, char *errstr,
               size_t errsize)
{
    return rd_kafka_conf_set(conf, key, value, errstr, errsize) == RD_KAFKA_CONF_OK ? 0 : -1;
}

/* "key=value" → set. */
static int set_pair(rd_kafka_conf_t *conf, const char *pair, char *errstr, size_t errsize)
{
    const char *eq = strchr(pair, '=');
    if (eq == NULL || eq == pair) {
        snprintf(errstr, errsize, "librdkafka property '%s' is not key=value", pair);
        return -1;
    }
    char key[256];
    snprintf(key, sizeof key, "%.*s", (int)(eq - pair), pair);
    return set(conf, key, eq + 1, errstr, errsize);
}

/* AW_RDKAFKA_SOCKET_TIMEOUT_MS=3000 → socket.timeout.ms=3000 */
static int set_from_environment(rd_kafka_conf_t *conf, char *errstr, size_t errsize)
{
    extern char **environ;
    static const char prefix[] = "AW_RDKAFKA_";
    for (char **e = environ; *e != NULL; e++) {
        if (strncmp(*e, prefix, sizeof prefix - 1) != 0)
            continue;
        char pair[1024];
        snprintf(pair, sizeof pair, "%s", *e + sizeof prefix - 1);
        for (char *p = pair; *p != '\0' && *p != '='; p++)
            *p = *p == '_' ? '.' : (char)(*p | 0x20);
        if (set_pair(conf, pair, errstr, errsize) != 0)
            return -1;
    }
    return 0;
}

/* librdkafka's own messages (syslog levels) as our log lines. */
static void kafka_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    aw_log_level l = level <= 3   ? AW_LOG_ERROR
                     : level == 4 ? AW_LOG_WARN
                     : level <= 6 ? AW_LOG_INFO
                                  : AW_LOG_DEBUG;
    aw_log(l, NULL, "%s: %s: %s", rd_kafka_name(rk), fac, buf);
}

rd_kafka_conf_t *aw_kafka_conf(const aw_service_config *cfg, const char *const *defaults,
                               const char *const *fixed, char *errstr, size_t errsize)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, kafka_log);
    int rc = 0;
    for (int i = 0; defaults != NULL && defaults[i] != NULL && rc == 0; i += 2)
        rc = set(conf, defaults[i], defaults[i + 1], errstr, errsize);
    if (rc == 0 && cfg->brokers)
        rc = set(conf, "bootstrap.servers", cfg->brokers, errstr, errsize);
    if (rc == 0)
        rc = set_from_environment(conf, errstr, errsize);
    for (int i = 0; rc == 0 && i < cfg->n_kafka_props; i++)
        rc = set_pair(conf, cfg->kafka_props[i], errstr, errsize);
    for (int i = 0; rc == 0 && fixed != NULL && fixed[i] != NULL; i += 2)
        rc = set(conf, fixed[i], fixed[i + 1], errstr, errsize);
    if (rc != 0) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    return conf;
}

const char *aw_kafka_header(const rd_kafka_message_t *m, const char *name, char buf[256])
{
    rd_kafka_headers_t *hdrs = NULL;
    const void *v = NULL;
    size_t n = 0;
    buf[0] = '\0';
    if (rd_kafka_message_headers(m, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR ||
        rd_kafka_header_get_last(hdrs, name, &v, &n) != RD_KAFKA_RESP_ERR_NO_ERROR || v == NULL ||
        n >= 256)
        return NULL;
    memcpy(buf, v, n);
    buf[n] = '\0';
    return buf;
}

void aw_kafka_ce_headers(const rd_kafka_message_t *m, aw_ce_headers *h, char buf[][256])
{
    h->specversion = aw_kafka_header(m, "ce_specversion", buf[0]);
    h->id = aw_kafka_header(m, "ce_id", buf[1]);
    h->type = aw_kafka_header(m, "ce_type", buf[2]);
    h->source = aw_kafka_header(m, "ce_source", buf[3]);
    h->content_type = aw_kafka_header(m, "content-type", buf[4]);
    h->traceparent = aw_kafka_header(m, "traceparent", buf[5]);
}

int aw_kafka_publish(rd_kafka_t *producer, const char *topic, const char *key, const char *type,
                     const char *id, const char *source, const char *traceparent, json_t *data,
                     void *opaque)
{
    char now[40];
    aw_time_iso8601(now, sizeof now);
    char *payload = json_dumps(data, JSON_COMPACT | JSON_REAL_PRECISION(10));
    if (payload == NULL)
        return RD_KAFKA_RESP_ERR__INVALID_ARG;
    rd_kafka_headers_t *h = rd_kafka_headers_new(8);
    rd_kafka_header_add(h, "ce_specversion", -1, "1.0", -1);
    rd_kafka_header_add(h, "ce_id", -1, id, -1);
    rd_kafka_header_add(h, "ce_type", -1, type, -1);
    rd_kafka_header_add(h, "ce_source", -1, source, -1);
    rd_kafka_header_add(h, "ce_time", -1, now, -1);
    rd_kafka_header_add(h, "content-type", -1, "application/json", -1);
    if (traceparent != NULL && traceparent[0] != '\0')
        rd_kafka_header_add(h, "traceparent", -1, traceparent, -1);
    rd_kafka_resp_err_t err = rd_kafka_producev(
        producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, strlen(key)),
        RD_KAFKA_V_VALUE(payload, strlen(payload)), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_FREE),
        RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_headers_destroy(h); /* on failure ownership stays with us */
        free(payload);
    }
    return err;
}

int aw_kafka_dead_letter(rd_kafka_t *producer, const char *dlq_topic, const void *key,
                         size_t key_len, const void *value, size_t value_len,
                         const rd_kafka_headers_t *headers, const char *code, const char *message,
                         int attempts, const char *src_topic, int32_t src_partition,
                         int64_t src_offset, void *opaque)
{
    rd_kafka_headers_t *h = headers ? rd_kafka_headers_copy(headers) : rd_kafka_headers_new(6);
    char num[32];
    rd_kafka_header_add(h, "x-dlq-error-code", -1, code, -1);
    rd_kafka_header_add(h, "x-dlq-error-message", -1, message, -1);
    snprintf(num, sizeof num, "%d", attempts);
    rd_kafka_header_add(h, "x-dlq-attempts", -1, num, -1);
    rd_kafka_header_add(h, "x-dlq-source-topic", -1, src_topic, -1);
    snprintf(num, sizeof num, "%d", (int)src_partition);
    rd_kafka_header_add(h, "x-dlq-source-partition", -1, num, -1);
    snprintf(num, sizeof num, "%lld", (long long)src_offset);
    rd_kafka_header_add(h, "x-dlq-source-offset", -1, num, -1);
    rd_kafka_resp_err_t err = rd_kafka_producev(
        producer, RD_KAFKA_V_TOPIC(dlq_topic), RD_KAFKA_V_KEY(key, key_len),
        RD_KAFKA_V_VALUE((void *)value, value_len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        rd_kafka_headers_destroy(h);
    return err;
}
