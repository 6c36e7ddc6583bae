/* recipe.h — what made an output (DESIGN §5 "Recipes and reuse"): each
 * stage kind that writes outputs has a version, bumped in code when what it
 * writes changes, and the settings that shape its output. Its recipe id is
 * "kind@version+hash(settings)", e.g. "thumbnail@1+3f2a9c1d". Two outputs
 * with the same recipe id from the same bytes are the same output. */
#ifndef AW_RECIPE_H
#define AW_RECIPE_H

#include "config.h"
#include "stage_kind.h"

#include <jansson.h>
#include <stdbool.h>

#define AW_RECIPE_MAX 64

/* The kinds that have recipes: metadata, thumbnail, preview, waveform. */
extern const aw_stage_kind aw_recipe_kinds[];
#define AW_RECIPE_KINDS 4

/* The recipe id of kind under cfg into out (AW_RECIPE_MAX bytes); false for
 * a kind without outputs (sniff, scan). */
bool aw_recipe_id(aw_stage_kind kind, const aw_config *cfg, char out[AW_RECIPE_MAX]);

/* {"metadata": id, "thumbnail": id, …} for the kinds in mask (new ref). */
json_t *aw_recipe_ids(unsigned mask, const aw_config *cfg);

#endif
