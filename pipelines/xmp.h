/* xmp.h — descriptive fields from XMP packets (Dublin Core title, creator,
 * subject, description; xmp dates) and from an SVG's <title>. Parsed with
 * libxml2 with the network off and entities left unexpanded. */
#ifndef AW_XMP_H
#define AW_XMP_H

#include <jansson.h>
#include <stddef.h>

/* Fills descriptive.{title, creator, keywords, subject} and
 * extracted.{creationDate, modificationDate} (only when not set yet).
 * Returns how many fields were set. */
int aw_xmp_extract(const void *packet, size_t len, json_t *descriptive, json_t *extracted);

/* descriptive.title from the first <title> child of the root <svg> (the SVG
 * counterpart of the XMP dc:title). Returns 1 when set, else 0. */
int aw_xmp_svg_title(const char *path, json_t *descriptive);

#endif
