/* zip_salvage.h — the document-property parts of an OOXML package whose
 * ZIP central directory is damaged, found by their local headers
 * (zip_salvage.c). */
#ifndef AW_ZIP_SALVAGE_H
#define AW_ZIP_SALVAGE_H

#include "config.h"

#include <gsf/gsf.h>
#include <stdbool.h>

/* A package in memory holding the docProps/ parts of the file at `path`
 * that inflate whole and match their CRC, or NULL when there is none. At
 * most limits->max_zip_entries local headers are looked at. */
GsfInfile *aw_zip_salvage(const char *path, const aw_limits *limits);

/* True when `root` was made by aw_zip_salvage: only the document
 * properties of the file could be read. */
bool aw_zip_is_salvaged(GsfInfile *root);

#endif
