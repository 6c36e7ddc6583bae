/* image.c — the image family with libvips: header metadata (+ EXIF, XMP,
 * SVG title) and thumbnails small/medium/large from one decode. Only the
 * loaders of accepted formats are enabled; all others are blocked. */
#include "image.h"

#include "image_peek.h"
#include "tiff_rgba.h"

#include <libxml/parser.h>
#include <stdio.h>
#include <string.h>
#include <vips/vips.h>

/* The loaders we allow. Everything else under VipsForeignLoad (magick,
 * matload, fits, openslide, csv, raw, vips, …) stays blocked. */
static const char *const allowed_loaders[] = {
    "VipsForeignLoadJpeg", "VipsForeignLoadPng", "VipsForeignLoadNsgif", "VipsForeignLoadWebp",
    "VipsForeignLoadTiff", "VipsForeignLoadSvg", "VipsForeignLoadHeif",
};

static bool vips_ready;

/* libvips reports many decode problems as GLib warnings, not errors. They
 * are kept (bounded) for the current job's error message instead of being
 * printed; executors run one job at a time. */
static char vips_warnings[400];
static bool vips_tile_failed; /* a worker thread failed to compute a region */
G_LOCK_DEFINE_STATIC(vips_warnings);

static void keep_vips_warning(const gchar *domain, GLogLevelFlags level, const gchar *message,
                              gpointer data)
{
    (void)domain, (void)level, (void)data;
    G_LOCK(vips_warnings);
    size_t used = strlen(vips_warnings);
    if (used + 3 < sizeof vips_warnings)
        snprintf(vips_warnings + used, sizeof vips_warnings - used, "%s%s", used ? "; " : "",
                 message);
    if (strstr(message, "error in tile") != NULL)
        vips_tile_failed = true;
    G_UNLOCK(vips_warnings);
}

void aw_image_reset_warnings(void)
{
    G_LOCK(vips_warnings);
    vips_warnings[0] = '\0';
    vips_tile_failed = false;
    G_UNLOCK(vips_warnings);
}

bool aw_image_decode_failed(void)
{
    return vips_tile_failed;
}

/* Shared by both image stages and set up by aw_pipeline_run before every
 * stage that makes a picture: runs once however often it is called.
 * libvips and libxml2 then live until the process exits: neither may be
 * initialised again after a shutdown, and aw_pipeline_init may run again
 * (engine reloads). */
int aw_image_setup(const aw_config *cfg, aw_error *err)
{
    if (vips_ready)
        return AW_OK;
    if (VIPS_INIT("asset-worker") != 0)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "vips_init", "libvips: %s",
                            vips_error_buffer());
    vips_block_untrusted_set(TRUE);
    vips_operation_block_set("VipsForeignLoad", TRUE);
    for (size_t i = 0; i < sizeof allowed_loaders / sizeof allowed_loaders[0]; i++)
        vips_operation_block_set(allowed_loaders[i], FALSE);
    vips_cache_set_max(0); /* no cross-job operation cache */
    /* One thread per job: parallelism comes from executors, and libvips
     * reports a failing tile reliably only when it is computed in order. */
    vips_concurrency_set(cfg->image_threads);
    g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO,
                      keep_vips_warning, NULL);
    xmlInitParser();
    vips_ready = true;
    return AW_OK;
}

bool aw_image_forget_job(char *why, size_t size)
{
    if (!vips_ready)
        return true;
    vips_cache_set_max(0); /* trims the cache (vips_cache_drop_all would destroy it) */
    vips_error_clear();
    aw_image_reset_warnings();
    int files = vips_tracked_get_files();
    size_t bytes = vips_tracked_get_mem();
    if (files == 0 && bytes == 0)
        return true;
    snprintf(why, size, "libvips still holds %d file(s) and %zu bytes", files, bytes);
    return false;
}

/* libvips' error buffer, lines joined, or the warnings when it is empty. */
static void vips_detail(char *buf, size_t size)
{
    snprintf(buf, size, "%s", vips_error_buffer());
    vips_error_clear();
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    for (char *p = buf; (p = strchr(p, '\n')) != NULL;)
        *p = ';';
    if (buf[0] == '\0')
        snprintf(buf, size, "%s", vips_warnings[0] ? vips_warnings : "unknown error");
}

