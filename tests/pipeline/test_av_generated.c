/* test_av_generated.c — audio and video made at run time by the ffmpeg
 * tool (and exiftool, to set a rotation), each recipe written out below,
 * so the suite covers both families without the shared corpus. Expected
 * values come from the recipes (a 0.5-amplitude sine peaks at ±64 in 8 bits,
 * tags read back as they were written), never from our own output. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "av.h"
#include "av_clip.h"
#include "aw_expect.h"
#include "aw_test.h"
#include "pipeline.h"

#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>
#include <vips/vips.h>

static aw_config cfg;
static char *media; /* directory of the generated files */

static char *media_path(const char *name)
{
    return g_strdup_printf("%s/%s", media, name);
}

static json_t *run(const char *name, const char *mime, unsigned stages, char **out_dir)
{
    char *path = media_path(name);
    json_t *job = aw_test_run(&cfg, path, mime, stages, out_dir);
    g_free(path);
    return job;
}

static VipsImage *output_image(const char *out_dir, const char *file)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", out_dir, file);
    VipsImage *img = vips_image_new_from_file(path, "access", VIPS_ACCESS_RANDOM, NULL);
    assert_non_null(img);
    return img;
}

/* A phone video stored landscape 320x180 with a 90° display rotation: shown
 * 180x320, so the poster and the clip are portrait. */
static void rotated_video_is_upright(void **state)
{
    (void)state;
    aw_test_make(media, "ffmpeg -v error -y -f lavfi -i testsrc=size=320x180:rate=25:duration=2 "
                        "-c:v libx264 -preset ultrafast rotated.mp4 && "
                        "exiftool -q -overwrite_original -Rotation=90 rotated.mp4");
    char *out = NULL;
    json_t *job = run("rotated.mp4", "video/mp4", AW_STAGES_ALL, &out);
    aw_expect_status(job, "completed");
    assert_int_equal(aw_test_int(job, "metadata.technical.width"), 180);
    assert_int_equal(aw_test_int(job, "metadata.technical.height"), 320);
    assert_int_equal(aw_test_int(job, "metadata.technical.rotation"), 90);
    assert_int_equal(aw_test_int(job, "variants.thumbnails.large.width"), 180);
    assert_int_equal(aw_test_int(job, "variants.thumbnails.large.height"), 320);
    assert_int_equal(aw_test_int(job, "variants.previews.width"), 180);
    assert_int_equal(aw_test_int(job, "variants.previews.height"), 320);
    aw_test_done(job, out);
}

/* testsrc draws colour bars across the top: the poster's top row must be
 * the bars' first rows, not a side of them (which a missing or wrong
 * rotation would give). Compared with ffmpeg's own autorotated frame. */
static void rotated_poster_matches_ffmpeg(void **state)
{
    (void)state;
    aw_test_make(
        media, "ffmpeg -v error -y -i rotated.mp4 -frames:v 1 -vf scale=180:320 ffmpeg_poster.png");
    char *out = NULL;
    json_t *job = run("rotated.mp4", "video/mp4", AW_STAGE_THUMBNAIL, &out);
    VipsImage *ours = output_image(out, "thumbnail_large.webp");
    char *theirs_path = media_path("ffmpeg_poster.png");
    VipsImage *theirs = vips_image_new_from_file(theirs_path, "access", VIPS_ACCESS_RANDOM, NULL);
    assert_non_null(theirs);
    VipsImage *flipped = NULL, *diff = NULL, *adiff = NULL, *fdiff = NULL, *afdiff = NULL;
    double same = 0, mirrored = 0;
    assert_int_equal(vips_flip(theirs, &flipped, VIPS_DIRECTION_VERTICAL, NULL), 0);
    assert_int_equal(vips_subtract(ours, theirs, &diff, NULL), 0);
    assert_int_equal(vips_abs(diff, &adiff, NULL), 0);
    assert_int_equal(vips_avg(adiff, &same, NULL), 0);
    assert_int_equal(vips_subtract(ours, flipped, &fdiff, NULL), 0);
    assert_int_equal(vips_abs(fdiff, &afdiff, NULL), 0);
    assert_int_equal(vips_avg(afdiff, &mirrored, NULL), 0);
    if (!(same < 20 && same < mirrored / 2))
        fail_msg("poster differs from ffmpeg's frame by %.1f (upside down: %.1f)", same, mirrored);
    g_object_unref(afdiff), g_object_unref(fdiff), g_object_unref(adiff), g_object_unref(diff);
    g_object_unref(flipped), g_object_unref(theirs), g_object_unref(ours), g_free(theirs_path);
    aw_test_done(job, out);
}

