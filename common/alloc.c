/* alloc.c — allocation that aborts on failure (see alloc.h). */
#include "alloc.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One line with write(2), nothing that may allocate, then abort(). */
static void out_of_memory(size_t size) __attribute__((noreturn));
static void out_of_memory(size_t size)
{
    char line[80];
    int n = snprintf(line, sizeof line, "asset-worker: out of memory allocating %zu bytes\n", size);
    ssize_t w = write(STDERR_FILENO, line, n > 0 ? (size_t)n : 0);
    (void)w;
    abort();
}

void *aw_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (p == NULL)
        out_of_memory(size);
    return p;
}

void *aw_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (p == NULL)
        out_of_memory(size != 0 && count > SIZE_MAX / size ? SIZE_MAX : count * size);
    return p;
}

void *aw_xrealloc(void *p, size_t size)
{
    void *grown = realloc(p, size ? size : 1);
    if (grown == NULL)
        out_of_memory(size);
    return grown;
}

void *aw_xreallocarray(void *p, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        out_of_memory(SIZE_MAX);
    return aw_xrealloc(p, count * size);
}

char *aw_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(aw_xmalloc(n), s, n);
}

char *aw_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) /* only a result over INT_MAX bytes: no room for it either */
        out_of_memory((size_t)INT_MAX + 1);
    char *s = aw_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}
