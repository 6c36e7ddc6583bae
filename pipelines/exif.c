/* exif.c — EXIF via libexif. Tags are looked up in their own IFD (GPS tag
 * numbers overlap IFD0's) and read only when their stored format is the one
 * the standard gives, so a hostile block yields nothing rather than junk. */
#include "exif.h"

#include "alloc.h"
#include "jsonutil.h"

#include <ctype.h>
#include <stdbool.h>
#include <libexif/exif-data.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int aw_exif_date_to_iso(const char *in, const char *offset, char *out, size_t size)
{
    static const char shape[] = "dddd:dd:dd dd:dd:dd";
    if (in == NULL || strlen(in) < sizeof shape - 1)
        return -1;
    for (size_t i = 0; i < sizeof shape - 1; i++) {
        bool digit = isdigit((unsigned char)in[i]) != 0;
        if (shape[i] == 'd' ? !digit : in[i] != shape[i])
            return -1;
    }
    if (strncmp(in, "0000", 4) == 0)
        return -1;
    bool has_offset = offset != NULL && strlen(offset) == 6 &&
                      (offset[0] == '+' || offset[0] == '-') && offset[3] == ':';
    snprintf(out, size, "%.4s-%.2s-%.2sT%.8s%s", in, in + 5, in + 8, in + 11,
             has_offset ? offset : "");
    return 0;
}

static ExifEntry *entry(ExifData *ed, ExifIfd ifd, ExifTag tag, ExifFormat format)
{
    ExifEntry *e = exif_content_get_entry(ed->ifd[ifd], tag);
    if (e == NULL || e->format != format || e->components == 0 || e->data == NULL)
        return NULL;
    if (e->size < e->components * exif_format_get_size(format))
        return NULL;
    return e;
}

static int set_ascii(json_t *obj, const char *key, ExifData *ed, ExifIfd ifd, ExifTag tag)
{
    ExifEntry *e = entry(ed, ifd, tag, EXIF_FORMAT_ASCII);
    json_t *v = e ? aw_json_text((const char *)e->data, e->size) : NULL;
    if (v == NULL)
        return 0;
    json_object_set_new(obj, key, v);
    return 1;
}

/* The i-th unsigned rational of a tag as a double; -1 when absent or x/0. */
static double rational(ExifData *ed, ExifIfd ifd, ExifTag tag, unsigned i)
{
    ExifEntry *e = entry(ed, ifd, tag, EXIF_FORMAT_RATIONAL);
    if (e == NULL || i >= e->components)
        return -1;
    ExifRational r = exif_get_rational(e->data + 8 * i, exif_data_get_byte_order(ed));
    return r.denominator ? (double)r.numerator / r.denominator : -1;
}

static int set_rational(json_t *obj, const char *key, ExifData *ed, ExifIfd ifd, ExifTag tag)
{
    double v = rational(ed, ifd, tag, 0);
    if (v < 0)
        return 0;
    json_object_set_new(obj, key, json_real(v));
    return 1;
}

static int set_short(json_t *obj, const char *key, ExifData *ed, ExifIfd ifd, ExifTag tag)
{
    ExifEntry *e = entry(ed, ifd, tag, EXIF_FORMAT_SHORT);
    if (e == NULL)
        return 0;
    json_object_set_new(obj, key,
                        json_integer(exif_get_short(e->data, exif_data_get_byte_order(ed))));
    return 1;
}

/* Degrees from the three rationals (d, m, s) and a N/S/E/W reference. */
static int set_coordinate(json_t *gps, const char *key, ExifData *ed, ExifTag value, ExifTag ref,
                          double max)
{
    double d = rational(ed, EXIF_IFD_GPS, value, 0);
    double m = rational(ed, EXIF_IFD_GPS, value, 1);
    double s = rational(ed, EXIF_IFD_GPS, value, 2);
    ExifEntry *r = entry(ed, EXIF_IFD_GPS, ref, EXIF_FORMAT_ASCII);
    if (d < 0 || m < 0 || s < 0 || r == NULL)
        return 0;
    double deg = d + m / 60.0 + s / 3600.0;
    if (deg > max)
        return 0;
    if (r->data[0] == 'S' || r->data[0] == 'W')
        deg = -deg;
    json_object_set_new(gps, key, json_real(deg));
    return 1;
}

static int extract_gps(ExifData *ed, json_t *exif)
{
    json_t *gps = json_object();
    int n = set_coordinate(gps, "latitude", ed, EXIF_TAG_GPS_LATITUDE, EXIF_TAG_GPS_LATITUDE_REF,
                           90.0);
    n += set_coordinate(gps, "longitude", ed, EXIF_TAG_GPS_LONGITUDE, EXIF_TAG_GPS_LONGITUDE_REF,
                        180.0);
    double alt = rational(ed, EXIF_IFD_GPS, EXIF_TAG_GPS_ALTITUDE, 0);
    if (alt >= 0) {
        ExifEntry *ref = entry(ed, EXIF_IFD_GPS, EXIF_TAG_GPS_ALTITUDE_REF, EXIF_FORMAT_BYTE);
        json_object_set_new(gps, "altitude", json_real(ref && ref->data[0] == 1 ? -alt : alt));
        n++;
    }
    if (n > 0)
        json_object_set_new(exif, "gps", gps);
    else
        json_decref(gps);
    return n > 0;
}