int aw_image_fail(aw_error *err, aw_code code, const char *reason, const char *what)
{
    char detail[800];
    vips_detail(detail, sizeof detail);
    if (strstr(detail, "is blocked") != NULL || strstr(detail, "not a known file format") != NULL)
        return aw_error_set(err, AW_CODE_INVALID_FILE_TYPE, "no_loader",
                            "%s: no enabled image loader accepts this file (%s)", what, detail);
    if (strstr(detail, "Security limit exceeded") != NULL)
        return aw_error_set(err, AW_CODE_FILE_TOO_LARGE, "pixel_limit",
                            "%s: the decoder's own size limit refused it (%s)", what, detail);
    return aw_error_set(err, code, reason, "%s: %s", what, detail);
}

bool aw_image_is_vector(const aw_ctx *ctx)
{
    return ctx->result->media != NULL && strcmp(ctx->result->media->group, "svg") == 0;
}

static int pixel_limit_error(aw_error *err, uint64_t w, uint64_t h, uint64_t limit)
{
    return aw_error_set(err, AW_CODE_FILE_TOO_LARGE, "pixel_limit",
                        "image is %llux%llu = %llu pixels, over the limit of %llu",
                        (unsigned long long)w, (unsigned long long)h, (unsigned long long)(w * h),
                        (unsigned long long)limit);
}

int aw_image_open_header(aw_ctx *ctx, VipsImage **out, aw_error *err)
{
    uint64_t limit = ctx->config->limits.max_image_pixels;
    uint32_t pw, ph;
    aw_image_reset_warnings();
    if (aw_image_peek_size(ctx->input_path, &pw, &ph) == 0 && (uint64_t)pw * ph > limit)
        return pixel_limit_error(err, pw, ph, limit);
    VipsImage *img = vips_image_new_from_file(ctx->input_path, "access", VIPS_ACCESS_SEQUENTIAL,
                                              "fail_on", VIPS_FAIL_ON_ERROR, NULL);
    if (img == NULL && strcmp(ctx->result->media->group, "tiff") == 0) {
        vips_error_clear();
        return aw_tiff_rgba_decode(ctx->input_path, limit, out, err);
    }
    if (img == NULL)
        return aw_image_fail(err, AW_CODE_PROCESSING_FAILED, "corrupt", "cannot read image header");
    uint64_t pixels = (uint64_t)img->Xsize * (uint64_t)img->Ysize;
    int frames = vips_image_get_n_pages(img);
    if (!aw_image_is_vector(ctx) && pixels > limit) {
        pixel_limit_error(err, img->Xsize, img->Ysize, limit);
        g_object_unref(img);
        return AW_ERROR;
    }
    if (frames > 0 && (unsigned)frames > ctx->config->limits.max_frames) {
        aw_error_set(err, AW_CODE_FILE_TOO_LARGE, "frame_limit",
                     "image declares %d frames, over the limit of %u", frames,
                     ctx->config->limits.max_frames);
        g_object_unref(img);
        return AW_ERROR;
    }
    *out = img;
    return AW_OK;
}

bool aw_image_is_decoded(VipsImage *img)
{
    return vips_image_get_typeof(img, "aw-decoder") != 0;
}

int aw_image_orientation(VipsImage *img)
{
    int orientation = 1;
    if (vips_image_get_typeof(img, VIPS_META_ORIENTATION) &&
        vips_image_get_int(img, VIPS_META_ORIENTATION, &orientation) != 0)
        orientation = 1;
    return (orientation >= 1 && orientation <= 8) ? orientation : 1;
}

const aw_stage aw_stage_image_metadata = {
    .name = "image.metadata",
    .kind = AW_STAGE_METADATA,
    .families = AW_FAMILY_IMAGE,
    .init_global = aw_image_setup,
    .exit_global = NULL,
    .execute = aw_image_metadata_run,
};

const aw_stage aw_stage_image_thumbnail = {
    .name = "image.thumbnail",
    .kind = AW_STAGE_THUMBNAIL,
    .families = AW_FAMILY_IMAGE,
    .init_global = aw_image_setup,
    .exit_global = NULL,
    .execute = aw_image_thumbnail_run,
};
