/* pipeline_options.c — the pipeline settings every subcommand shares. */
#include "pipeline_options.h"

#include "error.h"
#include "option_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_DB = AW_OPT_PIPELINE_BASE,
    OPT_NOSCAN,
    OPT_FORMAT,
    OPT_QUALITY,
    OPT_EFFORT,
    OPT_MAXSIZE,
    OPT_MAXPIX,
    OPT_MAXVPIX,
    OPT_MAXDUR,
    OPT_PREVIEW_S,
    OPT_AUDIO_PREVIEW_S,
    OPT_PREVIEW_H,
    OPT_CRF,
    OPT_SPP,
    OPT_WAVE_SIZE,
    OPT_PAGE,
    OPT_ZIP_ENTRIES,
    OPT_ZIP_SIZE,
    OPT_ZIP_RATIO,
    OPT_FRAMES,
    OPT_PAGES,
    OPT_SCAN_SIZE,
    OPT_SCAN_FILE_SIZE,
    OPT_SCAN_RECURSION,
    OPT_SCAN_FILES,
    OPT_SCAN_TIME,
    OPT_SCAN_IMAGE_HASH,
    OPT_MODEL_VERTICES,
    OPT_MODEL_TRIANGLES,
    OPT_MODEL_MESHES,
    OPT_MODEL_RENDER_TIME,
};

const struct option aw_pipeline_long_options[] = {
    {"clamav-db", required_argument, NULL, OPT_DB},
    {"no-scan", no_argument, NULL, OPT_NOSCAN},
    {"thumbnail-format", required_argument, NULL, OPT_FORMAT},
    {"quality", required_argument, NULL, OPT_QUALITY},
    {"thumbnail-effort", required_argument, NULL, OPT_EFFORT},
    {"max-file-size", required_argument, NULL, OPT_MAXSIZE},
    {"max-pixels", required_argument, NULL, OPT_MAXPIX},
    {"max-video-pixels", required_argument, NULL, OPT_MAXVPIX},
    {"max-duration", required_argument, NULL, OPT_MAXDUR},
    {"preview-seconds", required_argument, NULL, OPT_PREVIEW_S},
    {"audio-preview-seconds", required_argument, NULL, OPT_AUDIO_PREVIEW_S},
    {"preview-height", required_argument, NULL, OPT_PREVIEW_H},
    {"preview-crf", required_argument, NULL, OPT_CRF},
    {"waveform-spp", required_argument, NULL, OPT_SPP},
    {"waveform-size", required_argument, NULL, OPT_WAVE_SIZE},
    {"max-page-size", required_argument, NULL, OPT_PAGE},
    {"max-zip-entries", required_argument, NULL, OPT_ZIP_ENTRIES},
    {"max-zip-size", required_argument, NULL, OPT_ZIP_SIZE},
    {"max-zip-ratio", required_argument, NULL, OPT_ZIP_RATIO},
    {"max-frames", required_argument, NULL, OPT_FRAMES},
    {"max-pages", required_argument, NULL, OPT_PAGES},
    {"scan-max-size", required_argument, NULL, OPT_SCAN_SIZE},
    {"scan-max-file-size", required_argument, NULL, OPT_SCAN_FILE_SIZE},
    {"scan-max-recursion", required_argument, NULL, OPT_SCAN_RECURSION},
    {"scan-max-files", required_argument, NULL, OPT_SCAN_FILES},
    {"scan-timeout", required_argument, NULL, OPT_SCAN_TIME},
    {"scan-image-hash", required_argument, NULL, OPT_SCAN_IMAGE_HASH},
    {"max-model-vertices", required_argument, NULL, OPT_MODEL_VERTICES},
    {"max-model-triangles", required_argument, NULL, OPT_MODEL_TRIANGLES},
    {"max-model-meshes", required_argument, NULL, OPT_MODEL_MESHES},
    {"model-render-timeout", required_argument, NULL, OPT_MODEL_RENDER_TIME},
    {NULL, 0, NULL, 0},
};

