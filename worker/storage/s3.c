/* s3.c — the S3-compatible backend (AWS S3, R2, MinIO) on libcurl:
 * requests signed by libcurl's own AWS SigV4 (CURLOPT_AWS_SIGV4), the
 * payload hash sent as x-amz-content-sha256. Safe to call from several
 * threads at once (the transfer pool): each request borrows an easy handle
 * from the backend's idle list, so connections are reused.
 * GET streams into the spool file and stops at the size limit. PUT sends
 * Content-Type, Content-MD5 and x-amz-checksum-sha256, which S3 verifies
 * itself (a mismatch is a 400 BadDigest, retried as damage in transit); the
 * returned ETag is compared with the MD5 only where S3 defines it as the MD5
 * of the body: a single-part object without SSE-KMS or SSE-C. Every URL and
 * header is built with its length checked: a key too long fails the request
 * instead of being written under a truncated key.
 * presign_get hands out a GET URL signed in its query string (the SigV4
 * maths are in s3_presign.c) for the same object URL a GET would use. */
#define _GNU_SOURCE
#include "storage.h"

#include "alloc.h"
#include "backends.h"
#include "s3_presign.h"

#include <curl/curl.h>
#include <glib.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

#define IDLE_HANDLES 64 /* easy handles kept for reuse, with their connections */
#define URL_MAX 8192

typedef struct s3_storage {
    aw_storage base;
    pthread_mutex_t lock; /* guards idle */
    CURL *idle[IDLE_HANDLES];
    int n_idle;
    char bucket[256], prefix[1024], region[64], base_url[1024], sigv4[128];
    size_t origin_len;                     /* base_url's "scheme://authority", before its path */
    char *userpwd, *token_header;          /* NULL without a session token */
    char *access_key, *secret_key, *token; /* for presigned URLs; token NULL without one */
} s3_storage;

/* ---- handles --------------------------------------------------------- */

static CURL *borrow_handle(s3_storage *s3)
{
    CURL *c = NULL;
    pthread_mutex_lock(&s3->lock);
    if (s3->n_idle > 0)
        c = s3->idle[--s3->n_idle];
    pthread_mutex_unlock(&s3->lock);
    return c != NULL ? c : curl_easy_init();
}

static void return_handle(s3_storage *s3, CURL *c)
{
    pthread_mutex_lock(&s3->lock);
    if (s3->n_idle < IDLE_HANDLES)
        s3->idle[s3->n_idle++] = c, c = NULL;
    pthread_mutex_unlock(&s3->lock);
    curl_easy_cleanup(c); /* NULL when kept */
}

/* ---- requests ------------------------------------------------------- */

/* snprintf that says whether it all fit. */
static bool fits(char *out, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool fits(char *out, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, size, fmt, ap);
    va_end(ap);
    return n >= 0 && (size_t)n < size;
}

static int too_long(aw_error *err, const char *what, const char *key)
{
    return aw_error_set(err, AW_CODE_STORAGE_ERROR, "key_too_long",
                        "%s %.300s: the object URL would be longer than %d bytes", what, key,
                        URL_MAX - 1);
}

/* base_url + "/" + prefix + key, each segment percent-encoded once; an
 * error when it does not fit (never a truncated key). */
static int object_url(s3_storage *s3, const char *what, const char *key, char *out, aw_error *err)
{
    gchar *full = g_strconcat(s3->prefix, key, NULL);
    size_t n = (size_t)snprintf(out, URL_MAX, "%s", s3->base_url);
    for (char *seg = full, *next; seg != NULL && n < URL_MAX; seg = next) {
        next = strchr(seg, '/');
        if (next != NULL)
            *next++ = '\0';
        char *esc = curl_easy_escape(NULL, seg, 0);
        n += (size_t)snprintf(out + n, URL_MAX - n, "/%s", esc ? esc : "");
        curl_free(esc);
    }
    g_free(full);
    return n < URL_MAX ? AW_OK : too_long(err, what, key);
}