/* 5 s of black, then the test pattern, a keyframe every second: 10 % of
 * 20 s lands in the black; the poster must come from the pattern. */
static void poster_skips_black_frames(void **state)
{
    (void)state;
    aw_test_make(media,
                 "ffmpeg -v error -y -f lavfi -i color=black:size=320x180:rate=25:duration=5 "
                 "-f lavfi -i testsrc=size=320x180:rate=25:duration=15 "
                 "-filter_complex '[0][1]concat=n=2:v=1' -g 25 -c:v libx264 -preset ultrafast "
                 "black_start.mp4");
    char *out = NULL;
    json_t *job = run("black_start.mp4", "video/mp4", AW_STAGE_THUMBNAIL, &out);
    aw_expect_status(job, "completed");
    VipsImage *poster = output_image(out, "thumbnail_large.webp");
    double deviation = 0;
    assert_int_equal(vips_deviate(poster, &deviation, NULL), 0);
    if (deviation < 30)
        fail_msg("poster is nearly flat (standard deviation %.1f): a black frame", deviation);
    g_object_unref(poster);
    aw_test_done(job, out);
}

/* Odd frame size (321x241) in WebM (VP8 + Vorbis): the clip is even-sized
 * and never larger than the source; the waveform comes from the Vorbis track. */
static void odd_sized_webm(void **state)
{
    (void)state;
    aw_test_make(media,
                 "ffmpeg -v error -y -f lavfi -i testsrc=size=321x241:rate=25:duration=2 "
                 "-f lavfi -i sine=frequency=300:duration=2 -c:v libvpx -b:v 300k -c:a libvorbis "
                 "odd.webm");
    char *out = NULL;
    json_t *job = run("odd.webm", "video/webm", AW_STAGES_ALL, &out);
    aw_expect_status(job, "completed");
    assert_string_equal(aw_test_str(job, "metadata.technical.codec"), "vp8");
    assert_string_equal(aw_test_str(job, "metadata.technical.audioCodec"), "vorbis");
    assert_int_equal(aw_test_int(job, "variants.previews.width"), 320);
    assert_int_equal(aw_test_int(job, "variants.previews.height"), 240);
    assert_non_null(aw_test_get(job, "variants.waveform.dataKey"));
    char clip[4200];
    snprintf(clip, sizeof clip, "%s/preview.mp4", out);
    json_t *probe = aw_test_ffprobe(clip);
    assert_non_null(probe);
    assert_int_equal(json_array_size(json_object_get(probe, "streams")), 2);
    json_decref(probe);
    aw_test_done(job, out);
}

/* No audio track: the clip has none either, no waveform, still completed. */
static void video_without_audio(void **state)
{
    (void)state;
    aw_test_make(media, "ffmpeg -v error -y -f lavfi -i testsrc=size=640x360:rate=30:duration=3 "
                        "-c:v libx264 -preset ultrafast silent.mp4");
    char *out = NULL;
    json_t *job = run("silent.mp4", "video/mp4", AW_STAGES_ALL, &out);
    aw_expect_status(job, "completed");
    assert_null(aw_test_get(job, "variants.waveform"));
    assert_int_equal(aw_test_int(job, "variants.previews.height"), 360);
    char clip[4200];
    snprintf(clip, sizeof clip, "%s/preview.mp4", out);
    json_t *probe = aw_test_ffprobe(clip);
    assert_non_null(probe);
    assert_int_equal(json_array_size(json_object_get(probe, "streams")), 1);
    json_decref(probe);
    aw_test_done(job, out);
}

typedef struct progress_log {
    int preview_events;
    int last_percent;
    bool backwards;
} progress_log;

static void log_progress(void *ctx, const char *stage, int percent)
{
    progress_log *log = ctx;
    if (strcmp(stage, "preview") == 0)
        log->preview_events++;
    if (percent < log->last_percent)
        log->backwards = true;
    log->last_percent = percent;
}

