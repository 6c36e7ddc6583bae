/* pipeline.c — runs the registry's stages over one file and decides the
 * job's status. */
#include "pipeline.h"

#include "image.h"
#include "recipe.h"
#include "setup_clock.h"
#include "stage.h"
#include "timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Which stages' process-wide set-up ran, in registry order. Sniff and scan
 * are set up by aw_pipeline_init (the zygote's ClamAV engine is what its
 * executors share); every other stage on the first job that runs it, so a
 * process loads libvips, FFmpeg, poppler or OSMesa only when a file needs
 * them (common/lazy.h). */
#define STAGES_MAX 32
static bool stage_ready[STAGES_MAX];

static bool is_eager(const aw_stage *s)
{
    return s->kind == AW_STAGE_SNIFF || s->kind == AW_STAGE_SCAN;
}

/* The registry entry's place in stage_ready (a registry longer than that
 * is a programming error). */
static size_t stage_index(const aw_stage *const *s)
{
    size_t i = (size_t)(s - aw_stage_registry);
    if (i >= STAGES_MAX)
        abort();
    return i;
}

/* Stages that make pictures (thumbnails of every family) hand them to
 * libvips, which must be set up first: with its loaders restricted to the
 * accepted formats, even for cover art or an Office file's embedded
 * picture in a process that has seen no image yet. The waveform's PNG is
 * written with zlib alone (waveform_png.c): it needs no libvips. */
static bool makes_pictures(const aw_stage *s)
{
    return s->kind == AW_STAGE_THUMBNAIL;
}

/* The stage's set-up, once per process. */
static int prepare(const aw_stage *const *s, const aw_config *cfg, aw_error *err)
{
    size_t i = stage_index(s);
    if (stage_ready[i])
        return AW_OK;
    aw_setup_clock_start();
    int rc = AW_OK;
    if (makes_pictures(*s))
        rc = aw_image_setup(cfg, err);
    if (rc == AW_OK && (*s)->init_global != NULL)
        rc = (*s)->init_global(cfg, err);
    aw_setup_clock_stop();
    stage_ready[i] = rc == AW_OK;
    return rc;
}

int aw_pipeline_init(const aw_config *cfg, aw_error *err)
{
    for (const aw_stage *const *s = aw_stage_registry; *s != NULL; s++) {
        if (is_eager(*s) && prepare(s, cfg, err) != AW_OK) {
            aw_pipeline_shutdown();
            return AW_ERROR;
        }
    }
    return AW_OK;
}

bool aw_pipeline_forget_job(char *why, size_t size)
{
    return aw_image_forget_job(why, size);
}

void aw_pipeline_shutdown(void)
{
    for (const aw_stage *const *s = aw_stage_registry; *s != NULL; s++) {
        size_t i = stage_index(s);
        if (stage_ready[i] && (*s)->exit_global != NULL)
            (*s)->exit_global();
        stage_ready[i] = false;
    }
}

void aw_ctx_output_key(const aw_ctx *ctx, const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "derived/%s/%s", ctx->job->asset_id, name);
}

void aw_ctx_output_path(const aw_ctx *ctx, const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", ctx->output_dir, name);
}