typedef struct sink {
    FILE *f;
    uint64_t written, max;
    bool over;
    GChecksum *sum; /* SHA-256 of what is written, or NULL */
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
    if (s->sum != NULL)
        g_checksum_update(s->sum, (const guchar *)data, (gssize)len);
    return fwrite(data, 1, len, s->f);
}

typedef struct reply {
    char etag[80];
    char sse[40];      /* x-amz-server-side-encryption */
    bool customer_key; /* x-amz-server-side-encryption-customer-algorithm */
    char body[512];    /* start of an error document */
    size_t body_len;
} reply;

/* The value of header name in line ("Name: value\r\n"), unquoted, or NULL. */
static bool header_value(const char *line, size_t len, const char *name, char *out, size_t size)
{
    size_t k = strlen(name);
    if (len <= k || g_ascii_strncasecmp(line, name, k) != 0 || line[k] != ':')
        return false;
    const char *v = line + k + 1;
    while (*v == ' ' || *v == '"')
        v++;
    size_t n = 0;
    while (v + n < line + len && strchr("\"\r\n", v[n]) == NULL)
        n++;
    snprintf(out, size, "%.*s", (int)n, v);
    return true;
}

static size_t keep_headers(char *line, size_t one, size_t n, void *user)
{
    reply *r = user;
    size_t len = one * n;
    char ignored[8];
    header_value(line, len, "etag", r->etag, sizeof r->etag);
    header_value(line, len, "x-amz-server-side-encryption", r->sse, sizeof r->sse);
    if (header_value(line, len, "x-amz-server-side-encryption-customer-algorithm", ignored,
                     sizeof ignored))
        r->customer_key = true;
    return len;
}

/* S3 defines the ETag as the body's MD5 only for a single-part object
 * stored unencrypted or with SSE-S3: a multipart ETag ends in "-N", and
 * SSE-KMS and SSE-C ETags are not digests of the body. */
static bool etag_is_md5(const reply *r)
{
    if (strlen(r->etag) != 32 || r->customer_key)
        return false;
    for (const char *c = r->etag; *c != '\0'; c++)
        if (!g_ascii_isxdigit(*c))
            return false;
    return r->sse[0] == '\0' || g_ascii_strcasecmp(r->sse, "AES256") == 0;
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

static int stop_when_cancelled(void *user, curl_off_t dt, curl_off_t dn, curl_off_t ut,
                               curl_off_t un)
{
    (void)dt, (void)dn, (void)ut, (void)un;
    return aw_storage_cancelled(user) ? 1 : 0; /* non-zero aborts the transfer */
}

static void prepare(s3_storage *s3, CURL *c, const char *url, struct curl_slist *headers)
{
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
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, stop_when_cancelled);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &s3->base);
}

static struct curl_slist *base_headers(s3_storage *s3, const char *sha256)
{
    char h[128];
    snprintf(h, sizeof h, "x-amz-content-sha256: %s", sha256);
    struct curl_slist *l = curl_slist_append(NULL, h);
    if (s3->token_header != NULL)
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
    if (r != NULL && (strstr(r->body, "BadDigest") != NULL ||
                      strstr(r->body, "XAmzContentSHA256Mismatch") != NULL)) {
        aw_error_set(err, AW_CODE_STORAGE_ERROR, "checksum",
                     "%s %.300s: HTTP %ld, the server's digest of the body differs from ours", what,
                     key, status);
        err->retriable = true; /* damaged in transit: sending again may work */
        return AW_ERROR;
    }
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

static int s3_get(aw_storage *s, const char *key, const char *dest, uint64_t max,
                  char sha256_hex[65], aw_error *err)
{
    s3_storage *s3 = (s3_storage *)s;
    char url[URL_MAX];
    if (object_url(s3, "GET", key, url, err) != AW_OK)
        return AW_ERROR;
    FILE *f = fopen(dest, "wb");
    if (f == NULL)
        return aw_error_set(err, AW_CODE_STORAGE_ERROR, "spool", "cannot create %.300s", dest);
    sink sk = {f, 0, max, false, sha256_hex ? g_checksum_new(G_CHECKSUM_SHA256) : NULL};
    struct curl_slist *h = base_headers(s3, EMPTY_SHA256);
    CURL *c = borrow_handle(s3);
    prepare(s3, c, url, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_bounded);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sk);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    return_handle(s3, c);
    if (fclose(f) != 0 && rc == CURLE_OK)
        rc = CURLE_WRITE_ERROR;
    curl_slist_free_all(h);
    int result;
    if (rc == CURLE_FILESIZE_EXCEEDED || sk.over) {
        result = aw_error_set(err, AW_CODE_FILE_TOO_LARGE, "file_size",
                              "object %.300s is larger than %llu bytes", key,
                              (unsigned long long)max);
    } else {
        reply r = {0};
        if (rc == CURLE_OK && status >= 300)
            read_error_body(dest, &r);
        result = outcome(rc, status, "GET", key, &r, err);
    }
    if (result == AW_OK && sk.sum != NULL)
        snprintf(sha256_hex, 65, "%s", g_checksum_get_string(sk.sum));
    if (sk.sum != NULL)
        g_checksum_free(sk.sum);
    return result;
}

