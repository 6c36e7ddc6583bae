/* api.c — the console's HTTP server: reads a request (and its body, at most
 * 64 KiB), splits the path and hands it to its route. */
#define _GNU_SOURCE
#include "api_internal.h"

#include "alloc.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BODY 65536

struct aw_console_api {
    struct MHD_Daemon *daemon;
    aw_console_deps deps;
    int port;
};

typedef struct body_buffer {
    char *data;
    size_t len;
    bool too_large;
} body_buffer;

/* Appends a chunk of the request body; false once it is past MAX_BODY. */
static void take_chunk(body_buffer *b, const char *chunk, size_t n)
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

/* "/api/v1/jobs/x/assets" → seg = {"jobs", "x", "assets"}; path is edited. */
static int split(char *path, const char **seg, int max)
{
    int n = 0;
    for (char *save = NULL, *s = strtok_r(path, "/", &save); s != NULL;
         s = strtok_r(NULL, "/", &save)) {
        if (n == max)
            return -1;
        seg[n++] = s;
    }
    return n;
}

static bool is(const api_request *r, const char *method, int n, const char *first,
               const char *third)
{
    return strcmp(r->method, method) == 0 && r->n_seg == n && strcmp(r->seg[0], first) == 0 &&
           (third == NULL || strcmp(r->seg[2], third) == 0);
}

static enum MHD_Result route(api_request *r)
{
    if (r->n_seg < 1)
        return aw_api_error(r->conn, MHD_HTTP_NOT_FOUND, NULL, "no such route");
    bool get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
    const char *saved = r->method;
    if (get)
        r->method = "GET";
    enum MHD_Result rc;
    if (is(r, "GET", 1, "jobs", NULL))
        rc = aw_api_jobs(r);
    else if (is(r, "GET", 2, "jobs", NULL))
        rc = aw_api_job(r);
    else if (is(r, "GET", 3, "jobs", "assets"))
        rc = aw_api_job_assets(r);
    else if (is(r, "POST", 3, "jobs", "regenerate"))
        rc = aw_api_regenerate(r);
    else if (is(r, "PATCH", 2, "assets", NULL))
        rc = aw_api_set_visibility(r);
    else if (is(r, "GET", 3, "assets", "content"))
        rc = aw_api_asset_content(r);
    else if (is(r, "GET", 1, "dead-letters", NULL))
        rc = aw_api_dead_letters(r);
    else if (is(r, "GET", 1, "status", NULL))
        rc = aw_api_status(r);
    else
        rc = aw_api_error(r->conn, MHD_HTTP_NOT_FOUND, NULL, "no route %s %s", saved, r->seg[0]);
    r->method = saved;
    return rc;
}

static enum MHD_Result api(struct MHD_Connection *c, const aw_console_deps *d, const char *url,
                           const char *method, body_buffer *body)
{
    if (body->too_large)
        return aw_api_error(c, MHD_HTTP_CONTENT_TOO_LARGE, NULL, "the body is over 64 KiB");
    char *path = aw_xstrdup(url + strlen("/api/v1"));
    api_request r = {c, d, method, {0}, 0, body->data ? body->data : "", body->len};
    r.n_seg = split(path, r.seg, 6);
    enum MHD_Result rc = r.n_seg < 0 ? aw_api_error(c, MHD_HTTP_NOT_FOUND, NULL, "no such route")
                                     : route(&r);
    free(path);
    return rc;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **state)
{
    (void)version;
    aw_console_api *a = cls;
    if (*state == NULL) { /* headers only so far */
        *state = aw_xcalloc(1, sizeof(body_buffer));
        return MHD_YES;
    }
    body_buffer *body = *state;
    if (*upload_size > 0) {
        take_chunk(body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
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
    body_buffer *body = *state;
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
    a->daemon = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                                     MHD_USE_ERROR_LOG,
                                 (uint16_t)port, NULL, NULL, answer, a, MHD_OPTION_SOCK_ADDR, &sa,
                                 MHD_OPTION_NOTIFY_COMPLETED, finished, NULL,
                                 MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT,
                                 128u, MHD_OPTION_END);
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
