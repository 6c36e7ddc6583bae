/* alloc.h — the allocator every part of the worker uses: an allocation that
 * fails aborts the process after one line on stderr ("asset-worker: out of
 * memory allocating N bytes"), as git's xmalloc and Redis' zmalloc do, so
 * callers never check for NULL. Why this rule: docs/decisions.md, "Out of
 * memory". Sizes that come from an input are checked against a limit before
 * they reach these functions. */
#ifndef AW_ALLOC_H
#define AW_ALLOC_H

#include <stddef.h>

/* malloc, calloc and realloc that never return NULL (not even for size 0). */
void *aw_xmalloc(size_t size) __attribute__((malloc, returns_nonnull));
void *aw_xcalloc(size_t count, size_t size) __attribute__((malloc, returns_nonnull));
void *aw_xrealloc(void *p, size_t size) __attribute__((returns_nonnull));

/* realloc of count × size bytes; aborts as well when the product overflows. */
void *aw_xreallocarray(void *p, size_t count, size_t size) __attribute__((returns_nonnull));

char *aw_xstrdup(const char *s) __attribute__((malloc, returns_nonnull));

/* A new string formatted as printf does; free() it. */
char *aw_xasprintf(const char *fmt, ...)
    __attribute__((malloc, returns_nonnull, format(printf, 1, 2)));

#endif