/* DateTimeOriginal (+ OffsetTimeOriginal) as ISO 8601 under `key`. */
static int set_date(json_t *exif, const char *key, ExifData *ed, ExifIfd ifd, ExifTag tag,
                    ExifTag offset_tag)
{
    ExifEntry *e = entry(ed, ifd, tag, EXIF_FORMAT_ASCII);
    ExifEntry *o = entry(ed, EXIF_IFD_EXIF, offset_tag, EXIF_FORMAT_ASCII);
    char date[32] = "", offset[8] = "", iso[40];
    if (e == NULL)
        return 0;
    snprintf(date, sizeof date, "%.*s", (int)e->size, (const char *)e->data);
    if (o != NULL)
        snprintf(offset, sizeof offset, "%.*s", (int)o->size, (const char *)o->data);
    if (aw_exif_date_to_iso(date, offset, iso, sizeof iso) != 0)
        return 0;
    json_object_set_new(exif, key, json_string(iso));
    return 1;
}

static int extract_camera(ExifData *ed, json_t *exif)
{
    int n = set_ascii(exif, "make", ed, EXIF_IFD_0, EXIF_TAG_MAKE);
    n += set_ascii(exif, "model", ed, EXIF_IFD_0, EXIF_TAG_MODEL);
    n += set_ascii(exif, "software", ed, EXIF_IFD_0, EXIF_TAG_SOFTWARE);
    n += set_ascii(exif, "artist", ed, EXIF_IFD_0, EXIF_TAG_ARTIST);
    n += set_ascii(exif, "copyright", ed, EXIF_IFD_0, EXIF_TAG_COPYRIGHT);
    n += set_ascii(exif, "imageDescription", ed, EXIF_IFD_0, EXIF_TAG_IMAGE_DESCRIPTION);
    n += set_short(exif, "orientation", ed, EXIF_IFD_0, EXIF_TAG_ORIENTATION);
    n += set_ascii(exif, "lensMake", ed, EXIF_IFD_EXIF, EXIF_TAG_LENS_MAKE);
    n += set_ascii(exif, "lensModel", ed, EXIF_IFD_EXIF, EXIF_TAG_LENS_MODEL);
    n += set_rational(exif, "exposureTime", ed, EXIF_IFD_EXIF, EXIF_TAG_EXPOSURE_TIME);
    n += set_rational(exif, "fNumber", ed, EXIF_IFD_EXIF, EXIF_TAG_FNUMBER);
    n += set_short(exif, "iso", ed, EXIF_IFD_EXIF, EXIF_TAG_ISO_SPEED_RATINGS);
    n += set_rational(exif, "focalLength", ed, EXIF_IFD_EXIF, EXIF_TAG_FOCAL_LENGTH);
    n += set_short(exif, "focalLength35mm", ed, EXIF_IFD_EXIF, EXIF_TAG_FOCAL_LENGTH_IN_35MM_FILM);
    n += set_short(exif, "flash", ed, EXIF_IFD_EXIF, EXIF_TAG_FLASH);
    return n;
}

int aw_exif_extract(const void *blob, size_t len, json_t *exif)
{
    if (blob == NULL || len < 8 || len > 0xffffff)
        return 0;
    /* WebP and HEIF carry the bare TIFF structure; libexif wants the
     * "Exif\0\0" header of the JPEG APP1 segment in front of it. */
    unsigned char *framed = NULL;
    if (memcmp(blob, "II*\0", 4) == 0 || memcmp(blob, "MM\0*", 4) == 0) {
        framed = aw_xmalloc(len + 6); /* len is at most 16 MiB (above) */
        memcpy(framed, "Exif\0\0", 6);
        memcpy(framed + 6, blob, len);
        blob = framed, len += 6;
    }
    ExifData *ed = exif_data_new_from_data(blob, (unsigned)len);
    free(framed);
    if (ed == NULL)
        return 0;
    int n = extract_camera(ed, exif);
    n += set_date(exif, "dateTimeOriginal", ed, EXIF_IFD_EXIF, EXIF_TAG_DATE_TIME_ORIGINAL,
                  (ExifTag)0x9011 /* OffsetTimeOriginal */);
    n += set_date(exif, "dateTime", ed, EXIF_IFD_0, EXIF_TAG_DATE_TIME,
                  (ExifTag)0x9010 /* OffsetTime */);
    n += extract_gps(ed, exif);
    exif_data_unref(ed);
    return n;
}
