/* log.h — the service's log: one line per event on stderr, either a JSON
 * object {time, level, message, jobId?, assetId?, traceId?, stage?,
 * durationMs?} (for log collectors) or a readable line (for a terminal).
 * Safe from any thread: each line is one write(2). */
#ifndef AW_LOG_H
#define AW_LOG_H

#include <stdbool.h>

typedef enum { AW_LOG_DEBUG, AW_LOG_INFO, AW_LOG_WARN, AW_LOG_ERROR } aw_log_level;
typedef enum { AW_LOG_AUTO, AW_LOG_JSON, AW_LOG_TEXT } aw_log_format;

/* What a line is about; any field may be NULL, duration_ms < 0 for none. */
typedef struct aw_log_fields {
    const char *job_id, *asset_id, *traceparent, *stage;
    double duration_ms;
} aw_log_fields;

/* AUTO is text when stderr is a terminal, JSON otherwise. */
void aw_log_setup(aw_log_level min_level, aw_log_format format);

/* "debug|info|warn|error" and "auto|json|text"; -1 when not one of them. */
int aw_log_level_parse(const char *s, aw_log_level *out);
int aw_log_format_parse(const char *s, aw_log_format *out);

void aw_log(aw_log_level level, const aw_log_fields *fields, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define aw_log_info(...) aw_log(AW_LOG_INFO, NULL, __VA_ARGS__)
#define aw_log_warn(...) aw_log(AW_LOG_WARN, NULL, __VA_ARGS__)
#define aw_log_error(...) aw_log(AW_LOG_ERROR, NULL, __VA_ARGS__)

#endif
