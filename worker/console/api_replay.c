/* api_replay.c — POST /api/v1/dead-letters/{partition}/{offset}/replay:
 * a dead-lettered upload or regenerate request is published again to the
 * topic it came from (x-dlq-source-topic), as a new event (new ce_id, so a
 * job of its own). It is checked with the worker's decoder first: what the
 * worker would only dead-letter again is refused with 409 and the reason. */
#define _GNU_SOURCE
#include "api_internal.h"

#include "alloc.h"
#include "kafka.h"

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
static const char *source_topic(const api_request *r, json_t *letter)
{
    const char *t = header(letter, "x-dlq-source-topic");
    if (t == NULL)
        return NULL;
    if (strcmp(t, r->deps->topic_uploads) == 0)
        return r->deps->topic_uploads;
    return strcmp(t, r->deps->topic_regenerate) == 0 ? r->deps->topic_regenerate : NULL;
}

/* Decodes and publishes; the 202 or the error. */
static enum MHD_Result publish(const api_request *r, json_t *letter, const char *topic)
{
    const char *type = header(letter, "ce_type"),
               *value = json_string_value(json_object_get(letter, "value"));
    char id[33], trace[56];
    aw_event_new_trace(id, trace);
    aw_ce_headers h = {"1.0", id, type, r->deps->source, "application/json", trace};
    aw_input_event ev;
    aw_error err;
    aw_error_clear(&err);
    json_t *data = value ? json_loads(value, 0, NULL) : NULL;
    if (type == NULL || data == NULL ||
        aw_event_decode(value, strlen(value), &h, &ev, &err) != AW_OK) {
        json_decref(data);
        return aw_api_error(r->conn, MHD_HTTP_CONFLICT, NULL,
                            "the worker would refuse it again: %s",
                            err.message[0] ? err.message : "not a JSON event");
    }
    json_t *key = json_object_get(letter, "key");
    int kerr = aw_kafka_publish(r->deps->producer, topic,
                                json_is_string(key) ? json_string_value(key) : ev.asset_id, type,
                                id, r->deps->source, trace, data, NULL);
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
    const char *topic = source_topic(r, letter);
    enum MHD_Result rc = topic != NULL
                             ? publish(r, letter, topic)
                             : aw_api_error(r->conn, MHD_HTTP_CONFLICT, NULL,
                                            "only uploads and regenerate requests are replayed");
    json_decref(letter);
    return rc;
}
