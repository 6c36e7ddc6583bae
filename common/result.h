/* result.h — what the pipeline answers for a job: a result that becomes the
 * asset.job.completed event's data. */
#ifndef AW_RESULT_H
#define AW_RESULT_H

#include "error.h"
#include "job.h"
#include "media.h"

#include <jansson.h>

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
    int shortfalls;             /* errors of stages that did their work from part of the file */
    json_t *recipes;            /* {kind: recipe id} of the kinds that made outputs, or NULL */
    char scan_database[64];     /* the ClamAV database that scanned ("" when none) */
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

/* The same for a stage that still did its work, from what could be read of
 * a damaged file: err says what is missing. Counted: the job is partial. */
void aw_result_add_shortfall(aw_result *r, const char *stage, const aw_error *err);

/* The metadata section `name` ("technical", "descriptive", "extracted",
 * "processing"), created empty on first use. Borrowed reference. */
json_t *aw_result_section(aw_result *r, const char *name);

/* The asset.job.completed data: {jobId, assetId, status, scanStatus,
 * signature?, mimeType, variants, metadata, errors, timings}. New reference. */
json_t *aw_result_to_json(const aw_result *r, const aw_job *job);

/* The event names of a result's status ("completed", "partial", "failed")
 * and scan status ("PENDING", "CLEAN", "INFECTED", "ERROR"). */
const char *aw_result_status_name(aw_job_status s);
const char *aw_result_scan_status_name(aw_scan_status s);

#endif
