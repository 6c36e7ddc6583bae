/* http.c — /healthz, /readyz and /metrics over libmicrohttpd. */
#include "http.h"

#include "alloc.h"
#include "timeutil.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The loop turns every few ms; a minute without a turn is a stuck process. */
#define STUCK_AFTER_MS 60000.0

struct aw_http {
    struct MHD_Daemon *daemon;
    aw_metrics *metrics;
    int port;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
                             char *body)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), body,
                                                             MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result healthz(aw_http *h, struct MHD_Connection *c)
{
    double beat = aw_metrics_last_beat(h->metrics);
    bool alive = beat == 0 || aw_time_mono_ms() - beat < STUCK_AFTER_MS; /* 0: starting */
    return reply(c, alive ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain",
                 aw_xstrdup(alive ? "ok\n"
                                  : "stuck: the supervisor loop has not turned for 60 s\n"));
}

static enum MHD_Result readyz(aw_http *h, struct MHD_Connection *c)
{
    char why[256];
    bool ready = aw_metrics_ready(h->metrics, why, sizeof why);
    char *body = aw_xasprintf("%s%s\n", ready ? "ready" : "not ready: ", ready ? "" : why);
    return reply(c, ready ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", body);
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **state)
{
    (void)version, (void)upload, (void)upload_size, (void)state;
    aw_http *h = cls;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", aw_xstrdup("GET only\n"));
    if (strcmp(url, "/healthz") == 0)
        return healthz(h, c);
    if (strcmp(url, "/readyz") == 0)
        return readyz(h, c);
    if (strcmp(url, "/metrics") == 0) {
        char *text = aw_metrics_render(h->metrics);
        return text ? reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", text)
                    : MHD_NO;
    }
    return reply(c, MHD_HTTP_NOT_FOUND, "text/plain",
                 aw_xstrdup("not found: /healthz, /readyz, /metrics\n"));
}

aw_http *aw_http_start(const char *address, int port, aw_metrics *m, aw_error *err)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, address, &sa.sin_addr) != 1) {
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "http", "not an IPv4 address: %s", address);
        return NULL;
    }
    aw_http *h = aw_xcalloc(1, sizeof *h);
    h->metrics = m;
    h->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
                                 (uint16_t)port, NULL, NULL, answer, h, MHD_OPTION_SOCK_ADDR, &sa,
                                 MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_CONNECTION_LIMIT,
                                 64u, MHD_OPTION_END);
    if (h->daemon == NULL) {
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "http", "cannot listen on %s:%d", address,
                     port);
        free(h);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
    h->port = info ? info->port : port;
    return h;
}

int aw_http_port(const aw_http *h)
{
    return h->port;
}

void aw_http_stop(aw_http *h)
{
    if (h == NULL)
        return;
    MHD_stop_daemon(h->daemon);
    free(h);
}
