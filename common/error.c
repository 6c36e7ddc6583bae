/* error.c — seed 003 error codes and the caller-owned error struct. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const code_names[AW_CODE_COUNT] = {
    [AW_CODE_NONE] = "",
    [AW_CODE_NOT_FOUND] = "ASSET_NOT_FOUND",
    [AW_CODE_UPLOAD_FAILED] = "ASSET_UPLOAD_FAILED",
    [AW_CODE_INVALID_STATUS_TRANSITION] = "ASSET_INVALID_STATUS_TRANSITION",
    [AW_CODE_HAS_ACTIVE_LICENSES] = "ASSET_HAS_ACTIVE_LICENSES",
    [AW_CODE_VIRUS_DETECTED] = "ASSET_VIRUS_DETECTED",
    [AW_CODE_ACCESS_DENIED] = "ASSET_ACCESS_DENIED",
    [AW_CODE_ALREADY_DELETED] = "ASSET_ALREADY_DELETED",
    [AW_CODE_INVALID_FILE_TYPE] = "ASSET_INVALID_FILE_TYPE",
    [AW_CODE_FILE_TOO_LARGE] = "ASSET_FILE_TOO_LARGE",
    [AW_CODE_STORAGE_ERROR] = "ASSET_STORAGE_ERROR",
    [AW_CODE_PROCESSING_FAILED] = "ASSET_PROCESSING_FAILED",
    [AW_CODE_INVALID_METADATA] = "ASSET_INVALID_METADATA",
};

const char *aw_code_name(aw_code code)
{
    if ((unsigned)code >= AW_CODE_COUNT)
        return "";
    return code_names[code];
}

aw_code aw_code_from_name(const char *name)
{
    if (name == NULL || name[0] == '\0')
        return AW_CODE_NONE;
    for (int i = 1; i < AW_CODE_COUNT; i++)
        if (strcmp(code_names[i], name) == 0)
            return (aw_code)i;
    return AW_CODE_NONE;
}

int aw_error_set(aw_error *err, aw_code code, const char *reason, const char *fmt, ...)
{
    if (err == NULL)
        return AW_ERROR;
    err->code = code;
    err->retriable = false;
    snprintf(err->reason, sizeof err->reason, "%s", reason ? reason : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return AW_ERROR;
}

void aw_error_clear(aw_error *err)
{
    if (err != NULL)
        memset(err, 0, sizeof *err);
}
