/* media.h — the media types the service accepts (seed 003's ALLOWED_MIME_TYPES
 * plus documented extensions), their family, file extensions and the names
 * libmagic gives them. */
#ifndef AW_MEDIA_H
#define AW_MEDIA_H

#include <stdbool.h>

/* Media families: which pipelines apply. Bits, so a stage can list several. */
typedef enum {
    AW_FAMILY_NONE = 0,
    AW_FAMILY_IMAGE = 1 << 0,
    AW_FAMILY_VIDEO = 1 << 1,
    AW_FAMILY_AUDIO = 1 << 2,
    AW_FAMILY_PDF = 1 << 3,
    AW_FAMILY_OFFICE = 1 << 4,
    AW_FAMILY_MODEL3D = 1 << 5,
} aw_family;

#define AW_FAMILY_ANY 0x3f

typedef struct aw_media_type {
    const char *mime; /* canonical name, as the API tier declares it */
    aw_family family;
    const char *group;      /* container group: declared and sniffed must share it */
    const char *extensions; /* space separated, lower case, no dot */
    const char *sniffed_as; /* space separated libmagic MIME names meaning this type */
    bool in_seed;           /* in seed 003's ALLOWED_MIME_TYPES (else our extension) */
    const char *accepts;    /* generic libmagic names (text/plain, application/zip)
                               that fit this type only when it was declared; or NULL */
} aw_media_type;

/* The canonical type whose name or alias is `mime` (case-insensitive,
 * parameters such as "; charset=" ignored); NULL when not accepted. */
const aw_media_type *aw_media_by_mime(const char *mime);

/* The type libmagic's answer stands for; NULL when not accepted. */
const aw_media_type *aw_media_by_sniffed(const char *magic_mime);

/* The type a file name's extension suggests (what a browser would declare);
 * NULL when the extension is unknown. */
const aw_media_type *aw_media_by_extension(const char *path);

/* True when a file that libmagic calls `magic_mime` may be stored as `declared`:
 * both in one container group, or a generic answer the declared type accepts. */
bool aw_media_compatible(const aw_media_type *declared, const char *magic_mime);

/* Seed 003 AssetType: "IMAGE" | "VIDEO" | "AUDIO" | "DOCUMENT" (3D → DOCUMENT). */
const char *aw_family_asset_type(aw_family family);

/* "image", "video", … for logs and summaries; "unknown" for NONE. */
const char *aw_family_name(aw_family family);

#endif
