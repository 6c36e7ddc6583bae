/* storage_s3.c — the S3-compatible backend (AWS S3, R2, MinIO) on libcurl:
 * requests signed by libcurl's own AWS SigV4 (CURLOPT_AWS_SIGV4), the
 * payload hash sent as x-amz-content-sha256, one easy handle per backend
 * so connections are reused. GET streams into the spool file and stops at
 * the size limit; PUT sends Content-Type and Content-MD5 (which S3 verifies)
 * and checks the returned ETag against the MD5 itself as well. */
#define _GNU_SOURCE
#include "storage.h"

#include <curl/curl.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

typedef struct s3_storage {
    aw_storage base;
    CURL *curl;
    char bucket[256], prefix[512], region[64], base_url[512];
    char userpwd[512], token_header[2200], sigv4[128];
} s3_storage;

/* ---- requests ------------------------------------------------------- */

/* base_url + "/" + prefix + key, each segment percent-encoded once. */
static void object_url(s3_storage *s3, const char *key, char *out, size_t size)
{
    char full[2048];
    snprintf(full, sizeof full, "%s%s", s3->prefix, key);
    size_t n = (size_t)snprintf(out, size, "%s", s3->base_url);
    for (char *seg = full, *next; seg != NULL && n < size; seg = next) {
        next = strchr(seg, '/');
        if (next != NULL)
            *next++ = '\0';
        char *esc = curl_easy_escape(s3->curl, seg, 0);
        n += (size_t)snprintf(out + n, size - n, "/%s", esc ? esc : "");
        curl_free(esc);
    }
}

typedef struct sink {
    FILE *f;
    uint64_t written, max;
    bool over;
} sink;

static size_t write_bounded(char *data, size_t one, size_t n, void *user)
{
    sink *s = user;
    size_t len = one * n;
    if (s->written + len > s->max) {
        s->over = true;
        return 0; /* stops the transfer: the rest is never read */
    }
    s->written += len;
    return fwrite(data, 1, len, s->f);
}

typedef struct reply {
    char etag[80];
    char body[512]; /* start of an error document */
    size_t body_len;
} reply;

static size_t keep_etag(char *line, size_t one, size_t n, void *user)
{
    reply *r = user;
    size_t len = one * n;
    if (len > 5 && g_ascii_strncasecmp(line, "etag:", 5) == 0) {
        const char *v = line + 5;
        while (*v == ' ' || *v == '"')
            v++;
        size_t k = strcspn(v, "\"\r\n");
        snprintf(r->etag, sizeof r->etag, "%.*s", (int)k, v);
    }
    return len;
}

static size_t keep_body(char *data, size_t one, size_t n, void *user)
{
    reply *r = user;
    size_t len = one * n, room = sizeof r->body - 1 - r->body_len;
    memcpy(r->body + r->body_len, data, len < room ? len : room);
    r->body_len += len < room ? len : room;
    r->body[r->body_len] = '\0';
    return len;
}

static void prepare(s3_storage *s3, const char *url, struct curl_slist *headers)
{
    CURL *c = s3->curl;
    curl_easy_reset(c); /* keeps the connection cache */
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_AWS_SIGV4, s3->sigv4);
    curl_easy_setopt(c, CURLOPT_USERPWD, s3->userpwd);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L); /* < 1 KiB/s for 30 s: give up */
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
}

static struct curl_slist *base_headers(s3_storage *s3, const char *sha256)
{
    char h[128];
    snprintf(h, sizeof h, "x-amz-content-sha256: %s", sha256);
    struct curl_slist *l = curl_slist_append(NULL, h);
    if (s3->token_header[0] != '\0')
        l = curl_slist_append(l, s3->token_header);
    return l;
}

/* Maps a finished request to our error model. */
static int outcome(CURLcode rc, long status, const char *what, const char *key, const reply *r,
                   aw_error *err)
{
    if (rc == CURLE_OK && status >= 200 && status < 300)
        return AW_OK;
    if (rc != CURLE_OK) {
        aw_error_set(err, AW_CODE_STORAGE_ERROR, "network", "%s %.300s: %s", what, key,
                     curl_easy_strerror(rc));
        err->retriable = true; /* timeouts, resets, refused connections */
        return AW_ERROR;
    }
    if (status == 404)
        return aw_error_set(err, AW_CODE_NOT_FOUND, "missing", "no object at %.300s", key);
    bool slow_down = r != NULL && strstr(r->body, "SlowDown") != NULL;
    aw_error_set(err, AW_CODE_STORAGE_ERROR, status == 403 ? "forbidden" : "http",
                 "%s %.300s: HTTP %ld%s%s", what, key, status,
                 status == 403 ? " (check the credentials and the bucket policy)" : "",
                 slow_down ? " SlowDown" : "");
    err->retriable = status >= 500 || status == 429 || slow_down;
    return AW_ERROR;
}