/* A 30 s 720p source: the clip is cut to 10 s and 480p, and progress is
 * reported while it encodes (not only at stage boundaries), never backwards. */
static void long_video_clip_and_progress(void **state)
{
    (void)state;
    aw_test_make(media,
                 "ffmpeg -v error -y -f lavfi -i testsrc=size=1280x720:rate=24:duration=30 "
                 "-f lavfi -i sine=duration=30 -c:v libx264 -preset ultrafast -c:a aac long.mp4");
    char *path = media_path("long.mp4"), *out = aw_test_tmpdir("out");
    progress_log log = {0};
    aw_job job = {.job_id = "job-progress",
                  .asset_id = "long",
                  .declared_mime = "video/mp4",
                  .stages = AW_STAGE_SNIFF | AW_STAGE_PREVIEW,
                  .on_progress = log_progress,
                  .progress_ctx = &log};
    aw_result r;
    assert_int_equal(aw_pipeline_run(&job, &cfg, path, out, &r), AW_OK);
    json_t *data = aw_result_to_json(&r, &job);
    aw_result_free(&r);
    aw_expect_status(data, "completed");
    assert_int_equal(aw_test_int(data, "variants.previews.width"), 854);
    assert_int_equal(aw_test_int(data, "variants.previews.height"), 480);
    double seconds = aw_test_num(data, "variants.previews.duration");
    assert_true(seconds > 9.9 && seconds <= 10.05);
    if (log.preview_events < 4)
        fail_msg("%d progress events during the preview stage", log.preview_events);
    assert_false(log.backwards);
    assert_int_equal(log.last_percent, 100);
    g_free(path);
    aw_test_done(data, out);
}

/* Silence for 0.5 s, then a 440 Hz sine at half scale: points of the
 * first half are 0, those of the second swing to ±64 (0.5 × 128), and
 * 1 s at 44.1 kHz makes ceil(44100 / 512) = 87 points. */
static void waveform_of_known_signal(void **state)
{
    (void)state;
    aw_test_make(media, "ffmpeg -v error -y -f lavfi "
                        "-i \"aevalsrc='if(lt(t,0.5),0,0.5*sin(2*PI*440*t))':s=44100:d=1\" "
                        "-c:a pcm_s16le half_sine.wav");
    char *out = NULL;
    json_t *job = run("half_sine.wav", "audio/wav", AW_STAGE_WAVEFORM, &out);
    aw_expect_status(job, "completed");
    char file[4200];
    snprintf(file, sizeof file, "%s/waveform.json", out);
    json_t *w = json_load_file(file, 0, NULL);
    assert_non_null(w);
    assert_int_equal(aw_test_int(w, "sample_rate"), 44100);
    assert_int_equal(aw_test_int(w, "length"), 87);
    json_t *data = json_object_get(w, "data");
    for (int i = 0; i < 87; i++) {
        int low = (int)json_integer_value(json_array_get(data, 2 * i));
        int high = (int)json_integer_value(json_array_get(data, 2 * i + 1));
        double t0 = i * 512 / 44100.0, t1 = (i + 1) * 512 / 44100.0;
        if (t1 < 0.5)
            assert_true(low >= -1 && high <= 1);
        else if (t0 > 0.5 && i < 86)
            assert_true(low <= -63 && low >= -64 && high >= 63 && high <= 64);
    }
    VipsImage *png = output_image(out, "waveform.png");
    assert_int_equal(png->Xsize, 800);
    assert_int_equal(png->Ysize, 250);
    g_object_unref(png);
    json_decref(w);
    aw_test_done(job, out);
}

/* ID3v2 tags written by ffmpeg read back by TagLib; the 90 s track's clip
 * is 30 s from a third in (30 s). */
