/* test_corpus_av.c — every video and audio file of ../shared/corpus through
 * the pipeline. Metadata is checked against MANIFEST.tsv (ffprobe/exiftool)
 * and, for capture facts and titles, against exiftool run now; outputs
 * against the independent tools run now: preview clips re-probed by
 * ffprobe, waveform lengths and peaks against the samples the ffmpeg tool
 * decodes. Skipped when the corpus is absent. One cmocka test per file,
 * then a summary of the agreement with exiftool. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aw_expect.h"
#include "aw_test.h"
#include "manifest.h"
#include "media.h"
#include "pipeline.h"

#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

static aw_config cfg;

/* Files that cannot end `completed`, and why (the oracle agrees: ffmpeg
 * decodes nothing from them either, or the file is cut short). Up to three
 * stage errors each. */
typedef struct expected_failure {
    const char *relpath, *status;
    const char *errors[3][3]; /* stage, code, reason */
} expected_failure;

#define PF "ASSET_PROCESSING_FAILED"

static const expected_failure expected_failures[] = {
    /* zero bytes */
    {"open/edge/zero-byte/emptyfile.mp3",
     "failed",
     {{"sniff", "ASSET_UPLOAD_FAILED", "empty_file"}}},
    /* cut inside the first frames ("partial file"); ffprobe: aac channel element not allocated */
    {"open/edge/corrupt-mp4/truncated-64bit.mp4",
     "partial",
     {{"thumbnail", PF, "corrupt"}, {"preview", PF, "corrupt"}, {"waveform", PF, "corrupt"}}},
    /* a Matroska block runs past its cluster 0.03 s in: one frame (the poster), no clip */
    {"open/edge/corrupt-mkv/block_ends_beyond_cluster.mkv",
     "partial",
     {{"preview", PF, "corrupt"}}},
    /* oracle_errors: "invalid residual"; `ffmpeg -f null -` decodes 0 s of it */
    {"open/audio/flac/flac_application.flac",
     "partial",
     {{"preview", PF, "corrupt"}, {"waveform", PF, "corrupt"}}},
    /* 0.05 s: two MP3 frames the decoder needs as priming; `ffmpeg -f null -` gives time=0 */
    {"open/audio/mp3/itunes10.mp3",
     "partial",
     {{"preview", PF, "no_audio"}, {"waveform", PF, "no_audio"}}},
    /* 1x1 MPEG-4 without a duration; `ffmpeg -f null -` fails on it too */
    {"open/video/avi/AudioVideoInterleave.avi",
     "partial",
     {{"thumbnail", PF, "no_frame"}, {"preview", PF, "corrupt"}}},
};

static const expected_failure *expected_failure_for(const char *relpath)
{
    for (size_t i = 0; i < sizeof expected_failures / sizeof expected_failures[0]; i++)
        if (strcmp(expected_failures[i].relpath, relpath) == 0)
            return &expected_failures[i];
    return NULL;
}

static void check_failure(const expected_failure *ef, json_t *job)
{
    if (strcmp(aw_test_str(job, "status"), ef->status) != 0)
        fail_msg("status %s, expected %s: %s", aw_test_str(job, "status"), ef->status,
                 json_dumps(json_object_get(job, "errors"), 0));
    size_t expected = 0;
    for (int i = 0; i < 3 && ef->errors[i][0] != NULL; i++, expected++) {
        json_t *e = aw_test_error(job, ef->errors[i][0]);
        if (e == NULL)
            fail_msg("no %s error: %s", ef->errors[i][0], json_dumps(job, 0));
        assert_string_equal(aw_test_str(e, "code"), ef->errors[i][1]);
        assert_string_equal(aw_test_str(e, "reason"), ef->errors[i][2]);
    }
    assert_int_equal(json_array_size(json_object_get(job, "errors")), expected);
}

