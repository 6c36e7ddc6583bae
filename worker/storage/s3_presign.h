/* s3_presign.h — AWS Signature Version 4 by query parameters: the presigned
 * URL of one S3 GET, for s3.c's presign_get. Internal to worker/storage/.
 * Pure: no environment, no clock, no network (the unit tests pin it to AWS's
 * documented example). */
#ifndef AW_S3_PRESIGN_H
#define AW_S3_PRESIGN_H

#include "error.h"

#include <stddef.h>
#include <time.h>

#define AW_S3_PRESIGN_MAX_EXPIRES 604800 /* seven days, S3's limit */

typedef struct aw_s3_presign {
    const char *origin; /* "http[s]://host[:port]": no path, no user, no query */
    const char *path;   /* the object's path after the origin, not encoded:
                           "/bucket/prefix/a b.txt" or "/prefix/a b.txt" */
    const char *region; /* of the credential scope: "us-east-1" */
    const char *access_key, *secret_key;
    const char *session_token; /* NULL (or "") without one */
    int expires_s;             /* 1..AW_S3_PRESIGN_MAX_EXPIRES */
    time_t now;                /* the signing time, X-Amz-Date */
} aw_s3_presign;

/* Writes origin + the canonical URI + "?" + the canonical query +
 * "&X-Amz-Signature=…" into out (size bytes). The canonical URI is the path
 * with each byte outside RFC 3986's unreserved set percent-encoded (upper
 * case hex), the '/' between segments kept, encoded once (S3 does not
 * double-encode); the query holds X-Amz-Algorithm, -Credential, -Date,
 * -Expires, -Security-Token (with a session token) and -SignedHeaders=host,
 * sorted; the payload is UNSIGNED-PAYLOAD. The host signed is the origin's
 * authority less a default port (:443 for https, :80 for http), the Host
 * header an HTTP client sends. ASSET_STORAGE_ERROR ("bad_expiry",
 * "bad_endpoint", "url_too_long"; out is then "") when it cannot. */
int aw_s3_presign_get_url(const aw_s3_presign *p, char *out, size_t size, aw_error *err);

#endif
