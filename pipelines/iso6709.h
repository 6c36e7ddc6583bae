/* iso6709.h — a point written as ISO 6709 Annex H text, the form phones
 * and cameras store in QuickTime/MP4 tags: "+48.8577+002.2950+035.5/". */
#ifndef AW_ISO6709_H
#define AW_ISO6709_H

#include <stdbool.h>

typedef struct aw_geo_point {
    double latitude, longitude; /* degrees, north and east positive */
    double altitude;            /* metres; only when has_altitude */
    bool has_altitude;
} aw_geo_point;

/* Highest |altitude| kept, in metres: beyond it the altitude alone is dropped. */
#define AW_ISO6709_MAX_ALTITUDE 100000.0

/* Parses latitude and longitude, each a sign and degrees (±DD.D, ±DDD.D),
 * degrees and minutes (±DDMM.M, ±DDDMM.M) or degrees, minutes and seconds
 * (±DDMMSS.S, ±DDDMMSS.S), then an optional altitude (±A.A) and an optional
 * "CRS…" label, up to the closing '/' (or the end). Returns 0, or -1 for
 * anything else: a missing sign or digit, minutes or seconds ≥ 60,
 * |latitude| > 90, |longitude| > 180. An altitude beyond
 * ±AW_ISO6709_MAX_ALTITUDE is left out (has_altitude false). */
int aw_iso6709_parse(const char *text, aw_geo_point *out);

#endif