/* ---- GET ------------------------------------------------------------- */

/* The start of an error document the server wrote into path. */
static void read_error_body(const char *path, reply *r)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return;
    r->body_len = fread(r->body, 1, sizeof r->body - 1, f);
    r->body[r->body_len] = '\0';
    fclose(f);
}

static int s3_get(aw_storage *s, const char *key, const char *dest, uint64_t max, aw_error *err)
{
    s3_storage *s3 = (s3_storage *)s;
    char url[4096];
    object_url(s3, key, url, sizeof url);
    FILE *f = fopen(dest, "wb");
    if (f == NULL)
        return aw_error_set(err, AW_CODE_STORAGE_ERROR, "spool", "cannot create %.300s", dest);
    sink sk = {f, 0, max, false};
    struct curl_slist *h = base_headers(s3, EMPTY_SHA256);
    prepare(s3, url, h);
    curl_easy_setopt(s3->curl, CURLOPT_WRITEFUNCTION, write_bounded);
    curl_easy_setopt(s3->curl, CURLOPT_WRITEDATA, &sk);
    curl_easy_setopt(s3->curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max);
    CURLcode rc = curl_easy_perform(s3->curl);
    long status = 0;
    curl_easy_getinfo(s3->curl, CURLINFO_RESPONSE_CODE, &status);
    fclose(f);
    curl_slist_free_all(h);
    if (rc == CURLE_FILESIZE_EXCEEDED || sk.over)
        return aw_error_set(err, AW_CODE_FILE_TOO_LARGE, "file_size",
                            "object %.300s is larger than %llu bytes", key,
                            (unsigned long long)max);
    reply r = {0};
    if (rc == CURLE_OK && status >= 300)
        read_error_body(dest, &r);
    return outcome(rc, status, "GET", key, &r, err);
}

/* ---- PUT ------------------------------------------------------------- */

typedef struct digests {
    char sha256[65], md5_hex[33], md5_b64[32];
    curl_off_t size;
} digests;

static int file_digests(const char *path, digests *d)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    GChecksum *sha = g_checksum_new(G_CHECKSUM_SHA256), *md5 = g_checksum_new(G_CHECKSUM_MD5);
    guchar buf[1 << 16];
    size_t n;
    d->size = 0;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        g_checksum_update(sha, buf, (gssize)n);
        g_checksum_update(md5, buf, (gssize)n);
        d->size += (curl_off_t)n;
    }
    int rc = ferror(f) ? -1 : 0;
    fclose(f);
    guint8 raw[16];
    gsize raw_len = sizeof raw;
    g_checksum_get_digest(md5, raw, &raw_len);
    gchar *b64 = g_base64_encode(raw, raw_len);
    snprintf(d->sha256, sizeof d->sha256, "%s", g_checksum_get_string(sha));
    snprintf(d->md5_hex, sizeof d->md5_hex, "%s", g_checksum_get_string(md5));
    snprintf(d->md5_b64, sizeof d->md5_b64, "%s", b64);
    g_free(b64);
    g_checksum_free(sha), g_checksum_free(md5);
    return rc;
}

