/* api_replay.c — replaying dead letters. POST
 * /api/v1/dead-letters/{partition}/{offset}/replay publishes a dead-lettered
 * upload or regenerate request again to the topic it came from
 * (x-dlq-source-topic), as a new event (new ce_id, so a job of its own).
 * It is checked with the worker's decoder first: what the worker would only
 * dead-letter again is refused with 409 and the reason. The dead-letter list
 * says beforehand, for each letter, whether it can be replayed and why not. */
#define _GNU_SOURCE
#include "api_internal.h"

#include "alloc.h"
#include "kafka.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool to_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    char *end = NULL;
    long long n = strtoll(s, &end, 10);
    *out = n;
    return end != s && *end == '\0' && n >= lo && n <= hi;
}

static const char *header(json_t *letter, const char *name)
{
    return json_string_value(json_object_get(json_object_get(letter, "headers"), name));
}

/* The topic to publish to, when it is one the console may write. */
static const char *source_topic(const aw_console_deps *d, json_t *letter)
{
    const char *t = header(letter, "x-dlq-source-topic");
    if (t == NULL)
        return NULL;
    if (strcmp(t, d->topic_uploads) == 0)
        return d->topic_uploads;
    return strcmp(t, d->topic_regenerate) == 0 ? d->topic_regenerate : NULL;
}

/* NULL when letter can be replayed as event id (topic and ev filled in);
 * else why not, in why. */
static const char *refusal(const aw_console_deps *d, json_t *letter, const char *id,
                           const char *trace, const char **topic, aw_input_event *ev, char why[600])
{
    const char *type = header(letter, "ce_type");
    const char *value = json_string_value(json_object_get(letter, "value"));
    *topic = source_topic(d, letter);
    if (*topic == NULL || type == NULL || value == NULL) {
        snprintf(why, 600, "only uploads and regenerate requests are replayed");
        return why;
    }
    aw_ce_headers h = {"1.0", id, type, d->source, "application/json", trace};
    aw_error err;
    aw_error_clear(&err);
    if (aw_event_decode(value, strlen(value), &h, ev, &err) != AW_OK) {
        snprintf(why, 600, "the worker would refuse it again: %s", err.message);
        return why;
    }
    return NULL;
}

void aw_api_replay_annotate(const aw_console_deps *d, json_t *letters)
{
    json_t *letter;
    size_t i;
    json_array_foreach(letters, i, letter) {
        const char *topic;
        aw_input_event ev;
        char why[600];
        const char *no = refusal(d, letter, "replay-check", NULL, &topic, &ev, why);
        json_object_set_new(letter, "replay",
                            json_pack("{s:b,s:s?}", "possible", no == NULL, "reason", no));
    }
}

static enum MHD_Result publish(const api_request *r, json_t *letter)
{
    char id[33], trace[56], why[600];
    aw_event_new_trace(id, trace);
    const char *topic;
    aw_input_event ev;
    if (refusal(r->deps, letter, id, trace, &topic, &ev, why) != NULL)
        return aw_api_error(r->conn, MHD_HTTP_CONFLICT, NULL, "%s", why);
    json_t *data = json_loads(json_string_value(json_object_get(letter, "value")), 0, NULL);
    json_t *key = json_object_get(letter, "key");
    int kerr = aw_kafka_publish(r->deps->producer, topic,
                                json_is_string(key) ? json_string_value(key) : ev.asset_id,
                                header(letter, "ce_type"), id, r->deps->source, trace, data, NULL);
    json_decref(data);
    if (kerr != 0 || rd_kafka_flush(r->deps->producer, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return aw_api_error(r->conn, MHD_HTTP_SERVICE_UNAVAILABLE, NULL,
                            "the broker did not take it");
    return aw_api_json(r->conn, MHD_HTTP_ACCEPTED,
                       json_pack("{s:s,s:s,s:s,s:s}", "topic", topic, "ce_id", id, "job_id",
                                 ev.job_id, "asset_id", ev.asset_id));
}

enum MHD_Result aw_api_replay_dead_letter(const api_request *r)
{
    int64_t partition, offset;
    if (!to_int(r->seg[1], 0, INT32_MAX, &partition) || !to_int(r->seg[2], 0, INT64_MAX, &offset))
        return aw_api_error(r->conn, MHD_HTTP_BAD_REQUEST, "offset",
                            "/dead-letters/{partition}/{offset}/replay takes two integers");
    json_t *letter = aw_read_model_dead_letter(r->deps->rm, (int32_t)partition, offset);
    if (letter == NULL)
        return aw_api_error(r->conn, MHD_HTTP_NOT_FOUND, "offset", "no dead letter %lld/%lld",
                            (long long)partition, (long long)offset);
    enum MHD_Result rc = publish(r, letter);
    json_decref(letter);
    return rc;
}
