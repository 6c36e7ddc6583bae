/* storage.h — object storage as the supervisor sees it: get an object into a
 * local spool file (bounded), put a local file at a key. Backends behind one
 * vtable: file:///abs/dir and s3://bucket[/prefix]. Backends are safe to call
 * from several threads at once (the transfer pool, transfers.h).
 * Two optional operations let the console hand out an object without
 * copying it: a presigned GET URL (s3:// only) and the object's local path
 * (file:// only); a backend without one answers "unsupported". */
#ifndef AW_STORAGE_H
#define AW_STORAGE_H

#include "error.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef struct aw_storage aw_storage;

typedef struct aw_storage_ops {
    const char *scheme;
    /* Copies the object at key into dest_path. ASSET_NOT_FOUND when absent,
     * ASSET_FILE_TOO_LARGE past max_bytes (without reading the rest),
     * ASSET_STORAGE_ERROR otherwise (err->retriable when a retry may help). */
    int (*get)(aw_storage *s, const char *key, const char *dest_path, uint64_t max_bytes,
               char sha256_hex[65], aw_error *err);
    /* Stores src_path at key durably (the call returns once it is). */
    int (*put)(aw_storage *s, const char *key, const char *src_path, const char *content_type,
               aw_error *err);
    /* Optional (NULL when the backend has none; s3:// has it): writes into out
     * a URL that lets anyone GET the object at key, without credentials, for
     * expires_s seconds (1..604800) from now. AWS Signature Version 4 query
     * parameters; the URL addresses the object exactly as get does. */
    int (*presign_get)(aw_storage *s, const char *key, int expires_s, time_t now, char *out,
                       size_t size, aw_error *err);
    /* Optional (NULL when the backend has none; file:// has it): writes into
     * out the absolute path the object at key has (or would have) under the
     * backend's root, without checking that it exists. */
    int (*local_path)(aw_storage *s, const char *key, char *out, size_t size, aw_error *err);
    /* Copies the object at src_key to dst_key on the storage's side (S3
     * CopyObject; a hard link, or a copy, on a filesystem), durable when it
     * returns. ASSET_NOT_FOUND when src_key is absent. */
    int (*copy)(aw_storage *s, const char *src_key, const char *dst_key, aw_error *err);
    void (*destroy)(aw_storage *s);
} aw_storage_ops;

struct aw_storage {
    const aw_storage_ops *ops;
    atomic_bool cancelled; /* set by aw_storage_cancel(); backends check it per chunk */
};

/* Opens the backend named by url ("file:///abs/dir"). NULL with err when the
 * url is not understood or the directory cannot be used. */
aw_storage *aw_storage_open(const char *url, aw_error *err);

/* sha256_hex (may be NULL) gets the lowercase hex SHA-256 of the bytes, computed
 * while they are written to dest: no second read. */
static inline int aw_storage_get(aw_storage *s, const char *key, const char *dest,
                                 uint64_t max_bytes, char sha256_hex[65], aw_error *err)
{
    if (sha256_hex != NULL)
        sha256_hex[0] = '\0';
    return s->ops->get(s, key, dest, max_bytes, sha256_hex, err);
}

static inline int aw_storage_copy(aw_storage *s, const char *src_key, const char *dst_key,
                                  aw_error *err)
{
    return s->ops->copy(s, src_key, dst_key, err);
}

static inline int aw_storage_put(aw_storage *s, const char *key, const char *src,
                                 const char *content_type, aw_error *err)
{
    return s->ops->put(s, key, src, content_type, err);
}

/* A presigned GET URL for the object at key (s3:// only), valid expires_s
 * seconds (1..604800, S3's limit) from now, which is the signing time: pass
 * time(NULL). The backend's prefix is applied and the URL has the form its
 * gets use (AWS_ENDPOINT_URL path style, AW_S3_PATH_STYLE, virtual-hosted
 * otherwise), signed with the backend's credentials and region; it carries
 * X-Amz-Security-Token when AWS_SESSION_TOKEN is set. Whoever holds the URL
 * can read the object until it expires: hand it only to its owner. Errors
 * (ASSET_STORAGE_ERROR; out is then ""): "unsupported" on a backend
 * without presigning, "invalid_key" (aw_storage_key_safe), "bad_expiry",
 * "url_too_long" when the URL does not fit in size bytes. */
static inline int aw_storage_presign_get(aw_storage *s, const char *key, int expires_s, time_t now,
                                         char *out, size_t size, aw_error *err)
{
    int rc = s->ops->presign_get != NULL
                 ? s->ops->presign_get(s, key, expires_s, now, out, size, err)
                 : aw_error_set(err, AW_CODE_STORAGE_ERROR, "unsupported",
                                "%s:// storage cannot presign URLs", s->ops->scheme);
    if (rc != AW_OK && size > 0)
        out[0] = '\0';
    return rc;
}

/* The absolute path of the object at key under the storage root (file://
 * only), for serving it with sendfile(2): root + "/" + key. It does not check
 * that the object exists; open it with O_NOFOLLOW, as get does. Errors
 * (ASSET_STORAGE_ERROR; out is then ""): "unsupported" on a backend
 * without local files,
 * "invalid_key" for a key aw_storage_key_safe refuses, "key_too_long" when
 * the path does not fit in size bytes. */
static inline int aw_storage_local_path(aw_storage *s, const char *key, char *out, size_t size,
                                        aw_error *err)
{
    int rc = s->ops->local_path != NULL
                 ? s->ops->local_path(s, key, out, size, err)
                 : aw_error_set(err, AW_CODE_STORAGE_ERROR, "unsupported",
                                "%s:// storage has no local files", s->ops->scheme);
    if (rc != AW_OK && size > 0)
        out[0] = '\0';
    return rc;
}

void aw_storage_close(aw_storage *s);

/* Makes every request under way, and every later one, stop at its next
 * chunk with a retriable error: for shutting down. */
static inline void aw_storage_cancel(aw_storage *s)
{
    atomic_store(&s->cancelled, true);
}

static inline bool aw_storage_cancelled(aw_storage *s)
{
    return atomic_load(&s->cancelled);
}

/* True for keys a filesystem may hold: relative, no "." or ".." segment, no
 * empty segment, no control characters, at most 1024 bytes. */
int aw_storage_key_safe(const char *key);

#endif
