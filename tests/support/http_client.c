/* http_client.c — see http_client.h. */
#define _GNU_SOURCE
#include "http_client.h"

#include "alloc.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static size_t take_body(char *data, size_t one, size_t n, void *user)
{
    th_response *r = user;
    r->body = aw_xrealloc(r->body, r->len + n * one + 1);
    memcpy(r->body + r->len, data, n * one);
    r->len += n * one;
    r->body[r->len] = '\0';
    return n * one;
}

static void take(const char *line, size_t len, const char *name, char *out, size_t size)
{
    size_t n = strlen(name);
    if (len <= n || strncasecmp(line, name, n) != 0)
        return;
    const char *v = line + n;
    size_t vlen = len - n;
    while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n'))
        vlen--;
    snprintf(out, size, "%.*s", (int)vlen, v);
}

static size_t take_header(char *line, size_t one, size_t n, void *user)
{
    th_response *r = user;
    char length[32] = "";
    take(line, n * one, "ETag: ", r->etag, sizeof r->etag);
    take(line, n * one, "Location: ", r->location, sizeof r->location);
    take(line, n * one, "Content-Length: ", length, sizeof length);
    if (length[0] != '\0')
        r->content_length = atoll(length);
    return n * one;
}

th_response th_http(const char *method, const char *url, const char *body, const char *header)
{
    th_response r = {.body = aw_xstrdup(""), .content_length = -1};
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    if (header != NULL)
        h = curl_slist_append(h, header);
    if (body != NULL) {
        h = curl_slist_append(h, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, take_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, take_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, r.error);
    if (curl_easy_perform(c) == CURLE_OK) {
        char *ct = NULL;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
        curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
        snprintf(r.content_type, sizeof r.content_type, "%s", ct ? ct : "");
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return r;
}

void th_response_free(th_response *r)
{
    free(r->body);
    r->body = NULL;
}

json_t *th_get_json(const char *base, const char *path, long *status)
{
    char *url = aw_xasprintf("%s%s", base, path);
    th_response r = th_http("GET", url, NULL, NULL);
    free(url);
    *status = r.status;
    if (r.status == 0)
        fprintf(stderr, "GET %s%s: %s\n", base, path, r.error);
    json_t *v = r.status == 200 ? json_loads(r.body, JSON_DECODE_ANY, NULL) : NULL;
    th_response_free(&r);
    return v;
}
