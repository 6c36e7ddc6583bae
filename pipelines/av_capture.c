/* av_capture.c — the capture facts of audio and video files, shaped like
 * the image side's EXIF make/model/software/GPS: QuickTime Keys
 * (com.apple.quicktime.*), udta ©mak/©mod/©xyz, Android's keys and RIFF
 * ISFT, read from the tags FFmpeg exports (container first, then each
 * stream). Each field is checked on its own (strict UTF-8, bounded length,
 * coordinates in range): a refused value is left out and the next source
 * of that field is tried; nothing here fails the job. */
#include "av_capture.h"

#include "iso6709.h"
#include "jsonutil.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char *const make_keys[] = {"com.apple.quicktime.make", "make",
                                        "com.android.manufacturer", NULL};
static const char *const model_keys[] = {"com.apple.quicktime.model", "model", "com.android.model",
                                         NULL};
static const char *const software_keys[] = {"com.apple.quicktime.software", "software", NULL};
/* RIFF's ISFT ("software that made the file"), which FFmpeg's WAV
 * demuxer calls `encoder`: exiftool's RIFF:Software. */
static const char *const riff_software_keys[] = {"software", "encoder", NULL};
static const char *const android_keys[] = {"com.android.version", NULL};
static const char *const location_keys[] = {"com.apple.quicktime.location.ISO6709", "location",
                                            NULL};

/* The i-th tag dictionary: the container's, then each stream's. */
static const AVDictionary *dictionary(const AVFormatContext *fmt, unsigned i)
{
    return i == 0 ? fmt->metadata : fmt->streams[i - 1]->metadata;
}

/* Calls take(value) on every value of `key` (exact, any case) until it
 * says yes; returns whether one was taken. */
static bool first_taken(const AVFormatContext *fmt, const char *key,
                        bool (*take)(const char *value, json_t *obj, const char *field),
                        json_t *obj, const char *field)
{
    for (unsigned i = 0; i <= fmt->nb_streams; i++) {
        const AVDictionaryEntry *e = av_dict_get(dictionary(fmt, i), key, NULL, 0);
        if (e != NULL && take(e->value, obj, field))
            return true;
    }
    return false;
}

static bool take_name(const char *value, json_t *obj, const char *field)
{
    return aw_json_set_strict(obj, field, value, AW_CAPTURE_NAME_MAX) == 1;
}

static void set_name(const AVFormatContext *fmt, json_t *extracted, const char *field,
                     const char *const *keys)
{
    for (size_t i = 0; keys[i] != NULL; i++)
        if (first_taken(fmt, keys[i], take_name, extracted, field))
            return;
}

static bool take_location(const char *value, json_t *extracted, const char *field)
{
    aw_geo_point p;
    if (aw_iso6709_parse(value, &p) != 0)
        return false;
    json_t *gps = json_object();
    json_object_set_new(gps, "latitude", json_real(p.latitude));
    json_object_set_new(gps, "longitude", json_real(p.longitude));
    if (p.has_altitude)
        json_object_set_new(gps, "altitude", json_real(p.altitude));
    json_object_set_new(extracted, field, gps);
    return true;
}

/* Keys, ©xyz (FFmpeg: `location`), then a 3GPP `loci` box (`location-eng`, …). */
static void set_gps(const AVFormatContext *fmt, json_t *extracted)
{
    for (size_t i = 0; location_keys[i] != NULL; i++)
        if (first_taken(fmt, location_keys[i], take_location, extracted, "gps"))
            return;
    for (unsigned i = 0; i <= fmt->nb_streams; i++) {
        const AVDictionaryEntry *e = NULL;
        while ((e = av_dict_get(dictionary(fmt, i), "location-", e, AV_DICT_IGNORE_SUFFIX)))
            if (take_location(e->value, extracted, "gps"))
                return;
    }
}

static bool take_local_time(const char *value, json_t *extracted, const char *field)
{
    char iso[64];
    if (aw_local_time_iso(value, iso, sizeof iso) != 0)
        return false;
    json_object_set_new(extracted, field, json_string(iso));
    return true;
}

void aw_av_capture_facts(const AVFormatContext *fmt, const char *group, json_t *extracted)
{
    set_name(fmt, extracted, "make", make_keys);
    set_name(fmt, extracted, "model", model_keys);
    bool riff = strncmp(group, "riff-", 5) == 0;
    set_name(fmt, extracted, "software", riff ? riff_software_keys : software_keys);
    set_name(fmt, extracted, "androidVersion", android_keys);
    set_gps(fmt, extracted);
    first_taken(fmt, "com.apple.quicktime.creationdate", take_local_time, extracted,
                "creationDateLocal");
}

/* n digits at s as a number no larger than max; -1 when not. */
static int number(const char *s, int n, int max)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v <= max ? v : -1;
}

/* "YYYY-MM-DDTHH:MM:SS" (or a space for the T) with every part in range. */
static bool date_time(const char *s)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    for (size_t i = 0; i < sizeof shape - 1; i++)
        if (shape[i] == 'd' ? !isdigit((unsigned char)s[i])
                            : s[i] != shape[i] && !(i == 10 && s[i] == ' '))
            return false;
    return number(s, 4, 9999) > 0 && number(s + 5, 2, 12) >= 1 && number(s + 8, 2, 31) >= 1 &&
           number(s + 11, 2, 23) >= 0 && number(s + 14, 2, 59) >= 0 && number(s + 17, 2, 60) >= 0;
}

/* "+0300" or "+03:00" (at most ±14:00) into "+03:00"; the rest of the
 * string must be empty. */
static bool utc_offset(const char *s, char out[7])
{
    if ((s[0] != '+' && s[0] != '-') || number(s + 1, 2, 14) < 0)
        return false;
    const char *m = s[3] == ':' ? s + 4 : s + 3;
    if (number(m, 2, 59) < 0 || m[2] != '\0')
        return false;
    snprintf(out, 7, "%c%.2s:%.2s", s[0], s + 1, m);
    return true;
}

int aw_local_time_iso(const char *in, char *out, size_t size)
{
    if (in == NULL || strnlen(in, 20) < 19 || !date_time(in))
        return -1;
    size_t fraction = 0; /* ".123": the point and up to 9 digits */
    if (in[19] == '.') {
        size_t digits = 0;
        while (digits < 10 && isdigit((unsigned char)in[20 + digits]))
            digits++;
        if (digits == 0 || digits > 9)
            return -1;
        fraction = 1 + digits;
    }
    char offset[7];
    if (!utc_offset(in + 19 + fraction, offset))
        return -1;
    int n = snprintf(out, size, "%.10sT%.*s%s", in, (int)(8 + fraction), in + 11, offset);
    return n > 0 && (size_t)n < size ? 0 : -1;
}