static void check_text(const aw_manifest_row *row, json_t *job, const char *column,
                       const char *path)
{
    const char *oracle = aw_manifest_get(row, column);
    if (oracle[0] == '\0')
        return;
    const char *got = aw_test_str(job, path);
    if (got == NULL || strcmp(got, oracle) != 0)
        fail_msg("%s is '%s', the oracle says '%s'", path, got ? got : "(absent)", oracle);
}

static void check_number(const aw_manifest_row *row, json_t *job, const char *column,
                         const char *path, double tolerance)
{
    const char *oracle = aw_manifest_get(row, column);
    if (oracle[0] == '\0')
        return;
    double got = aw_test_num(job, path), want = atof(oracle);
    if (!(fabs(got - want) <= tolerance))
        fail_msg("%s is %g, the oracle says %g (±%g)", path, got, want, tolerance);
}

static void check_codecs(const aw_manifest_row *row, json_t *job)
{
    char joined[256] = "";
    size_t i;
    json_t *c;
    json_array_foreach(aw_test_get(job, "metadata.technical.codecs"), i, c)
        snprintf(joined + strlen(joined), sizeof joined - strlen(joined), "%s%s", i ? "," : "",
                 json_string_value(c));
    assert_string_equal(joined, aw_manifest_get(row, "codec"));
}

/* Coded size from ffprobe, turned as its display matrix says. */
static void check_video_size(const aw_manifest_row *row, json_t *job, long *w, long *h)
{
    long rotation = aw_manifest_int(row, "rotation"); /* ffprobe: counter-clockwise */
    if (aw_manifest_get(row, "rotation")[0] == '\0')
        rotation = 0;
    long clockwise = rotation < 0 ? ((-rotation) % 360) : (360 - rotation % 360) % 360;
    bool swap = clockwise == 90 || clockwise == 270;
    *w = aw_manifest_int(row, swap ? "height" : "width");
    *h = aw_manifest_int(row, swap ? "width" : "height");
    assert_int_equal(aw_test_int(job, "metadata.technical.width"), *w);
    assert_int_equal(aw_test_int(job, "metadata.technical.height"), *h);
    assert_int_equal(aw_test_int(job, "metadata.technical.rotation"), clockwise);
}

static VipsImage *open_output(const char *out_dir, json_t *job, const char *key_path)
{
    const char *key = aw_test_str(job, key_path);
    if (key == NULL)
        fail_msg("no %s: %s", key_path, json_dumps(json_object_get(job, "variants"), 0));
    char file[4200];
    snprintf(file, sizeof file, "%s/%s", out_dir, strrchr(key, '/') + 1);
    VipsImage *img = vips_image_new_from_file(file, "access", VIPS_ACCESS_RANDOM, NULL);
    assert_non_null(img);
    return img;
}

/* Poster frame: as wide as the shown video (upright), and not blank unless
 * the whole video is (every frame ffmpeg decodes is nearly flat). */
static void check_poster(const char *source, json_t *job, const char *out_dir, long w, long h)
{
    VipsImage *img = open_output(out_dir, job, "variants.thumbnails.large.key");
    double want = (double)w / h, got = (double)img->Xsize / img->Ysize;
    if (fabs(got - want) > 0.03 * want)
        fail_msg("poster is %dx%d, the video is shown %ldx%ld", img->Xsize, img->Ysize, w, h);
    double deviation = 0;
    assert_int_equal(vips_deviate(img, &deviation, NULL), 0);
    if (deviation < 4.0) {
        double best = aw_test_ffmpeg_max_detail(source);
        if (best < 0 || best >= 8.0)
            fail_msg("poster is blank (standard deviation %.2f); ffmpeg finds a frame with %.2f",
                     deviation, best);
    }
    g_object_unref(img);
    assert_non_null(aw_test_get(job, "variants.thumbnails.small"));
}

static json_t *stream_of(json_t *probe, const char *type)
{
    size_t i;
    json_t *st;
    json_array_foreach(json_object_get(probe, "streams"), i, st)
        if (strcmp(json_string_value(json_object_get(st, "codec_type")), type) == 0)
            return st;
    return NULL;
}

