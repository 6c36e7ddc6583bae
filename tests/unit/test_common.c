/* test_common.c — unit tests of common/: media table, settings parsing,
 * stage lists, ids, error names, JSON text sanitising, EXIF dates; and the
 * pure parsers of pipelines/ (ISO 6709 points, local capture times) and its
 * waveform peaks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "av_capture.h"
#include "config.h"
#include "error.h"
#include "exif.h"
#include "ids.h"
#include "iso6709.h"
#include "jsonutil.h"
#include "media.h"
#include "result.h"
#include "waveform.h"

#include <math.h>
#include <string.h>

static void media_lookup_by_declared_alias_and_params(void **state)
{
    (void)state;
    assert_string_equal(aw_media_by_mime("image/jpeg")->mime, "image/jpeg");
    assert_string_equal(aw_media_by_mime("IMAGE/PNG; charset=binary")->mime, "image/png");
    assert_string_equal(aw_media_by_mime("audio/x-wav")->mime, "audio/wav");
    assert_null(aw_media_by_mime("application/x-dosexec"));
    assert_null(aw_media_by_mime("text/plain"));
    assert_null(aw_media_by_mime("image/jpegx"));
}

static void media_families_map_to_seed_asset_types(void **state)
{
    (void)state;
    assert_string_equal(aw_family_asset_type(aw_media_by_mime("video/webm")->family), "VIDEO");
    assert_string_equal(aw_family_asset_type(aw_media_by_mime("audio/ogg")->family), "AUDIO");
    assert_string_equal(aw_family_asset_type(aw_media_by_mime("application/pdf")->family),
                        "DOCUMENT");
    assert_string_equal(aw_family_asset_type(aw_media_by_mime("model/gltf-binary")->family),
                        "DOCUMENT");
    assert_string_equal(aw_family_asset_type(aw_media_by_mime("image/svg+xml")->family), "IMAGE");
}

static void media_every_seed_type_is_accepted(void **state)
{
    (void)state;
    static const char *const seed[] = {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "image/svg+xml",
        "image/tiff",
        "video/mp4",
        "video/quicktime",
        "video/x-msvideo",
        "video/x-matroska",
        "video/webm",
        "audio/mpeg",
        "audio/wav",
        "audio/ogg",
        "audio/aac",
        "application/pdf",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "model/gltf+json",
        "model/gltf-binary",
        "model/obj"};
    for (size_t i = 0; i < sizeof seed / sizeof seed[0]; i++) {
        const aw_media_type *t = aw_media_by_mime(seed[i]);
        assert_non_null(t);
        assert_string_equal(t->mime, seed[i]);
        assert_true(t->in_seed);
    }
}

static void media_extension_guesses_like_a_browser(void **state)
{
    (void)state;
    assert_string_equal(aw_media_by_extension("/a/b/photo.JPG")->mime, "image/jpeg");
    assert_string_equal(aw_media_by_extension("x.heif")->mime, "image/heic");
    assert_null(aw_media_by_extension("noext"));
    assert_null(aw_media_by_extension("dir.jpg/noext"));
    assert_null(aw_media_by_extension("file."));
}

static void media_compatibility_follows_container_groups(void **state)
{
    (void)state;
    const aw_media_type *jpeg = aw_media_by_mime("image/jpeg");
    assert_true(aw_media_compatible(jpeg, "image/jpeg"));
    assert_false(aw_media_compatible(jpeg, "image/png"));
    assert_false(aw_media_compatible(jpeg, "text/plain"));
    assert_true(aw_media_compatible(aw_media_by_mime("video/mp4"), "video/quicktime"));
    assert_true(aw_media_compatible(aw_media_by_mime("video/webm"), "video/x-matroska"));
    assert_true(aw_media_compatible(aw_media_by_mime("model/obj"), "text/plain"));
    assert_false(aw_media_compatible(aw_media_by_mime("image/png"), "text/plain"));
    assert_true(aw_media_compatible(aw_media_by_mime("image/heic"), "image/heif"));
    assert_false(aw_media_compatible(NULL, "image/png"));
}

static void config_parses_sizes_and_counts(void **state)
{
    (void)state;
    uint64_t v = 0;
    assert_int_equal(aw_parse_bytes("100MB", &v), AW_OK);
    assert_true(v == 104857600ULL);
    assert_int_equal(aw_parse_bytes("64k", &v), AW_OK);
    assert_true(v == 65536);
    assert_int_equal(aw_parse_bytes("12345", &v), AW_OK);
    assert_true(v == 12345);
    assert_int_equal(aw_parse_bytes("1GiB", &v), AW_OK);
    assert_true(v == 1073741824ULL);
    assert_int_equal(aw_parse_count("100M", &v), AW_OK);
    assert_true(v == 100000000ULL);
    assert_int_equal(aw_parse_bytes("", &v), AW_ERROR);
    assert_int_equal(aw_parse_bytes("-1", &v), AW_ERROR);
    assert_int_equal(aw_parse_bytes("10X", &v), AW_ERROR);
    assert_int_equal(aw_parse_bytes("10MBs", &v), AW_ERROR);
    assert_int_equal(aw_parse_bytes("99999999999999999999", &v), AW_ERROR);
    assert_int_equal(aw_parse_bytes("17179869184T", &v), AW_ERROR); /* 2^34 TiB overflows */
}

