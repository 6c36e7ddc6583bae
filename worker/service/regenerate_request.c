/* regenerate_request.c — see regenerate_request.h. */
#include "regenerate_request.h"

#include "kafka.h"

#include <stdlib.h>
#include <string.h>

int aw_regenerate_publish(rd_kafka_t *producer, const char *topic, const char *source, json_t *req,
                          aw_input_event *ev, aw_error *err)
{
    char id[33], trace[56];
    aw_event_new_trace(id, trace);
    aw_ce_headers h = {"1.0", id, AW_TYPE_REGENERATE, source, "application/json", trace};
    char *text = json_dumps(req, JSON_COMPACT);
    int rc = text ? aw_event_decode(text, strlen(text), &h, ev, err)
                  : aw_error_set(err, AW_CODE_INVALID_METADATA, "not_json", "not a JSON object");
    free(text);
    if (rc != AW_OK)
        return AW_ERROR;
    int kerr = aw_kafka_publish(producer, topic, ev->asset_id, AW_TYPE_REGENERATE, id, source,
                                trace, req, NULL);
    if (kerr != 0)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "kafka", "cannot publish: %s",
                            rd_kafka_err2str((rd_kafka_resp_err_t)kerr));
    return AW_OK;
}
