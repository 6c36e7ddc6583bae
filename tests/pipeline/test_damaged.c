/* test_damaged.c — damaged but partly readable files, made here from good
 * ones (a page CRC flipped, a file cut short): the decoder refuses them,
 * another reader we link still reads part, and the job reports that part
 * and ends `partial` with a code saying what is missing (issue 31).
 * Expected values come from independent tools (exiftool, ffprobe, python's
 * zlib) or from the good file, never from the worker. */
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
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

static aw_config cfg;
static char *dir; /* the files made here */

static char *path_of(const char *name)
{
    return g_strdup_printf("%s/%s", dir, name);
}

static GBytes *read_whole(const char *name)
{
    char *path = path_of(name), *data = NULL;
    gsize len = 0;
    assert_true(g_file_get_contents(path, &data, &len, NULL));
    g_free(path);
    return g_bytes_new_take(data, len);
}

static void write_bytes(const char *name, const void *data, size_t len)
{
    char *path = path_of(name);
    assert_true(g_file_set_contents(path, data, (gssize)len, NULL));
    g_free(path);
}

static json_t *run(const char *name, const char *mime, char **out)
{
    char *path = path_of(name);
    json_t *job = aw_test_run(&cfg, path, mime, AW_STAGES_ALL, out);
    g_free(path);
    return job;
}

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

/* The decoder really refuses the damaged file (else the test tests nothing). */
static void assert_ffmpeg_refuses(const char *name)
{
    char line[64];
    tool_says("ffprobe -v quiet %s || echo refused", name, line, sizeof line);
    assert_string_equal(line, "refused");
}

/* --- audio: tags through TagLib when FFmpeg refuses the container --------- */

/* A FLAC PICTURE block (front cover) of a JPEG, base64, as Vorbis comments
 * carry it in METADATA_BLOCK_PICTURE. */
static gchar *picture_block(GBytes *jpeg, int w, int h)
{
    static const char mime[] = "image/jpeg";
    GByteArray *b = g_byte_array_new();
    uint32_t fields[] = {3, sizeof mime - 1};
    for (size_t i = 0; i < 2; i++) {
        uint32_t be = GUINT32_TO_BE(fields[i]);
        g_byte_array_append(b, (const guint8 *)&be, 4);
    }
    g_byte_array_append(b, (const guint8 *)mime, sizeof mime - 1);
    gsize len = 0;
    const guint8 *data = g_bytes_get_data(jpeg, &len);
    uint32_t rest[] = {0, (uint32_t)w, (uint32_t)h, 24, 0, (uint32_t)len};
    for (size_t i = 0; i < 6; i++) {
        uint32_t be = GUINT32_TO_BE(rest[i]);
        g_byte_array_append(b, (const guint8 *)&be, 4);
    }
    g_byte_array_append(b, data, (guint)len);
    gchar *text = g_base64_encode(b->data, b->len);
    g_byte_array_free(b, TRUE);
    return text;
}

/* An Ogg Vorbis file with title, artist and a 48x32 cover whose first
 * page's CRC is flipped: FFmpeg stops at "CRC mismatch", exiftool and
 * TagLib read the comments anyway. */
static void make_ogg_with_bad_crc(void)
{
    aw_test_make(dir, "vips black c.v 48 32 --bands 3 && vips linear c.v cover.jpg '1 1 1' "
                      "'200 40 40' && rm c.v");
    GBytes *jpeg = read_whole("cover.jpg");
    gchar *block = picture_block(jpeg, 48, 32);
    gchar *recipe = g_strdup_printf(
        "ffmpeg -v error -y -f lavfi -i sine=f=440:d=3 -c:a libvorbis -metadata 'title=Broken "
        "Page' -metadata 'artist=Ann Crc' -metadata METADATA_BLOCK_PICTURE=%s good.ogg",
        block);
    aw_test_make(dir, recipe);
    GBytes *good = read_whole("good.ogg");
    gsize len = 0;
    guint8 *bytes = g_bytes_unref_to_data(good, &len);
    assert_true(len > 27);
    assert_memory_equal(bytes, "OggS", 4);
    bytes[22] ^= 0xff; /* the first page's CRC (RFC 3533: bytes 22–25) */
    write_bytes("bad-crc.ogg", bytes, len);
    g_free(bytes), g_free(recipe), g_free(block);
    g_bytes_unref(jpeg);
}

