/* iso6709.c — ISO 6709 Annex H point strings, parsed digit by digit: no
 * strtod, so "nan", "inf", hex and exponents are never numbers here. */
#include "iso6709.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

#define MAX_DIGITS 12 /* per side of the point: more is not a coordinate */

/* A signed decimal "±III.FFF" at *p: its sign, integer digits (count in
 * *int_digits) and the whole value; *p moves past it. -1 if malformed. */
static int signed_number(const char **p, double *value, int *int_digits)
{
    const char *s = *p;
    if (*s != '+' && *s != '-')
        return -1;
    double sign = *s++ == '-' ? -1.0 : 1.0, v = 0.0, scale = 1.0;
    int digits = 0, fraction = 0;
    for (; isdigit((unsigned char)*s) && digits <= MAX_DIGITS; s++, digits++)
        v = v * 10.0 + (*s - '0');
    if (digits == 0 || digits > MAX_DIGITS)
        return -1;
    if (*s == '.')
        for (s++; isdigit((unsigned char)*s) && fraction <= MAX_DIGITS; s++, fraction++)
            v += (*s - '0') * (scale /= 10.0);
    if (fraction > MAX_DIGITS)
        return -1;
    *p = s, *value = sign * v, *int_digits = digits;
    return 0;
}

/* Degrees from the ±D…, ±DM… or ±DMS… forms: `deg` is how many integer
 * digits the degrees take (2 for latitude, 3 for longitude). */
static int degrees(double value, int int_digits, int deg, double limit, double *out)
{
    double v = fabs(value), minutes = 0, seconds = 0;
    if (int_digits == deg + 2) { /* DDMM.M */
        minutes = fmod(v, 100.0), v = floor(v / 100.0);
    } else if (int_digits == deg + 4) { /* DDMMSS.S */
        seconds = fmod(v, 100.0), minutes = fmod(floor(v / 100.0), 100.0);
        v = floor(v / 10000.0);
    } else if (int_digits > deg) {
        return -1;
    }
    if (minutes >= 60.0 || seconds >= 60.0)
        return -1;
    v += minutes / 60.0 + seconds / 3600.0;
    if (!isfinite(v) || v > limit)
        return -1;
    *out = value < 0 ? -v : v;
    return 0;
}

/* What may follow the numbers: a "CRS…" label, then '/' or the end. */
static bool proper_end(const char *s)
{
    if (strncmp(s, "CRS", 3) == 0)
        s += strcspn(s, "/");
    return *s == '\0' || *s == '/';
}

int aw_iso6709_parse(const char *text, aw_geo_point *out)
{
    if (text == NULL)
        return -1;
    const char *p = text;
    double lat, lon, alt = 0;
    int lat_digits, lon_digits, alt_digits;
    aw_geo_point point = {0};
    if (signed_number(&p, &lat, &lat_digits) != 0 || signed_number(&p, &lon, &lon_digits) != 0 ||
        degrees(lat, lat_digits, 2, 90.0, &point.latitude) != 0 ||
        degrees(lon, lon_digits, 3, 180.0, &point.longitude) != 0)
        return -1;
    bool has_altitude = *p == '+' || *p == '-';
    if (has_altitude && signed_number(&p, &alt, &alt_digits) != 0)
        return -1;
    if (!proper_end(p))
        return -1;
    point.has_altitude = has_altitude && fabs(alt) <= AW_ISO6709_MAX_ALTITUDE;
    point.altitude = point.has_altitude ? alt : 0.0;
    *out = point;
    return 0;
}
