/* manifest.h — reads ../shared/corpus/MANIFEST.tsv: one row per corpus file,
 * columns by header name (what exiftool/ffprobe/pdfinfo said about it). */
#ifndef AW_MANIFEST_H
#define AW_MANIFEST_H

#include <stddef.h>

typedef struct aw_manifest aw_manifest;
typedef struct aw_manifest_row aw_manifest_row;

/* Loads corpus_dir/MANIFEST.tsv; NULL when unreadable. */
aw_manifest *aw_manifest_load(const char *corpus_dir);
void aw_manifest_free(aw_manifest *m);

size_t aw_manifest_count(const aw_manifest *m);
const aw_manifest_row *aw_manifest_row_at(const aw_manifest *m, size_t i);

/* The cell of column `name` ("" when blank or no such column). */
const char *aw_manifest_get(const aw_manifest_row *row, const char *name);

/* Integer cell, or -1 when blank. */
long aw_manifest_int(const aw_manifest_row *row, const char *name);

/* Absolute path of the row's file (corpus_dir/relpath). */
const char *aw_manifest_path(const aw_manifest_row *row);

#endif
