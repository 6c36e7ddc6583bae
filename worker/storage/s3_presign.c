/* s3_presign.c — the presigned URL of an S3 GET: AWS Signature Version 4
 * with the authentication in the query string ("Authenticating Requests:
 * Using Query Parameters" in the S3 API reference). The canonical request
 * and the string to sign are never held whole: their pieces are fed to the
 * SHA-256 and the HMAC as they are made, so the only string built is the
 * URL itself, in the caller's buffer, every piece of it length-checked. */
#define _GNU_SOURCE
#include "s3_presign.h"

#include <glib.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALGORITHM "AWS4-HMAC-SHA256"

/* A string under construction in a fixed buffer: ok turns false, for good,
 * at the first piece that does not fit. */
typedef struct sbuf {
    char *p;
    size_t size, n;
    bool ok;
} sbuf;

static void put(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(sbuf *b, const char *fmt, ...)
{
    if (!b->ok)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(b->p + b->n, b->size - b->n, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= b->size - b->n) {
        b->ok = false;
        b->p[b->n] = '\0'; /* no half piece */
        return;
    }
    b->n += (size_t)k;
}

static bool unreserved(unsigned char c)
{
    return g_ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* SigV4's UriEncode: every byte but RFC 3986's unreserved ones as %XX (upper
 * case), '/' kept when keep_slash (the canonical URI), encoded otherwise. */
static void put_encoded(sbuf *b, const char *s, bool keep_slash)
{
    for (const unsigned char *c = (const unsigned char *)s; *c != '\0' && b->ok; c++) {
        if (unreserved(*c) || (keep_slash && *c == '/'))
            put(b, "%c", *c);
        else
            put(b, "%%%02X", *c);
    }
}

typedef struct param {
    const char *name, *value; /* names are unreserved characters only */
} param;

static int by_name(const void *a, const void *b)
{
    return strcmp(((const param *)a)->name, ((const param *)b)->name);
}

/* The authority of origin as the Host header carries it (a default port
 * left out), in *host and *host_len; false when origin is not
 * "http[s]://authority" with nothing after the authority. */
static bool origin_host(const char *origin, const char **host, size_t *host_len)
{
    bool https = g_ascii_strncasecmp(origin, "https://", 8) == 0;
    if (!https && g_ascii_strncasecmp(origin, "http://", 7) != 0)
        return false;
    const char *a = origin + (https ? 8 : 7);
    size_t n = strlen(a);
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)a[i] <= 0x20 || a[i] == 0x7f || strchr("/?#@\\", a[i]) != NULL)
            return false;
    const char *port = https ? ":443" : ":80";
    size_t k = strlen(port);
    if (n > k && strcmp(a + n - k, port) == 0)
        n -= k;
    *host = a, *host_len = n;
    return true;
}

static void hmac(const guint8 *key, gsize key_len, const char *data, guint8 out[32])
{
    GHmac *h = g_hmac_new(G_CHECKSUM_SHA256, key, key_len);
    g_hmac_update(h, (const guchar *)data, (gssize)strlen(data));
    gsize n = 32;
    g_hmac_get_digest(h, out, &n);
    g_hmac_unref(h);
}

/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), "s3"),
 * "aws4_request"). */
static void signing_key(const char *secret, const char *date, const char *region, guint8 k[32])
{
    gchar *k_secret = g_strconcat("AWS4", secret, NULL);
    hmac((const guint8 *)k_secret, strlen(k_secret), date, k);
    explicit_bzero(k_secret, strlen(k_secret));
    g_free(k_secret);
    hmac(k, 32, region, k);
    hmac(k, 32, "s3", k);
    hmac(k, 32, "aws4_request", k);
}

static void feed(GChecksum *sum, const char *s, size_t n)
{
    g_checksum_update(sum, (const guchar *)s, (gssize)n);
}

static int too_long(char *out, size_t size, const char *path, aw_error *err)
{
    if (size > 0)
        out[0] = '\0'; /* never a URL without its signature */
    return aw_error_set(err, AW_CODE_STORAGE_ERROR, "url_too_long",
                        "the presigned URL of %.300s is longer than %zu bytes", path,
                        size > 0 ? size - 1 : 0);
}

