/* kafka.h — what the supervisor needs from librdkafka, configured the way
 * DESIGN §5 asks: a cooperative-sticky consumer that stores offsets only when
 * told, an idempotent acks=all producer, CloudEvents headers in and out. */
#ifndef AW_KAFKA_H
#define AW_KAFKA_H

#include "event.h"
#include "service_config.h"

#include <librdkafka/rdkafka.h>

/* Applies `defaults` (NULL-terminated key, value pairs; or NULL), cfg's
 * brokers and pass-through properties (AW_RDKAFKA_*, then -X), which
 * override them, then `fixed` (pairs that may not be overridden). NULL
 * with errstr filled on an unknown or invalid property. */
rd_kafka_conf_t *aw_kafka_conf(const aw_service_config *cfg, const char *const *defaults,
                               const char *const *fixed, char *errstr, size_t errsize);

/* The last value of header name, copied into buf (always NUL-terminated,
 * "" when absent or 256 bytes or longer); NULL when absent. */
const char *aw_kafka_header(const rd_kafka_message_t *m, const char *name, char buf[256]);

/* CloudEvents binary-mode headers of a message, copied into buf. */
void aw_kafka_ce_headers(const rd_kafka_message_t *m, aw_ce_headers *h, char buf[][256]);

/* Publishes one event in binary mode: key = asset id, headers ce_*,
 * content-type and traceparent (when given). opaque reaches the delivery
 * report. Returns 0 or an rd_kafka_resp_err_t. */
int aw_kafka_publish(rd_kafka_t *producer, const char *topic, const char *key, const char *type,
                     const char *id, const char *source, const char *traceparent, json_t *data,
                     void *opaque);

/* Copies an input message to the dead-letter topic unchanged (key, value,
 * headers) plus x-dlq-* headers saying why and where it came from. */
int aw_kafka_dead_letter(rd_kafka_t *producer, const char *dlq_topic, const void *key,
                         size_t key_len, const void *value, size_t value_len,
                         const rd_kafka_headers_t *headers, const char *code, const char *message,
                         int attempts, const char *src_topic, int32_t src_partition,
                         int64_t src_offset, void *opaque);

#endif
