/* reuse_index.h — the content-hash index (DESIGN §5 "Recipes and reuse"):
 * derived/by-hash/{sha256}/{recipe set}.json names the first asset whose
 * source had those bytes and whose outputs those recipes made, with its
 * outputs, metadata and scan verdict. A new upload with the same bytes and
 * recipes copies those outputs to its own keys instead of decoding again.
 * The index is advisory: an entry that is missing, unreadable or does not
 * match in every respect means "process normally". Pure functions on JSON;
 * the transfers are message_reuse.c's. */
#ifndef AW_REUSE_INDEX_H
#define AW_REUSE_INDEX_H

#include "config.h"

#include <jansson.h>
#include <stdbool.h>

/* "derived/by-hash/{sha256}/{hash of the current recipe ids}.json". */
void aw_reuse_index_key(const char *sha256, const aw_config *cfg, char *buf, size_t size);

/* The entry a completed job leaves, or NULL when it may not be reused (not
 * completed, not CLEAN, no hash, errors). New reference. */
json_t *aw_reuse_entry(json_t *completed, const char *sha256, long long bytes);

/* True when entry may stand for this upload: same hash and size, recipes as
 * cfg makes them now, another asset, every output key its own and safe. */
bool aw_reuse_entry_fits(json_t *entry, const char *sha256, long long bytes, const char *asset_id,
                         const aw_config *cfg);

/* The job event of asset (job_id) made from entry: its outputs at the
 * asset's own keys, marked "reused", with reusedFrom. New reference. */
json_t *aw_reuse_event(json_t *entry, const char *job_id, const char *asset_id);

/* Calls fn(src_key, dst_key, user) for every output entry names, the
 * destination being the same file name under derived/{asset_id}/. */
void aw_reuse_each_copy(json_t *entry, const char *asset_id,
                        void (*fn)(const char *src, const char *dst, void *user), void *user);

#endif