static void mp3_tags_and_audio_clip(void **state)
{
    (void)state;
    aw_test_make(media,
                 "ffmpeg -v error -y -f lavfi -i sine=frequency=500:duration=90 -c:a libmp3lame "
                 "-b:a 64k -metadata title='Night Train' -metadata artist='The Testers' "
                 "-metadata album='Recipes' -metadata genre='Jazz' -metadata date=2019 "
                 "-metadata track=3/12 tagged.mp3");
    char *out = NULL;
    json_t *job = run("tagged.mp3", "audio/mpeg", AW_STAGES_ALL, &out);
    aw_expect_status(job, "completed");
    assert_string_equal(aw_test_str(job, "metadata.type"), "AUDIO");
    assert_string_equal(aw_test_str(job, "metadata.descriptive.title"), "Night Train");
    assert_string_equal(aw_test_str(job, "metadata.descriptive.artist"), "The Testers");
    assert_string_equal(aw_test_str(job, "metadata.descriptive.album"), "Recipes");
    assert_string_equal(json_string_value(
                            json_array_get(aw_test_get(job, "metadata.descriptive.genre"), 0)),
                        "Jazz");
    assert_int_equal(aw_test_int(job, "metadata.descriptive.year"), 2019);
    assert_int_equal(aw_test_int(job, "metadata.descriptive.track"), 3);
    assert_string_equal(aw_test_str(job, "metadata.technical.codec"), "mp3");
    assert_string_equal(aw_test_str(job, "variants.previews.contentType"), "audio/mp4");
    assert_true(fabs(aw_test_num(job, "variants.previews.start") - 30.0) < 0.01);
    double seconds = aw_test_num(job, "variants.previews.duration");
    assert_true(seconds > 29.9 && seconds <= 30.05);
    assert_int_equal(json_object_size(aw_test_get(job, "variants.thumbnails")), 0);
    aw_test_done(job, out);
}

/* AAC in M4A with a 600x300 PNG as cover art (MP4 covr): thumbnails from
 * the cover, never enlarged. */
static void m4a_cover_art(void **state)
{
    (void)state;
    aw_test_make(
        media, "ffmpeg -v error -y -f lavfi -i sine=duration=2 -f lavfi -i "
               "testsrc=size=600x300:duration=1 "
               "-map 0 -map 1 -frames:v 1 -c:a aac -c:v png -disposition:v attached_pic cover.m4a");
    char *out = NULL;
    json_t *job = run("cover.m4a", "audio/mp4", AW_STAGES_ALL, &out);
    aw_expect_status(job, "completed");
    assert_true(json_is_true(aw_test_get(job, "metadata.technical.hasCoverArt")));
    assert_int_equal(aw_test_int(job, "variants.thumbnails.large.width"), 600);
    assert_int_equal(aw_test_int(job, "variants.thumbnails.large.height"), 300);
    assert_int_equal(aw_test_int(job, "variants.thumbnails.small.width"), 200);
    assert_int_equal(aw_test_int(job, "variants.thumbnails.small.height"), 100);
    aw_test_done(job, out);
}

static void expect_gps(json_t *job, double lat, double lon, double alt)
{
    double got_lat = aw_test_num(job, "metadata.extracted.gps.latitude");
    double got_lon = aw_test_num(job, "metadata.extracted.gps.longitude");
    if (!(fabs(got_lat - lat) <= 1e-4 && fabs(got_lon - lon) <= 1e-4))
        fail_msg("gps is %f %f, the recipe wrote %f %f", got_lat, got_lon, lat, lon);
    json_t *got_alt = aw_test_get(job, "metadata.extracted.gps.altitude");
    if (isnan(alt))
        assert_null(got_alt);
    else if (got_alt == NULL || !(fabs(json_number_value(got_alt) - alt) <= 0.5))
        fail_msg("altitude is %s, the recipe wrote %f", got_alt ? json_dumps(got_alt, 0) : "absent",
                 alt);
}

static json_t *run_metadata(const char *name, const char *mime)
{
    return run(name, mime, AW_STAGE_METADATA, NULL);
}

/* QuickTime Keys (mdta) as an iPhone writes them: make, model, software,
 * an ISO 6709 location with altitude, the creation date with its offset. */