static void ogg_with_a_bad_page_crc_keeps_its_tags_and_cover(void **state)
{
    (void)state;
    make_ogg_with_bad_crc();
    assert_ffmpeg_refuses("bad-crc.ogg");
    char *out = NULL, title[128], artist[128];
    json_t *job = run("bad-crc.ogg", "audio/ogg", &out);
    aw_expect_status(job, "partial");
    aw_expect_error(job, "metadata", "ASSET_PROCESSING_FAILED", "tags_only");
    aw_expect_error(job, "preview", "ASSET_PROCESSING_FAILED", "corrupt");
    tool_says("exiftool -s3 -Title %s", "bad-crc.ogg", title, sizeof title);
    tool_says("exiftool -s3 -Artist %s", "bad-crc.ogg", artist, sizeof artist);
    aw_expect_text(job, "metadata.descriptive.title", title);
    aw_expect_text(job, "metadata.descriptive.artist", artist);
    assert_true(json_is_true(aw_test_get(job, "metadata.processing.metadataExtracted")));
    assert_int_equal(aw_test_int(job, "variants.thumbnails.large.width"),
                     tool_number("exiftool -s3 -PictureWidth %s", "bad-crc.ogg"));
    assert_int_equal(aw_test_int(job, "variants.thumbnails.large.height"),
                     tool_number("exiftool -s3 -PictureHeight %s", "bad-crc.ogg"));
    aw_test_done(job, out);
}

/* --- images: the top rows of a JPEG or PNG cut short ------------------------ */

#define PIC_W 320
#define PIC_H 480

/* Row y's colour: red rises and green falls down the picture; never grey
 * nor black (what decoders fill a cut file's missing rows with). */
static void row_colour(int y, double rgb[3])
{
    rgb[0] = 255.0 * y / PIC_H, rgb[1] = 255.0 - rgb[0], rgb[2] = 60;
}

/* ±4 of noise: a PNG of plain rows packs into less than the 8 KiB that
 * libpng reads at a time, and a cut inside those is lost whole. */
static int noise(unsigned x, unsigned y, unsigned b)
{
    return (int)((x * 73856093u ^ y * 19349663u ^ b * 83492791u) % 9) - 4;
}

static void make_rows_picture(void)
{
    guint8 *px = g_malloc((size_t)PIC_W * PIC_H * 3);
    for (int y = 0; y < PIC_H; y++) {
        double rgb[3];
        row_colour(y, rgb);
        for (int x = 0; x < PIC_W; x++)
            for (int b = 0; b < 3; b++)
                px[((size_t)y * PIC_W + x) * 3 + b] = (guint8)CLAMP(lround(rgb[b] + noise(x, y, b)),
                                                                    0, 255);
    }
    VipsImage *img = vips_image_new_from_memory(px, (size_t)PIC_W * PIC_H * 3, PIC_W, PIC_H, 3,
                                                VIPS_FORMAT_UCHAR);
    char *jpg = path_of("rows.jpg"), *png = path_of("rows.png");
    assert_int_equal(vips_jpegsave(img, jpg, "Q", 95, NULL), 0);
    assert_int_equal(vips_pngsave(img, png, NULL), 0);
    g_object_unref(img), g_free(px), g_free(jpg), g_free(png);
}

static void cut(const char *from, const char *to, size_t keep)
{
    GBytes *whole = read_whole(from);
    assert_true(keep < g_bytes_get_size(whole));
    write_bytes(to, g_bytes_get_data(whole, NULL), keep);
    g_bytes_unref(whole);
}

