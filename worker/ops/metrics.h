/* metrics.h — the service's Prometheus metrics: a fixed set of families,
 * series made on first use, rendered in the text exposition format 0.0.4.
 * Updated by the supervisor thread and librdkafka's statistics callback,
 * read by the HTTP thread: every call takes the registry's lock. */
#ifndef AW_METRICS_H
#define AW_METRICS_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    AW_M_JOBS,                  /* counter {status, type} */
    AW_M_STAGE_SECONDS,         /* histogram {stage} */
    AW_M_IN_FLIGHT,             /* gauge */
    AW_M_EXECUTOR_RESTARTS,     /* counter {reason} */
    AW_M_RETRIES,               /* counter {kind} */
    AW_M_DEAD_LETTERS,          /* counter */
    AW_M_SCAN_VERDICTS,         /* counter {verdict} */
    AW_M_CLAMAV_SIGNATURES,     /* gauge */
    AW_M_CLAMAV_VERSION,        /* gauge */
    AW_M_CLAMAV_DB_TIME,        /* gauge, seconds since the epoch */
    AW_M_CLAMAV_RELOADS,        /* counter {result} */
    AW_M_CONSUMER_LAG,          /* gauge {topic, partition} */
    AW_M_STORAGE_BYTES,         /* counter {direction} */
    AW_M_READY,                 /* gauge 0/1 */
    AW_M_EXECUTOR_BUSY_SECONDS, /* counter: wall time executors spent on jobs */
    AW_M_STORAGE_SECONDS,       /* histogram {op}: one storage request, queue wait included */
    AW_M_COUNT
} aw_metric;

typedef struct aw_metrics aw_metrics;

aw_metrics *aw_metrics_new(void);
void aw_metrics_free(aw_metrics *m);

/* labels: NULL, or pairs name, value, ..., NULL (values are escaped). */
void aw_metrics_add(aw_metrics *m, aw_metric id, double v, ...);
void aw_metrics_set(aw_metrics *m, aw_metric id, double v, ...);
void aw_metrics_observe(aw_metrics *m, aw_metric id, double v, ...);
/* Forgets every series of a family (gauges that are re-read whole). */
void aw_metrics_clear(aw_metrics *m, aw_metric id);

/* Readiness, with the reason when not ready (shown by /readyz). */
void aw_metrics_set_ready(aw_metrics *m, bool ready, const char *why);
bool aw_metrics_ready(aw_metrics *m, char *why, size_t size);

/* The main loop's heartbeat (monotonic ms) for /healthz. */
void aw_metrics_beat(aw_metrics *m, double now_ms);
double aw_metrics_last_beat(aw_metrics *m);

/* The whole exposition (caller frees). */
char *aw_metrics_render(aw_metrics *m);

#endif