/* Environment variable of each option, same order as the table. */
static const char *const env_names[] = {"AW_CLAMAV_DB",
                                        NULL,
                                        "AW_THUMBNAIL_FORMAT",
                                        "AW_QUALITY",
                                        "AW_THUMBNAIL_EFFORT",
                                        "AW_MAX_FILE_SIZE",
                                        "AW_MAX_PIXELS",
                                        "AW_MAX_VIDEO_PIXELS",
                                        "AW_MAX_DURATION",
                                        "AW_PREVIEW_SECONDS",
                                        "AW_AUDIO_PREVIEW_SECONDS",
                                        "AW_PREVIEW_HEIGHT",
                                        "AW_PREVIEW_CRF",
                                        "AW_WAVEFORM_SPP",
                                        "AW_WAVEFORM_SIZE",
                                        "AW_MAX_PAGE_SIZE",
                                        "AW_MAX_ZIP_ENTRIES",
                                        "AW_MAX_ZIP_SIZE",
                                        "AW_MAX_ZIP_RATIO",
                                        "AW_MAX_FRAMES",
                                        "AW_MAX_PAGES",
                                        "AW_SCAN_MAX_SIZE",
                                        "AW_SCAN_MAX_FILE_SIZE",
                                        "AW_SCAN_MAX_RECURSION",
                                        "AW_SCAN_MAX_FILES",
                                        "AW_SCAN_TIMEOUT",
                                        "AW_SCAN_IMAGE_HASH",
                                        "AW_MAX_MODEL_VERTICES",
                                        "AW_MAX_MODEL_TRIANGLES",
                                        "AW_MAX_MODEL_MESHES",
                                        "AW_MODEL_RENDER_TIMEOUT"};

