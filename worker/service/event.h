/* event.h — the service's CloudEvents (DESIGN §3): input events decoded and
 * validated (binary or structured mode), output event data built, and the
 * deterministic ids that let the API tier drop duplicates. Transport-free:
 * the Kafka layer hands in headers and payload. */
#ifndef AW_EVENT_H
#define AW_EVENT_H

#include "error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AW_TYPE_UPLOAD "asset.upload.confirmed"
#define AW_TYPE_REGENERATE "asset.regenerate.requested"
#define AW_TYPE_PROGRESS "asset.job.progress"
#define AW_TYPE_SCAN "asset.scan.completed"
#define AW_TYPE_COMPLETED "asset.job.completed"

/* CloudEvents attributes from binary-mode headers (any may be NULL). */
typedef struct aw_ce_headers {
    const char *specversion, *id, *type, *source, *content_type, *traceparent;
} aw_ce_headers;

typedef enum { AW_EVENT_UPLOAD, AW_EVENT_REGENERATE } aw_event_kind;

typedef struct aw_input_event {
    aw_event_kind kind;
    char ce_id[160];
    char ce_source[256];
    char traceparent[64]; /* "" when absent or malformed */
    char job_id[130];     /* derived for uploads, given for regenerate */
    char asset_id[130];
    char storage_key[1025];
    char mime[128];
    int64_t file_size; /* -1 when not given (regenerate) */
    unsigned stages;   /* aw_stage_kind bits, scan and sniff always in */
    bool outdated;     /* regenerate "outdated": add the stages whose recipe changed */
} aw_input_event;

/* Decodes one input message. Structured mode when the content type is
 * application/cloudevents+json (or no ce_type header and the payload has
 * "specversion"), binary mode otherwise. AW_ERROR with
 * ASSET_INVALID_METADATA (reason: not_json, bad_envelope, unknown_type,
 * missing_field, bad_field) or ASSET_INVALID_FILE_TYPE (disallowed MIME). */
int aw_event_decode(const void *payload, size_t len, const aw_ce_headers *h, aw_input_event *out,
                    aw_error *err);

/* 32 hex characters of SHA-256 over the parts, joined by '\n'. */
void aw_event_hash(char out[33], const char *const *parts, int n);

/* Deterministic output event id: hash(jobId, type, discriminator). */
void aw_event_id(char out[33], const char *job_id, const char *type, const char *discriminator);

/* Output event data (new references). */
json_t *aw_event_progress(const char *job_id, const char *asset_id, const char *stage, int percent,
                          const char *status);
json_t *aw_event_scan_completed(json_t *job_completed);

/* 2*bytes random hex digits into out; a new event id and W3C traceparent. */
void aw_event_random_hex(char *out, size_t bytes);
void aw_event_new_trace(char id[33], char traceparent[56]);

/* True when s is a W3C traceparent: 00-<32 hex>-<16 hex>-<2 hex>. */
int aw_traceparent_valid(const char *s);

#endif