/* "only its top N of H rows decode": N, and H against exiftool's height. */
static long rows_reported(json_t *job, const char *name)
{
    json_t *e = aw_test_error(job, "thumbnail");
    long shown = 0, height = 0;
    if (sscanf(strstr(aw_test_str(e, "message"), "top "), "top %ld of %ld", &shown, &height) != 2)
        fail_msg("no row count in '%s'", aw_test_str(e, "message"));
    assert_int_equal(height, tool_number("exiftool -s3 -ImageHeight %s", name));
    return shown;
}

/* The large thumbnail shows `shown` of the picture's rows: as high as they
 * are at its scale, and its last row has the colour of the last of them
 * (no grey or black band where the file ends). */
static void assert_shows_top_rows(json_t *job, const char *out, long shown)
{
    long w = aw_test_int(job, "variants.thumbnails.large.width");
    long h = aw_test_int(job, "variants.thumbnails.large.height");
    assert_int_equal(w, PIC_W);
    assert_true(labs(h - shown) <= 1 && h < PIC_H);
    char *file = g_strdup_printf("%s/thumbnail_large.webp", out);
    VipsImage *img = vips_image_new_from_file(file, "access", VIPS_ACCESS_RANDOM, NULL);
    assert_non_null(img);
    double *got = NULL, want[3];
    int n = 0;
    assert_int_equal(vips_getpoint(img, &got, &n, (int)w / 2, (int)h - 1, NULL), 0);
    row_colour((int)shown - 1, want);
    for (int b = 0; b < 3; b++)
        if (fabs(got[b] - want[b]) > 16)
            fail_msg("last row is %.0f,%.0f,%.0f; row %ld of the picture is %.0f,%.0f,%.0f", got[0],
                     got[1], got[2], shown - 1, want[0], want[1], want[2]);
    g_free(got), g_object_unref(img), g_free(file);
}

static void expect_top_rows(const char *name, const char *mime)
{
    char *out = NULL;
    json_t *job = run(name, mime, &out);
    aw_expect_status(job, "partial");
    aw_expect_error(job, "thumbnail", "ASSET_PROCESSING_FAILED", "truncated");
    assert_true(json_is_true(aw_test_get(job, "metadata.processing.thumbnailGenerated")));
    assert_int_equal(aw_test_int(job, "metadata.technical.height"), PIC_H); /* the header's */
    long shown = rows_reported(job, name);
    assert_true(shown > 0 && shown < PIC_H);
    assert_shows_top_rows(job, out, shown);
    if (strcmp(mime, "image/png") == 0) /* never more than the rows the data holds */
        assert_true(shown <= tool_number("python3 " AW_TESTS_DIR "/tools/png_rows.py %s", name));
    aw_test_done(job, out);
}

static void cut_jpeg_and_png_show_their_top_rows(void **state)
{
    (void)state;
    make_rows_picture();
    GBytes *jpg = read_whole("rows.jpg"), *png = read_whole("rows.png");
    cut("rows.jpg", "cut.jpg", g_bytes_get_size(jpg) / 2);
    cut("rows.png", "cut.png", g_bytes_get_size(png) / 2);
    expect_top_rows("cut.jpg", "image/jpeg");
    expect_top_rows("cut.png", "image/png");
    g_bytes_unref(jpg), g_bytes_unref(png);
}

/* --- PDF: the document information when the page tree is broken ---------- */

/* The page tree's one kid is an object the file does not hold: poppler
 * rebuilds the cross-reference table and loses the Info dictionary unless
 * it was read first (pdfinfo reads it first). */