void aw_pipeline_options_usage(FILE *out)
{
    fputs("  --clamav-db DIR        ClamAV signature directory [AW_CLAMAV_DB]\n"
          "                         (default: " AW_DEFAULT_CLAMAV_DB ")\n"
          "  --no-scan              do not scan; scanStatus stays PENDING\n"
          "  --thumbnail-format F   webp (default) or jpeg [AW_THUMBNAIL_FORMAT]\n"
          "  --quality N            thumbnail quality 1-100 (default: 80) [AW_QUALITY]\n"
          "  --thumbnail-effort N   WebP encoder effort 0-6 (default: 2; 4 makes\n"
          "                         files ~3% smaller for ~2.5x the encode work)\n"
          "                         [AW_THUMBNAIL_EFFORT]\n"
          "  --max-file-size SIZE   largest input, e.g. 100MB (default: 104857600)\n"
          "                         [AW_MAX_FILE_SIZE]\n"
          "  --max-pixels N         largest image width*height, e.g. 100M (default:\n"
          "                         100M) [AW_MAX_PIXELS]\n"
          "  --max-video-pixels N   largest video frame width*height (default: 40M)\n"
          "                         [AW_MAX_VIDEO_PIXELS]\n"
          "  --max-duration SEC     longest audio/video decoded whole, for the\n"
          "                         waveform (default: 14400) [AW_MAX_DURATION]\n"
          "  --preview-seconds N    video preview clip length (default: 10)\n"
          "                         [AW_PREVIEW_SECONDS]\n"
          "  --audio-preview-seconds N\n"
          "                         audio preview clip length (default: 30)\n"
          "                         [AW_AUDIO_PREVIEW_SECONDS]\n"
          "  --preview-height N     video preview lines, 16:9 box (default: 480)\n"
          "                         [AW_PREVIEW_HEIGHT]\n"
          "  --preview-crf N        libx264 CRF 0-51 of the clip (default: 26)\n"
          "                         [AW_PREVIEW_CRF]\n"
          "  --waveform-spp N       audio samples per waveform point (default: 512)\n"
          "                         [AW_WAVEFORM_SPP]\n"
          "  --waveform-size WxH    waveform PNG size (default: 800x250)\n"
          "                         [AW_WAVEFORM_SIZE]\n"
          "  --max-page-size PT     largest PDF page side rendered, in points\n"
          "                         (default: 14400) [AW_MAX_PAGE_SIZE]\n"
          "  --max-zip-entries N    most members of an OOXML package (default:\n"
          "                         10000) [AW_MAX_ZIP_ENTRIES]\n"
          "  --max-zip-size SIZE    largest unpacked OOXML package (default: 1G)\n"
          "                         [AW_MAX_ZIP_SIZE]\n"
          "  --max-zip-ratio N      largest unpacked/packed ratio (default: 200)\n"
          "                         [AW_MAX_ZIP_RATIO]\n"
          "  --max-frames N         most frames/pages an image may declare, e.g. an\n"
          "                         animated GIF (default: 1000) [AW_MAX_FRAMES]\n"
          "  --max-pages N          most pages a PDF may declare; only page 1 is\n"
          "                         rendered (default: 10000) [AW_MAX_PAGES]\n"
          "  --max-model-vertices N most vertices a 3D model may declare (default:\n"
          "                         1M) [AW_MAX_MODEL_VERTICES]\n"
          "  --max-model-triangles N\n"
          "                         most triangles a 3D model may draw (default: 2M)\n"
          "                         [AW_MAX_MODEL_TRIANGLES]\n"
          "  --max-model-meshes N   most meshes (glTF primitives) in a 3D model\n"
          "                         (default: 10000) [AW_MAX_MODEL_MESHES]\n"
          "  --model-render-timeout SEC\n"
          "                         wall time of a model's thumbnail render\n"
          "                         (default: 60) [AW_MODEL_RENDER_TIMEOUT]\n"
          "  --scan-max-size SIZE   data ClamAV scans per file, archives unpacked\n"
          "                         (default: 400M) [AW_SCAN_MAX_SIZE]\n"
          "  --scan-max-file-size SIZE\n"
          "                         largest file or archive member ClamAV scans\n"
          "                         (default: 100M) [AW_SCAN_MAX_FILE_SIZE]\n"
          "  --scan-max-recursion N archive nesting ClamAV follows (default: 16)\n"
          "                         [AW_SCAN_MAX_RECURSION]\n"
          "  --scan-max-files N     members ClamAV scans in one file (default: 10000)\n"
          "                         [AW_SCAN_MAX_FILES]\n"
          "  --scan-timeout SEC     wall time of one scan (default: 120)\n"
          "                         [AW_SCAN_TIMEOUT]\n"
          "                         A scan cut short by one of these limits is not\n"
          "                         clean: scanStatus ERROR, ASSET_FILE_TOO_LARGE\n"
          "                         (scan_limit)\n"
          "  --scan-image-hash on|off\n"
          "                         ClamAV's image fuzzy hash, for signatures that\n"
          "                         match pictures by look. It decodes every image,\n"
          "                         embedded ones too, whole and before any pixel\n"
          "                         limit: a 140 KB PNG of 12000x12000 costs 3.5 s\n"
          "                         and 760 MiB (default: off) [AW_SCAN_IMAGE_HASH]\n",
          out);
}

static int bad_value(const char *cmd, const char *what, const char *arg)
{
    fprintf(stderr, "asset-worker %s: %s, not '%s'\n", cmd, what, arg);
    return -1;
}

/* A whole number in [low, high] into *out; -1 (message printed) otherwise. */
static int ranged(const char *cmd, const char *flag, const char *arg, uint64_t low, uint64_t high,
                  unsigned *out)
{
    uint64_t n = 0;
    if (aw_parse_count(arg, &n) != AW_OK || n < low || n > high) {
        fprintf(stderr, "asset-worker %s: %s takes %llu to %llu, not '%s'\n", cmd, flag,
                (unsigned long long)low, (unsigned long long)high, arg);
        return -1;
    }
    *out = (unsigned)n;
    return 0;
}

static int waveform_size(aw_config *cfg, const char *arg, const char *cmd)
{
    int w = 0, h = 0;
    char tail = 0;
    if (sscanf(arg, "%dx%d%c", &w, &h, &tail) != 2 || w < 1 || w > 8192 || h < 2 || h > 4096)
        return bad_value(cmd, "--waveform-size takes WIDTHxHEIGHT such as 800x250", arg);
    cfg->waveform_width = w, cfg->waveform_height = h;
    return 0;
}

