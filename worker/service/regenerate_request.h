/* regenerate_request.h — publishing asset.regenerate.requested, as the ops
 * CLI (`asset-worker regenerate`) and the console's Regenerate action do:
 * the request is checked with the worker's own decoder first, so nothing
 * is sent that the worker would only dead-letter. */
#ifndef AW_REGENERATE_REQUEST_H
#define AW_REGENERATE_REQUEST_H

#include "event.h"

#include <librdkafka/rdkafka.h>

/* Publishes req ({jobId, assetId, storageKey, mimeType, types}) to topic
 * with a new event id and trace; ev gets the decoded request. AW_ERROR
 * with err when the decoder refuses it or the producer cannot queue it.
 * Delivery is the caller's to wait for (rd_kafka_flush). */
int aw_regenerate_publish(rd_kafka_t *producer, const char *topic, const char *source, json_t *req,
                          aw_input_event *ev, aw_error *err);

#endif