static void quicktime_keys_read_back(void **state)
{
    (void)state;
    aw_test_make(media, "ffmpeg -v error -y -f lavfi -i testsrc=size=160x90:rate=10:duration=1 "
                        "-c:v libx264 -preset ultrafast -movflags use_metadata_tags "
                        "-metadata com.apple.quicktime.make=Apple "
                        "-metadata com.apple.quicktime.model='iPhone 6' "
                        "-metadata com.apple.quicktime.software=12.3 "
                        "-metadata com.apple.quicktime.location.ISO6709=+32.0929+034.8620+028.516/ "
                        "-metadata com.apple.quicktime.creationdate=2019-07-24T11:25:40+0300 "
                        "-metadata title='Beach day' keys.mov");
    json_t *job = run_metadata("keys.mov", "video/quicktime");
    aw_expect_status(job, "completed");
    aw_expect_text(job, "metadata.extracted.make", "Apple");
    aw_expect_text(job, "metadata.extracted.model", "iPhone 6");
    aw_expect_text(job, "metadata.extracted.software", "12.3");
    aw_expect_text(job, "metadata.extracted.creationDateLocal", "2019-07-24T11:25:40+03:00");
    aw_expect_text(job, "metadata.descriptive.title", "Beach day");
    expect_gps(job, 32.0929, 34.862, 28.516);
    json_decref(job);
}

/* udta atoms of a MOV (©mak, ©mod, ©xyz, ©nam, ©cmt) and Matroska tags. */
static void udta_and_matroska_tags_read_back(void **state)
{
    (void)state;
    const char *tags = "-metadata title='Eiffel Tower' -metadata comment='Windy day' "
                       "-metadata description='From the river' -metadata make=Acme "
                       "-metadata model='Cam 1' -metadata location=-48.8577-002.2950-012.5/ ";
    gchar *recipe = g_strdup_printf(
        "ffmpeg -v error -y -f lavfi -i testsrc=size=160x90:rate=10:duration=1 -c:v libx264 "
        "-preset ultrafast %s udta.mov && ffmpeg -v error -y -f lavfi "
        "-i testsrc=size=160x90:rate=10:duration=1 -c:v libvpx %s tags.mkv",
        tags, tags);
    aw_test_make(media, recipe);
    g_free(recipe);
    const char *files[][2] = {{"udta.mov", "video/quicktime"}, {"tags.mkv", "video/x-matroska"}};
    for (int i = 0; i < 2; i++) {
        json_t *job = run_metadata(files[i][0], files[i][1]);
        aw_expect_status(job, "completed");
        aw_expect_text(job, "metadata.descriptive.title", "Eiffel Tower");
        aw_expect_text(job, "metadata.descriptive.comment", "Windy day");
        aw_expect_text(job, "metadata.extracted.make", "Acme");
        aw_expect_text(job, "metadata.extracted.model", "Cam 1");
        expect_gps(job, -48.8577, -2.295, -12.5);
        json_decref(job);
    }
}

/* An Android-style MP4: a location FFmpeg reads as `location` (and, from
 * the 3GPP loci box the muxer adds, `location-eng`), com.android.version
 * and the manufacturer and model keys newer Android releases write. */
static void android_location_and_version_read_back(void **state)
{
    (void)state;
    aw_test_make(media, "ffmpeg -v error -y -f lavfi -i testsrc=size=160x90:rate=10:duration=1 "
                        "-c:v libx264 -preset ultrafast -movflags use_metadata_tags "
                        "-metadata location=+51.4169-000.0806/ "
                        "-metadata com.android.version=6.0.1 "
                        "-metadata com.android.manufacturer=Google "
                        "-metadata com.android.model='Pixel 3' android.mp4");
    json_t *job = run_metadata("android.mp4", "video/mp4");
    aw_expect_status(job, "completed");
    aw_expect_text(job, "metadata.extracted.androidVersion", "6.0.1");
    expect_gps(job, 51.4169, -0.0806, NAN);
    aw_expect_text(job, "metadata.extracted.make", "Google");
    aw_expect_text(job, "metadata.extracted.model", "Pixel 3");
    assert_null(aw_test_get(job, "metadata.extracted.software"));
    json_decref(job);
}

/* 3GPP asset boxes (titl, auth, perf) that FFmpeg does not export, as
 * ffmpeg's 3gp muxer writes them; then the title rewritten in place as
 * UTF-16 with a byte-order mark ("OK!", as many bytes as "my movie"). */