static int s3_put(aw_storage *s, const char *key, const char *src, const char *content_type,
                  aw_error *err)
{
    s3_storage *s3 = (s3_storage *)s;
    digests d;
    FILE *f = NULL;
    if (file_digests(src, &d) != 0 || (f = fopen(src, "rb")) == NULL)
        return aw_error_set(err, AW_CODE_STORAGE_ERROR, "spool", "cannot read %.300s", src);
    char url[4096], ct[200], md5[64];
    object_url(s3, key, url, sizeof url);
    snprintf(ct, sizeof ct, "Content-Type: %s", content_type ? content_type : "application/octet-stream");
    snprintf(md5, sizeof md5, "Content-MD5: %s", d.md5_b64);
    struct curl_slist *h = base_headers(s3, d.sha256);
    h = curl_slist_append(h, ct);
    h = curl_slist_append(h, md5);
    h = curl_slist_append(h, "Expect:"); /* no 100-continue round trip */
    reply r = {0};
    prepare(s3, url, h);
    curl_easy_setopt(s3->curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(s3->curl, CURLOPT_READDATA, f);
    curl_easy_setopt(s3->curl, CURLOPT_INFILESIZE_LARGE, d.size);
    curl_easy_setopt(s3->curl, CURLOPT_HEADERFUNCTION, keep_etag);
    curl_easy_setopt(s3->curl, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(s3->curl, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(s3->curl, CURLOPT_WRITEDATA, &r);
    CURLcode rc = curl_easy_perform(s3->curl);
    long status = 0;
    curl_easy_getinfo(s3->curl, CURLINFO_RESPONSE_CODE, &status);
    fclose(f);
    curl_slist_free_all(h);
    if (outcome(rc, status, "PUT", key, &r, err) != AW_OK)
        return AW_ERROR;
    if (r.etag[0] != '\0' && g_ascii_strcasecmp(r.etag, d.md5_hex) != 0) {
        aw_error_set(err, AW_CODE_STORAGE_ERROR, "checksum",
                     "PUT %.300s: the server stored MD5 %s, we sent %s", key, r.etag, d.md5_hex);
        err->retriable = true; /* damaged in transit: sending again may work */
        return AW_ERROR;
    }
    return AW_OK;
}

/* ---- set-up ---------------------------------------------------------- */

static void s3_destroy(aw_storage *s)
{
    s3_storage *s3 = (s3_storage *)s;
    curl_easy_cleanup(s3->curl);
    free(s3);
}

static const aw_storage_ops s3_ops = {"s3", s3_get, s3_put, s3_destroy};

static const char *env(const char *a, const char *b)
{
    const char *v = getenv(a);
    if ((v == NULL || *v == '\0') && b != NULL)
        v = getenv(b);
    return v && *v ? v : NULL;
}

/* Bucket, prefix and where requests go: path style under AWS_ENDPOINT_URL
 * (or with AW_S3_PATH_STYLE=1), virtual-hosted AWS otherwise. */
static void locate(s3_storage *s3, const char *rest)
{
    size_t b = strcspn(rest, "/");
    snprintf(s3->bucket, sizeof s3->bucket, "%.*s", (int)b, rest);
    if (rest[b] == '/' && rest[b + 1] != '\0')
        snprintf(s3->prefix, sizeof s3->prefix, "%s%s", rest + b + 1,
                 rest[strlen(rest) - 1] == '/' ? "" : "/");
    const char *region = env("AWS_REGION", "AWS_DEFAULT_REGION");
    snprintf(s3->region, sizeof s3->region, "%s", region ? region : "us-east-1");
    const char *endpoint = env("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL");
    const char *path_style = getenv("AW_S3_PATH_STYLE");
    if (endpoint != NULL)
        snprintf(s3->base_url, sizeof s3->base_url, "%.*s/%s",
                 (int)(strlen(endpoint) - (endpoint[strlen(endpoint) - 1] == '/')), endpoint,
                 s3->bucket);
    else if (path_style != NULL && strcmp(path_style, "1") == 0)
        snprintf(s3->base_url, sizeof s3->base_url, "https://s3.%s.amazonaws.com/%s", s3->region,
                 s3->bucket);
    else
        snprintf(s3->base_url, sizeof s3->base_url, "https://%s.s3.%s.amazonaws.com", s3->bucket,
                 s3->region);
    snprintf(s3->sigv4, sizeof s3->sigv4, "aws:amz:%s:s3", s3->region);
}

aw_storage *aw_storage_s3_open(const char *rest, aw_error *err)
{
    const char *id = env("AWS_ACCESS_KEY_ID", NULL), *secret = env("AWS_SECRET_ACCESS_KEY", NULL);
    const char *token = env("AWS_SESSION_TOKEN", NULL);
    if (rest[0] == '\0' || rest[0] == '/' || id == NULL || secret == NULL) {
        aw_error_set(err, AW_CODE_STORAGE_ERROR, "bad_url",
                     "s3://BUCKET[/PREFIX] needs a bucket and AWS_ACCESS_KEY_ID and "
                     "AWS_SECRET_ACCESS_KEY in the environment");
        return NULL;
    }
    static bool curl_ready;
    if (!curl_ready && curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK)
        curl_ready = true;
    s3_storage *s3 = calloc(1, sizeof *s3);
    s3->base.ops = &s3_ops;
    s3->curl = curl_easy_init();
    locate(s3, rest);
    snprintf(s3->userpwd, sizeof s3->userpwd, "%s:%s", id, secret);
    if (token != NULL)
        snprintf(s3->token_header, sizeof s3->token_header, "x-amz-security-token: %s", token);
    return &s3->base;
}
