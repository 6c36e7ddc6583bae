/* manifest.c — MANIFEST.tsv reader. */
#define _GNU_SOURCE
#include "manifest.h"

#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLUMNS 64

struct aw_manifest_row {
    const aw_manifest *m;
    char *cells[MAX_COLUMNS];
    char path[4096];
};

struct aw_manifest {
    char *header[MAX_COLUMNS];
    int columns;
    aw_manifest_row *rows;
    size_t count;
};

/* Splits line in place on tabs into cells; returns how many. */
static int split(char *line, char **cells)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    for (char *p = line; n < MAX_COLUMNS;) {
        cells[n++] = p;
        char *tab = strchr(p, '\t');
        if (tab == NULL)
            break;
        *tab = '\0';
        p = tab + 1;
    }
    return n;
}

static void add_row(aw_manifest *m, char *line, const char *dir)
{
    m->rows = aw_xreallocarray(m->rows, m->count + 1, sizeof *m->rows);
    aw_manifest_row *r = &m->rows[m->count++];
    memset(r, 0, sizeof *r);
    int n = split(line, r->cells);
    for (int i = n; i < MAX_COLUMNS; i++)
        r->cells[i] = "";
    r->m = m;
    snprintf(r->path, sizeof r->path, "%s/%s", dir, aw_manifest_get(r, "relpath"));
}

aw_manifest *aw_manifest_load(const char *corpus_dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/MANIFEST.tsv", corpus_dir);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    aw_manifest *m = aw_xcalloc(1, sizeof *m);
    char *line = NULL;
    size_t cap = 0;
    if (getline(&line, &cap, f) > 0)
        m->columns = split(aw_xstrdup(line), m->header);
    while (getline(&line, &cap, f) > 0)
        add_row(m, aw_xstrdup(line), corpus_dir);
    free(line);
    fclose(f);
    return m;
}

void aw_manifest_free(aw_manifest *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->count; i++)
        free(m->rows[i].cells[0]);
    free(m->rows);
    free(m->header[0]);
    free(m);
}

size_t aw_manifest_count(const aw_manifest *m)
{
    return m->count;
}

const aw_manifest_row *aw_manifest_row_at(const aw_manifest *m, size_t i)
{
    return &m->rows[i];
}

const char *aw_manifest_get(const aw_manifest_row *row, const char *name)
{
    for (int i = 0; i < row->m->columns; i++)
        if (strcmp(row->m->header[i], name) == 0)
            return row->cells[i];
    return "";
}

long aw_manifest_int(const aw_manifest_row *row, const char *name)
{
    const char *v = aw_manifest_get(row, name);
    return v[0] ? strtol(v, NULL, 10) : -1;
}

const char *aw_manifest_path(const aw_manifest_row *row)
{
    return row->path;
}
