/* scan_engine.c — this process's ClamAV engine (scan.h): loaded and
 * compiled once; limits set on the engine, so a file over a limit comes
 * back as the heuristic "Heuristics.Limits.Exceeded", not as clean. In a
 * zygote that uses a scanner process there is no engine here, only what the
 * scanner reported of its own. */
#include "scan.h"

#include <clamav.h>
#include <stdio.h>
#include <string.h>

static struct cl_engine *engine;
static unsigned signature_count;
static char unavailable[400]; /* why there is no engine, reported per job */
static bool remote;           /* aw_scan_use_scanner() */
static aw_scan_engine remote_engine;

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

int aw_scan_engine_load(const aw_config *cfg, aw_error *err)
{
    unavailable[0] = '\0';
    cl_set_clcb_msg(clamav_quiet);
    cl_error_t rc = cl_init(CL_INIT_DEFAULT);
    if (rc != CL_SUCCESS)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "clamav_init", "ClamAV: cl_init: %s",
                            cl_strerror(rc));
    load_engine(cfg);
    return AW_OK;
}

void aw_scan_use_scanner(void)
{
    remote = true;
}

bool aw_scan_remote(void)
{
    return remote;
}

void aw_scan_set_engine(const aw_scan_engine *e)
{
    remote_engine = *e;
}

void aw_pipeline_scan_engine(aw_scan_engine *out)
{
    if (remote) {
        *out = remote_engine;
        return;
    }
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

void aw_scan_descriptor(int fd, const aw_config *cfg, aw_scan_verdict *v)
{
    memset(v, 0, sizeof *v);
    if (engine == NULL) {
        v->rc = CL_ENULLARG;
        snprintf(v->message, sizeof v->message, "%s",
                 unavailable[0] ? unavailable : "ClamAV: engine not initialised");
        return;
    }
    struct cl_scan_options opts;
    memset(&opts, 0, sizeof opts);
    opts.parse = ~0u;
    if (!cfg->scan_image_hash) /* it decodes images whole, before any pixel limit */
        opts.parse &= ~(unsigned)CL_SCAN_PARSE_IMAGE_FUZZY_HASH;
    opts.general = CL_SCAN_GENERAL_HEURISTICS;
    opts.heuristic = CL_SCAN_HEURISTIC_EXCEEDS_MAX;
    const char *virname = NULL;
    unsigned long scanned = 0;
    v->rc = cl_scandesc(fd, NULL, &virname, &scanned, engine, &opts);
    if (v->rc == CL_VIRUS)
        snprintf(v->virus, sizeof v->virus, "%s", virname ? virname : "unknown");
}

const char *aw_scan_strerror(int rc)
{
    return cl_strerror((cl_error_t)rc);
}

void aw_scan_engine_free(void)
{
    if (engine != NULL)
        cl_engine_free(engine);
    engine = NULL;
    signature_count = 0;
}
