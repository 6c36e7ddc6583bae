/* embedded.h — librdkafka's mock cluster hosted in this process, so one
 * machine shows the whole flow: real Kafka protocol on loopback, topics
 * created, and a `bootstrap.servers=…` line on stdout for other processes. */
#ifndef AW_EMBEDDED_H
#define AW_EMBEDDED_H

#include "error.h"
#include "service_config.h"

typedef struct aw_embedded aw_embedded;

/* Starts a 3-broker mock cluster, creates the four topics and points
 * cfg->brokers at it. Call after the executors' zygote was forked. */
aw_embedded *aw_embedded_start(aw_service_config *cfg, aw_error *err);
void aw_embedded_stop(aw_embedded *e);

#endif
