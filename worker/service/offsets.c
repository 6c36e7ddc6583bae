/* offsets.c — contiguous-prefix offset tracking. Each partition keeps its
 * in-flight offsets in arrival order with a done flag; finishing pops the
 * done ones off the front. */
#include "offsets.h"

#include "alloc.h"

#include <stdlib.h>
#include <string.h>

typedef struct entry {
    int64_t offset;
    bool done;
} entry;

typedef struct partition {
    char topic[256];
    int32_t id;
    entry *q;
    size_t head, len, cap; /* entries q[head .. head+len) */
    int64_t stored;        /* last returned by aw_offsets_done, or -1 */
} partition;

struct aw_offsets {
    partition *parts;
    size_t n, cap;
};

aw_offsets *aw_offsets_new(void)
{
    return aw_xcalloc(1, sizeof(aw_offsets));
}

void aw_offsets_free(aw_offsets *o)
{
    if (o == NULL)
        return;
    for (size_t i = 0; i < o->n; i++)
        free(o->parts[i].q);
    free(o->parts);
    free(o);
}

static partition *find(const aw_offsets *o, const char *topic, int32_t id)
{
    for (size_t i = 0; i < o->n; i++)
        if (o->parts[i].id == id && strcmp(o->parts[i].topic, topic) == 0)
            return &o->parts[i];
    return NULL;
}

static partition *find_or_add(aw_offsets *o, const char *topic, int32_t id)
{
    partition *p = find(o, topic, id);
    if (p != NULL)
        return p;
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 8;
        o->parts = aw_xreallocarray(o->parts, o->cap, sizeof *o->parts);
    }
    p = &o->parts[o->n++];
    memset(p, 0, sizeof *p);
    strncpy(p->topic, topic, sizeof p->topic - 1);
    p->id = id;
    p->stored = -1;
    return p;
}

void aw_offsets_begin(aw_offsets *o, const char *topic, int32_t partition_id, int64_t offset)
{
    partition *p = find_or_add(o, topic, partition_id);
    if (p->head > 0 && p->head + p->len == p->cap) { /* compact */
        memmove(p->q, p->q + p->head, p->len * sizeof *p->q);
        p->head = 0;
    }
    if (p->head + p->len == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 64;
        p->q = aw_xreallocarray(p->q, p->cap, sizeof *p->q);
    }
    p->q[p->head + p->len++] = (entry){offset, false};
}

int64_t aw_offsets_done(aw_offsets *o, const char *topic, int32_t partition_id, int64_t offset)
{
    partition *p = find(o, topic, partition_id);
    if (p == NULL)
        return -1;
    for (size_t i = 0; i < p->len; i++)
        if (p->q[p->head + i].offset == offset)
            p->q[p->head + i].done = true;
    int64_t commit = -1;
    while (p->len > 0 && p->q[p->head].done) {
        commit = p->q[p->head].offset + 1;
        p->head++, p->len--;
    }
    if (p->len == 0)
        p->head = 0;
    if (commit >= 0)
        p->stored = commit;
    return commit;
}

void aw_offsets_drop(aw_offsets *o, const char *topic, int32_t partition_id)
{
    partition *p = find(o, topic, partition_id);
    if (p != NULL) {
        p->head = p->len = 0;
        p->stored = -1;
    }
}

int64_t aw_offsets_stored(const aw_offsets *o, const char *topic, int32_t partition_id)
{
    const partition *p = find(o, topic, partition_id);
    return p ? p->stored : -1;
}

void aw_offsets_each_stored(const aw_offsets *o, aw_offsets_fn *fn, void *arg)
{
    for (size_t i = 0; i < o->n; i++)
        if (o->parts[i].stored >= 0)
            fn(o->parts[i].topic, o->parts[i].id, o->parts[i].stored, arg);
}

int aw_offsets_in_flight(const aw_offsets *o)
{
    int total = 0;
    for (size_t i = 0; i < o->n; i++)
        total += (int)o->parts[i].len;
    return total;
}

int aw_offsets_pending(const aw_offsets *o, const char *topic, int32_t partition_id)
{
    const partition *p = find(o, topic, partition_id);
    return p ? (int)p->len : 0;
}