/* The clip, as ffprobe sees it: codecs, ≤ 480p, within the length limit,
 * index first. */
static void check_preview(json_t *job, const char *out_dir, bool video, bool audio)
{
    const char *key = aw_test_str(job, "variants.previews.key");
    assert_non_null(key);
    char file[4200];
    snprintf(file, sizeof file, "%s/%s", out_dir, strrchr(key, '/') + 1);
    json_t *probe = aw_test_ffprobe(file);
    if (probe == NULL)
        fail_msg("ffprobe cannot read %s", file);
    double limit = video ? cfg.preview_seconds : cfg.audio_preview_seconds;
    double seconds = atof(aw_test_str(probe, "format.duration"));
    if (!(seconds > 0 && seconds <= limit + 0.1))
        fail_msg("preview lasts %.3f s (limit %.0f s)", seconds, limit);
    json_t *v = stream_of(probe, "video"), *a = stream_of(probe, "audio");
    assert_true((v != NULL) == video);
    if (v != NULL) {
        assert_string_equal(aw_test_str(v, "codec_name"), "h264");
        assert_string_equal(aw_test_str(v, "pix_fmt"), "yuv420p");
        long pw = aw_test_int(v, "width"), ph = aw_test_int(v, "height");
        assert_true((pw < ph ? pw : ph) <= 480 && (pw > ph ? pw : ph) <= 854);
        assert_true(pw % 2 == 0 && ph % 2 == 0);
    }
    assert_true((a != NULL) == audio);
    if (a != NULL)
        assert_string_equal(aw_test_str(a, "codec_name"), "aac");
    long moov, mdat;
    aw_test_mp4_box_offsets(file, &moov, &mdat);
    assert_true(moov >= 0 && mdat >= 0 && moov < mdat);
    json_decref(probe);
}

/* Peaks: audiowaveform's format, one point per samples_per_pixel samples
 * of what ffmpeg decodes, and the same loudest sample. */
static void check_waveform(const char *source, json_t *job, const char *out_dir)
{
    const char *key = aw_test_str(job, "variants.waveform.dataKey");
    assert_non_null(key);
    char file[4200];
    snprintf(file, sizeof file, "%s/%s", out_dir, strrchr(key, '/') + 1);
    json_t *w = json_load_file(file, 0, NULL);
    assert_non_null(w);
    assert_int_equal(aw_test_int(w, "version"), 2);
    assert_int_equal(aw_test_int(w, "channels"), 1);
    assert_int_equal(aw_test_int(w, "bits"), 8);
    long spp = aw_test_int(w, "samples_per_pixel"), length = aw_test_int(w, "length");
    assert_int_equal(spp, cfg.waveform_spp);
    json_t *data = json_object_get(w, "data");
    assert_int_equal(json_array_size(data), 2 * length);
    long samples;
    int low, high;
    assert_int_equal(aw_test_ffmpeg_samples(source, &samples, &low, &high), 0);
    long want = (samples + spp - 1) / spp;
    if (labs(length - want) > 1)
        fail_msg("waveform has %ld points; ffmpeg decodes %ld samples = %ld points", length,
                 samples, want);
    int peak_low = 127, peak_high = -128;
    for (size_t i = 0; i < json_array_size(data); i++) {
        int v = (int)json_integer_value(json_array_get(data, i));
        peak_low = v < peak_low ? v : peak_low;
        peak_high = v > peak_high ? v : peak_high;
    }
    if (abs(peak_high - (high >> 8)) > 1 || abs(peak_low - (low >> 8)) > 1)
        fail_msg("peaks %d..%d, ffmpeg's samples %d..%d (8-bit)", peak_low, peak_high, low >> 8,
                 high >> 8);
    json_decref(w);
    VipsImage *png = open_output(out_dir, job, "variants.waveform.key");
    assert_int_equal(png->Xsize, cfg.waveform_width);
    assert_int_equal(png->Ysize, cfg.waveform_height);
    g_object_unref(png);
}