/* ---- PUT ------------------------------------------------------------- */

typedef struct digests {
    char sha256[65], sha256_b64[48], md5_hex[33], md5_b64[32];
    curl_off_t size;
} digests;

static void base64_of(GChecksum *sum, size_t raw_size, char *out, size_t size)
{
    guint8 raw[32];
    gsize raw_len = raw_size;
    g_checksum_get_digest(sum, raw, &raw_len);
    gchar *b64 = g_base64_encode(raw, raw_len);
    snprintf(out, size, "%s", b64);
    g_free(b64);
}

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
    snprintf(d->sha256, sizeof d->sha256, "%s", g_checksum_get_string(sha));
    snprintf(d->md5_hex, sizeof d->md5_hex, "%s", g_checksum_get_string(md5));
    base64_of(sha, 32, d->sha256_b64, sizeof d->sha256_b64);
    base64_of(md5, 16, d->md5_b64, sizeof d->md5_b64);
    g_checksum_free(sha), g_checksum_free(md5);
    return rc;
}

/* Content-Type, Content-MD5 and x-amz-checksum-sha256 after the base ones. */
static struct curl_slist *put_headers(s3_storage *s3, const digests *d, const char *content_type)
{
    char ct[300], md5[64], sha[96];
    snprintf(ct, sizeof ct, "Content-Type: %.250s",
             content_type ? content_type : "application/octet-stream");
    snprintf(md5, sizeof md5, "Content-MD5: %s", d->md5_b64);
    snprintf(sha, sizeof sha, "x-amz-checksum-sha256: %s", d->sha256_b64);
    struct curl_slist *h = base_headers(s3, d->sha256);
    h = curl_slist_append(h, ct);
    h = curl_slist_append(h, md5);
    h = curl_slist_append(h, sha);
    return curl_slist_append(h, "Expect:"); /* no 100-continue round trip */
}

static CURLcode perform_put(s3_storage *s3, const char *url, struct curl_slist *h, FILE *f,
                            curl_off_t size, reply *r, long *status)
{
    CURL *c = borrow_handle(s3);
    prepare(s3, c, url, h);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READDATA, f);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, size);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, keep_headers);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    return_handle(s3, c);
    return rc;
}

static int s3_put(aw_storage *s, const char *key, const char *src, const char *content_type,
                  aw_error *err)
{
    s3_storage *s3 = (s3_storage *)s;
    char url[URL_MAX];
    if (object_url(s3, "PUT", key, url, err) != AW_OK)
        return AW_ERROR;
    digests d;
    FILE *f = NULL;
    if (file_digests(src, &d) != 0 || (f = fopen(src, "rb")) == NULL)
        return aw_error_set(err, AW_CODE_STORAGE_ERROR, "spool", "cannot read %.300s", src);
    struct curl_slist *h = put_headers(s3, &d, content_type);
    reply r = {0};
    long status = 0;
    CURLcode rc = perform_put(s3, url, h, f, d.size, &r, &status);
    fclose(f);
    curl_slist_free_all(h);
    if (outcome(rc, status, "PUT", key, &r, err) != AW_OK)
        return AW_ERROR;
    if (etag_is_md5(&r) && g_ascii_strcasecmp(r.etag, d.md5_hex) != 0) {
        aw_error_set(err, AW_CODE_STORAGE_ERROR, "checksum",
                     "PUT %.300s: the server stored MD5 %s, we sent %s", key, r.etag, d.md5_hex);
        err->retriable = true; /* damaged in transit: sending again may work */
        return AW_ERROR;
    }
    return AW_OK;
}

