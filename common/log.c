/* log.c — JSON-lines or readable log lines on stderr. */
#include "log.h"

#include "alloc.h"
#include "jsonutil.h"
#include "timeutil.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static aw_log_level min_level = AW_LOG_INFO;
static bool as_json = true;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void aw_log_setup(aw_log_level level, aw_log_format format)
{
    min_level = level;
    as_json = format == AW_LOG_JSON || (format == AW_LOG_AUTO && !isatty(STDERR_FILENO));
}

int aw_log_level_parse(const char *s, aw_log_level *out)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, level_names[i]) == 0) {
            *out = (aw_log_level)i;
            return 0;
        }
    return -1;
}

int aw_log_format_parse(const char *s, aw_log_format *out)
{
    static const char *const names[] = {"auto", "json", "text"};
    for (int i = 0; i < 3; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (aw_log_format)i;
            return 0;
        }
    return -1;
}

/* The trace id (32 hex digits) of a W3C traceparent "00-TRACE-SPAN-FLAGS". */
static void trace_id(const char *traceparent, char out[33])
{
    out[0] = '\0';
    if (traceparent != NULL && strlen(traceparent) >= 35 && traceparent[2] == '-')
        snprintf(out, 33, "%.32s", traceparent + 3);
}

static void add(json_t *line, const char *key, const char *value)
{
    if (value != NULL && *value != '\0')
        aw_json_set_text(line, key, value);
}

static char *json_line(aw_log_level level, const aw_log_fields *f, const char *message)
{
    char now[40], trace[33] = "";
    aw_time_iso8601(now, sizeof now);
    json_t *line = json_pack("{s:s,s:s}", "time", now, "level", level_names[level]);
    json_object_set_new(line, "message", aw_json_text(message, strlen(message)) ?: json_string(""));
    if (f != NULL) {
        trace_id(f->traceparent, trace);
        add(line, "jobId", f->job_id), add(line, "assetId", f->asset_id);
        add(line, "traceId", trace), add(line, "stage", f->stage);
        if (f->duration_ms >= 0)
            json_object_set_new(line, "durationMs",
                                json_integer((json_int_t)(f->duration_ms + 0.5)));
    }
    char *text = json_dumps(line, JSON_COMPACT);
    json_decref(line);
    return text;
}

static char *text_line(aw_log_level level, const aw_log_fields *f, const char *message)
{
    char now[40];
    aw_time_iso8601(now, sizeof now);
    char extra[400] = "";
    if (f != NULL) {
        size_t n = 0;
        if (f->job_id)
            n += (size_t)snprintf(extra + n, sizeof extra - n, " job=%s", f->job_id);
        if (f->asset_id && n < sizeof extra)
            n += (size_t)snprintf(extra + n, sizeof extra - n, " asset=%s", f->asset_id);
        if (f->stage && n < sizeof extra)
            n += (size_t)snprintf(extra + n, sizeof extra - n, " stage=%s", f->stage);
        if (f->duration_ms >= 0 && n < sizeof extra)
            snprintf(extra + n, sizeof extra - n, " %.0f ms", f->duration_ms);
    }
    return aw_xasprintf("%s %-5s %s%s", now, level_names[level], message, extra);
}

void aw_log(aw_log_level level, const aw_log_fields *fields, const char *fmt, ...)
{
    if (level < min_level)
        return;
    char message[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    char *line = as_json ? json_line(level, fields, message) : text_line(level, fields, message);
    if (line == NULL)
        return;
    size_t len = strlen(line);
    line[len] = '\n'; /* one write: lines from threads never interleave */
    ssize_t w = write(STDERR_FILENO, line, len + 1);
    (void)w;
    free(line);
}