static void gpp_asset_strings_read_back(void **state)
{
    (void)state;
    aw_test_make(
        media,
        "ffmpeg -v error -y -f lavfi -i testsrc=size=176x144:rate=10:duration=1 "
        "-c:v libx264 -preset ultrafast -metadata title='my movie' "
        "-metadata author='Ann Author' -metadata artist='Perf Former' -f 3gp asset.3gp && "
        "perl -0777 -pe 's/titl(\\0\\0\\0\\0..)my movie\\0/titl$1\\xfe\\xff\\0O\\0K\\0!\\0/s' "
        "asset.3gp > asset16.3gp && ! cmp -s asset.3gp asset16.3gp");
    json_t *job = run_metadata("asset.3gp", "video/3gpp");
    aw_expect_status(job, "completed");
    aw_expect_text(job, "metadata.descriptive.title", "my movie");
    aw_expect_text(job, "metadata.descriptive.author", "Ann Author");
    aw_expect_text(job, "metadata.descriptive.artist", "Perf Former");
    json_decref(job);
    job = run_metadata("asset16.3gp", "video/3gpp");
    aw_expect_text(job, "metadata.descriptive.title", "OK!");
    aw_expect_text(job, "metadata.descriptive.author", "Ann Author");
    json_decref(job);
}

/* Hostile tags: each bad field is left out, the good ones stay and the
 * whole job completes. The recipes check that the bad bytes are really in
 * the files (a tool that cleaned them would make the test vacuous). */
static void hostile_tags_are_refused_field_by_field(void **state)
{
    (void)state;
    aw_test_make(
        media,
        "ffmpeg -v error -y -f lavfi -i testsrc=size=160x90:rate=10:duration=1 -c:v libx264 "
        "-preset ultrafast -metadata location=+999.0+999.0/ "
        "-metadata make=\"$(printf 'Ac\\377\\376me')\" "
        "-metadata model=\"$(head -c 300 /dev/zero | tr '\\0' m)\" "
        "-metadata title=\"$(head -c 5000 /dev/zero | tr '\\0' t)\" -metadata comment=fine "
        "bad_udta.mov && LC_ALL=C grep -q \"$(printf 'Ac\\377\\376me')\" bad_udta.mov && "
        "[ $(ffprobe -v error -show_entries format_tags=title -of default=nw=1:nk=1 bad_udta.mov "
        "| wc -c) -gt 5000 ] && "
        "ffmpeg -v error -y -f lavfi -i testsrc=size=160x90:rate=10:duration=1 -c:v libx264 "
        "-preset ultrafast -movflags use_metadata_tags "
        "-metadata com.apple.quicktime.location.ISO6709=NaN -metadata location=+48.8577+002.2950/ "
        "-metadata com.apple.quicktime.creationdate=2019-07-24T25:25:40+0300 "
        "-metadata title=\"$(printf 'ab\\377\\376cd')\" -metadata "
        "com.apple.quicktime.software=12.3 "
        "bad_keys.mp4 && LC_ALL=C grep -q \"$(printf 'ab\\377\\376cd')\" bad_keys.mp4 && "
        "perl -0777 -pe 's/titl(\\0\\0\\0\\0..)my movie\\0/titl$1\\xfe\\xff\\xd8\\0\\0K\\0!\\0/s' "
        "asset.3gp > bad_utf16.3gp && "
        "perl -0777 -pe 's/\\0\\0\\0.titl/\\x7f\\xff\\xff\\xfftitl/s' asset.3gp > bad_size.3gp");
    char *out = NULL;
    json_t *job = run("bad_udta.mov", "video/quicktime", AW_STAGES_ALL, &out);
    aw_expect_status(job, "completed");
    assert_null(aw_test_get(job, "metadata.extracted.gps"));
    assert_null(aw_test_get(job, "metadata.extracted.make"));
    assert_null(aw_test_get(job, "metadata.extracted.model"));
    assert_null(aw_test_get(job, "metadata.descriptive.title"));
    aw_expect_text(job, "metadata.descriptive.comment", "fine");
    aw_test_done(job, out);
    job = run("bad_keys.mp4", "video/mp4", AW_STAGES_ALL, &out);
    aw_expect_status(job, "completed");
    expect_gps(job, 48.8577, 2.295, NAN); /* the next source of the field */
    assert_null(aw_test_get(job, "metadata.extracted.creationDateLocal"));
    assert_null(aw_test_get(job, "metadata.descriptive.title"));
    aw_expect_text(job, "metadata.extracted.software", "12.3");
    aw_test_done(job, out);
    job = run_metadata("bad_utf16.3gp", "video/3gpp"); /* an unpaired surrogate */
    aw_expect_status(job, "completed");
    assert_null(aw_test_get(job, "metadata.descriptive.title"));
    aw_expect_text(job, "metadata.descriptive.author", "Ann Author");
    json_decref(job);
    job = run_metadata("bad_size.3gp", "video/3gpp"); /* titl runs past its parent */
    aw_expect_status(job, "completed");
    assert_null(aw_test_get(job, "metadata.descriptive.title"));
    json_decref(job);
}