/* The 3D model limits. */
static int model_option(aw_config *cfg, int code, const char *arg, const char *cmd)
{
    aw_limits *l = &cfg->limits;
    unsigned n = 0;
    int rc;
    switch (code) {
    case OPT_MODEL_VERTICES:
        if (aw_parse_count(arg, &l->max_model_vertices) != AW_OK || l->max_model_vertices == 0)
            return bad_value(cmd, "--max-model-vertices takes a count such as 1M", arg);
        return 0;
    case OPT_MODEL_TRIANGLES:
        if (aw_parse_count(arg, &l->max_model_triangles) != AW_OK || l->max_model_triangles == 0)
            return bad_value(cmd, "--max-model-triangles takes a count such as 2M", arg);
        return 0;
    case OPT_MODEL_MESHES:
        return ranged(cmd, "--max-model-meshes", arg, 1, 1000000, &l->max_model_meshes);
    case OPT_MODEL_RENDER_TIME:
        rc = ranged(cmd, "--model-render-timeout", arg, 1, 3600, &n);
        l->model_render_ms = rc == 0 ? n * 1000 : l->model_render_ms;
        return rc;
    default: return 1;
    }
}

/* The ClamAV limits. */
static int scan_option(aw_config *cfg, int code, const char *arg, const char *cmd)
{
    aw_limits *l = &cfg->limits;
    unsigned n = 0;
    int rc;
    switch (code) {
    case OPT_SCAN_SIZE:
        if (aw_parse_bytes(arg, &l->scan_max_bytes) != AW_OK || l->scan_max_bytes == 0)
            return bad_value(cmd, "--scan-max-size takes a size such as 400M", arg);
        return 0;
    case OPT_SCAN_FILE_SIZE:
        if (aw_parse_bytes(arg, &l->scan_max_file_bytes) != AW_OK || l->scan_max_file_bytes == 0)
            return bad_value(cmd, "--scan-max-file-size takes a size such as 100M", arg);
        return 0;
    case OPT_SCAN_RECURSION:
        return ranged(cmd, "--scan-max-recursion", arg, 1, 64, &l->scan_max_recursion);
    case OPT_SCAN_FILES:
        return ranged(cmd, "--scan-max-files", arg, 1, 1000000, &l->scan_max_files);
    case OPT_SCAN_TIME:
        rc = ranged(cmd, "--scan-timeout", arg, 1, 3600, &n);
        l->scan_max_ms = rc == 0 ? n * 1000 : l->scan_max_ms;
        return rc;
    case OPT_SCAN_IMAGE_HASH:
        return aw_option_on_off(arg, &cfg->scan_image_hash) == 0
                   ? 0
                   : bad_value(cmd, "--scan-image-hash takes on or off", arg);
    default: return model_option(cfg, code, arg, cmd);
    }
}

/* The document limits. */
static int document_option(aw_config *cfg, int code, const char *arg, const char *cmd)
{
    unsigned n = 0;
    int rc;
    switch (code) {
    case OPT_FRAMES: return ranged(cmd, "--max-frames", arg, 1, 1000000, &cfg->limits.max_frames);
    case OPT_PAGES: return ranged(cmd, "--max-pages", arg, 1, 10000000, &cfg->limits.max_pages);
    case OPT_PAGE:
        rc = ranged(cmd, "--max-page-size", arg, 72, 14400, &n);
        cfg->limits.max_page_points = rc == 0 ? n : cfg->limits.max_page_points;
        return rc;
    case OPT_ZIP_ENTRIES:
        return ranged(cmd, "--max-zip-entries", arg, 1, 1000000, &cfg->limits.max_zip_entries);
    case OPT_ZIP_SIZE:
        if (aw_parse_bytes(arg, &cfg->limits.max_zip_bytes) != AW_OK)
            return bad_value(cmd, "--max-zip-size takes a size such as 1G", arg);
        return 0;
    case OPT_ZIP_RATIO:
        return ranged(cmd, "--max-zip-ratio", arg, 1, 100000, &cfg->limits.max_zip_ratio);
    default: return scan_option(cfg, code, arg, cmd);
    }
}

