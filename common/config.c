/* config.c — defaults and the parsing of size and count settings. */
#include "config.h"

#include "error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void aw_config_defaults(aw_config *cfg)
{
    *cfg = (aw_config){
        .limits =
            {
                .max_file_bytes = 104857600ULL,
                .max_image_pixels = 100000000ULL,
                .max_frames = 1000,
                .max_pages = 10000,
                .max_video_pixels = 40000000ULL, /* 8K UHD is 33.2 M */
                .max_media_seconds = 4 * 3600,
                .max_page_points = 14400, /* PDF's own limit: 200 inches */
                .max_zip_entries = 10000,
                .max_zip_bytes = 1ULL << 30,
                .max_zip_ratio = 200,
                .scan_max_bytes = 400ULL << 20,
                .scan_max_file_bytes = 104857600ULL,
                .scan_max_recursion = 16,
                .scan_max_files = 10000,
                .scan_max_ms = 120000,
                .max_model_vertices = 1000000,
                .max_model_triangles = 2000000,
                .max_model_meshes = 10000,
                .model_render_ms = 60000,
            },
        .clamav_db_dir = AW_DEFAULT_CLAMAV_DB,
        .scan_enabled = true,
        .thumb_format = AW_THUMB_WEBP,
        .thumb_quality = 80,
        .thumb_effort = 2, /* libwebp's 4: 2.5x the work for ~3 % fewer bytes */
        .image_threads = 1,
        .codec_threads = 1,
        .preview_seconds = 10,
        .audio_preview_seconds = 30,
        .preview_height = 480,
        .preview_crf = 26,
        .waveform_spp = 512,
        .waveform_width = 800,
        .waveform_height = 250,
    };
}

/* Multiplies *value by base^power for the suffix at s; AW_ERROR on unknown
 * suffix or overflow. */
static int apply_suffix(const char *s, uint64_t base, uint64_t *value)
{
    static const char units[] = "kmgt";
    int power = 0;
    if (*s != '\0') {
        const char *u = strchr(units, s[0] | 0x20);
        if (u == NULL)
            return (strcasecmp(s, "b") == 0) ? AW_OK : AW_ERROR;
        power = (int)(u - units) + 1;
        s++;
        if (*s != '\0' && strcasecmp(s, "b") != 0 && strcasecmp(s, "ib") != 0)
            return AW_ERROR;
    }
    for (int i = 0; i < power; i++) {
        if (*value > UINT64_MAX / base)
            return AW_ERROR;
        *value *= base;
    }
    return AW_OK;
}

static int parse_scaled(const char *text, uint64_t base, uint64_t *out)
{
    if (text == NULL || *text < '0' || *text > '9')
        return AW_ERROR;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0)
        return AW_ERROR;
    uint64_t value = v;
    if (apply_suffix(end, base, &value) != AW_OK)
        return AW_ERROR;
    *out = value;
    return AW_OK;
}

int aw_parse_bytes(const char *text, uint64_t *out)
{
    return parse_scaled(text, 1024, out);
}

int aw_parse_count(const char *text, uint64_t *out)
{
    return parse_scaled(text, 1000, out);
}
