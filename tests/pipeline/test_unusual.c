/* test_unusual.c — valid but unusual files of every family, made here and
 * first checked with the format's own validator or reference reader (the
 * Khronos glTF validator, grep on OBJ lines, qpdf --check with pdfinfo and
 * exiftool, ffprobe and ffmpeg, exiftool on images): each ends with the
 * facts those tools give and a specific outcome, never `corrupt` (issue
 * 31). Expected values come from the tools, never from the worker. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aw_expect.h"
#include "aw_test.h"
#include "pipeline.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static aw_config cfg;
static char *dir; /* the files made here */

static char *path_of(const char *name)
{
    return g_strdup_printf("%s/%s", dir, name);
}

static void write_file(const char *name, const void *data, size_t len)
{
    char *path = path_of(name);
    assert_true(g_file_set_contents(path, data, (gssize)len, NULL));
    g_free(path);
}

static void write_text(const char *name, const char *text)
{
    write_file(name, text, strlen(text));
}

static json_t *run(const char *name, const char *mime, char **out)
{
    char *path = path_of(name);
    json_t *job = aw_test_run(&cfg, path, mime, AW_STAGES_ALL, out);
    g_free(path);
    return job;
}

/* The first line `fmt` (one %s: the file) prints, about a file made here. */
static void tool_says(const char *fmt, const char *name, char *buf, size_t size)
{
    char *path = path_of(name);
    aw_test_command_line(fmt, path, buf, size);
    g_free(path);
}

static long tool_number(const char *fmt, const char *name)
{
    char line[256];
    tool_says(fmt, name, line, sizeof line);
    if (line[0] == '\0')
        fail_msg("no answer from: %s (%s)", fmt, name);
    return atol(line);
}

/* A valid file is never called corrupt, whatever else it lacks. */
static void assert_never_corrupt(json_t *job)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(job, "errors"), i, e) {
        if (strcmp(aw_test_str(e, "reason"), "corrupt") == 0)
            fail_msg("a valid file called corrupt: %s", json_dumps(e, 0));
    }
}

static size_t thumbnail_count(json_t *job)
{
    return json_object_size(aw_test_get(job, "variants.thumbnails"));
}

/* --- 3D models ------------------------------------------------------------ */

/* What the Khronos validator reports about a glTF or GLB. */
typedef struct gltf_report {
    long errors, draw_calls, vertices, triangles, materials;
} gltf_report;

static void validate_gltf(const char *name, gltf_report *r)
{
    gchar *script = g_strdup_printf("node %s/tools/gltf_validate.js %%s 2>/dev/null", AW_TESTS_DIR);
    char line[256];
    tool_says(script, name, line, sizeof line);
    g_free(script);
    if (line[0] == '\0' && getenv("AW_REQUIRE_TOOLS") == NULL)
        skip(); /* node or tests/node_modules (npm ci in tests/) missing */
    if (sscanf(line, "%ld %ld %ld %ld %ld", &r->errors, &r->draw_calls, &r->vertices, &r->triangles,
               &r->materials) != 5)
        fail_msg("the glTF validator said '%s' about %s", line, name);
    assert_int_equal(r->errors, 0); /* valid: the point of these files */
}

/* A GLB 2.0 container holding only the JSON chunk (padded with spaces). */
static void write_glb(const char *name, const char *json)
{
    size_t len = strlen(json), padded = (len + 3) & ~(size_t)3;
    uint32_t head[5] = {0x46546C67u, 2, (uint32_t)(20 + padded), (uint32_t)padded, 0x4E4F534Au};
    GByteArray *glb = g_byte_array_new();
    g_byte_array_append(glb, (const guint8 *)head, sizeof head); /* little-endian host */
    g_byte_array_append(glb, (const guint8 *)json, (guint)len);
    for (size_t i = len; i < padded; i++)
        g_byte_array_append(glb, (const guint8 *)" ", 1);
    write_file(name, glb->data, glb->len);
    g_byte_array_free(glb, TRUE);
}

/* Counts as the validator gives them, `empty`, and nothing drawn for a
 * specific reason. */