/* The audio/video settings. */
static int av_option(aw_config *cfg, int code, const char *arg, const char *cmd)
{
    unsigned n = 0;
    int rc;
    switch (code) {
    case OPT_MAXDUR:
        return ranged(cmd, "--max-duration", arg, 1, 1000000, &cfg->limits.max_media_seconds);
    case OPT_PREVIEW_S: return ranged(cmd, "--preview-seconds", arg, 1, 600, &cfg->preview_seconds);
    case OPT_AUDIO_PREVIEW_S:
        return ranged(cmd, "--audio-preview-seconds", arg, 1, 600, &cfg->audio_preview_seconds);
    case OPT_PREVIEW_H:
        rc = ranged(cmd, "--preview-height", arg, 16, 2160, &n);
        cfg->preview_height = rc == 0 ? (int)(n & ~1u) : cfg->preview_height;
        return rc;
    case OPT_CRF:
        rc = ranged(cmd, "--preview-crf", arg, 0, 51, &n);
        cfg->preview_crf = rc == 0 ? (int)n : cfg->preview_crf;
        return rc;
    case OPT_SPP: return ranged(cmd, "--waveform-spp", arg, 1, 1 << 20, &cfg->waveform_spp);
    case OPT_WAVE_SIZE: return waveform_size(cfg, arg, cmd);
    default: return document_option(cfg, code, arg, cmd);
    }
}

int aw_pipeline_option(aw_config *cfg, int code, const char *arg, const char *cmd)
{
    uint64_t n = 0;
    switch (code) {
    case OPT_DB: cfg->clamav_db_dir = arg; return 0;
    case OPT_NOSCAN: cfg->scan_enabled = false; return 0;
    case OPT_FORMAT:
        if (strcmp(arg, "webp") != 0 && strcmp(arg, "jpeg") != 0 && strcmp(arg, "jpg") != 0)
            return bad_value(cmd, "--thumbnail-format takes webp or jpeg", arg);
        cfg->thumb_format = arg[0] == 'w' ? AW_THUMB_WEBP : AW_THUMB_JPEG;
        return 0;
    case OPT_QUALITY:
        if (aw_parse_count(arg, &n) != AW_OK || n < 1 || n > 100)
            return bad_value(cmd, "--quality takes 1 to 100", arg);
        cfg->thumb_quality = (int)n;
        return 0;
    case OPT_EFFORT:
        if (aw_parse_count(arg, &n) != AW_OK || n > 6)
            return bad_value(cmd, "--thumbnail-effort takes 0 to 6", arg);
        cfg->thumb_effort = (int)n;
        return 0;
    case OPT_MAXSIZE:
        if (aw_parse_bytes(arg, &cfg->limits.max_file_bytes) != AW_OK)
            return bad_value(cmd, "--max-file-size takes a size such as 100MB", arg);
        return 0;
    case OPT_MAXPIX:
        if (aw_parse_count(arg, &cfg->limits.max_image_pixels) != AW_OK)
            return bad_value(cmd, "--max-pixels takes a count such as 100M", arg);
        return 0;
    case OPT_MAXVPIX:
        if (aw_parse_count(arg, &cfg->limits.max_video_pixels) != AW_OK)
            return bad_value(cmd, "--max-video-pixels takes a count such as 40M", arg);
        return 0;
    default: return av_option(cfg, code, arg, cmd);
    }
}

int aw_pipeline_options_from_env(aw_config *cfg, const char *cmd)
{
    for (size_t i = 0; i < sizeof env_names / sizeof env_names[0]; i++) {
        const char *v = env_names[i] ? getenv(env_names[i]) : NULL;
        if (v != NULL && *v != '\0' &&
            aw_pipeline_option(cfg, aw_pipeline_long_options[i].val, v, cmd) != 0)
            return -1;
    }
    return 0;
}
