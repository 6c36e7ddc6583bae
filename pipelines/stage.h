/* stage.h — a pipeline stage is a const descriptor: which kind of work it
 * does, which media families it accepts, process-wide set-up and per-job run.
 * The registry (registry.c) lists them in pipeline order. */
#ifndef AW_STAGE_H
#define AW_STAGE_H

#include "config.h"
#include "result.h"

#include <stdint.h>

/* What later stages may still do, decided by sniff and scan. */
typedef enum {
    AW_GATE_OPEN,      /* every requested stage runs */
    AW_GATE_SCAN_ONLY, /* type refused: the verdict is still wanted, nothing else */
    AW_GATE_CLOSED,    /* nothing more (empty, missing, too large, infected) */
} aw_gate;

/* One job's context. Its pointers are borrowed from aw_pipeline_run's
 * caller (the job, the config, the paths, the result, whose JSON the
 * caller frees with aw_result_free). A stage frees every per-job handle it
 * opens (images, decoders, documents) before it returns, except what it
 * leaves in `shared` for the next stages of its family; process-wide
 * handles (the ClamAV engine, the libmagic cookie) belong to init_global
 * and exit_global. */
typedef struct aw_ctx {
    const aw_job *job;
    const aw_config *config;
    const char *input_path;
    const char *output_dir;
    aw_result *result;
    uint64_t file_bytes;
    aw_gate gate;
    /* where the job stands, for progress inside a long stage */
    const char *stage_name; /* the running stage's kind name ("preview", …) */
    int stages_done, stages_total;
    /* what one family's stages share within the job (a model opened once
     * for metadata and thumbnail): set by the first stage that needs it,
     * freed with shared_free by aw_pipeline_run when the job ends */
    void *shared;
    void (*shared_free)(void *shared);
} aw_ctx;

typedef struct aw_stage {
    const char *name;   /* for logs: "sniff", "image.thumbnail", … */
    aw_stage_kind kind; /* which request bit runs it, and its name in events */
    unsigned families;  /* aw_family bits it applies to; AW_FAMILY_ANY for all */
    int (*init_global)(const aw_config *cfg, aw_error *err); /* once per process, or NULL */
    void (*exit_global)(void);                               /* or NULL */
    /* Once per job: AW_OK, AW_DECLINED (does not apply), or AW_ERROR with err. */
    int (*execute)(aw_ctx *ctx, aw_error *err);
} aw_stage;

/* The stages in pipeline order, NULL-terminated. */
extern const aw_stage *const aw_stage_registry[];

/* Output file name → storage key "derived/{assetId}/{name}" into buf. */
void aw_ctx_output_key(const aw_ctx *ctx, const char *name, char *buf, size_t size);

/* Reports progress within the running stage (fraction 0–1 of it) as the
 * job's overall percentage through the job's progress callback. */
void aw_ctx_progress(const aw_ctx *ctx, double fraction);

/* The running stage did its work from part of a damaged file: `missing`
 * says what it could not read (filed under the stage; the job is partial). */
void aw_ctx_shortfall(const aw_ctx *ctx, const aw_error *missing);

/* Output file name → local path "{output_dir}/{name}" into buf. */
void aw_ctx_output_path(const aw_ctx *ctx, const char *name, char *buf, size_t size);

/* Size in bytes of a file the stage wrote (0 when it cannot be read). */
long long aw_output_bytes(const char *path);

#endif