static void check_technical(const aw_manifest_row *row, json_t *job)
{
    check_codecs(row, job);
    check_number(row, job, "duration_s", "metadata.technical.duration", 0.1);
    check_number(row, job, "fps", "metadata.technical.fps", 0.0015);
    check_number(row, job, "sample_rate", "metadata.technical.sampleRate", 0);
    check_number(row, job, "channels", "metadata.technical.channels", 0);
    check_text(row, job, "title", "metadata.descriptive.title");
    check_text(row, job, "artist", "metadata.descriptive.artist");
    check_text(row, job, "album", "metadata.descriptive.album");
}

static void check_good_file(const aw_manifest_row *row, json_t *job, const char *out_dir)
{
    if (strcmp(aw_test_str(job, "status"), "completed") != 0)
        fail_msg("status %s: %s", aw_test_str(job, "status"),
                 json_dumps(json_object_get(job, "errors"), 0));
    check_technical(row, job);
    bool video = aw_manifest_int(row, "width") > 0;
    bool audio = aw_manifest_get(row, "sample_rate")[0] != '\0';
    assert_string_equal(aw_test_str(job, "metadata.type"),
                        strncmp(aw_manifest_get(row, "relpath"), "open/audio/", 11) == 0 ? "AUDIO"
                                                                                         : "VIDEO");
    if (video) {
        long w, h;
        check_video_size(row, job, &w, &h);
        check_poster(aw_manifest_path(row), job, out_dir, w, h);
    } else if (strcmp(aw_manifest_get(row, "cover_art"), "yes") == 0) {
        assert_non_null(aw_test_get(job, "variants.thumbnails.large"));
    } else {
        assert_int_equal(json_object_size(aw_test_get(job, "variants.thumbnails")), 0);
    }
    check_preview(job, out_dir, video, audio);
    if (audio)
        check_waveform(aw_manifest_path(row), job, out_dir);
    else
        assert_null(aw_test_get(job, "variants.waveform"));
}

/* Capture facts and titles against exiftool, run now on the same file:
 * `exiftool -args -n -G1 -TAG…` prints "-Group:Tag=value" for each tag it
 * finds, one value per tag (its own choice among duplicates); -n gives
 * numbers (signed degrees) and the dates as stored. Text must be equal,
 * coordinates within 1e-4°, the altitude within 0.5 m (its sign from
 * GPSAltitudeRef), and CreationDate, when it states a UTC offset, must be
 * creationDateLocal. A field exiftool does not report is not compared. */
#define EXIFTOOL_TAGS                                                                              \
    "-Make -Model -Software -AndroidVersion -Title -CreationDate -GPSLatitude -GPSLongitude "      \
    "-GPSAltitude -GPSAltitudeRef"

typedef struct tally {
    const char *field;
    int compared, agreed, ours_only;
} tally;

static tally tallies[] = {
    {.field = "make"},  {.field = "model"},     {.field = "software"}, {.field = "androidVersion"},
    {.field = "title"}, {.field = "localTime"}, {.field = "gps"},      {.field = "altitude"},
};
static int files_read, files_unread; /* files exiftool could and could not read */

/* The fields exiftool must report for the files issue 21 names, so that a
 * broken oracle cannot pass for agreement. */
static const struct {
    const char *relpath, *tags;
} named_files[] = {
    {"open/video/mov/with-gps.mov",
     " Make Model Software CreationDate GPSLatitude GPSLongitude GPSAltitude "},
    {"open/video/mp4/with-gps.mp4", " AndroidVersion GPSLatitude GPSLongitude "},
    {"open/video/mp4/uuid540.mp4", " Title "},
};

