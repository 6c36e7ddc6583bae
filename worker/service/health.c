/* health.c — what /readyz and the gauges of /metrics say about the
 * supervisor: executors up, ClamAV engine loaded, consumer assigned (or
 * waiting for an assignment with its brokers reachable), consumer lag from
 * librdkafka's statistics. */
#include "supervisor.h"

#include "log.h"
#include "timeutil.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* Why the service is not ready, or NULL when it is. */
static const char *not_ready_because(aw_supervisor *sv, char *buf, size_t size)
{
    if (sv->stopping)
        return "stopping";
    int alive = aw_pool_alive_count(sv->pool), n = aw_pool_size(sv->pool);
    if (alive < n) {
        snprintf(buf, size, "%d of %d executors up", alive, n);
        return buf;
    }
    const aw_scan_engine *e = aw_zygote_engine(aw_pool_zygote(sv->pool));
    if (e->enabled && !e->loaded) {
        snprintf(buf, size, "ClamAV engine not loaded: %s", e->error);
        return buf;
    }
    if (sv->brokers_down)
        return "Kafka: all brokers are down";
    return NULL;
}

void aw_health_update(aw_supervisor *sv)
{
    char buf[512];
    const char *why = not_ready_because(sv, buf, sizeof buf);
    aw_metrics_set_ready(sv->metrics, why == NULL, why);
    aw_metrics_set(sv->metrics, AW_M_IN_FLIGHT, sv->active, NULL);
    aw_metrics_beat(sv->metrics, aw_time_mono_ms());
}

void aw_health_on_kafka_error(aw_supervisor *sv, rd_kafka_resp_err_t err, const char *reason)
{
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        sv->brokers_down = true;
    aw_log(err == RD_KAFKA_RESP_ERR__TRANSPORT ? AW_LOG_DEBUG : AW_LOG_WARN, NULL, "kafka: %s",
           reason);
}

/* Lag of each assigned partition, and whether any broker is up. */
void aw_health_on_statistics(aw_supervisor *sv, const char *text)
{
    json_t *stats = json_loads(text, 0, NULL), *topic, *part, *broker;
    const char *tname, *pname, *bname;
    aw_metrics_clear(sv->metrics, AW_M_CONSUMER_LAG);
    json_object_foreach(json_object_get(stats, "topics"), tname, topic)
        json_object_foreach(json_object_get(topic, "partitions"), pname, part) {
            json_int_t lag = json_integer_value(json_object_get(part, "consumer_lag"));
            const char *fetch = json_string_value(json_object_get(part, "fetch_state"));
            if (strcmp(pname, "-1") != 0 && lag >= 0 && fetch && strcmp(fetch, "none") != 0)
                aw_metrics_set(sv->metrics, AW_M_CONSUMER_LAG, (double)lag, "topic", tname,
                               "partition", pname, NULL);
        }
    bool any_up = false;
    json_object_foreach(json_object_get(stats, "brokers"), bname, broker) {
        const char *state = json_string_value(json_object_get(broker, "state"));
        any_up |= json_integer_value(json_object_get(broker, "nodeid")) >= 0 && state &&
                  strcmp(state, "UP") == 0;
    }
    if (any_up)
        sv->brokers_down = false;
    json_decref(stats);
}
