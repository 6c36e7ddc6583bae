/* http.h — the operations endpoint (libmicrohttpd, its own thread):
 *   /healthz  200 while the supervisor loop turns (liveness)
 *   /readyz   200 when executors, the ClamAV engine and the consumer are
 *             fine, else 503 with the reason (readiness)
 *   /metrics  Prometheus text format */
#ifndef AW_HTTP_H
#define AW_HTTP_H

#include "error.h"
#include "metrics.h"

typedef struct aw_http aw_http;

/* Listens on address:port (port 0 picks a free one; see aw_http_port). */
aw_http *aw_http_start(const char *address, int port, aw_metrics *m, aw_error *err);
int aw_http_port(const aw_http *h);
void aw_http_stop(aw_http *h);

#endif
