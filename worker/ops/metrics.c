/* metrics.c — families of series, a lock, and the text exposition. */
#define _GNU_SOURCE
#include "metrics.h"

#include "alloc.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX "asset_worker_"

typedef enum { COUNTER, GAUGE, HISTOGRAM } kind;

static const struct {
    const char *name, *help;
    kind type;
} families[AW_M_COUNT] = {
    [AW_M_JOBS] = {"jobs_total", "Jobs ended, by final status and asset type.", COUNTER},
    [AW_M_STAGE_SECONDS] = {"stage_duration_seconds", "Wall time of a pipeline stage.", HISTOGRAM},
    [AW_M_IN_FLIGHT] = {"jobs_in_flight", "Input events taken and not yet finished.", GAUGE},
    [AW_M_EXECUTOR_RESTARTS] =
        {"executor_restarts_total",
         "Executors replaced, by reason (job_done: it may not serve another job).", COUNTER},
    [AW_M_RETRIES] = {"retries_total", "Retries, by kind (storage, executor, delivery).", COUNTER},
    [AW_M_DEAD_LETTERS] = {"dead_letters_total", "Messages written to the dead-letter topic.",
                           COUNTER},
    [AW_M_SCAN_VERDICTS] = {"scan_verdicts_total", "Virus scan verdicts.", COUNTER},
    [AW_M_CLAMAV_SIGNATURES] = {"clamav_signatures", "Signatures in the ClamAV engine in use.",
                                GAUGE},
    [AW_M_CLAMAV_VERSION] = {"clamav_database_version",
                             "Version of the ClamAV database in use (daily).", GAUGE},
    [AW_M_CLAMAV_DB_TIME] = {"clamav_database_timestamp_seconds",
                             "Build time of the ClamAV database in use.", GAUGE},
    [AW_M_CLAMAV_RELOADS] = {"clamav_reloads_total", "ClamAV database reloads, by result.",
                             COUNTER},
    [AW_M_CONSUMER_LAG] = {"consumer_lag", "Messages behind the end of each assigned partition.",
                           GAUGE},
    [AW_M_STORAGE_BYTES] = {"storage_bytes_total", "Bytes downloaded and uploaded.", COUNTER},
    [AW_M_READY] = {"ready", "1 when /readyz answers 200.", GAUGE},
    [AW_M_EXECUTOR_BUSY_SECONDS] = {"executor_busy_seconds_total",
                                    "Wall time executors spent on jobs (all executors).", COUNTER},
    [AW_M_STORAGE_SECONDS] = {"storage_request_duration_seconds",
                              "One storage request (get, put), from queued to finished.",
                              HISTOGRAM},
};

static const double buckets[] = {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
#define N_BUCKETS (sizeof buckets / sizeof buckets[0])

typedef struct series {
    char *labels; /* rendered: name="value",... (may be empty) */
    double value; /* counter/gauge; histogram: sum */
    unsigned long long count, bucket[N_BUCKETS];
} series;

typedef struct family {
    series *s;
    size_t n, cap;
} family;

struct aw_metrics {
    pthread_mutex_t lock;
    family f[AW_M_COUNT];
    bool ready;
    char why[256];
    double beat;
};

aw_metrics *aw_metrics_new(void)
{
    aw_metrics *m = aw_xcalloc(1, sizeof *m);
    pthread_mutex_init(&m->lock, NULL);
    snprintf(m->why, sizeof m->why, "starting");
    return m;
}

void aw_metrics_clear(aw_metrics *m, aw_metric id)
{
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < m->f[id].n; i++)
        free(m->f[id].s[i].labels);
    m->f[id].n = 0;
    pthread_mutex_unlock(&m->lock);
}

void aw_metrics_free(aw_metrics *m)
{
    if (m == NULL)
        return;
    for (int i = 0; i < AW_M_COUNT; i++) {
        aw_metrics_clear(m, (aw_metric)i);
        free(m->f[i].s);
    }
    pthread_mutex_destroy(&m->lock);
    free(m);
}

/* name="value",... with \ " and newline escaped, from NULL-ended pairs;
 * cut short (never overrun) if it does not fit. */
static void render_labels(char *out, size_t size, va_list ap)
{
    size_t n = 0;
    for (const char *k; (k = va_arg(ap, const char *)) != NULL;) {
        const char *v = va_arg(ap, const char *);
        int w = snprintf(out + n, size - n, "%s%s=\"", n ? "," : "", k);
        if (w < 0 || (size_t)w + 4 >= size - n)
            break;
        n += (size_t)w;
        for (; v != NULL && *v != '\0' && n + 4 < size; v++) {
            if (*v == '\\' || *v == '"' || *v == '\n')
                out[n++] = '\\';
            out[n++] = *v == '\n' ? 'n' : *v;
        }
        out[n++] = '"';
    }
    out[n] = '\0';
}