int aw_s3_presign_get_url(const aw_s3_presign *p, char *out, size_t size, aw_error *err)
{
    if (size > 0)
        out[0] = '\0';
    if (p->expires_s < 1 || p->expires_s > AW_S3_PRESIGN_MAX_EXPIRES)
        return aw_error_set(err, AW_CODE_STORAGE_ERROR, "bad_expiry",
                            "a presigned URL lasts 1 to %d s, not %d", AW_S3_PRESIGN_MAX_EXPIRES,
                            p->expires_s);
    const char *host;
    size_t host_len;
    if (!origin_host(p->origin, &host, &host_len) || p->path[0] != '/' || p->region[0] == '\0' ||
        p->access_key[0] == '\0')
        return aw_error_set(err, AW_CODE_STORAGE_ERROR, "bad_endpoint",
                            "cannot presign under %.200s (region %.64s)", p->origin, p->region);
    struct tm tm;
    char amz_date[32], date[16], expires[16], scope[256], credential[512];
    if (gmtime_r(&p->now, &tm) == NULL ||
        strftime(amz_date, sizeof amz_date, "%Y%m%dT%H%M%SZ", &tm) != 16 ||
        strftime(date, sizeof date, "%Y%m%d", &tm) != 8)
        return aw_error_set(err, AW_CODE_STORAGE_ERROR, "bad_expiry",
                            "cannot presign at %lld s since 1970", (long long)p->now);
    sbuf sc = {scope, sizeof scope, 0, true}, cr = {credential, sizeof credential, 0, true};
    put(&sc, "%s/%s/s3/aws4_request", date, p->region);
    put(&cr, "%s/%s", p->access_key, scope);
    snprintf(expires, sizeof expires, "%d", p->expires_s);
    if (!sc.ok || !cr.ok)
        return aw_error_set(err, AW_CODE_STORAGE_ERROR, "bad_endpoint",
                            "the region or the access key is too long to presign with");

    param q[6] = {{"X-Amz-Algorithm", ALGORITHM},
                  {"X-Amz-Credential", credential},
                  {"X-Amz-Date", amz_date},
                  {"X-Amz-Expires", expires},
                  {"X-Amz-SignedHeaders", "host"}};
    size_t nq = 5;
    if (p->session_token != NULL && p->session_token[0] != '\0')
        q[nq++] = (param){"X-Amz-Security-Token", p->session_token};
    qsort(q, nq, sizeof q[0], by_name);

    /* The URL up to the signature: origin, canonical URI, canonical query. */
    sbuf u = {out, size, 0, size > 0};
    put(&u, "%s", p->origin);
    size_t uri_at = u.n;
    put_encoded(&u, p->path, true);
    size_t uri_end = u.n;
    put(&u, "?");
    size_t query_at = u.n;
    for (size_t i = 0; i < nq; i++) {
        put(&u, "%s%s=", i > 0 ? "&" : "", q[i].name);
        put_encoded(&u, q[i].value, false);
    }
    size_t query_end = u.n;
    if (!u.ok)
        return too_long(out, size, p->path, err);

    /* Hash of the canonical request. */
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
    feed(sum, "GET\n", 4);
    feed(sum, out + uri_at, uri_end - uri_at);
    feed(sum, "\n", 1);
    feed(sum, out + query_at, query_end - query_at);
    feed(sum, "\nhost:", 6);
    feed(sum, host, host_len);
    const char *tail = "\n\nhost\nUNSIGNED-PAYLOAD";
    feed(sum, tail, strlen(tail));
    gchar *request_hash = g_strdup(g_checksum_get_string(sum));
    g_checksum_free(sum);

    /* The signature of the string to sign. */
    guint8 k[32];
    signing_key(p->secret_key, date, p->region, k);
    GHmac *h = g_hmac_new(G_CHECKSUM_SHA256, k, sizeof k);
    explicit_bzero(k, sizeof k);
    const char *sts[] = {ALGORITHM "\n", amz_date, "\n", scope, "\n", request_hash};
    for (size_t i = 0; i < G_N_ELEMENTS(sts); i++)
        g_hmac_update(h, (const guchar *)sts[i], (gssize)strlen(sts[i]));
    put(&u, "&X-Amz-Signature=%s", g_hmac_get_string(h));
    g_hmac_unref(h);
    g_free(request_hash);
    return u.ok ? AW_OK : too_long(out, size, p->path, err);
}