/* exiftool's answer as {"Make": "Apple", …}; NULL when it fails. */
static json_t *exiftool_facts(const char *path)
{
    gchar *quoted = g_shell_quote(path);
    gchar *cmd = g_strdup_printf("exiftool -args -n -G1 " EXIFTOOL_TAGS " %s", quoted);
    FILE *p = popen(cmd, "r");
    json_t *facts = json_object();
    char line[4096];
    while (p != NULL && fgets(line, sizeof line, p) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        char *colon = strchr(line, ':'), *eq = colon ? strchr(colon, '=') : NULL;
        if (line[0] == '-' && eq != NULL) {
            *eq = '\0';
            json_object_set_new(facts, colon + 1, json_string(eq + 1));
        }
    }
    if (p == NULL || pclose(p) != 0)
        json_decref(facts), facts = NULL;
    g_free(cmd), g_free(quoted);
    return facts;
}

static tally *tally_of(const char *field)
{
    for (size_t i = 0; i < sizeof tallies / sizeof tallies[0]; i++)
        if (strcmp(tallies[i].field, field) == 0)
            return &tallies[i];
    abort();
}

/* Counts one comparison; a disagreement is appended to `misses`. */
static void count(const char *field, const char *oracle, const char *ours, bool agree,
                  GString *misses)
{
    tally *t = tally_of(field);
    if (oracle == NULL) {
        t->ours_only += ours != NULL;
        return;
    }
    t->compared++;
    t->agreed += agree;
    if (!agree)
        g_string_append_printf(misses, "  %s: ours '%s', exiftool '%s'\n", field,
                               ours ? ours : "(absent)", oracle);
}

static void compare_text(json_t *facts, const char *tag, json_t *job, const char *path,
                         const char *field, GString *misses)
{
    const char *oracle = json_string_value(json_object_get(facts, tag));
    const char *ours = aw_test_str(job, path);
    count(field, oracle, ours, oracle && ours && strcmp(oracle, ours) == 0, misses);
}

/* exiftool's "2019:07:24 11:25:40+03:00" as ISO 8601; NULL without an offset. */
static const char *local_time(const char *date, char *buf, size_t size)
{
    size_t n = date ? strlen(date) : 0;
    if (n < 25 || (date[n - 6] != '+' && date[n - 6] != '-') || date[n - 3] != ':')
        return NULL;
    snprintf(buf, size, "%.4s-%.2s-%.2sT%s", date, date + 5, date + 8, date + 11);
    return buf;
}

static void compare_local_time(json_t *facts, json_t *job, GString *misses)
{
    char buf[64];
    const char *oracle = local_time(json_string_value(json_object_get(facts, "CreationDate")), buf,
                                    sizeof buf);
    const char *ours = aw_test_str(job, "metadata.extracted.creationDateLocal");
    count("localTime", oracle, ours, oracle && ours && strcmp(oracle, ours) == 0, misses);
}

static double fact_number(json_t *facts, const char *tag)
{
    const char *v = json_string_value(json_object_get(facts, tag));
    return v ? atof(v) : NAN;
}

static void compare_gps(json_t *facts, json_t *job, GString *misses)
{
    double lat = fact_number(facts, "GPSLatitude"), lon = fact_number(facts, "GPSLongitude");
    double alt = fact_number(facts, "GPSAltitude");
    if (fact_number(facts, "GPSAltitudeRef") == 1)
        alt = -fabs(alt);
    double our_lat = aw_test_num(job, "metadata.extracted.gps.latitude");
    double our_lon = aw_test_num(job, "metadata.extracted.gps.longitude");
    double our_alt = aw_test_num(job, "metadata.extracted.gps.altitude");
    char oracle[96], ours[96];
    snprintf(oracle, sizeof oracle, "%.6f %.6f", lat, lon);
    snprintf(ours, sizeof ours, "%.6f %.6f", our_lat, our_lon);
    count("gps", isnan(lat) ? NULL : oracle, isnan(our_lat) ? NULL : ours,
          fabs(lat - our_lat) <= 1e-4 && fabs(lon - our_lon) <= 1e-4, misses);
    snprintf(oracle, sizeof oracle, "%.3f", alt);
    snprintf(ours, sizeof ours, "%.3f", our_alt);
    count("altitude", isnan(alt) ? NULL : oracle, isnan(our_alt) ? NULL : ours,
          fabs(alt - our_alt) <= 0.5, misses);
}