/* Playlists that would make FFmpeg read another file: refused by type,
 * and the other file is never opened (inotify watches it). */
static void playlists_never_reach_other_files(void **state)
{
    (void)state;
    aw_test_make(media,
                 "printf 'secret\\n' > secret.txt && "
                 "printf '#EXTM3U\\n#EXT-X-TARGETDURATION:10\\n#EXTINF:10,\\n%s/secret.txt\\n"
                 "#EXT-X-ENDLIST\\n' \"$PWD\" > list.m3u8 && "
                 "printf 'ffconcat version 1.0\\nfile %s/secret.txt\\n' \"$PWD\" > list.ffconcat");
    char *secret = media_path("secret.txt");
    int fd = inotify_init1(IN_NONBLOCK);
    assert_true(fd >= 0);
    assert_true(inotify_add_watch(fd, secret, IN_OPEN | IN_ACCESS) >= 0);
    const char *files[] = {"list.m3u8", "list.ffconcat"};
    const char *declared[] = {"video/mp4", "audio/mpeg", NULL};
    for (int f = 0; f < 2; f++) {
        for (int d = 0; d < 3; d++) {
            json_t *job = run(files[f], declared[d], AW_STAGES_ALL, NULL);
            aw_expect_status(job, "failed");
            aw_expect_error(job, "sniff", "ASSET_INVALID_FILE_TYPE",
                            declared[d] ? "type_mismatch" : "not_allowed");
            json_decref(job);
        }
    }
    /* Below the type check: even handed to the demuxers as MP4 and as MP3,
     * FFmpeg reads nothing else. */
    const char *groups[][2] = {{"video/mp4", "isobmff"}, {"audio/mpeg", "mpeg-audio"}};
    for (int f = 0; f < 2; f++) {
        for (int g = 0; g < 2; g++) {
            char *path = media_path(files[f]);
            aw_job job = {.job_id = "j", .asset_id = "a", .stages = AW_STAGES_ALL};
            aw_result r;
            assert_int_equal(aw_result_init(&r), AW_OK);
            r.media = aw_media_by_mime(groups[g][0]);
            aw_ctx ctx = {.job = &job, .config = &cfg, .input_path = path, .result = &r};
            aw_av_input in;
            aw_error err;
            if (aw_av_open(&ctx, &in, &err) == AW_OK) {
                AVCodecContext *dec = NULL;
                if (in.audio >= 0 &&
                    aw_av_open_decoder(&ctx, &in, in.audio, false, &dec, &err) == AW_OK) {
                    AVFrame *frame = av_frame_alloc();
                    while (aw_av_next_frame(&in, in.audio, dec, frame) >= 0)
                        av_frame_unref(frame);
                    av_frame_free(&frame);
                    avcodec_free_context(&dec);
                }
                aw_av_close(&in);
            }
            aw_result_free(&r);
            g_free(path);
        }
    }
    char events[4096];
    ssize_t n = read(fd, events, sizeof events);
    if (n > 0)
        fail_msg("secret.txt was opened or read while processing the playlists");
    close(fd);
    g_free(secret);
}

/* Limits: frames over the pixel limit stop the poster and the clip before
 * decoding; audio over the duration limit stops the waveform. */
