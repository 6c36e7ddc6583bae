/* stage_kind.c — stage names and the stage list parser. */
#include "stage_kind.h"

#include <string.h>

static const char *const stage_names[] = {"sniff",     "scan",    "metadata",
                                          "thumbnail", "preview", "waveform"};

#define STAGE_NAME_COUNT (sizeof stage_names / sizeof stage_names[0])

const char *aw_stage_kind_name(aw_stage_kind kind)
{
    for (unsigned i = 0; i < STAGE_NAME_COUNT; i++)
        if (kind == (aw_stage_kind)(1u << i))
            return stage_names[i];
    return "unknown";
}

static int stage_bit(const char *word, size_t n, unsigned *bit)
{
    if (n == 3 && strncmp(word, "all", 3) == 0) {
        *bit = AW_STAGES_ALL;
        return AW_OK;
    }
    for (unsigned i = 0; i < STAGE_NAME_COUNT; i++)
        if (strlen(stage_names[i]) == n && strncmp(stage_names[i], word, n) == 0) {
            *bit = 1u << i;
            return AW_OK;
        }
    return AW_ERROR;
}

int aw_stage_mask_parse(const char *list, unsigned *mask, aw_error *err)
{
    unsigned result = AW_STAGE_SNIFF;
    for (const char *p = list; p != NULL && *p != '\0';) {
        size_t n = strcspn(p, ",");
        unsigned bit = 0;
        if (n > 0 && stage_bit(p, n, &bit) != AW_OK)
            return aw_error_set(err, AW_CODE_INVALID_METADATA, "unknown_stage",
                                "unknown stage '%.*s' (known: scan, metadata, thumbnail, "
                                "preview, waveform, all)",
                                (int)n, p);
        result |= bit;
        p += n;
        p += (*p == ',');
    }
    *mask = result;
    return AW_OK;
}
