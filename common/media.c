/* media.c — the accepted media table. One row per canonical MIME type. */
#include "media.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

/* What libmagic may call a real OOXML file: a ZIP whose Office members it
 * did not reach ("application/zip", or "application/octet-stream" for
 * "Microsoft OOXML"), or a password-protected one ("application/encrypted",
 * an OLE2 file holding the encrypted package). The Office stages check the
 * container itself. */
#define AW_OOXML_ACCEPTS "application/zip application/octet-stream application/encrypted"

static const aw_media_type media_types[] = {
    /* Images */
    {"image/jpeg", AW_FAMILY_IMAGE, "jpeg", "jpg jpeg jpe jfif", "image/jpeg image/pjpeg", true,
     NULL},
    {"image/png", AW_FAMILY_IMAGE, "png", "png", "image/png image/apng", true, NULL},
    {"image/gif", AW_FAMILY_IMAGE, "gif", "gif", "image/gif", true, NULL},
    {"image/webp", AW_FAMILY_IMAGE, "webp", "webp", "image/webp", true, NULL},
    {"image/svg+xml", AW_FAMILY_IMAGE, "svg", "svg", "image/svg+xml image/svg", true, NULL},
    {"image/tiff", AW_FAMILY_IMAGE, "tiff", "tif tiff", "image/tiff", true, NULL},
    {"image/heic", AW_FAMILY_IMAGE, "heif", "heic heif",
     "image/heic image/heif image/heic-sequence image/heif-sequence", false, NULL},
    {"image/avif", AW_FAMILY_IMAGE, "avif", "avif", "image/avif", false, NULL},
    /* Video */
    {"video/mp4", AW_FAMILY_VIDEO, "isobmff", "mp4 m4v", "video/mp4", true, NULL},
    {"video/quicktime", AW_FAMILY_VIDEO, "isobmff", "mov qt", "video/quicktime", true, NULL},
    {"video/x-msvideo", AW_FAMILY_VIDEO, "riff-avi", "avi", "video/x-msvideo video/avi", true,
     NULL},
    {"video/x-matroska", AW_FAMILY_VIDEO, "matroska", "mkv", "video/x-matroska", true, NULL},
    {"video/webm", AW_FAMILY_VIDEO, "matroska", "webm", "video/webm", true, NULL},
    {"video/3gpp", AW_FAMILY_VIDEO, "isobmff", "3gp 3gpp 3g2", "video/3gpp video/3gpp2", false,
     NULL},
    /* Audio */
    {"audio/mpeg", AW_FAMILY_AUDIO, "mpeg-audio", "mp3", "audio/mpeg audio/mp3", true, NULL},
    {"audio/wav", AW_FAMILY_AUDIO, "riff-wave", "wav",
     "audio/x-wav audio/wav audio/vnd.wave audio/wave", true, NULL},
    {"audio/ogg", AW_FAMILY_AUDIO, "ogg", "ogg oga opus", "audio/ogg audio/opus", true, NULL},
    {"audio/aac", AW_FAMILY_AUDIO, "aac", "aac", "audio/x-hx-aac-adts audio/aac", true, NULL},
    {"audio/mp4", AW_FAMILY_AUDIO, "isobmff", "m4a", "audio/x-m4a audio/mp4", false, NULL},
    {"audio/flac", AW_FAMILY_AUDIO, "flac", "flac", "audio/flac audio/x-flac", false, NULL},
    /* Documents */
    {"application/pdf", AW_FAMILY_PDF, "pdf", "pdf", "application/pdf", true, NULL},
    {"application/msword", AW_FAMILY_OFFICE, "ole2", "doc", "application/msword", true, NULL},
    {"application/vnd.ms-excel", AW_FAMILY_OFFICE, "ole2", "xls", "application/vnd.ms-excel", true,
     NULL},
    {"application/vnd.ms-powerpoint", AW_FAMILY_OFFICE, "ole2", "ppt",
     "application/vnd.ms-powerpoint application/vnd.ms-office application/x-ole-storage "
     "application/cdfv2",
     true, NULL},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", AW_FAMILY_OFFICE,
     "ooxml", "docx docm",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document", true,
     AW_OOXML_ACCEPTS},
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", AW_FAMILY_OFFICE, "ooxml",
     "xlsx xlsm", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", true,
     AW_OOXML_ACCEPTS},
    {"application/vnd.openxmlformats-officedocument.presentationml.presentation", AW_FAMILY_OFFICE,
     "ooxml", "pptx pptm",
     "application/vnd.openxmlformats-officedocument.presentationml.presentation", true,
     AW_OOXML_ACCEPTS},
    /* OpenDocument (LibreOffice's own formats; rendered like Office files) */
    {"application/vnd.oasis.opendocument.text", AW_FAMILY_OFFICE, "odf", "odt",
     "application/vnd.oasis.opendocument.text", false, NULL},
    {"application/vnd.oasis.opendocument.spreadsheet", AW_FAMILY_OFFICE, "odf", "ods",
     "application/vnd.oasis.opendocument.spreadsheet", false, NULL},
    {"application/vnd.oasis.opendocument.presentation", AW_FAMILY_OFFICE, "odf", "odp",
     "application/vnd.oasis.opendocument.presentation", false, NULL},
    /* 3D models */
    {"model/gltf+json", AW_FAMILY_MODEL3D, "gltf", "gltf", "model/gltf+json", true,
     "application/json text/plain"},
    {"model/gltf-binary", AW_FAMILY_MODEL3D, "glb", "glb", "model/gltf-binary", true, NULL},
    {"model/obj", AW_FAMILY_MODEL3D, "obj", "obj", "model/obj", true, "text/plain"},
};

