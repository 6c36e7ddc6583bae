/* api_reply.c — the console's replies: JSON, errors, files, redirects. */
#define _GNU_SOURCE
#include "api_internal.h"

#include "alloc.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Queues body (taken) with its headers; type and etag may be NULL. */
static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, const char *type,
                               const char *cache, const char *etag, char *body)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), body,
                                                             MHD_RESPMEM_MUST_FREE);
    if (type != NULL)
        MHD_add_response_header(r, "Content-Type", type);
    if (etag != NULL)
        MHD_add_response_header(r, "ETag", etag);
    MHD_add_response_header(r, "Cache-Control", cache);
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result queue(struct MHD_Connection *c, unsigned status, const char *type,
                             char *body)
{
    return respond(c, status, type, "no-store", NULL, body);
}

enum MHD_Result aw_api_json_etag(struct MHD_Connection *c, unsigned status, json_t *body,
                                 const char *etag)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : aw_xstrdup("");
    json_decref(body);
    return respond(c, status, body ? "application/json" : NULL, "no-cache", etag, text);
}

enum MHD_Result aw_api_json(struct MHD_Connection *c, unsigned status, json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(body);
    return queue(c, status, "application/json", text ? text : aw_xstrdup("null"));
}

static const char *error_code(unsigned status)
{
    switch (status) {
    case MHD_HTTP_BAD_REQUEST: return "BAD_REQUEST";
    case MHD_HTTP_NOT_FOUND: return "NOT_FOUND";
    case MHD_HTTP_METHOD_NOT_ALLOWED: return "METHOD_NOT_ALLOWED";
    case MHD_HTTP_CONFLICT: return "CONFLICT";
    case MHD_HTTP_CONTENT_TOO_LARGE: return "PAYLOAD_TOO_LARGE";
    case MHD_HTTP_URI_TOO_LONG: return "URI_TOO_LONG";
    case MHD_HTTP_SERVICE_UNAVAILABLE: return "UNAVAILABLE";
    default: return "ERROR";
    }
}

static json_t *error_body(unsigned status, const char *field, const char *fmt, va_list ap)
{
    char *message = NULL;
    if (vasprintf(&message, fmt, ap) < 0)
        abort();
    json_t *e = json_pack("{s:s,s:s}", "code", error_code(status), "message", message);
    if (field != NULL)
        json_object_set_new(e, "field", json_string(field));
    free(message);
    return json_pack("{s:o}", "error", e);
}

enum MHD_Result aw_api_error(struct MHD_Connection *c, unsigned status, const char *field,
                             const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    json_t *body = error_body(status, field, fmt, ap);
    va_end(ap);
    return aw_api_json(c, status, body);
}

enum MHD_Result aw_api_error_allow(struct MHD_Connection *c, const char *allow, const char *fmt,
                                   ...)
{
    va_list ap;
    va_start(ap, fmt);
    json_t *body = error_body(MHD_HTTP_METHOD_NOT_ALLOWED, NULL, fmt, ap);
    va_end(ap);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text,
                                                             MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "Allow", allow);
    enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_METHOD_NOT_ALLOWED, r);
    MHD_destroy_response(r);
    return rc;
}

enum MHD_Result aw_api_text(struct MHD_Connection *c, unsigned status, const char *text)
{
    return queue(c, status, "text/plain; charset=utf-8", aw_xstrdup(text));
}

enum MHD_Result aw_api_file(struct MHD_Connection *c, const char *path, const char *type,
                            const char *cache)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return aw_api_error(c, MHD_HTTP_NOT_FOUND, NULL, "no such file");
    }
    struct MHD_Response *r = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", cache);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return rc;
}

enum MHD_Result aw_api_redirect(struct MHD_Connection *c, const char *location)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Location", location);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_FOUND, r);
    MHD_destroy_response(r);
    return rc;
}

bool aw_api_int_param(const api_request *r, const char *name, int64_t def, int64_t lo, int64_t hi,
                      int64_t *out, enum MHD_Result *reply)
{
    const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
    if (v == NULL || *v == '\0') {
        *out = def;
        return true;
    }
    char *end = NULL;
    long long n = strtoll(v, &end, 10);
    if (*end != '\0' || end == v || n < lo || n > hi) {
        *reply = aw_api_error(r->conn, MHD_HTTP_BAD_REQUEST, name,
                              "%s must be an integer from %lld to %lld", name, (long long)lo,
                              (long long)hi);
        return false;
    }
    *out = n;
    return true;
}

json_t *aw_api_body_json(const api_request *r, enum MHD_Result *reply)
{
    json_error_t e;
    json_t *body = json_loadb(r->body, r->body_len, 0, &e);
    if (body == NULL)
        *reply = aw_api_error(r->conn, MHD_HTTP_BAD_REQUEST, "body",
                              "the body is not JSON (line %d, column %d: %.100s)", e.line, e.column,
                              e.text);
    return body;
}
