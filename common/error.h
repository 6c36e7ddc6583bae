/* error.h — the error a job or stage reports: seed 003's ASSET_* code, a finer
 * reason, whether a retry could help, and a message. Callers own the struct. */
#ifndef AW_ERROR_H
#define AW_ERROR_H

#include <stdbool.h>

/* Return values of functions that can fail (nginx style). */
enum {
    AW_OK = 0,
    AW_ERROR = -1,
    AW_DECLINED = -2, /* "does not apply to me": not a failure */
};

/* Seed 003 ASSET_ERROR_CODES, in the seed's order. */
typedef enum {
    AW_CODE_NONE = 0,
    AW_CODE_NOT_FOUND,
    AW_CODE_UPLOAD_FAILED,
    AW_CODE_INVALID_STATUS_TRANSITION,
    AW_CODE_HAS_ACTIVE_LICENSES,
    AW_CODE_VIRUS_DETECTED,
    AW_CODE_ACCESS_DENIED,
    AW_CODE_ALREADY_DELETED,
    AW_CODE_INVALID_FILE_TYPE,
    AW_CODE_FILE_TOO_LARGE,
    AW_CODE_STORAGE_ERROR,
    AW_CODE_PROCESSING_FAILED,
    AW_CODE_INVALID_METADATA,
    AW_CODE_COUNT
} aw_code;

typedef struct aw_error {
    aw_code code;
    char reason[48];   /* machine-readable detail, e.g. "pixel_limit" */
    char message[512]; /* one human sentence */
    bool retriable;    /* a later attempt may succeed (storage, timeouts) */
} aw_error;

/* "ASSET_NOT_FOUND" etc.; "" for AW_CODE_NONE. Never NULL. */
const char *aw_code_name(aw_code code);

/* Parses "ASSET_…" back to the enum; AW_CODE_NONE when unknown. */
aw_code aw_code_from_name(const char *name);

/* Fills err (which may be NULL) and returns AW_ERROR, so a caller can write
 * `return aw_error_set(err, AW_CODE_…, "reason", "fmt", …);`. */
int aw_error_set(aw_error *err, aw_code code, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

void aw_error_clear(aw_error *err);

#endif