#define MEDIA_COUNT (sizeof media_types / sizeof media_types[0])

/* True when `word` (length n) is one of the space-separated words of `list`. */
static bool list_has(const char *list, const char *word, size_t n)
{
    for (const char *p = list; *p != '\0';) {
        size_t len = strcspn(p, " ");
        if (len == n && strncasecmp(p, word, n) == 0)
            return true;
        p += len;
        p += strspn(p, " ");
    }
    return false;
}

/* Length of the bare type in "type/sub; param=…", trailing blanks removed. */
static size_t bare_length(const char *mime)
{
    size_t n = strcspn(mime, ";");
    while (n > 0 && isspace((unsigned char)mime[n - 1]))
        n--;
    return n;
}

const aw_media_type *aw_media_by_mime(const char *mime)
{
    if (mime == NULL)
        return NULL;
    size_t n = bare_length(mime);
    for (size_t i = 0; i < MEDIA_COUNT; i++)
        if (strlen(media_types[i].mime) == n && strncasecmp(media_types[i].mime, mime, n) == 0)
            return &media_types[i];
    return aw_media_by_sniffed(mime);
}

const aw_media_type *aw_media_by_sniffed(const char *magic_mime)
{
    if (magic_mime == NULL)
        return NULL;
    size_t n = bare_length(magic_mime);
    for (size_t i = 0; i < MEDIA_COUNT; i++)
        if (list_has(media_types[i].sniffed_as, magic_mime, n))
            return &media_types[i];
    return NULL;
}

const aw_media_type *aw_media_by_extension(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash : path, '.');
    if (dot == NULL || dot[1] == '\0')
        return NULL;
    for (size_t i = 0; i < MEDIA_COUNT; i++)
        if (list_has(media_types[i].extensions, dot + 1, strlen(dot + 1)))
            return &media_types[i];
    return NULL;
}

bool aw_media_compatible(const aw_media_type *declared, const char *magic_mime)
{
    if (declared == NULL || magic_mime == NULL)
        return false;
    const aw_media_type *sniffed = aw_media_by_sniffed(magic_mime);
    if (sniffed != NULL)
        return strcmp(declared->group, sniffed->group) == 0;
    return declared->accepts != NULL &&
           list_has(declared->accepts, magic_mime, bare_length(magic_mime));
}

const char *aw_family_asset_type(aw_family family)
{
    switch (family) {
    case AW_FAMILY_IMAGE: return "IMAGE";
    case AW_FAMILY_VIDEO: return "VIDEO";
    case AW_FAMILY_AUDIO: return "AUDIO";
    default: return "DOCUMENT";
    }
}

const char *aw_family_name(aw_family family)
{
    switch (family) {
    case AW_FAMILY_IMAGE: return "image";
    case AW_FAMILY_VIDEO: return "video";
    case AW_FAMILY_AUDIO: return "audio";
    case AW_FAMILY_PDF: return "pdf";
    case AW_FAMILY_OFFICE: return "office";
    case AW_FAMILY_MODEL3D: return "model3d";
    default: return "unknown";
    }
}
