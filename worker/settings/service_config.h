/* service_config.h — the settings of `asset-worker run`: defaults, the
 * environment (AW_*) and flags. Parsed by the command and by the zygote,
 * which is this binary exec'd with run's arguments (exec/zygote.h). */
#ifndef AW_SERVICE_CONFIG_H
#define AW_SERVICE_CONFIG_H

#include "config.h"
#include "log.h"
#include "sandbox.h"

#include <stdbool.h>
#include <stdio.h>

#define AW_MAX_KAFKA_PROPS 64
#define AW_MAX_CONCURRENCY 256 /* executors; the supervisor's poll array is sized by it */
#define AW_MAX_TRANSFERS 1024
#define AW_STR(x) AW_STR_(x)
#define AW_STR_(x) #x

typedef struct aw_service_config {
    aw_config pipeline;
    const char *brokers; /* bootstrap.servers; NULL with --embedded */
    const char *group;   /* consumer group, default asset-workers */
    const char *topic_uploads, *topic_regenerate, *topic_events, *topic_dlq;
    const char *storage_url;   /* file:///abs/dir */
    const char *spool_dir;     /* per-job scratch directories */
    const char *source;        /* ce_source of the events we publish */
    int concurrency;           /* executors */
    int transfers;             /* storage requests in flight (transfer threads) */
    int prefetch;              /* sources downloaded ahead for busy executors */
    double job_timeout_ms;     /* wall time of one job in an executor */
    double stage_timeout_ms;   /* wall time of one stage */
    aw_sandbox_config sandbox; /* what executors give up before each job */
    double grace_ms;           /* drain time on SIGTERM and on partition revoke */
    int max_attempts;          /* storage and delivery attempts before a job fails */
    double backoff_base_ms, backoff_max_ms;
    bool embedded; /* host librdkafka's mock cluster in-process */
    int embedded_partitions;
    const char *kafka_props[AW_MAX_KAFKA_PROPS]; /* "key=value", passed through */
    int n_kafka_props;
    int http_port;            /* /healthz, /readyz, /metrics; 0 = no HTTP */
    const char *http_address; /* IPv4 address to listen on */
    aw_log_level log_level;
    aw_log_format log_format;
    bool clamav_watch;        /* reload the ClamAV database when it changes */
    double clamav_settle_ms;  /* quiet time after the last change before a reload */
    bool reuse;               /* copy the outputs of the same bytes and recipes */
    const char *office;       /* "auto", "off" or LibreOffice's program directory */
    int office_slots;         /* Office documents rendered at once */
    double office_timeout_ms; /* wall time of one rendering */
    char **argv;              /* the run command line: zygotes are started with it */
} aw_service_config;

void aw_service_config_defaults(aw_service_config *cfg);

enum {
    AW_SETTINGS_OK = 0,
    AW_SETTINGS_HELP = 1, /* --help: print aw_service_config_usage() */
    AW_SETTINGS_BAD = 2,  /* a setting is wrong; the message is printed */
};

/* `asset-worker run`'s settings from the environment (AW_*) and then argv. */
int aw_service_config_parse(int argc, char **argv, aw_service_config *cfg);

/* run --help. */
void aw_service_config_usage(FILE *out);

#endif
