/* read_model_time.c — an event's time: its ce_time (RFC 3339), else the
 * broker's timestamp. The view keeps the events' times, never the
 * console's clock, so that a rebuild from the topics gives the same rows. */
#define _GNU_SOURCE
#include "read_model_internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t aw_read_model_parse_time(const char *s)
{
    struct tm tm = {0};
    int n = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &n) != 6 ||
        n != 19 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
        tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
        return -1;
    const char *p = s + n;
    int64_t ms = 0, scale = 100;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
            ms += scale * (*p - '0');
    int offset_min = 0, hh, mm;
    if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &hh, &mm) == 2 && strlen(p) == 6)
        offset_min = (*p == '-' ? -1 : 1) * (hh * 60 + mm);
    else if (strcmp(p, "Z") != 0 && strcmp(p, "z") != 0)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    return ((int64_t)t - offset_min * 60) * 1000 + ms;
}

int64_t aw_rm_event_time(const aw_feed_message *m)
{
    int64_t t = m->ce_time ? aw_read_model_parse_time(m->ce_time) : -1;
    if (t >= 0)
        return t;
    return m->timestamp_ms >= 0 ? m->timestamp_ms : 0;
}
