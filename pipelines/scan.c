/* scan.c — virus scan with libclamav. One engine per process, loaded and
 * compiled before executors fork so they share it copy-on-write. Limits are
 * set on the engine; a file over a limit is reported as not clean. */
#include "pipeline.h"
#include "stage.h"

#include <clamav.h>
#include <stdio.h>
#include <string.h>

static struct cl_engine *engine;
static unsigned signature_count;
static char unavailable[400]; /* why there is no engine, reported per job */

static void set_limits(struct cl_engine *e, const aw_limits *l)
{
    cl_engine_set_num(e, CL_ENGINE_MAX_SCANSIZE, (long long)l->scan_max_bytes);
    cl_engine_set_num(e, CL_ENGINE_MAX_FILESIZE, (long long)l->scan_max_file_bytes);
    cl_engine_set_num(e, CL_ENGINE_MAX_RECURSION, l->scan_max_recursion);
    cl_engine_set_num(e, CL_ENGINE_MAX_FILES, l->scan_max_files);
    cl_engine_set_num(e, CL_ENGINE_MAX_SCANTIME, l->scan_max_ms);
}

/* Loads and compiles the database into a new engine; on failure writes why
 * into `unavailable` and leaves `engine` NULL. */
static void load_engine(const aw_config *cfg)
{
    struct cl_engine *e = cl_engine_new();
    if (e == NULL) {
        snprintf(unavailable, sizeof unavailable, "ClamAV: cannot create an engine");
        return;
    }
    set_limits(e, &cfg->limits);
    unsigned sigs = 0;
    cl_error_t rc = cl_load(cfg->clamav_db_dir, e, &sigs, CL_DB_STDOPT);
    if (rc == CL_SUCCESS && sigs == 0)
        rc = CL_EMALFDB;
    if (rc == CL_SUCCESS)
        rc = cl_engine_compile(e);
    if (rc != CL_SUCCESS) {
        snprintf(unavailable, sizeof unavailable,
                 "ClamAV: no usable signature database in %s (%s); install one (freshclam) "
                 "or pass --clamav-db DIR",
                 cfg->clamav_db_dir, sigs == 0 ? "no signatures loaded" : cl_strerror(rc));
        cl_engine_free(e);
        return;
    }
    engine = e;
    signature_count = sigs;
}

/* libclamav prints to stderr unless told otherwise; what matters to a job
 * comes back as return values, which are reported in the job's errors. */
static void clamav_quiet(enum cl_msg severity, const char *fullmsg, const char *msg, void *ctx)
{
    (void)severity, (void)fullmsg, (void)msg, (void)ctx;
}

static int scan_init(const aw_config *cfg, aw_error *err)
{
    unavailable[0] = '\0';
    if (!cfg->scan_enabled)
        return AW_OK; /* libclamav is not even loaded */
    cl_set_clcb_msg(clamav_quiet);
    cl_error_t rc = cl_init(CL_INIT_DEFAULT);
    if (rc != CL_SUCCESS)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "clamav_init", "ClamAV: cl_init: %s",
                            cl_strerror(rc));
    load_engine(cfg);
    return AW_OK;
}

void aw_pipeline_scan_engine(aw_scan_engine *out)
{
    memset(out, 0, sizeof *out);
    out->enabled = engine != NULL || unavailable[0] != '\0';
    out->loaded = engine != NULL;
    out->signatures = signature_count;
    snprintf(out->error, sizeof out->error, "%s", unavailable);
    if (engine == NULL)
        return;
    int rc;
    out->version = (unsigned)cl_engine_get_num(engine, CL_ENGINE_DB_VERSION, &rc);
    out->built = (long long)cl_engine_get_num(engine, CL_ENGINE_DB_TIME, &rc);
}

void aw_scan_database_id(const aw_scan_engine *e, char *out, size_t size)
{
    snprintf(out, size, "v%u/s%u/t%lld", e->version, e->signatures, e->built);
}

static void scan_exit(void)
{
    if (engine != NULL)
        cl_engine_free(engine);
    engine = NULL;
    signature_count = 0;
}

static int report_virus(aw_ctx *ctx, const char *name, aw_error *err)
{
    aw_result *r = ctx->result;
    if (strncmp(name, "Heuristics.Limits.Exceeded", 26) == 0) {
        r->scan_status = AW_SCAN_ERROR;
        return aw_error_set(err, AW_CODE_FILE_TOO_LARGE, "scan_limit",
                            "not fully scanned, so not clean: %s", name);
    }
    r->scan_status = AW_SCAN_INFECTED;
    snprintf(r->scan_signature, sizeof r->scan_signature, "%s", name);
    ctx->gate = AW_GATE_CLOSED;
    return aw_error_set(err, AW_CODE_VIRUS_DETECTED, "infected", "virus found: %s", name);
}

static int scan_run(aw_ctx *ctx, aw_error *err)
{
    if (engine == NULL) {
        ctx->result->scan_status = AW_SCAN_ERROR;
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "scan_unavailable", "%s",
                            unavailable[0] ? unavailable : "ClamAV: engine not initialised");
    }
    struct cl_scan_options opts;
    memset(&opts, 0, sizeof opts);
    opts.parse = ~0u;
    if (!ctx->config->scan_image_hash) /* it decodes images whole, before any pixel limit */
        opts.parse &= ~(unsigned)CL_SCAN_PARSE_IMAGE_FUZZY_HASH;
    opts.general = CL_SCAN_GENERAL_HEURISTICS;
    opts.heuristic = CL_SCAN_HEURISTIC_EXCEEDS_MAX;
    const char *virname = NULL;
    unsigned long scanned = 0;
    aw_scan_engine info;
    aw_pipeline_scan_engine(&info);
    aw_scan_database_id(&info, ctx->result->scan_database, sizeof ctx->result->scan_database);
    cl_error_t rc = cl_scanfile(ctx->input_path, &virname, &scanned, engine, &opts);
    if (rc == CL_CLEAN) {
        ctx->result->scan_status = AW_SCAN_CLEAN;
        return AW_OK;
    }
    if (rc == CL_VIRUS)
        return report_virus(ctx, virname ? virname : "unknown", err);
    ctx->result->scan_status = AW_SCAN_ERROR;
    return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "scan_error", "ClamAV: %s",
                        cl_strerror(rc));
}

const aw_stage aw_stage_scan = {
    .name = "scan",
    .kind = AW_STAGE_SCAN,
    .families = AW_FAMILY_ANY,
    .init_global = scan_init,
    .exit_global = scan_exit,
    .execute = scan_run,
};
