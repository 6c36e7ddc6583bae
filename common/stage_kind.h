/* stage_kind.h — the kinds of stage a job can ask for (bits of its request),
 * their names in events, and the parser of a stage list. */
#ifndef AW_STAGE_KIND_H
#define AW_STAGE_KIND_H

#include "error.h"

/* The stages of DESIGN §4, as bits of a job's request. Sniff always runs. */
typedef enum {
    AW_STAGE_SNIFF = 1 << 0,
    AW_STAGE_SCAN = 1 << 1,
    AW_STAGE_METADATA = 1 << 2,
    AW_STAGE_THUMBNAIL = 1 << 3,
    AW_STAGE_PREVIEW = 1 << 4,
    AW_STAGE_WAVEFORM = 1 << 5,
} aw_stage_kind;

#define AW_STAGES_ALL 0x3fu

/* "sniff", "scan", "metadata", "thumbnail", "preview", "waveform". */
const char *aw_stage_kind_name(aw_stage_kind kind);

/* Parses "scan,metadata,thumbnail" (or "all") into stage bits, sniff added.
 * Returns AW_OK, or AW_ERROR with err naming the unknown word. */
int aw_stage_mask_parse(const char *list, unsigned *mask, aw_error *err);

#endif