static series *find(family *f, const char *labels)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->s[i].labels, labels) == 0)
            return &f->s[i];
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 8;
        f->s = aw_xreallocarray(f->s, f->cap, sizeof *f->s);
    }
    series *s = &f->s[f->n++];
    memset(s, 0, sizeof *s);
    s->labels = aw_xstrdup(labels);
    return s;
}

typedef enum { OP_ADD, OP_SET, OP_OBSERVE } op;

static void update(aw_metrics *m, aw_metric id, op o, double v, va_list ap)
{
    char labels[512];
    render_labels(labels, sizeof labels, ap);
    pthread_mutex_lock(&m->lock);
    series *s = find(&m->f[id], labels);
    if (o == OP_ADD)
        s->value += v;
    else if (o == OP_SET)
        s->value = v;
    else {
        s->value += v, s->count++;
        for (size_t b = 0; b < N_BUCKETS; b++)
            s->bucket[b] += v <= buckets[b];
    }
    pthread_mutex_unlock(&m->lock);
}

#define UPDATE(op_)                                                                                \
    va_list ap;                                                                                    \
    va_start(ap, v);                                                                               \
    update(m, id, op_, v, ap);                                                                     \
    va_end(ap)

void aw_metrics_add(aw_metrics *m, aw_metric id, double v, ...)
{
    UPDATE(OP_ADD);
}
void aw_metrics_set(aw_metrics *m, aw_metric id, double v, ...)
{
    UPDATE(OP_SET);
}
void aw_metrics_observe(aw_metrics *m, aw_metric id, double v, ...)
{
    UPDATE(OP_OBSERVE);
}

void aw_metrics_set_ready(aw_metrics *m, bool ready, const char *why)
{
    pthread_mutex_lock(&m->lock);
    m->ready = ready;
    snprintf(m->why, sizeof m->why, "%s", why ? why : "");
    pthread_mutex_unlock(&m->lock);
    aw_metrics_set(m, AW_M_READY, ready ? 1 : 0, NULL);
}

bool aw_metrics_ready(aw_metrics *m, char *why, size_t size)
{
    pthread_mutex_lock(&m->lock);
    bool ready = m->ready;
    snprintf(why, size, "%s", m->why);
    pthread_mutex_unlock(&m->lock);
    return ready;
}

void aw_metrics_beat(aw_metrics *m, double now_ms)
{
    pthread_mutex_lock(&m->lock);
    m->beat = now_ms;
    pthread_mutex_unlock(&m->lock);
}

double aw_metrics_last_beat(aw_metrics *m)
{
    pthread_mutex_lock(&m->lock);
    double beat = m->beat;
    pthread_mutex_unlock(&m->lock);
    return beat;
}

/* One sample line: name{labels[,extra]} value */
static void sample(FILE *out, const char *name, const char *suffix, const char *labels,
                   const char *extra, double v)
{
    bool any = labels[0] != '\0' || extra != NULL;
    fprintf(out, PREFIX "%s%s%s%s%s%s%s %.17g\n", name, suffix, any ? "{" : "", labels,
            labels[0] != '\0' && extra != NULL ? "," : "", extra ? extra : "", any ? "}" : "", v);
}

static void render_histogram(FILE *out, const char *name, const series *s)
{
    char le[64];
    for (size_t b = 0; b < N_BUCKETS; b++) {
        snprintf(le, sizeof le, "le=\"%g\"", buckets[b]);
        sample(out, name, "_bucket", s->labels, le, (double)s->bucket[b]);
    }
    sample(out, name, "_bucket", s->labels, "le=\"+Inf\"", (double)s->count);
    sample(out, name, "_sum", s->labels, NULL, s->value);
    sample(out, name, "_count", s->labels, NULL, (double)s->count);
}

char *aw_metrics_render(aw_metrics *m)
{
    static const char *const type_names[] = {"counter", "gauge", "histogram"};
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (out == NULL)
        return NULL;
    pthread_mutex_lock(&m->lock);
    for (int i = 0; i < AW_M_COUNT; i++) {
        fprintf(out, "# HELP " PREFIX "%s %s\n# TYPE " PREFIX "%s %s\n", families[i].name,
                families[i].help, families[i].name, type_names[families[i].type]);
        for (size_t k = 0; k < m->f[i].n; k++) {
            const series *s = &m->f[i].s[k];
            if (families[i].type == HISTOGRAM)
                render_histogram(out, families[i].name, s);
            else
                sample(out, families[i].name, "", s->labels, NULL, s->value);
        }
    }
    pthread_mutex_unlock(&m->lock);
    fclose(out);
    return text;
}
