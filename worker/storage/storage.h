/* storage.h — object storage as the supervisor sees it: get an object into a
 * local spool file (bounded), put a local file at a key. Backends behind one
 * vtable: file:///abs/dir and s3://bucket[/prefix]. Backends are safe to call
 * from several threads at once (the transfer pool, transfers.h). */
#ifndef AW_STORAGE_H
#define AW_STORAGE_H

#include "error.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct aw_storage aw_storage;

typedef struct aw_storage_ops {
    const char *scheme;
    /* Copies the object at key into dest_path. ASSET_NOT_FOUND when absent,
     * ASSET_FILE_TOO_LARGE past max_bytes (without reading the rest),
     * ASSET_STORAGE_ERROR otherwise (err->retriable when a retry may help). */
    int (*get)(aw_storage *s, const char *key, const char *dest_path, uint64_t max_bytes,
               aw_error *err);
    /* Stores src_path at key durably (the call returns once it is). */
    int (*put)(aw_storage *s, const char *key, const char *src_path, const char *content_type,
               aw_error *err);
    void (*destroy)(aw_storage *s);
} aw_storage_ops;

struct aw_storage {
    const aw_storage_ops *ops;
    atomic_bool cancelled; /* set by aw_storage_cancel(); backends check it per chunk */
};

/* Opens the backend named by url ("file:///abs/dir"). NULL with err when the
 * url is not understood or the directory cannot be used. */
aw_storage *aw_storage_open(const char *url, aw_error *err);

static inline int aw_storage_get(aw_storage *s, const char *key, const char *dest,
                                 uint64_t max_bytes, aw_error *err)
{
    return s->ops->get(s, key, dest, max_bytes, err);
}

static inline int aw_storage_put(aw_storage *s, const char *key, const char *src,
                                 const char *content_type, aw_error *err)
{
    return s->ops->put(s, key, src, content_type, err);
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