/* ---- COPY ------------------------------------------------------------ */

/* "x-amz-copy-source: /bucket/prefix+key", each segment percent-encoded. */
static struct curl_slist *copy_headers(s3_storage *s3, const char *src_key)
{
    gchar *full = g_strconcat(s3->prefix, src_key, NULL);
    GString *h = g_string_new("x-amz-copy-source: /");
    g_string_append(h, s3->bucket);
    for (char *seg = full, *next; seg != NULL; seg = next) {
        next = strchr(seg, '/');
        if (next != NULL)
            *next++ = '\0';
        char *esc = curl_easy_escape(NULL, seg, 0);
        g_string_append_printf(h, "/%s", esc ? esc : "");
        curl_free(esc);
    }
    struct curl_slist *l = base_headers(s3, EMPTY_SHA256);
    l = curl_slist_append(l, h->str);
    l = curl_slist_append(l, "Expect:");
    g_string_free(h, TRUE);
    g_free(full);
    return l;
}

/* CopyObject: a PUT on the destination naming the source; S3 keeps the
 * source's Content-Type. A 200 whose body is an <Error> document failed
 * (S3 says so for copies that fail after they started). */
static int s3_copy(aw_storage *s, const char *src_key, const char *dst_key, aw_error *err)
{
    s3_storage *s3 = (s3_storage *)s;
    char url[URL_MAX];
    if (!aw_storage_key_safe(src_key))
        return aw_error_set(err, AW_CODE_STORAGE_ERROR, "invalid_key",
                            "storage key is not a safe relative path: %.200s", src_key);
    if (object_url(s3, "COPY", dst_key, url, err) != AW_OK)
        return AW_ERROR;
    struct curl_slist *h = copy_headers(s3, src_key);
    reply r = {0};
    CURL *c = borrow_handle(s3);
    prepare(s3, c, url, h);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    return_handle(s3, c);
    curl_slist_free_all(h);
    if (rc == CURLE_OK && status == 200 && strstr(r.body, "<Error>") != NULL)
        status = strstr(r.body, "NoSuchKey") ? 404 : 500;
    if (rc == CURLE_OK && status == 404)
        return aw_error_set(err, AW_CODE_NOT_FOUND, "missing", "no object at %.300s", src_key);
    return outcome(rc, status, "COPY", dst_key, &r, err);
}

/* ---- presigned GET --------------------------------------------------- */

/* The object URL get uses, signed for anyone to GET until it expires: the
 * path after base_url's origin is its own path (the bucket in path style)
 * then prefix + key, encoded segment by segment as object_url does. */
static int s3_presign_get(aw_storage *s, const char *key, int expires_s, time_t now, char *out,
                          size_t size, aw_error *err)
{
    s3_storage *s3 = (s3_storage *)s;
    if (!aw_storage_key_safe(key))
        return aw_error_set(err, AW_CODE_STORAGE_ERROR, "invalid_key",
                            "storage key is not a safe relative path: %.200s", key);
    char origin[sizeof s3->base_url], path[URL_MAX];
    if (!fits(origin, sizeof origin, "%.*s", (int)s3->origin_len, s3->base_url) ||
        !fits(path, sizeof path, "%s/%s%s", s3->base_url + s3->origin_len, s3->prefix, key))
        return aw_error_set(err, AW_CODE_STORAGE_ERROR, "url_too_long",
                            "presign %.300s: the object path is longer than %d bytes", key,
                            URL_MAX - 1);
    aw_s3_presign p = {.origin = origin,
                       .path = path,
                       .region = s3->region,
                       .access_key = s3->access_key,
                       .secret_key = s3->secret_key,
                       .session_token = s3->token,
                       .expires_s = expires_s,
                       .now = now};
    return aw_s3_presign_get_url(&p, out, size, err);
}