static void expect_nothing_to_draw(json_t *job, const gltf_report *r)
{
    aw_expect_status(job, "partial");
    aw_expect_error(job, "thumbnail", "ASSET_PROCESSING_FAILED", "no_geometry");
    assert_never_corrupt(job);
    assert_int_equal(thumbnail_count(job), 0);
    assert_int_equal(aw_test_int(job, "metadata.technical.model.meshes"), r->draw_calls);
    assert_int_equal(aw_test_int(job, "metadata.technical.model.vertices"), r->vertices);
    assert_int_equal(aw_test_int(job, "metadata.technical.model.triangles"), r->triangles);
    assert_int_equal(aw_test_int(job, "metadata.technical.model.materials"), r->materials);
    assert_true(json_is_true(aw_test_get(job, "metadata.technical.model.empty")));
}

/* The smallest valid glTF, its asset block alone (no scene, node or
 * mesh), as a .gltf and as a GLB: assimp refuses both ("No scene"). */
static void gltf_and_glb_without_a_scene(void **state)
{
    (void)state;
    static const char minimal[] = "{\"asset\":{\"version\":\"2.0\",\"generator\":\"hand\"}}";
    write_text("asset-only.gltf", minimal);
    write_glb("asset-only.glb", minimal);
    static const char *const files[][2] = {{"asset-only.gltf", "model/gltf+json"},
                                           {"asset-only.glb", "model/gltf-binary"}};
    for (size_t i = 0; i < 2; i++) {
        gltf_report r;
        validate_gltf(files[i][0], &r);
        char *out = NULL;
        json_t *job = run(files[i][0], files[i][1], &out);
        expect_nothing_to_draw(job, &r);
        aw_expect_text(job, "metadata.technical.model.version", "2.0");
        aw_expect_text(job, "metadata.technical.model.generator", "hand");
        aw_test_done(job, out);
    }
}

/* A scene whose one node holds a camera, or a KHR_lights_punctual light. */
static void gltf_of_only_a_camera_or_a_light(void **state)
{
    (void)state;
    write_text("camera.gltf",
               "{\"asset\":{\"version\":\"2.0\"},\"scene\":0,\"scenes\":[{\"nodes\":[0]}],"
               "\"nodes\":[{\"camera\":0,\"translation\":[0,0,5]}],\"cameras\":[{\"type\":"
               "\"perspective\",\"perspective\":{\"yfov\":0.8,\"znear\":0.1}}]}");
    write_text("light.gltf",
               "{\"asset\":{\"version\":\"2.0\"},\"extensionsUsed\":[\"KHR_lights_punctual\"],"
               "\"extensions\":{\"KHR_lights_punctual\":{\"lights\":[{\"type\":\"point\"}]}},"
               "\"scene\":0,\"scenes\":[{\"nodes\":[0]}],\"nodes\":[{\"extensions\":"
               "{\"KHR_lights_punctual\":{\"light\":0}}}]}");
    static const char *const files[][3] = {
        {"camera.gltf", "cameras", "jq '.cameras | length' %s"},
        {"light.gltf", "lights", "jq '.extensions.KHR_lights_punctual.lights | length' %s"}};
    for (size_t i = 0; i < 2; i++) {
        gltf_report r;
        validate_gltf(files[i][0], &r);
        char *out = NULL, key[64];
        json_t *job = run(files[i][0], "model/gltf+json", &out);
        expect_nothing_to_draw(job, &r);
        snprintf(key, sizeof key, "metadata.technical.model.%s", files[i][1]);
        assert_int_equal(aw_test_int(job, key), tool_number(files[i][2], files[i][0]));
        aw_test_done(job, out);
    }
}

/* Vertices and no face: a point cloud, which assimp refuses ("Mesh
 * contains no faces"). Counts as grep gives them (ORACLE.md's rule). */
static void obj_of_vertices_without_faces(void **state)
{
    (void)state;
    write_text("points.obj", "# three points\nv 0 0 0\nv 1 0 0\nv 0 1 0\n");
    char *out = NULL;
    json_t *job = run("points.obj", "model/obj", &out);
    aw_expect_status(job, "partial");
    aw_expect_error(job, "thumbnail", "ASSET_PROCESSING_FAILED", "no_geometry");
    assert_never_corrupt(job);
    assert_int_equal(aw_test_int(job, "metadata.technical.model.vertices"),
                     tool_number("grep -c '^v ' %s", "points.obj"));
    assert_int_equal(aw_test_int(job, "metadata.technical.model.faces"),
                     tool_number("grep -c '^f ' %s", "points.obj"));
    assert_int_equal(aw_test_int(job, "metadata.technical.model.meshes"), 0);
    assert_true(json_is_true(aw_test_get(job, "metadata.technical.model.empty")));
    assert_int_equal(thumbnail_count(job), 0);
    aw_test_done(job, out);
}

/* --- PDF -------------------------------------------------------------------- */

