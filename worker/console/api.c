/* api.c — the console's HTTP server: reads a request (and its body, at most
 * 64 KiB), refuses a URI that is too long or holds a NUL, splits the path
 * and hands it to its route (api_routes.c). */
#define _GNU_SOURCE
#include "api_internal.h"

#include "alloc.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BODY 65536
#define MAX_URI 8192

struct aw_console_api {
    struct MHD_Daemon *daemon;
    aw_console_deps deps;
    int port;
};

/* One request: its body so far and what its URI said before MHD parsed it. */
typedef struct request_state {
    char *data;
    size_t len;
    bool too_large;
    bool started;      /* the handler saw the headers */
    bool has_nul;      /* %00 in the URI */
    bool uri_too_long; /* over MAX_URI: its query was never parsed */
} request_state;

/* MHD's first look at a request, before it parses the query: a URI over
 * MAX_URI has its query cut here, unparsed, so that thousands of parameters
 * cannot exhaust the connection's memory pool (MHD then closes the
 * connection without a reply); the handler answers 414 instead. */
static void *uri_seen(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls, (void)c;
    request_state *b = aw_xcalloc(1, sizeof *b);
    b->has_nul = strcasestr(uri, "%00") != NULL;
    b->uri_too_long = strlen(uri) > MAX_URI;
    char *query = strchr(uri, '?');
    if (b->uri_too_long && query != NULL)
        query[1] = '\0'; /* MHD's own request-line buffer, still to be parsed */
    return b;
}

/* Appends a chunk of the request body; false once it is past MAX_BODY. */
static void take_chunk(request_state *b, const char *chunk, size_t n)
{
    if (b->too_large || b->len + n > MAX_BODY) {
        b->too_large = true;
        return;
    }
    b->data = aw_xrealloc(b->data, b->len + n + 1);
    memcpy(b->data + b->len, chunk, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static enum MHD_Result api(struct MHD_Connection *c, const aw_console_deps *d, const char *url,
                           const char *method, request_state *body)
{
    if (body->too_large)
        return aw_api_error(c, MHD_HTTP_CONTENT_TOO_LARGE, NULL, "the body is over 64 KiB");
    api_request r = {c, d, method, {0}, 0, body->data ? body->data : "", body->len};
    return aw_api_route(&r, url + strlen("/api/v1"));
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **state)
{
    (void)version;
    aw_console_api *a = cls;
    request_state *body = *state;
    if (!body->started) { /* headers only so far */
        body->started = true;
        return MHD_YES;
    }
    if (*upload_size > 0) {
        take_chunk(body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (body->uri_too_long)
        return aw_api_error(c, MHD_HTTP_URI_TOO_LONG, NULL, "the URI is over %d bytes", MAX_URI);
    if (body->has_nul)
        return aw_api_error(c, MHD_HTTP_BAD_REQUEST, NULL, "the URI holds a NUL (%%00)");
    if (strcmp(url, "/api/v1") == 0 || strncmp(url, "/api/v1/", 8) == 0)
        return api(c, &a->deps, url, method, body);
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return aw_api_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, NULL, "GET only");
    if (strcmp(url, "/healthz") == 0)
        return aw_api_text(c, MHD_HTTP_OK, "ok\n");
    return aw_api_web(c, &a->deps, url);
}

static void finished(void *cls, struct MHD_Connection *c, void **state,
                     enum MHD_RequestTerminationCode why)
{
    (void)cls, (void)c, (void)why;
    request_state *body = *state;
    if (body != NULL)
        free(body->data);
    free(body);
    *state = NULL;
}

aw_console_api *aw_console_api_start(const char *address, int port, const aw_console_deps *deps,
                                     aw_error *err)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, address, &sa.sin_addr) != 1) {
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "http", "not an IPv4 address: %s", address);
        return NULL;
    }
    aw_console_api *a = aw_xcalloc(1, sizeof *a);
    a->deps = *deps;
    a->daemon = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
        (uint16_t)port, NULL, NULL, answer, a, MHD_OPTION_SOCK_ADDR, &sa,
        MHD_OPTION_NOTIFY_COMPLETED, finished, NULL, MHD_OPTION_URI_LOG_CALLBACK, uri_seen, NULL,
        MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT, 128u, MHD_OPTION_END);
    if (a->daemon == NULL) {
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "http", "cannot listen on %s:%d", address,
                     port);
        free(a);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(a->daemon, MHD_DAEMON_INFO_BIND_PORT);
    a->port = info ? info->port : port;
    return a;
}

int aw_console_api_port(const aw_console_api *a)
{
    return a->port;
}

void aw_console_api_stop(aw_console_api *a)
{
    if (a == NULL)
        return;
    MHD_stop_daemon(a->daemon);
    free(a);
}
