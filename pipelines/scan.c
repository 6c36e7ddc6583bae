/* scan.c — the scan stage: the job's file through ClamAV (scan.h says where
 * the engine lives), the verdict into the result. Any answer but clean is
 * not clean: an infected file closes the gate, a file over a limit is
 * reported as not fully scanned. */
#include "pipeline.h"
#include "scan.h"
#include "stage.h"

#include <clamav.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int scan_init(const aw_config *cfg, aw_error *err)
{
    if (!cfg->scan_enabled || aw_scan_remote())
        return AW_OK; /* libclamav is not even loaded here */
    return aw_scan_engine_load(cfg, err);
}

static void scan_exit(void)
{
    aw_scan_engine_free();
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

/* The job's file through this process's engine or the scan process. */
static void scan_file(const aw_ctx *ctx, aw_scan_verdict *v)
{
    int fd = open(ctx->input_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        memset(v, 0, sizeof *v);
        v->rc = CL_EOPEN;
        return;
    }
    if (aw_scan_remote())
        aw_scan_remotely(fd, getenv("TMPDIR"), v);
    else
        aw_scan_descriptor(fd, ctx->config, v);
    close(fd);
}

static int scan_run(aw_ctx *ctx, aw_error *err)
{
    aw_scan_engine info;
    aw_pipeline_scan_engine(&info);
    aw_scan_database_id(&info, ctx->result->scan_database, sizeof ctx->result->scan_database);
    aw_scan_verdict v;
    scan_file(ctx, &v);
    if (v.rc == CL_CLEAN) {
        ctx->result->scan_status = AW_SCAN_CLEAN;
        return AW_OK;
    }
    if (v.rc == CL_VIRUS)
        return report_virus(ctx, v.virus, err);
    ctx->result->scan_status = AW_SCAN_ERROR;
    if (v.message[0] != '\0')
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "scan_unavailable", "%s", v.message);
    return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "scan_error", "ClamAV: %s",
                        aw_scan_strerror(v.rc));
}

const aw_stage aw_stage_scan = {
    .name = "scan",
    .kind = AW_STAGE_SCAN,
    .families = AW_FAMILY_ANY,
    .init_global = scan_init,
    .exit_global = scan_exit,
    .execute = scan_run,
};
