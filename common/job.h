/* job.h — what the pipeline is asked to do (a job) and what it answers (a
 * result that becomes the asset.job.completed event's data). */
#ifndef AW_JOB_H
#define AW_JOB_H

#include "error.h"
#include "media.h"

#include <jansson.h>
#include <stdbool.h>

/* The stages of DESIGN §4, as bits of a job's request. Sniff always runs. */
typedef enum {
    AW_STAGE_SNIFF = 1 << 0,
    AW_STAGE_SCAN = 1 << 1,
    AW_STAGE_METADATA = 1 << 2,
    AW_STAGE_THUMBNAIL = 1 << 3,
    AW_STAGE_PREVIEW = 1 << 4,
    AW_STAGE_WAVEFORM = 1 << 5,
} aw_stage_kind;

#define AW_STAGES_ALL 0x3fu

/* "sniff", "scan", "metadata", "thumbnail", "preview", "waveform". */
const char *aw_stage_kind_name(aw_stage_kind kind);

/* Parses "scan,metadata,thumbnail" (or "all") into stage bits, sniff added.
 * Returns AW_OK, or AW_ERROR with err naming the unknown word. */
int aw_stage_mask_parse(const char *list, unsigned *mask, aw_error *err);

/* True for ids safe in storage keys and file names: 1–128 characters of
 * [A-Za-z0-9._-], not starting with '.'. */
bool aw_id_valid(const char *id);

/* A valid id from a file name: directory and extension dropped, characters
 * outside [A-Za-z0-9._-] as '-', a leading '.' or nothing as 'a', at most
 * 128 characters. buf holds at least 129 bytes. */
void aw_id_from_name(const char *path, char *buf, size_t size);

typedef void (*aw_progress_fn)(void *ctx, const char *stage, int percent);

typedef struct aw_job {
    const char *job_id;
    const char *asset_id;      /* also names the output keys derived/{assetId}/… */
    const char *declared_mime; /* what the uploader said; NULL or "" = trust the content */
    unsigned stages;           /* aw_stage_kind bits */
    aw_progress_fn on_progress; /* optional: stage boundaries, 0–100 */
    void *progress_ctx;
} aw_job;

typedef enum { AW_JOB_COMPLETED, AW_JOB_PARTIAL, AW_JOB_FAILED } aw_job_status;

/* Seed 003 ScanStatus. PENDING means "not scanned" (scan not requested). */
typedef enum { AW_SCAN_PENDING, AW_SCAN_CLEAN, AW_SCAN_INFECTED, AW_SCAN_ERROR } aw_scan_status;

typedef struct aw_stage_timing {
    const char *stage;
    double ms;
    int outcome; /* AW_OK, AW_ERROR or AW_DECLINED */
} aw_stage_timing;

#define AW_MAX_TIMINGS 16

typedef struct aw_result {
    aw_job_status status;
    aw_scan_status scan_status;
    char scan_signature[128];
    const aw_media_type *media; /* the real type, once sniffed */
    char sniffed_mime[96];      /* libmagic's answer, verbatim */
    json_t *variants;           /* AssetVariantsResponse shape, storage keys */
    json_t *metadata;           /* AssetMetadataResponse shape */
    json_t *errors;             /* [{stage, code, reason, message}] */
    aw_stage_timing timings[AW_MAX_TIMINGS];
    int timing_count;
    double total_ms;
} aw_result;

/* Empty result: status completed, scan PENDING, empty variants/metadata. */
int aw_result_init(aw_result *r);

/* Frees the JSON trees; the struct may be re-initialised. Accepts NULL. */
void aw_result_free(aw_result *r);

/* Appends {stage, code, reason, message} to r->errors. */
void aw_result_add_error(aw_result *r, const char *stage, const aw_error *err);

/* The metadata section `name` ("technical", "descriptive", "extracted",
 * "processing"), created empty on first use. Borrowed reference. */
json_t *aw_result_section(aw_result *r, const char *name);

/* The asset.job.completed data: {jobId, assetId, status, scanStatus,
 * signature?, mimeType, variants, metadata, errors, timings}. New reference. */
json_t *aw_result_to_json(const aw_result *r, const aw_job *job);

const char *aw_job_status_name(aw_job_status s);
const char *aw_scan_status_name(aw_scan_status s);

#endif