static void limits_refuse_before_decoding(void **state)
{
    (void)state;
    aw_config small = cfg;
    small.limits.max_video_pixels = 320 * 180 - 1;
    small.limits.max_media_seconds = 1;
    char *path = media_path("odd.webm"), *out = NULL;
    json_t *job = aw_test_run(&small, path, "video/webm", AW_STAGES_ALL, &out);
    aw_expect_status(job, "partial");
    aw_expect_error(job, "thumbnail", "ASSET_FILE_TOO_LARGE", "frame_pixels");
    aw_expect_error(job, "preview", "ASSET_FILE_TOO_LARGE", "frame_pixels");
    aw_expect_error(job, "waveform", "ASSET_FILE_TOO_LARGE", "duration_limit");
    assert_non_null(aw_test_get(job, "metadata.technical.codec"));
    g_free(path);
    aw_test_done(job, out);
}

/* The MP4 index sits at the end; half the file is gone with it. */
static void truncated_video_is_refused_cleanly(void **state)
{
    (void)state;
    aw_test_make(media, "ffmpeg -v error -y -f lavfi -i testsrc=size=320x180:rate=25:duration=3 "
                        "-c:v libx264 -preset ultrafast whole.mp4 && "
                        "head -c $(( $(stat -c %s whole.mp4) / 2 )) whole.mp4 > truncated.mp4");
    char *out = NULL;
    json_t *job = run("truncated.mp4", "video/mp4", AW_STAGES_ALL, &out);
    aw_expect_status(job, "failed");
    aw_expect_error(job, "metadata", "ASSET_PROCESSING_FAILED", "corrupt");
    aw_expect_error(job, "thumbnail", "ASSET_PROCESSING_FAILED", "corrupt");
    aw_test_done(job, out);
}

/* Geometry rules without media. */
static void preview_geometry(void **state)
{
    (void)state;
    int w, h;
    aw_preview_size(1920, 1080, 480, &w, &h); /* landscape: 480 lines */
    assert_int_equal(w, 854), assert_int_equal(h, 480);
    aw_preview_size(1080, 1920, 480, &w, &h); /* portrait: 480 wide */
    assert_int_equal(w, 480), assert_int_equal(h, 854);
    aw_preview_size(321, 241, 480, &w, &h); /* never enlarged, even */
    assert_int_equal(w, 320), assert_int_equal(h, 240);
    aw_preview_size(4000, 1000, 480, &w, &h);           /* very wide: the width decides */
    assert_int_equal(w, 854), assert_int_equal(h, 214); /* 213.5 → nearest even */
    assert_true(aw_av_poster_time(20.0) > 1.99 && aw_av_poster_time(20.0) < 2.01);
    assert_true(aw_av_poster_time(3600.0) == 30.0);
    assert_true(aw_av_poster_time(-1.0) == 0.0);
    assert_true(aw_preview_audio_start(60.0, 30.0) == 0.0);
    assert_true(aw_preview_audio_start(100.0, 30.0) == 33.0);
}

int main(void)
{
    media = aw_test_tmpdir("avmedia");
    aw_test_config(&cfg, NULL);
    aw_error err;
    if (aw_pipeline_init(&cfg, &err) != AW_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(preview_geometry),
        cmocka_unit_test(rotated_video_is_upright),
        cmocka_unit_test(rotated_poster_matches_ffmpeg),
        cmocka_unit_test(poster_skips_black_frames),
        cmocka_unit_test(odd_sized_webm),
        cmocka_unit_test(video_without_audio),
        cmocka_unit_test(long_video_clip_and_progress),
        cmocka_unit_test(waveform_of_known_signal),
        cmocka_unit_test(mp3_tags_and_audio_clip),
        cmocka_unit_test(m4a_cover_art),
        cmocka_unit_test(quicktime_keys_read_back),
        cmocka_unit_test(udta_and_matroska_tags_read_back),
        cmocka_unit_test(android_location_and_version_read_back),
        cmocka_unit_test(gpp_asset_strings_read_back),
        cmocka_unit_test(hostile_tags_are_refused_field_by_field),
        cmocka_unit_test(playlists_never_reach_other_files),
        cmocka_unit_test(limits_refuse_before_decoding),
        cmocka_unit_test(truncated_video_is_refused_cleanly),
    };
    int failed = cmocka_run_group_tests_name("av_generated", tests, NULL, NULL);
    aw_pipeline_shutdown();
    aw_test_rmtree(media);
    free(media);
    return failed;
}