static void write_pdf(const char *name, const char *const *objects, int count, int info)
{
    char *path = path_of(name);
    aw_test_write_pdf(path, objects, count, info);
    g_free(path);
}

static void assert_qpdf_finds_no_error(const char *name)
{
    char line[64];
    tool_says("qpdf --check %s >/dev/null 2>&1 && echo valid", name, line, sizeof line);
    assert_string_equal(line, "valid");
}

/* A page tree of no page (pdfinfo refuses to print it; exiftool reads the
 * document information), and a page whose MediaBox is [0 0 0 0], which
 * poppler, pdfinfo and Acrobat show as a US Letter page. */
static void pdf_of_no_page_and_of_a_zero_size_page(void **state)
{
    (void)state;
    const char *const no_page[] = {"<< /Type /Catalog /Pages 2 0 R >>",
                                   "<< /Type /Pages /Kids [] /Count 0 >>",
                                   "<< /Title (Nothing Inside) /Author (Ann Empty) >>"};
    write_pdf("no-page.pdf", no_page, 3, 3);
    assert_qpdf_finds_no_error("no-page.pdf");
    char *out = NULL, title[128], author[128];
    json_t *job = run("no-page.pdf", "application/pdf", &out);
    aw_expect_status(job, "partial");
    aw_expect_error(job, "thumbnail", "ASSET_PROCESSING_FAILED", "no_page");
    assert_never_corrupt(job);
    assert_int_equal(aw_test_int(job, "metadata.technical.pageCount"),
                     tool_number("exiftool -s3 -PageCount %s", "no-page.pdf"));
    tool_says("exiftool -s3 -Title %s", "no-page.pdf", title, sizeof title);
    tool_says("exiftool -s3 -Author %s", "no-page.pdf", author, sizeof author);
    aw_expect_text(job, "metadata.descriptive.title", title);
    aw_expect_text(job, "metadata.descriptive.author", author);
    aw_test_done(job, out);

    const char *const zero[] = {"<< /Type /Catalog /Pages 2 0 R >>",
                                "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 0 0] >>",
                                "<< /Title (Zero Size) >>"};
    write_pdf("zero-size.pdf", zero, 4, 4);
    assert_qpdf_finds_no_error("zero-size.pdf");
    job = run("zero-size.pdf", "application/pdf", &out);
    aw_expect_status(job, "completed");
    assert_true(
        aw_test_num(job, "metadata.technical.pageWidth") ==
        tool_number("pdfinfo %s | sed -n 's/^Page size: *\\([0-9]*\\).*/\\1/p'", "zero-size.pdf"));
    assert_true(aw_test_num(job, "metadata.technical.pageHeight") ==
                tool_number("pdfinfo %s | sed -n 's/^Page size: *[0-9.]* x \\([0-9]*\\).*/\\1/p'",
                            "zero-size.pdf"));
    assert_int_equal(thumbnail_count(job), 3);
    aw_test_done(job, out);
}

/* --- audio and video ---------------------------------------------------------- */

/* A WAV whose data chunk is empty: its format facts as ffprobe reads them;
 * nothing to hear, so no clip and no waveform, for that reason. */
static void wav_of_no_samples(void **state)
{
    (void)state;
    aw_test_make(dir, "ffmpeg -v error -y -f lavfi -i anullsrc=r=22050:cl=stereo -t 0 "
                      "-c:a pcm_s16le silent.wav");
    assert_int_equal(tool_number("ffmpeg -v error -i %s -f s16le - | wc -c", "silent.wav"), 0);
    char *out = NULL, codec[64];
    json_t *job = run("silent.wav", "audio/wav", &out);
    aw_expect_status(job, "partial");
    aw_expect_error(job, "preview", "ASSET_PROCESSING_FAILED", "no_audio");
    aw_expect_error(job, "waveform", "ASSET_PROCESSING_FAILED", "no_audio");
    assert_never_corrupt(job);
    tool_says("ffprobe -v error -show_entries stream=codec_name -of csv=p=0 %s", "silent.wav",
              codec, sizeof codec);
    aw_expect_text(job, "metadata.technical.codec", codec);
    assert_int_equal(aw_test_int(job, "metadata.technical.sampleRate"),
                     tool_number("ffprobe -v error -show_entries stream=sample_rate -of csv=p=0 %s",
                                 "silent.wav"));
    assert_int_equal(aw_test_int(job, "metadata.technical.channels"),
                     tool_number("ffprobe -v error -show_entries stream=channels -of csv=p=0 %s",
                                 "silent.wav"));
    aw_test_done(job, out);
}

