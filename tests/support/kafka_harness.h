/* kafka_harness.h — what the service tests need around the real binary: a
 * librdkafka mock cluster hosted in the test process (so workers can be
 * killed on their own), workers started as child processes, events
 * produced with their partition and offset known, and everything the
 * workers publish collected (deduplicated by ce_id). */
#ifndef AW_KAFKA_HARNESS_H
#define AW_KAFKA_HARNESS_H

#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdbool.h>
#include <sys/types.h>

typedef struct kh_cluster {
    rd_kafka_t *host;
    rd_kafka_mock_cluster_t *mock;
    char bootstraps[512];
    rd_kafka_t *producer;
} kh_cluster;

/* One test's topics and group, named after the test. */
typedef struct kh_scope {
    char uploads[96], regenerate[96], events[96], dlq[96], group[96];
} kh_scope;

/* One message a worker published (or an input we produced). */
typedef struct kh_event {
    char topic[96], type[64], id[160], source[128], time[64], traceparent[80], content_type[64];
    char key[160];
    json_t *data; /* parsed value (NULL when not JSON) */
    char *raw;    /* value bytes, NUL-terminated */
    size_t raw_len;
    char dlq_code[64], dlq_src_topic[96];
    long dlq_src_partition;
    long long dlq_src_offset;
    int32_t partition;
    int64_t offset;
} kh_event;

typedef struct kh_collector {
    rd_kafka_t *consumer;
    kh_event *events;
    size_t n, cap;
} kh_collector;

int kh_cluster_start(kh_cluster *k);
void kh_cluster_stop(kh_cluster *k);

/* Creates the four topics of a scope (partitions each) and names a group. */
void kh_scope_init(kh_cluster *k, kh_scope *s, const char *name, int partitions);

/* Produces value (len bytes) with the given headers ("name", "value", …,
 * NULL) and key; waits for the ack; returns partition/offset. */
int kh_produce(kh_cluster *k, const char *topic, const char *key, const void *value, size_t len,
               const char *const *headers, int32_t *partition, int64_t *offset);

/* Produces a binary-mode asset.upload.confirmed; returns its ce_id in id. */
int kh_produce_upload(kh_cluster *k, const kh_scope *s, const char *asset, const char *key,
                      const char *mime, long long size, const char *traceparent, char id[64],
                      int32_t *partition, int64_t *offset);

/* Starts `bin run` against the cluster with the scope, plus extra args
 * (NULL-terminated); output goes to log_path. storage is a directory or a
 * URL (s3://…). */
pid_t kh_worker_start(const kh_cluster *k, const kh_scope *s, const char *bin, const char *storage,
                      const char *db, const char *log_path, const char *const *extra);

/* Starts `bin console` against the cluster with the scope's topics, group
 * "<scope group>-console", storage URL and database db_path, on a free
 * loopback port; output goes to log_path. Waits up to 20 s for the line
 * "console=http://…" and copies that base URL into url; -1 when it never
 * came (the process is killed). */
pid_t kh_console_start(const kh_cluster *k, const kh_scope *s, const char *bin,
                       const char *storage_url, const char *db_path, const char *log_path,
                       char url[128]);

/* "dir/name.log" (caller frees): where a test keeps a worker's output. */
char *kh_log_path(const char *dir, const char *name);
/* How many times the log of worker name (in dir) says text. */
int kh_log_count(const char *dir, const char *name, const char *text);

/* Kills every worker started and not stopped (a failed test leaves none). */
void kh_kill_workers(void);

/* Sends sig and waits up to timeout_s; returns the wait status, or -1 after
 * SIGKILL on timeout. */
int kh_worker_stop(pid_t pid, int sig, int timeout_s);

/* A consumer of the scope's events and dead-letter topics, from the start. */
void kh_collector_start(kh_collector *c, kh_cluster *k, const kh_scope *s);
void kh_collector_stop(kh_collector *c);

/* Polls for up to timeout_s until count(type) >= n; returns the count.
 * type "dlq" counts dead letters. */
int kh_collect_until(kh_collector *c, const char *type, int n, double timeout_s);
int kh_count(const kh_collector *c, const char *type);
const kh_event *kh_find(const kh_collector *c, const char *type, const char *asset_id);

/* Committed offset of a group on a partition (-1001 when none). */
int64_t kh_committed(kh_cluster *k, const char *group, const char *topic, int32_t partition);

/* Writes every collected event's data to dir/<type>-<n>.json. */
void kh_dump(const kh_collector *c, const char *dir);

#endif