static void pdf_with_a_broken_page_tree_keeps_its_properties(void **state)
{
    (void)state;
    const char *const objects[] = {"<< /Type /Catalog /Pages 2 0 R >>",
                                   "<< /Type /Pages /Kids [9 0 R] /Count 1 >>",
                                   "<< /Title (Lost Pages) /Author (Bo Rken) >>"};
    char *path = path_of("broken-tree.pdf");
    aw_test_write_pdf(path, objects, 3, 3);
    g_free(path);
    char line[256], title[128], author[128];
    tool_says("qpdf --check %s >/dev/null 2>&1 || echo damaged", "broken-tree.pdf", line,
              sizeof line);
    assert_string_equal(line, "damaged");
    char *out = NULL;
    json_t *job = run("broken-tree.pdf", "application/pdf", &out);
    aw_expect_status(job, "partial");
    aw_expect_error(job, "metadata", "ASSET_PROCESSING_FAILED", "page_tree");
    aw_expect_error(job, "thumbnail", "ASSET_PROCESSING_FAILED", "page_tree");
    tool_says("pdfinfo %s 2>/dev/null | sed -n 's/^Title: *//p'", "broken-tree.pdf", title,
              sizeof title);
    tool_says("pdfinfo %s 2>/dev/null | sed -n 's/^Author: *//p'", "broken-tree.pdf", author,
              sizeof author);
    aw_expect_text(job, "metadata.descriptive.title", title);
    aw_expect_text(job, "metadata.descriptive.author", author);
    assert_int_equal(aw_test_int(job, "metadata.technical.pageCount"),
                     tool_number("pdfinfo %s 2>/dev/null | sed -n 's/^Pages: *//p'",
                                 "broken-tree.pdf"));
    aw_test_done(job, out);
}

/* --- Office: the document properties when the ZIP directory is cut -------- */

#define OOXML_PARTS "python3 " AW_TESTS_DIR "/tools/ooxml_parts.py "

/* A docx written by python's zipfile (sizes in the local headers) and the
 * same parts zipped by zip(1) into a pipe (sizes after the data), each
 * without its central directory: zipfile cannot open them, the worker
 * finds the docProps parts by their local headers. */
static void docx_without_its_central_directory_keeps_its_properties(void **state)
{
    (void)state;
    aw_test_make(dir, OOXML_PARTS
                 "write good.docx && " OOXML_PARTS
                 "cut-directory good.docx cut-dir.docx && rm -rf parts && mkdir parts && "
                 "cd parts && python3 -m zipfile -e ../good.docx . && zip -q -X -r - . | "
                 "cat > ../streamed.docx && cd .. && " OOXML_PARTS
                 "cut-directory streamed.docx cut-streamed.docx");
    static const char *const cut_files[] = {"cut-dir.docx", "cut-streamed.docx"};
    char want_title[128], want_author[128], line[64];
    tool_says(OOXML_PARTS "core %s title", "good.docx", want_title, sizeof want_title);
    tool_says(OOXML_PARTS "core %s creator", "good.docx", want_author, sizeof want_author);
    long pages = tool_number(OOXML_PARTS "app %s Pages", "good.docx");
    for (size_t i = 0; i < 2; i++) {
        tool_says(OOXML_PARTS "check %s", cut_files[i], line, sizeof line);
        assert_string_equal(line, "damaged");
        char *out = NULL;
        json_t *job = run(cut_files[i],
                          "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                          &out);
        aw_expect_status(job, "partial");
        aw_expect_error(job, "metadata", "ASSET_PROCESSING_FAILED", "zip_directory");
        aw_expect_text(job, "metadata.descriptive.title", want_title);
        aw_expect_text(job, "metadata.descriptive.author", want_author);
        assert_int_equal(aw_test_int(job, "metadata.technical.pageCount"), pages);
        aw_test_done(job, out);
    }
}

int main(void)
{
    dir = aw_test_tmpdir("damaged");
    aw_test_config(&cfg, NULL);
    aw_error err;
    if (aw_pipeline_init(&cfg, &err) != AW_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ogg_with_a_bad_page_crc_keeps_its_tags_and_cover),
        cmocka_unit_test(cut_jpeg_and_png_show_their_top_rows),
        cmocka_unit_test(pdf_with_a_broken_page_tree_keeps_its_properties),
        cmocka_unit_test(docx_without_its_central_directory_keeps_its_properties),
    };
    int failed = cmocka_run_group_tests_name("damaged", tests, NULL, NULL);
    aw_pipeline_shutdown();
    aw_test_rmtree(dir);
    free(dir);
    return failed;
}
