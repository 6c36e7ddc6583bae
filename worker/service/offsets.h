/* offsets.h — per-partition tracking of in-flight input offsets. Jobs finish
 * out of order; only the contiguous finished prefix may be committed, so an
 * offset is stored only when it and every offset before it are done. */
#ifndef AW_OFFSETS_H
#define AW_OFFSETS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct aw_offsets aw_offsets;

aw_offsets *aw_offsets_new(void);
void aw_offsets_free(aw_offsets *o);

/* A message was taken in (offsets of one partition arrive increasing). */
void aw_offsets_begin(aw_offsets *o, const char *topic, int32_t partition, int64_t offset);

/* Its job is finished (final event acknowledged, outputs stored). Returns
 * the offset to commit for that partition (last contiguous done + 1), or -1
 * when the prefix did not move. */
int64_t aw_offsets_done(aw_offsets *o, const char *topic, int32_t partition, int64_t offset);

/* The offset last stored for a partition (what aw_offsets_done last
 * returned for it), or -1 when none since it was taken in or dropped. */
int64_t aw_offsets_stored(const aw_offsets *o, const char *topic, int32_t partition);

/* Calls fn for each partition with a stored offset. */
typedef void aw_offsets_fn(const char *topic, int32_t partition, int64_t offset, void *arg);
void aw_offsets_each_stored(const aw_offsets *o, aw_offsets_fn *fn, void *arg);

/* Forgets a partition (revoked or lost); in-flight entries are dropped. */
void aw_offsets_drop(aw_offsets *o, const char *topic, int32_t partition);

/* Offsets begun but not done, all partitions. */
int aw_offsets_in_flight(const aw_offsets *o);

/* In-flight count of one partition. */
int aw_offsets_pending(const aw_offsets *o, const char *topic, int32_t partition);

#endif