long long aw_output_bytes(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

void aw_ctx_progress(const aw_ctx *ctx, double fraction)
{
    if (ctx->job->on_progress == NULL || ctx->stages_total <= 0)
        return;
    fraction = fraction < 0 ? 0 : fraction > 1 ? 1 : fraction;
    double percent = 100.0 * (ctx->stages_done + fraction) / ctx->stages_total;
    ctx->job->on_progress(ctx->job->progress_ctx, ctx->stage_name, (int)percent);
}

void aw_ctx_shortfall(const aw_ctx *ctx, const aw_error *missing)
{
    aw_result_add_shortfall(ctx->result, ctx->stage_name, missing);
}

/* True when stage s should run for this job at this point. */
static bool stage_applies(const aw_stage *s, const aw_ctx *ctx)
{
    if (s->kind == AW_STAGE_SNIFF)
        return true;
    if ((ctx->job->stages & s->kind) == 0 || ctx->gate == AW_GATE_CLOSED)
        return false;
    if (s->kind == AW_STAGE_SCAN)
        return ctx->config->scan_enabled; /* off only when asked for (--no-scan) */
    if (ctx->gate == AW_GATE_SCAN_ONLY)
        return false;
    return ctx->result->media != NULL && (s->families & ctx->result->media->family) != 0;
}

/* How many stages from `from` on would run, as things stand. */
static int count_applicable(const aw_ctx *ctx, const aw_stage *const *from)
{
    int n = 0;
    for (const aw_stage *const *s = from; *s != NULL; s++)
        n += stage_applies(*s, ctx);
    return n;
}

/* processing.{kind}Generated / …At, for the kinds seed 003 tracks. */
static void mark_processing(aw_result *r, aw_stage_kind kind)
{
    const char *flag = NULL, *at = NULL;
    if (kind == AW_STAGE_THUMBNAIL)
        flag = "thumbnailGenerated", at = "thumbnailGeneratedAt";
    else if (kind == AW_STAGE_PREVIEW)
        flag = "previewGenerated", at = "previewGeneratedAt";
    else if (kind == AW_STAGE_METADATA)
        flag = "metadataExtracted", at = "metadataExtractedAt";
    if (flag == NULL)
        return;
    char now[40];
    aw_time_iso8601(now, sizeof now);
    json_t *processing = aw_result_section(r, "processing");
    json_object_set_new(processing, flag, json_true());
    json_object_set_new(processing, at, json_string(now));
}

static void record_timing(aw_result *r, const aw_stage *s, double ms, int outcome)
{
    if (r->timing_count >= AW_MAX_TIMINGS)
        return;
    r->timings[r->timing_count++] = (aw_stage_timing){s->name, ms, outcome};
}

static void report_progress(const aw_job *job, const char *stage, int percent)
{
    if (job->on_progress != NULL)
        job->on_progress(job->progress_ctx, stage, percent);
}

/* Runs one stage (set up first if this is its first job) and files its
 * outcome. Returns the stage's answer. */
static int run_stage(const aw_stage *const *entry, aw_ctx *ctx)
{
    const aw_stage *s = *entry;
    aw_error err;
    aw_error_clear(&err);
    double start = aw_time_mono_ms();
    int rc = prepare(entry, ctx->config, &err);
    if (rc == AW_OK)
        rc = s->execute(ctx, &err);
    record_timing(ctx->result, s, aw_time_mono_ms() - start, rc);
    if (rc == AW_ERROR) {
        if (err.code == AW_CODE_NONE)
            aw_error_set(&err, AW_CODE_PROCESSING_FAILED, "internal",
                         "stage %s failed without saying why", s->name);
        aw_result_add_error(ctx->result, aw_stage_kind_name(s->kind), &err);
    } else if (rc == AW_OK) {
        mark_processing(ctx->result, s->kind);
    }
    return rc;
}

/* Outcomes of the stages that ran, other than sniff. */
typedef struct tally {
    int content_ok, content_failed; /* metadata, thumbnail, preview, waveform */
    int scan_failed;
    unsigned made; /* kinds whose stage succeeded */
} tally;

static void count_outcome(tally *t, const aw_stage *s, int rc)
{
    if (rc == AW_OK)
        t->made |= s->kind;
    if (s->kind == AW_STAGE_SNIFF)
        return;
    if (s->kind == AW_STAGE_SCAN)
        t->scan_failed += rc == AW_ERROR;
    else if (rc == AW_OK)
        t->content_ok++;
    else if (rc == AW_ERROR)
        t->content_failed++;
}

/* failed: refused by sniff or scan, or nothing that was asked for worked;
 * partial: something failed, or worked from part of a damaged file, but
 * something worked; else completed. */
static aw_job_status decide_status(const aw_ctx *ctx, const tally *t)
{
    if (ctx->gate != AW_GATE_OPEN || ctx->result->scan_status == AW_SCAN_INFECTED)
        return AW_JOB_FAILED;
    if (t->content_ok == 0 && (t->content_failed > 0 || t->scan_failed > 0))
        return AW_JOB_FAILED;
    int short_of = t->content_failed + t->scan_failed + ctx->result->shortfalls;
    return short_of > 0 ? AW_JOB_PARTIAL : AW_JOB_COMPLETED;
}

/* Every output and the job say which recipe made them (recipe.h). */
static void label_recipes(aw_result *r, const aw_config *cfg, unsigned made)
{
    r->recipes = aw_recipe_ids(made, cfg);
    if (json_object_size(r->recipes) == 0) {
        json_decref(r->recipes);
        r->recipes = NULL;
        return;
    }
    json_t *thumbs = json_object_get(r->variants, "thumbnails"), *t;
    const char *size;
    json_object_foreach(thumbs, size, t)
        json_object_set(t, "recipe", json_object_get(r->recipes, "thumbnail"));
    json_t *preview = json_object_get(r->variants, "previews");
    if (json_object_get(preview, "key") != NULL && json_object_get(r->recipes, "preview"))
        json_object_set(preview, "recipe", json_object_get(r->recipes, "preview"));
    json_t *wave = json_object_get(r->variants, "waveform");
    if (wave != NULL && json_object_get(r->recipes, "waveform"))
        json_object_set(wave, "recipe", json_object_get(r->recipes, "waveform"));
}

static void init_processing(aw_result *r)
{
    json_t *processing = aw_result_section(r, "processing");
    json_object_set_new(processing, "thumbnailGenerated", json_false());
    json_object_set_new(processing, "previewGenerated", json_false());
    json_object_set_new(processing, "metadataExtracted", json_false());
}

int aw_pipeline_run(const aw_job *job, const aw_config *cfg, const char *input_path,
                    const char *output_dir, aw_result *result)
{
    if (aw_result_init(result) != AW_OK)
        return AW_ERROR;
    aw_image_reset_warnings(); /* a failed tile of an earlier job is not this one's */
    init_processing(result);
    aw_ctx ctx = {.job = job,
                  .config = cfg,
                  .input_path = input_path,
                  .output_dir = output_dir,
                  .result = result,
                  .gate = AW_GATE_OPEN};
    double start = aw_time_mono_ms();
    int done = 0;
    tally t = {0};
    for (const aw_stage *const *s = aw_stage_registry; *s != NULL; s++) {
        if (!stage_applies(*s, &ctx))
            continue;
        int total = done + count_applicable(&ctx, s);
        ctx.stage_name = aw_stage_kind_name((*s)->kind);
        ctx.stages_done = done, ctx.stages_total = total;
        report_progress(job, ctx.stage_name, total ? 100 * done / total : 0);
        count_outcome(&t, *s, run_stage(s, &ctx));
        done++;
    }
    if (ctx.shared_free != NULL)
        ctx.shared_free(ctx.shared);
    result->status = decide_status(&ctx, &t);
    label_recipes(result, cfg, t.made);
    result->total_ms = aw_time_mono_ms() - start;
    report_progress(job, "done", 100);
    return AW_OK;
}