/* One frame of video: it is the poster, and the clip. */
static void video_of_one_frame(void **state)
{
    (void)state;
    aw_test_make(dir, "ffmpeg -v error -y -f lavfi -i testsrc=s=320x240:r=25 -frames:v 1 "
                      "-pix_fmt yuv420p one-frame.mp4");
    static const char probe[] = "ffprobe -v error -select_streams v:0 -show_entries stream=%s "
                                "-of csv=p=0 %%s";
    char fmt[160];
    char *out = NULL;
    json_t *job = run("one-frame.mp4", "video/mp4", &out);
    aw_expect_status(job, "completed");
    snprintf(fmt, sizeof fmt, probe, "nb_frames");
    assert_int_equal(aw_test_int(job, "metadata.technical.frameCount"),
                     tool_number(fmt, "one-frame.mp4"));
    snprintf(fmt, sizeof fmt, probe, "width");
    assert_int_equal(aw_test_int(job, "metadata.technical.width"),
                     tool_number(fmt, "one-frame.mp4"));
    snprintf(fmt, sizeof fmt, probe, "height");
    assert_int_equal(aw_test_int(job, "metadata.technical.height"),
                     tool_number(fmt, "one-frame.mp4"));
    assert_int_equal(thumbnail_count(job), 3);
    assert_non_null(aw_test_str(job, "variants.previews.key"));
    aw_test_done(job, out);
}

/* --- images ------------------------------------------------------------------- */

static void expect_whole_small_image(const char *name, const char *mime)
{
    char *out = NULL;
    json_t *job = run(name, mime, &out);
    aw_expect_status(job, "completed");
    long w = tool_number("exiftool -s3 -ImageWidth %s", name);
    long h = tool_number("exiftool -s3 -ImageHeight %s", name);
    assert_int_equal(aw_test_int(job, "metadata.technical.width"), w);
    assert_int_equal(aw_test_int(job, "metadata.technical.height"), h);
    assert_int_equal(thumbnail_count(job), 3);
    assert_int_equal(aw_test_int(job, "variants.thumbnails.small.width"), w);
    assert_int_equal(aw_test_int(job, "variants.thumbnails.small.height"), h);
    aw_test_done(job, out);
}

/* 1×1 PNG and JPEG; an animated GIF (looping, exiftool says) of one frame
 * (ffprobe counts it). */
static void one_pixel_and_one_frame_images(void **state)
{
    (void)state;
    aw_test_make(dir, "vips black dot.png 1 1 && vips black dot.jpg 1 1 && "
                      "ffmpeg -v error -y -f lavfi -i color=red:s=64x48 -frames:v 1 -loop 0 "
                      "-final_delay 50 once.gif");
    expect_whole_small_image("dot.png", "image/png");
    expect_whole_small_image("dot.jpg", "image/jpeg");
    char loops[64];
    tool_says("exiftool -s3 -AnimationIterations %s", "once.gif", loops, sizeof loops);
    assert_string_equal(loops, "Infinite"); /* an animation, of … */
    long frames = tool_number("ffprobe -v error -count_frames -show_entries "
                              "stream=nb_read_frames -of csv=p=0 %s",
                              "once.gif");
    assert_int_equal(frames, 1); /* … one frame */
    expect_whole_small_image("once.gif", "image/gif");
    char *out = NULL;
    json_t *job = run("once.gif", "image/gif", &out);
    assert_int_equal(aw_test_int(job, "metadata.technical.frameCount"), frames);
    aw_test_done(job, out);
}

int main(void)
{
    dir = aw_test_tmpdir("unusual");
    aw_test_config(&cfg, NULL);
    aw_error err;
    if (aw_pipeline_init(&cfg, &err) != AW_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gltf_and_glb_without_a_scene),
        cmocka_unit_test(gltf_of_only_a_camera_or_a_light),
        cmocka_unit_test(obj_of_vertices_without_faces),
        cmocka_unit_test(pdf_of_no_page_and_of_a_zero_size_page),
        cmocka_unit_test(wav_of_no_samples),
        cmocka_unit_test(video_of_one_frame),
        cmocka_unit_test(one_pixel_and_one_frame_images),
    };
    int failed = cmocka_run_group_tests_name("unusual", tests, NULL, NULL);
    aw_pipeline_shutdown();
    aw_test_rmtree(dir);
    free(dir);
    return failed;
}
