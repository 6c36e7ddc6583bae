/* embedded.c — the in-process mock cluster. */
#include "embedded.h"

#include "alloc.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>

struct aw_embedded {
    rd_kafka_t *host; /* the client instance the mock cluster lives in */
    rd_kafka_mock_cluster_t *cluster;
    char bootstraps[512];
};

aw_embedded *aw_embedded_start(aw_service_config *cfg, aw_error *err)
{
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
    aw_embedded *e = aw_xcalloc(1, sizeof *e);
    e->host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (e->host == NULL || (e->cluster = rd_kafka_mock_cluster_new(e->host, 3)) == NULL) {
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "embedded", "mock cluster: %s", errstr);
        aw_embedded_stop(e);
        return NULL;
    }
    const char *topics[] = {cfg->topic_uploads, cfg->topic_regenerate, cfg->topic_events,
                            cfg->topic_dlq};
    for (int i = 0; i < 4; i++)
        rd_kafka_mock_topic_create(e->cluster, topics[i], cfg->embedded_partitions, 1);
    snprintf(e->bootstraps, sizeof e->bootstraps, "%s",
             rd_kafka_mock_cluster_bootstraps(e->cluster));
    cfg->brokers = e->bootstraps;
    printf("bootstrap.servers=%s\n", e->bootstraps);
    fflush(stdout);
    return e;
}

void aw_embedded_stop(aw_embedded *e)
{
    if (e == NULL)
        return;
    if (e->cluster != NULL)
        rd_kafka_mock_cluster_destroy(e->cluster);
    if (e->host != NULL)
        rd_kafka_destroy(e->host);
    free(e);
}
