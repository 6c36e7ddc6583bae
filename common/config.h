/* config.h — process-wide settings of the pipeline: limits with safe defaults,
 * the ClamAV database and thumbnail output. Filled by the CLI, read by stages. */
#ifndef AW_CONFIG_H
#define AW_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

typedef struct aw_limits {
    uint64_t max_file_bytes;      /* seed 003 MAX_FILE_SIZE: 104,857,600 */
    uint64_t max_image_pixels;    /* width × height read from the header */
    unsigned max_frames;          /* frames/pages an image declares (animated GIF) */
    unsigned max_pages;           /* pages a PDF declares (only page 1 is rendered) */
    uint64_t max_video_pixels;    /* width × height of one video frame */
    unsigned max_media_seconds;   /* longest audio/video decoded (waveform, checks) */
    double max_page_points;       /* PDF: largest page side rendered, in points */
    unsigned max_zip_entries;     /* OOXML: members of the ZIP package */
    uint64_t max_zip_bytes;       /* OOXML: declared uncompressed size, all members */
    unsigned max_zip_ratio;       /* OOXML: uncompressed / compressed, whole package */
    uint64_t scan_max_bytes;      /* ClamAV: data scanned per file, archives included */
    uint64_t scan_max_file_bytes; /* ClamAV: largest single file or member */
    unsigned scan_max_recursion;  /* ClamAV: archive nesting */
    unsigned scan_max_files;      /* ClamAV: members scanned in one container */
    unsigned scan_max_ms;         /* ClamAV: wall time of one scan */
    uint64_t max_model_vertices;  /* 3D: vertices the file declares, all meshes */
    uint64_t max_model_triangles; /* 3D: triangles it draws, all meshes */
    unsigned max_model_meshes;    /* 3D: meshes (glTF primitives, OBJ groups) */
    unsigned model_render_ms;     /* 3D: wall time of the thumbnail render */
} aw_limits;

typedef enum { AW_THUMB_WEBP, AW_THUMB_JPEG } aw_thumb_format;

typedef struct aw_config {
    aw_limits limits;
    const char *clamav_db_dir; /* directory of .cvd/.cld/.hdb/.ndb … files */
    bool scan_enabled;         /* false only when asked for explicitly (--no-scan) */
    bool scan_image_hash;      /* ClamAV's image fuzzy hash (decodes images whole) */
    aw_thumb_format thumb_format;
    int thumb_quality;                   /* 1–100, for WebP and JPEG */
    int thumb_effort;                    /* WebP encoder effort 0–6 (libwebp "method") */
    int image_threads;                   /* libvips worker threads per job (default 1) */
    int codec_threads;                   /* FFmpeg decoder/encoder threads per job (default 1) */
    unsigned preview_seconds;            /* video preview clip length */
    unsigned audio_preview_seconds;      /* audio preview clip length */
    int preview_height;                  /* video preview: at most this many lines (480p) */
    int preview_crf;                     /* libx264 constant rate factor, 0–51 */
    unsigned waveform_spp;               /* audio samples per waveform point (min/max pair) */
    int waveform_width, waveform_height; /* PNG rendered from the peaks */
} aw_config;

#define AW_DEFAULT_CLAMAV_DB "/var/lib/clamav"

void aw_config_defaults(aw_config *cfg);

/* Parses "100MB", "64k", "1G", "12345" (bytes, powers of 1024 for k/M/G with or
 * without a trailing B). Returns AW_OK or AW_ERROR on junk or overflow. */
int aw_parse_bytes(const char *text, uint64_t *out);

/* Parses a positive decimal count, "100M"/"20k" allowed (powers of 1000). */
int aw_parse_count(const char *text, uint64_t *out);

#endif