static void require_named_fields(const char *relpath, json_t *facts)
{
    for (size_t i = 0; i < sizeof named_files / sizeof named_files[0]; i++) {
        if (strcmp(named_files[i].relpath, relpath) != 0)
            continue;
        char tag[64];
        for (const char *t = named_files[i].tags; sscanf(t, " %63s", tag) == 1;
             t = strstr(t, tag) + strlen(tag))
            if (json_object_get(facts, tag) == NULL)
                fail_msg("exiftool reports no %s for %s: is the oracle broken?", tag, relpath);
    }
}

static void check_capture_facts(const aw_manifest_row *row, json_t *job)
{
    json_t *facts = exiftool_facts(aw_manifest_path(row));
    if (facts == NULL) { /* "Unknown file type" (ADTS AAC): nothing to compare */
        files_unread++;
        json_t *none = json_object();
        require_named_fields(aw_manifest_get(row, "relpath"), none);
        json_decref(none);
        return;
    }
    files_read++;
    require_named_fields(aw_manifest_get(row, "relpath"), facts);
    GString *misses = g_string_new(NULL);
    compare_text(facts, "Make", job, "metadata.extracted.make", "make", misses);
    compare_text(facts, "Model", job, "metadata.extracted.model", "model", misses);
    compare_text(facts, "Software", job, "metadata.extracted.software", "software", misses);
    compare_text(facts, "AndroidVersion", job, "metadata.extracted.androidVersion",
                 "androidVersion", misses);
    compare_text(facts, "Title", job, "metadata.descriptive.title", "title", misses);
    compare_local_time(facts, job, misses);
    compare_gps(facts, job, misses);
    json_decref(facts);
    if (misses->len > 0)
        fail_msg("%s disagrees with exiftool:\n%s", aw_manifest_get(row, "relpath"), misses->str);
    g_string_free(misses, TRUE);
}

/* Runs last: how many fields were compared and how many agree. */
static void capture_facts_agree_with_exiftool(void **state)
{
    (void)state;
    int compared = 0, agreed = 0;
    printf("field           compared  agreed  ours-only\n");
    for (size_t i = 0; i < sizeof tallies / sizeof tallies[0]; i++) {
        const tally *t = &tallies[i];
        printf("%-15s %8d %7d %10d\n", t->field, t->compared, t->agreed, t->ours_only);
        compared += t->compared, agreed += t->agreed;
    }
    printf("all             %8d %7d   (%d files read by exiftool, %d not)\n", compared, agreed,
           files_read, files_unread);
    if (files_read == 0)
        fail_msg("exiftool read no file: is it installed (exiftool -ver)?");
    assert_true(compared > 0);
    assert_int_equal(agreed, compared);
}

static void corpus_file(void **state)
{
    const aw_manifest_row *row = *state;
    const char *path = aw_manifest_path(row);
    const aw_media_type *declared = aw_media_by_extension(path);
    char *out_dir = NULL;
    json_t *job = aw_test_run(&cfg, path, declared ? declared->mime : NULL, AW_STAGES_ALL,
                              &out_dir);
    aw_expect_oracle_fields(job, row);
    const expected_failure *ef = expected_failure_for(aw_manifest_get(row, "relpath"));
    if (ef != NULL)
        check_failure(ef, job);
    else
        check_good_file(row, job, out_dir);
    if (json_is_true(aw_test_get(job, "metadata.processing.metadataExtracted")))
        check_capture_facts(row, job);
    json_decref(job);
    aw_test_rmtree(out_dir);
    free(out_dir);
}

static bool is_av_row(const aw_manifest_row *row)
{
    return strcmp(aw_manifest_get(row, "oracle_family"), "av") == 0;
}

int main(void)
{
    aw_test_config(&cfg, NULL);
    const struct CMUnitTest summary[] = {cmocka_unit_test(capture_facts_agree_with_exiftool)};
    return aw_test_corpus_main("corpus_av", &cfg, is_av_row, corpus_file, summary, 1);
}
