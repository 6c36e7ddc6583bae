/* sniff.c — the real type from the content (libmagic), checked against the
 * declared MIME and the accepted list; file size and emptiness checked first. */
#include "stage.h"

#include <errno.h>
#include <magic.h>
#include <string.h>
#include <sys/stat.h>

/* How much of a file libmagic reads to type it. */
#define AW_SNIFF_BYTES ((size_t)1 << 20)

static magic_t magic_cookie;

static int sniff_init(const aw_config *cfg, aw_error *err)
{
    (void)cfg;
    magic_cookie = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR | MAGIC_NO_CHECK_COMPRESS);
    if (magic_cookie == NULL)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "magic_init",
                            "libmagic: cannot allocate: %s", strerror(errno));
    /* libmagic 5.44 reads up to 7 MiB of a file, twice: 5-14 ms a large
     * file. The types we accept are told by their first bytes (a CDF
     * document's directory is read through the descriptor, beyond the
     * buffer): the same types for every corpus file with 1 MiB. */
    size_t bytes_max = AW_SNIFF_BYTES;
    if (magic_setparam(magic_cookie, MAGIC_PARAM_BYTES_MAX, &bytes_max) != 0) {
        magic_close(magic_cookie);
        magic_cookie = NULL;
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "magic_init",
                            "libmagic: cannot set how much it reads");
    }
    if (magic_load(magic_cookie, NULL) != 0) {
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "magic_init",
                     "libmagic: cannot load its database: %s", magic_error(magic_cookie));
        magic_close(magic_cookie);
        magic_cookie = NULL;
        return AW_ERROR;
    }
    return AW_OK;
}

static void sniff_exit(void)
{
    if (magic_cookie != NULL)
        magic_close(magic_cookie);
    magic_cookie = NULL;
}

/* Size and readability, before any byte is interpreted. */
static int check_file(aw_ctx *ctx, aw_error *err)
{
    struct stat st;
    ctx->gate = AW_GATE_CLOSED;
    if (stat(ctx->input_path, &st) != 0) {
        if (errno == ENOENT)
            return aw_error_set(err, AW_CODE_NOT_FOUND, "missing", "input file does not exist");
        return aw_error_set(err, AW_CODE_STORAGE_ERROR, "unreadable",
                            "input file cannot be read: %s", strerror(errno));
    }
    if (!S_ISREG(st.st_mode))
        return aw_error_set(err, AW_CODE_INVALID_FILE_TYPE, "not_regular",
                            "input is not a regular file");
    ctx->file_bytes = (uint64_t)st.st_size;
    if (st.st_size == 0)
        return aw_error_set(err, AW_CODE_UPLOAD_FAILED, "empty_file",
                            "file is empty (0 bytes): the upload did not complete");
    if (ctx->file_bytes > ctx->config->limits.max_file_bytes)
        return aw_error_set(err, AW_CODE_FILE_TOO_LARGE, "file_size",
                            "file is %llu bytes, over the limit of %llu bytes",
                            (unsigned long long)ctx->file_bytes,
                            (unsigned long long)ctx->config->limits.max_file_bytes);
    ctx->gate = AW_GATE_OPEN;
    return AW_OK;
}

/* Chooses the media type from the declaration and the content. */
static void set_asset_type(aw_ctx *ctx, const aw_media_type *type)
{
    json_object_set_new(ctx->result->metadata, "type",
                        json_string(aw_family_asset_type(type->family)));
}

static int decide_type(aw_ctx *ctx, const char *magic_mime, aw_error *err)
{
    const char *declared = ctx->job->declared_mime;
    const aw_media_type *type;
    if (declared != NULL && declared[0] != '\0') {
        type = aw_media_by_mime(declared);
        if (type == NULL)
            return aw_error_set(err, AW_CODE_INVALID_FILE_TYPE, "declared_not_allowed",
                                "declared type %.80s is not an accepted type", declared);
        if (!aw_media_compatible(type, magic_mime))
            return aw_error_set(err, AW_CODE_INVALID_FILE_TYPE, "type_mismatch",
                                "declared %.80s but the content is %.80s", declared, magic_mime);
    } else {
        type = aw_media_by_sniffed(magic_mime);
        if (type == NULL)
            return aw_error_set(err, AW_CODE_INVALID_FILE_TYPE, "not_allowed",
                                "content type %.80s is not an accepted type", magic_mime);
    }
    set_asset_type(ctx, type);
    ctx->result->media = type;
    return AW_OK;
}

static int sniff_run(aw_ctx *ctx, aw_error *err)
{
    /* What the API tier filed the asset as, kept even when the file is refused. */
    const aw_media_type *declared = aw_media_by_mime(ctx->job->declared_mime);
    if (declared != NULL)
        set_asset_type(ctx, declared);
    if (check_file(ctx, err) != AW_OK)
        return AW_ERROR;
    const char *magic_mime = magic_file(magic_cookie, ctx->input_path);
    if (magic_mime == NULL) {
        ctx->gate = AW_GATE_CLOSED;
        return aw_error_set(err, AW_CODE_STORAGE_ERROR, "unreadable", "libmagic: %s",
                            magic_error(magic_cookie));
    }
    snprintf(ctx->result->sniffed_mime, sizeof ctx->result->sniffed_mime, "%s", magic_mime);
    if (decide_type(ctx, magic_mime, err) != AW_OK) {
        ctx->gate = AW_GATE_SCAN_ONLY;
        return AW_ERROR;
    }
    return AW_OK;
}

const aw_stage aw_stage_sniff = {
    .name = "sniff",
    .kind = AW_STAGE_SNIFF,
    .families = AW_FAMILY_ANY,
    .init_global = sniff_init,
    .exit_global = sniff_exit,
    .execute = sniff_run,
};
