/* http_client.h — one HTTP request from a test (libcurl), with what the
 * tests look at: status, body, a few response headers. */
#ifndef AW_HTTP_CLIENT_H
#define AW_HTTP_CLIENT_H

#include <jansson.h>
#include <stddef.h>

typedef struct th_response {
    long status;
    char *body; /* NUL-terminated */
    size_t len;
    char content_type[128], etag[128], location[2048];
    long long content_length; /* -1 when not sent */
    char error[256];          /* libcurl's message when status is 0 */
} th_response;

/* method url [body] [one extra request header "Name: value"]; status 0 when
 * the request could not be made. */
th_response th_http(const char *method, const char *url, const char *body, const char *header);
void th_response_free(th_response *r);

/* GET base+path, parsed as JSON (NULL unless 200 and JSON); status in
 * *status (0 when no answer came: libcurl's message is on stderr). */
json_t *th_get_json(const char *base, const char *path, long *status);

#endif
