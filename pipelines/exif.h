/* exif.h — camera EXIF (libexif) as typed JSON: make, model, lens, exposure,
 * aperture, ISO, focal length, GPS, software, dates. */
#ifndef AW_EXIF_H
#define AW_EXIF_H

#include <jansson.h>
#include <stddef.h>

/* Reads the EXIF block (with or without its "Exif\0\0" header) into the
 * object `exif`. Returns how many fields were set; 0 for junk. */
int aw_exif_extract(const void *blob, size_t len, json_t *exif);

/* "2008:05:30 15:56:01" (+ optional offset "+02:00") → "2008-05-30T15:56:01+02:00".
 * Returns 0, or -1 when `in` is not an EXIF date (all-zero dates included). */
int aw_exif_date_to_iso(const char *in, const char *offset, char *out, size_t size);

#endif