static void config_defaults_are_the_seed_limits(void **state)
{
    (void)state;
    aw_config cfg;
    aw_config_defaults(&cfg);
    assert_true(cfg.limits.max_file_bytes == 104857600ULL); /* seed 003 MAX_FILE_SIZE */
    assert_true(cfg.limits.max_image_pixels == 100000000ULL);
    assert_true(cfg.scan_enabled);
    assert_int_equal(cfg.thumb_format, AW_THUMB_WEBP);
}

static void stage_lists_parse_and_reject_unknown_words(void **state)
{
    (void)state;
    unsigned mask = 0;
    aw_error err;
    assert_int_equal(aw_stage_mask_parse("scan,thumbnail", &mask, &err), AW_OK);
    assert_int_equal(mask, AW_STAGE_SNIFF | AW_STAGE_SCAN | AW_STAGE_THUMBNAIL);
    assert_int_equal(aw_stage_mask_parse("all", &mask, &err), AW_OK);
    assert_int_equal(mask, AW_STAGES_ALL);
    assert_int_equal(aw_stage_mask_parse("", &mask, &err), AW_OK);
    assert_int_equal(mask, AW_STAGE_SNIFF);
    assert_int_equal(aw_stage_mask_parse("scan,thumbnails", &mask, &err), AW_ERROR);
    assert_non_null(strstr(err.message, "thumbnails"));
    assert_string_equal(aw_stage_kind_name(AW_STAGE_WAVEFORM), "waveform");
}

