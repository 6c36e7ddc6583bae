/* message_publish.c — what a message tells Kafka (service/kafka.c, data
 * from service/event.c), with deterministic ids: the work of
 * MSG_PUBLISHING (asset.scan.completed, asset.job.completed and, when
 * retries ran out or the input was malformed, the dead-letter copy), the
 * failed job's event when no executor gave one, and progress events, which
 * go out along the way and are not awaited. Each produced event awaited is
 * counted in r->deliveries; its report wakes the state machine (message.c). */
#define _GNU_SOURCE
#include "supervisor.h"

#include "kafka.h"
#include "media.h"
#include "pipeline.h"
#include "timeutil.h"

#include <stdio.h>
#include <string.h>

#define PROGRESS_INTERVAL_MS 500.0

static void publish(aw_supervisor *sv, aw_message *r, const char *type, const char *discriminator,
                    json_t *data)
{
    char id[33];
    aw_event_id(id, r->ev.job_id, type, discriminator);
    int err = aw_kafka_publish(sv->producer, sv->cfg->topic_events, r->ev.asset_id, type, id,
                               sv->cfg->source, r->ev.traceparent, data, r);
    if (err == 0)
        r->deliveries++;
    else
        r->delivery_failed = true;
    json_decref(data);
}

static void publish_dead_letter(aw_supervisor *sv, aw_message *r)
{
    int err = aw_kafka_dead_letter(sv->producer, sv->cfg->topic_dlq, r->key, r->key_len, r->value,
                                   r->value_len, r->headers, aw_code_name(r->failure.code),
                                   r->failure.message, r->executor_attempts + r->io_attempts + 1,
                                   r->topic, r->partition, r->offset, r);
    if (err == 0)
        r->deliveries++;
    else
        r->delivery_failed = true;
}

/* Everything this message must tell: scan verdict, final status, DLQ copy. */
void aw_message_publish_final(aw_supervisor *sv, aw_message *r)
{
    r->delivery_failed = false;
    if (r->dead_letter_only) {
        publish_dead_letter(sv, r);
        return;
    }
    const char *scan = json_string_value(json_object_get(r->completed, "scanStatus"));
    if (scan != NULL && strcmp(scan, "PENDING") != 0 && !r->no_scan_event)
        publish(sv, r, AW_TYPE_SCAN, "", aw_event_scan_completed(r->completed));
    publish(sv, r, AW_TYPE_COMPLETED, "", json_incref(r->completed));
    if (r->to_dead_letter)
        publish_dead_letter(sv, r);
}

/* The job's event when it ends failed without an executor result
 * (storage, executor loss): err in stage, nothing generated. */
void aw_message_set_failed(aw_message *r, const char *stage, const aw_error *err)
{
    aw_job job = {.job_id = r->ev.job_id, .asset_id = r->ev.asset_id};
    aw_result res;
    aw_result_init(&res);
    res.status = AW_JOB_FAILED;
    const aw_media_type *t = aw_media_by_mime(r->ev.mime);
    json_object_set_new(res.metadata, "type", json_string(aw_family_asset_type(t ? t->family : 0)));
    aw_result_add_error(&res, stage, err);
    json_object_set_new(res.metadata, "processing",
                        json_pack("{s:b,s:b,s:b}", "thumbnailGenerated", 0, "previewGenerated", 0,
                                  "metadataExtracted", 0));
    json_decref(r->completed);
    r->completed = aw_result_to_json(&res, &job);
    aw_result_free(&res);
    r->failure = *err;
}

void aw_message_publish_progress(aw_supervisor *sv, aw_message *r, const char *stage, int percent)
{
    char disc[96];
    snprintf(disc, sizeof disc, "%s:%d:%d", stage, percent, r->executor_attempts);
    json_t *data = aw_event_progress(r->ev.job_id, r->ev.asset_id, stage, percent, "processing");
    char id[33];
    aw_event_id(id, r->ev.job_id, AW_TYPE_PROGRESS, disc);
    /* progress is informative: not awaited before the offset is stored */
    aw_kafka_publish(sv->producer, sv->cfg->topic_events, r->ev.asset_id, AW_TYPE_PROGRESS, id,
                     sv->cfg->source, r->ev.traceparent, data, NULL);
    json_decref(data);
    r->last_progress = aw_time_mono_ms();
    r->progress_seq++;
}

/* An executor's progress line: told at most every PROGRESS_INTERVAL_MS. */
void aw_message_on_progress(aw_supervisor *sv, aw_message *r, const char *stage, int percent)
{
    if (stage == NULL || aw_time_mono_ms() - r->last_progress < PROGRESS_INTERVAL_MS)
        return;
    aw_message_publish_progress(sv, r, stage, percent);
}
