/* manifest.h — an asset's manifest (DESIGN §5 "Recipes and reuse"):
 * derived/{assetId}/manifest.json, written after the outputs are durable,
 * says which outputs the asset has, the recipe that made each kind, the
 * metadata, the scan verdict (and the database that gave it) and the source
 * it came from (storage key, size, SHA-256 when known). An `outdated`
 * regenerate reads it to run only what changed. Pure functions on JSON: the
 * transfers are message_plan.c's. */
#ifndef AW_MANIFEST_H
#define AW_MANIFEST_H

#include "config.h"

#include <jansson.h>

/* "derived/{assetId}/manifest.json" into buf. */
void aw_manifest_key(const char *asset_id, char *buf, size_t size);

/* The stage kinds (recipe kinds only) an outdated regenerate must run:
 * those whose recipe in the manifest differs from what cfg makes now, those
 * that failed last time, and those whose outputs are missing. Without a
 * manifest: all of them. */
unsigned aw_manifest_outdated(json_t *manifest, const aw_config *cfg);

/* The asset's manifest after job `completed` (asset.job.completed data):
 * the old one (NULL: none) with the kinds this job made replaced. NULL when
 * the job made nothing worth recording (failed). New reference. */
json_t *aw_manifest_merge(json_t *old, json_t *completed, const char *storage_key,
                          const char *sha256, long long bytes);

/* Makes a job's event speak for the whole asset: the outputs, recipes (and,
 * when the job did not extract it, the metadata) the manifest has for the
 * kinds the job did not make are added, and "outputs" says per kind
 * whether this job made it ("made") or it was already current ("current"). */
void aw_manifest_complete_event(json_t *completed, json_t *manifest);

#endif
