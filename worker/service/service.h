/* service.h — the entry of the service: supervisor, executors, Kafka,
 * storage (supervisor.c). */
#ifndef AW_SERVICE_H
#define AW_SERVICE_H

#include "service_config.h"

/* Runs until SIGTERM/SIGINT; returns the process exit code. */
int aw_service_run(aw_service_config *cfg);

#endif
