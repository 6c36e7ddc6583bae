/* transfers.h — storage requests off the supervisor's loop. A fixed set of
 * threads runs GETs, PUTs and server-side COPYs on the backend (blocking calls, streaming
 * between the store and spool files); each finished request comes back on
 * a queue whose eventfd the loop polls, so the loop never waits for storage
 * and several requests are in flight at once. Retries and backoff stay with
 * the caller: a transfer is one attempt. */
#ifndef AW_TRANSFERS_H
#define AW_TRANSFERS_H

#include "storage.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct aw_transfers aw_transfers;

typedef enum { AW_TRANSFER_GET, AW_TRANSFER_PUT, AW_TRANSFER_COPY } aw_transfer_kind;

typedef struct aw_transfer {
    struct aw_transfer *next; /* the pool's queues */
    aw_transfer_kind kind;
    void *owner;        /* whom the caller hands the outcome to */
    char *key, *path;   /* the object and its spool file (NULL for a COPY) */
    char *src_key;      /* COPY: the object copied to key */
    char *content_type; /* PUT: NULL for application/octet-stream */
    uint64_t max_bytes; /* GET: larger objects fail with ASSET_FILE_TOO_LARGE */
    /* the outcome */
    int rc;          /* AW_OK or AW_ERROR (err) */
    char sha256[65]; /* GET: hex SHA-256 of the bytes, hashed as they arrived */
    aw_error err;
    bool ran;                                  /* false when the pool stopped before it started */
    double queued_ms, started_ms, finished_ms; /* monotonic */
} aw_transfer;

aw_transfer *aw_transfer_new(aw_transfer_kind kind, void *owner, const char *key, const char *path,
                             const char *content_type, uint64_t max_bytes);
aw_transfer *aw_transfer_new_copy(void *owner, const char *src_key, const char *dst_key);
void aw_transfer_free(aw_transfer *t);

/* Starts threads workers over s (which must outlive the pool). */
aw_transfers *aw_transfers_new(aw_storage *s, int threads, aw_error *err);

/* Queues t; the pool owns it until aw_transfers_next_done() returns it. */
void aw_transfers_submit(aw_transfers *p, aw_transfer *t);

/* Readable when finished transfers wait. */
int aw_transfers_fd(const aw_transfers *p);

/* A finished transfer (the caller owns it again), or NULL. */
aw_transfer *aw_transfers_next_done(aw_transfers *p);

/* Cancels what runs (the backend stops at its next chunk with a retriable
 * error), drops what waits (ran false), joins the threads and frees the
 * pool with every transfer not taken back. */
void aw_transfers_free(aw_transfers *p);

#endif