static void ids_are_safe_for_keys(void **state)
{
    (void)state;
    assert_true(aw_id_valid("clx9876543210"));
    assert_true(aw_id_valid("a.b_c-d"));
    assert_false(aw_id_valid(""));
    assert_false(aw_id_valid(".."));
    assert_false(aw_id_valid("../etc"));
    assert_false(aw_id_valid("a/b"));
    assert_false(aw_id_valid("a b"));
    char long_id[200];
    memset(long_id, 'a', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    assert_false(aw_id_valid(long_id));
}

static void error_codes_round_trip_seed_names(void **state)
{
    (void)state;
    assert_string_equal(aw_code_name(AW_CODE_VIRUS_DETECTED), "ASSET_VIRUS_DETECTED");
    assert_int_equal(aw_code_from_name("ASSET_FILE_TOO_LARGE"), AW_CODE_FILE_TOO_LARGE);
    assert_int_equal(aw_code_from_name("NOPE"), AW_CODE_NONE);
    for (int c = 1; c < AW_CODE_COUNT; c++)
        assert_int_equal(aw_code_from_name(aw_code_name((aw_code)c)), c);
    aw_error err;
    assert_int_equal(aw_error_set(&err, AW_CODE_NOT_FOUND, "missing", "no %s", "file"), AW_ERROR);
    assert_string_equal(err.message, "no file");
    assert_string_equal(err.reason, "missing");
}

static void json_text_is_valid_utf8_and_trimmed(void **state)
{
    (void)state;
    json_t *v = aw_json_text("  Canon\0\0\0", 10);
    assert_string_equal(json_string_value(v), "Canon");
    json_decref(v);
    v = aw_json_text("a\xff"
                     "b\x01"
                     "c",
                     5);
    assert_string_equal(json_string_value(v), "a\xef\xbf\xbd"
                                              "b c");
    json_decref(v);
    v = aw_json_text("caf\xc3\xa9", 5);
    assert_string_equal(json_string_value(v), "caf\xc3\xa9");
    json_decref(v);
    assert_null(aw_json_text("   \0", 4));
    v = aw_json_text("\xc3", 1); /* a lone lead byte */
    assert_string_equal(json_string_value(v), "\xef\xbf\xbd");
    json_decref(v);
}

static void exif_dates_become_iso_8601(void **state)
{
    (void)state;
    char out[40];
    assert_int_equal(aw_exif_date_to_iso("2008:05:30 15:56:01", NULL, out, sizeof out), 0);
    assert_string_equal(out, "2008-05-30T15:56:01");
    assert_int_equal(aw_exif_date_to_iso("2019:01:02 03:04:05", "+02:00", out, sizeof out), 0);
    assert_string_equal(out, "2019-01-02T03:04:05+02:00");
    assert_int_equal(aw_exif_date_to_iso("0000:00:00 00:00:00", NULL, out, sizeof out), -1);
    assert_int_equal(aw_exif_date_to_iso("2008-05-30 15:56:01", NULL, out, sizeof out), -1);
    assert_int_equal(aw_exif_date_to_iso("2008:05:30", NULL, out, sizeof out), -1);
}

/* The strict form refuses what aw_json_text would repair. */
static void json_text_strict_refuses_instead_of_repairing(void **state)
{
    (void)state;
    json_t *v = aw_json_text_strict("  iPhone\t6 ", 12, 255);
    assert_string_equal(json_string_value(v), "iPhone 6");
    json_decref(v);
    v = aw_json_text_strict("caf\xc3\xa9\0junk", 10, 255); /* stops at the NUL */
    assert_string_equal(json_string_value(v), "caf\xc3\xa9");
    json_decref(v);
    assert_null(aw_json_text_strict("a\xff"
                                    "b",
                                    3, 255));
    assert_null(aw_json_text_strict("\xc3", 1, 255));         /* a lone lead byte */
    assert_null(aw_json_text_strict("\xed\xa0\x80", 3, 255)); /* a UTF-16 surrogate */
    assert_null(aw_json_text_strict("   ", 3, 255));
    char long_text[300];
    memset(long_text, 'x', sizeof long_text);
    assert_null(aw_json_text_strict(long_text, 256, 255));
    v = aw_json_text_strict(long_text, 255, 255);
    assert_int_equal(json_string_length(v), 255);
    json_decref(v);
    assert_null(aw_json_text_strict(long_text, 10, AW_JSON_TEXT_MAX + 1)); /* no such limit */
}

static void expect_point(const char *text, double lat, double lon, bool has_alt, double alt)
{
    aw_geo_point p;
    if (aw_iso6709_parse(text, &p) != 0)
        fail_msg("'%s' refused", text);
    if (fabs(p.latitude - lat) > 1e-9 || fabs(p.longitude - lon) > 1e-9)
        fail_msg("'%s' is %.9f %.9f, not %.9f %.9f", text, p.latitude, p.longitude, lat, lon);
    assert_true(p.has_altitude == has_alt);
    if (has_alt)
        assert_true(fabs(p.altitude - alt) < 1e-9);
}

/* Expected values worked out by hand from ISO 6709 Annex H. */
static void iso6709_points_parse_and_refuse(void **state)
{
    (void)state;
    expect_point("+32.0929+034.8620+028.516/", 32.0929, 34.862, true, 28.516);
    expect_point("+51.4169-000.0806/", 51.4169, -0.0806, false, 0);
    expect_point("-33.8568+151.2153", -33.8568, 151.2153, false, 0); /* no closing '/' */
    expect_point("+4851.45+00217.75/", 48 + 51.45 / 60, 2 + 17.75 / 60, false, 0);
    expect_point("-485130.5-0021730.0-12CRSWGS_84/", -(48 + 51 / 60.0 + 30.5 / 3600),
                 -(2 + 17 / 60.0 + 30 / 3600.0), true, -12);
    expect_point("+48.8577+002.2950/Paris", 48.8577, 2.295, false, 0); /* FFmpeg's loci form */
    expect_point("-90+180/", -90, 180, false, 0);
    expect_point("+48.+002.2950/", 48, 2.295, false, 0); /* a bare point, as exiftool reads it */
    expect_point("+48.8577+002.2950+999999/", 48.8577, 2.295, false, 0); /* altitude dropped */
    const char *refused[] = {"+999.0+999.0/",
                             "NaN",
                             "+nan+inf/",
                             "+90.0001+000.0/",
                             "+48.8577+180.0001/",
                             "+4860.0+00200.0/",
                             "+485960.0+0020000/",
                             "48.8577+002.2950/",
                             "+48.8577/",
                             "+48.8577+002.2950x/",
                             "+48.8577+002.2950+1e5/",
                             "+0x10+002/",
                             "+123+0021/",
                             "",
                             "+1.0000000000000+2/"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        aw_geo_point p;
        if (aw_iso6709_parse(refused[i], &p) == 0)
            fail_msg("'%s' parsed as %f %f", refused[i], p.latitude, p.longitude);
    }
    assert_int_equal(aw_iso6709_parse(NULL, NULL), -1);
}

static void local_capture_times_keep_their_offset(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(aw_local_time_iso("2019-07-24T11:25:40+0300", out, sizeof out), 0);
    assert_string_equal(out, "2019-07-24T11:25:40+03:00");
    assert_int_equal(aw_local_time_iso("2019-07-24 11:25:40.5-03:30", out, sizeof out), 0);
    assert_string_equal(out, "2019-07-24T11:25:40.5-03:30");
    const char *refused[] = {"2019-07-24T11:25:40Z",
                             "2019-07-24T11:25:40",
                             "2019-13-24T11:25:40+0300",
                             "2019-07-24T24:00:00+0300",
                             "2019-07-24T11:25:40+1500",
                             "2019-07-24T11:25:40+0360",
                             "2019-07-24T11:25:40+0300 ",
                             "2019-07-24T11:25:40.+0300",
                             "2019-07-24T11:25:40.1234567890+0300",
                             "0000-07-24T11:25:40+0300",
                             "2019:07:24 11:25:40+03:00",
                             "2019-07-24T11:25:40+03",
                             ""};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (aw_local_time_iso(refused[i], out, sizeof out) == 0)
            fail_msg("'%s' became '%s'", refused[i], out);
    assert_int_equal(aw_local_time_iso("2019-07-24T11:25:40+0300", out, 20), -1); /* no room */
}

/* Found by fuzz_result: a decoder's error text that is not UTF-8 made
 * json_pack fail, and the stage's error entry was silently dropped. */
static void result_keeps_errors_and_signatures_that_are_not_utf8(void **state)
{
    (void)state;
    aw_result r;
    assert_int_equal(aw_result_init(&r), AW_OK);
    aw_error err;
    aw_error_set(&err, AW_CODE_PROCESSING_FAILED, "corrupt", "bad marker \xe9\x95 in\nfile");
    aw_result_add_error(&r, "thumbnail", &err);
    snprintf(r.scan_signature, sizeof r.scan_signature, "Sig.\xff\xfe");
    aw_job job = {.job_id = "j", .asset_id = "a"};
    json_t *doc = aw_result_to_json(&r, &job);
    json_t *e = json_array_get(json_object_get(doc, "errors"), 0);
    assert_non_null(e);
    assert_string_equal(json_string_value(json_object_get(e, "reason")), "corrupt");
    assert_string_equal(json_string_value(json_object_get(e, "message")),
                        "bad marker \xef\xbf\xbd\xef\xbf\xbd in file");
    assert_string_equal(json_string_value(json_object_get(doc, "signature")),
                        "Sig.\xef\xbf\xbd\xef\xbf\xbd");
    json_decref(doc);
    aw_result_free(&r);
}

/* One point's 8-bit low and high as a plain sequential scan finds them: a
 * NaN sample is passed over, a NaN first sample stays (-128 in 8 bits). */
static int8_t scan_8bit(float v)
{
    float scaled = floorf(v * 128.0f);
    return !(scaled >= -128.0f) ? -128 : scaled > 127.0f ? 127 : (int8_t)scaled;
}

static void scan_point(const float *s, size_t n, int8_t *low, int8_t *high)
{
    float lo = s[0], hi = s[0];
    for (size_t k = 1; k < n; k++) {
        lo = s[k] < lo ? s[k] : lo;
        hi = s[k] > hi ? s[k] : hi;
    }
    *low = scan_8bit(lo), *high = scan_8bit(hi);
}

static void waveform_peaks_match_a_sequential_scan(void **state)
{
    (void)state;
    enum { SPP = 37, COUNT = 20000 };
    static float samples[COUNT];
    unsigned seed = 7;
    for (size_t i = 0; i < COUNT; i++) {
        seed = seed * 1103515245u + 12345u;
        samples[i] = ((float)(seed >> 8) / (float)(1u << 24)) * 2.6f - 1.3f;
        if (i % (20 * SPP) == SPP || i % 777 == 500) /* a point's first sample, and mid-point */
            samples[i] = NAN;
        if (i % 313 == 0)
            samples[i] = i % 2 ? -0.0f : 0.0f;
    }
    aw_peaks p;
    aw_peaks_init(&p, SPP, 44100);
    for (size_t i = 0, chunk = 1; i < COUNT; i += chunk, chunk = chunk * 7 % 1153 + 1)
        aw_peaks_add(&p, samples + i, chunk < COUNT - i ? chunk : COUNT - i);
    aw_peaks_finish(&p);
    assert_int_equal(p.length, (COUNT + SPP - 1) / SPP);
    for (size_t i = 0; i < p.length; i++) {
        int8_t low, high;
        size_t first = i * SPP, n = first + SPP <= COUNT ? SPP : COUNT - first;
        scan_point(samples + first, n, &low, &high);
        assert_int_equal(p.data[2 * i], low);
        assert_int_equal(p.data[2 * i + 1], high);
    }
    aw_peaks_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(media_lookup_by_declared_alias_and_params),
        cmocka_unit_test(result_keeps_errors_and_signatures_that_are_not_utf8),
        cmocka_unit_test(media_families_map_to_seed_asset_types),
        cmocka_unit_test(media_every_seed_type_is_accepted),
        cmocka_unit_test(media_extension_guesses_like_a_browser),
        cmocka_unit_test(media_compatibility_follows_container_groups),
        cmocka_unit_test(config_parses_sizes_and_counts),
        cmocka_unit_test(config_defaults_are_the_seed_limits),
        cmocka_unit_test(stage_lists_parse_and_reject_unknown_words),
        cmocka_unit_test(ids_are_safe_for_keys),
        cmocka_unit_test(error_codes_round_trip_seed_names),
        cmocka_unit_test(json_text_is_valid_utf8_and_trimmed),
        cmocka_unit_test(exif_dates_become_iso_8601),
        cmocka_unit_test(json_text_strict_refuses_instead_of_repairing),
        cmocka_unit_test(iso6709_points_parse_and_refuse),
        cmocka_unit_test(local_capture_times_keep_their_offset),
        cmocka_unit_test(waveform_peaks_match_a_sequential_scan),
    };
    return cmocka_run_group_tests_name("common", tests, NULL, NULL);
}