/* ---- set-up ---------------------------------------------------------- */

static void s3_destroy(aw_storage *s)
{
    s3_storage *s3 = (s3_storage *)s;
    for (int i = 0; i < s3->n_idle; i++)
        curl_easy_cleanup(s3->idle[i]);
    pthread_mutex_destroy(&s3->lock);
    g_free(s3->userpwd), g_free(s3->token_header);
    g_free(s3->access_key), g_free(s3->secret_key), g_free(s3->token);
    free(s3);
}

static const aw_storage_ops s3_ops = {.scheme = "s3",
                                      .get = s3_get,
                                      .put = s3_put,
                                      .copy = s3_copy,
                                      .presign_get = s3_presign_get,
                                      .local_path = NULL, /* no local files */
                                      .destroy = s3_destroy};

static const char *env(const char *a, const char *b)
{
    const char *v = getenv(a);
    if ((v == NULL || *v == '\0') && b != NULL)
        v = getenv(b);
    return v && *v ? v : NULL;
}

/* Where requests go: path style under AWS_ENDPOINT_URL (or with
 * AW_S3_PATH_STYLE=1), virtual-hosted AWS otherwise. */
static bool locate_base_url(s3_storage *s3)
{
    const char *endpoint = env("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL");
    const char *path_style = getenv("AW_S3_PATH_STYLE");
    if (endpoint != NULL)
        return fits(s3->base_url, sizeof s3->base_url, "%.*s/%s",
                    (int)(strlen(endpoint) - (endpoint[strlen(endpoint) - 1] == '/')), endpoint,
                    s3->bucket);
    if (path_style != NULL && strcmp(path_style, "1") == 0)
        return fits(s3->base_url, sizeof s3->base_url, "https://s3.%s.amazonaws.com/%s", s3->region,
                    s3->bucket);
    return fits(s3->base_url, sizeof s3->base_url, "https://%s.s3.%s.amazonaws.com", s3->bucket,
                s3->region);
}

/* The length of base_url's "scheme://authority" (the rest is its path). */
static size_t origin_length(const char *base_url)
{
    const char *a = strstr(base_url, "://");
    a = a != NULL ? a + 3 : base_url;
    return (size_t)(a - base_url) + strcspn(a, "/?#");
}

/* Bucket, prefix, region and base URL; false when one is too long. */
static bool locate(s3_storage *s3, const char *rest)
{
    size_t b = strcspn(rest, "/");
    const char *region = env("AWS_REGION", "AWS_DEFAULT_REGION");
    bool ok = fits(s3->bucket, sizeof s3->bucket, "%.*s", (int)b, rest) &&
              fits(s3->region, sizeof s3->region, "%s", region ? region : "us-east-1");
    if (ok && rest[b] == '/' && rest[b + 1] != '\0')
        ok = fits(s3->prefix, sizeof s3->prefix, "%s%s", rest + b + 1,
                  rest[strlen(rest) - 1] == '/' ? "" : "/");
    if (ok && locate_base_url(s3))
        s3->origin_len = origin_length(s3->base_url);
    return ok && s3->origin_len > 0 &&
           fits(s3->sigv4, sizeof s3->sigv4, "aws:amz:%s:s3", s3->region);
}

static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
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
    static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
    pthread_once(&curl_once, curl_init_once);
    s3_storage *s3 = aw_xcalloc(1, sizeof *s3);
    s3->base.ops = &s3_ops;
    pthread_mutex_init(&s3->lock, NULL);
    s3->userpwd = g_strdup_printf("%s:%s", id, secret);
    s3->access_key = g_strdup(id), s3->secret_key = g_strdup(secret);
    if (token != NULL) {
        s3->token_header = g_strdup_printf("x-amz-security-token: %s", token);
        s3->token = g_strdup(token);
    }
    if (!locate(s3, rest)) {
        aw_error_set(err, AW_CODE_STORAGE_ERROR, "bad_url",
                     "s3://%.100s…: bucket, prefix, region or endpoint too long", rest);
        s3_destroy(&s3->base);
        return NULL;
    }
    return &s3->base;
}
