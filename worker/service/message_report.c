/* message_report.c — what a message tells the metrics and the log: its end (status,
 * asset type, scan verdict, dead letter), its stage timings, its retries
 * and the bytes it moved. */
#include "supervisor.h"

#include "log.h"
#include "timeutil.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

aw_log_fields aw_message_log_fields(const aw_message *r, const char *stage)
{
    aw_log_fields f = {.stage = stage, .duration_ms = -1};
    if (!r->dead_letter_only)
        f.job_id = r->ev.job_id, f.asset_id = r->ev.asset_id, f.traceparent = r->ev.traceparent;
    return f;
}

static const char *text(json_t *obj, const char *key, const char *fallback)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s != NULL ? s : fallback;
}

void aw_message_report_finished(aw_supervisor *sv, const aw_message *r)
{
    aw_log_fields f = aw_message_log_fields(r, NULL);
    f.duration_ms = aw_time_mono_ms() - r->taken_ms;
    if (r->dead_letter_only || r->to_dead_letter)
        aw_metrics_add(sv->metrics, AW_M_DEAD_LETTERS, 1, NULL);
    if (r->dead_letter_only) {
        aw_log(AW_LOG_WARN, &f, "%s[%d]@%lld dead-lettered: %s", r->topic, (int)r->partition,
               (long long)r->offset, r->failure.message);
        return;
    }
    const char *status = text(r->completed, "status", "failed");
    const char *type = text(json_object_get(r->completed, "metadata"), "type", "UNKNOWN");
    const char *scan = text(r->completed, "scanStatus", "PENDING");
    aw_metrics_add(sv->metrics, AW_M_JOBS, 1, "status", status, "type", type, NULL);
    if (strcmp(scan, "PENDING") != 0)
        aw_metrics_add(sv->metrics, AW_M_SCAN_VERDICTS, 1, "verdict", scan, NULL);
    json_t *first_error = json_array_get(json_object_get(r->completed, "errors"), 0);
    json_int_t peak_kib = json_integer_value(json_object_get(r->completed, "peakRssKiB"));
    char peak[48] = ""; /* absent when no executor reported (a crash, a limit) */
    if (peak_kib > 0)
        snprintf(peak, sizeof peak, ", executor peak RSS %lld MiB", (long long)(peak_kib >> 10));
    aw_log(strcmp(status, "failed") == 0 ? AW_LOG_WARN : AW_LOG_INFO, &f,
           "job %s (scan %s%s)%s%s%s%s; %s[%d]@%lld done", status, scan, peak,
           first_error ? ": " : "", first_error ? text(first_error, "code", "") : "",
           first_error ? " " : "", first_error ? text(first_error, "message", "") : "", r->topic,
           (int)r->partition, (long long)r->offset);
}

void aw_message_report_timings(aw_supervisor *sv, const aw_message *r)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(r->completed, "timings"), i, t) {
        const char *stage = json_string_value(json_object_get(t, "stage"));
        const char *outcome = json_string_value(json_object_get(t, "outcome"));
        if (stage != NULL && (outcome == NULL || strcmp(outcome, "skipped") != 0))
            aw_metrics_observe(sv->metrics, AW_M_STAGE_SECONDS,
                               json_number_value(json_object_get(t, "ms")) / 1000.0, "stage", stage,
                               NULL);
    }
}

void aw_message_report_retry(aw_supervisor *sv, const aw_message *r, const char *kind,
                             const char *why)
{
    aw_log_fields f = aw_message_log_fields(r, NULL);
    aw_metrics_add(sv->metrics, AW_M_RETRIES, 1, "kind", kind, NULL);
    aw_log(AW_LOG_WARN, &f, "%s retry: %s", kind, why);
}

/* One finished storage request: its bytes and how long it took. */
void aw_message_report_transfer(aw_supervisor *sv, const aw_transfer *t)
{
    const char *op = t->kind == AW_TRANSFER_GET   ? "get"
                     : t->kind == AW_TRANSFER_PUT ? "put"
                                                  : "copy";
    aw_metrics_observe(sv->metrics, AW_M_STORAGE_SECONDS, (t->finished_ms - t->queued_ms) / 1000.0,
                       "op", op, NULL);
    struct stat st; /* a COPY moves no bytes through the worker (and has no path) */
    if (t->rc == AW_OK && t->kind != AW_TRANSFER_COPY && stat(t->path, &st) == 0)
        aw_metrics_add(sv->metrics, AW_M_STORAGE_BYTES, (double)st.st_size, "direction",
                       t->kind == AW_TRANSFER_GET ? "download" : "upload", NULL);
}
