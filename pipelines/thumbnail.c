/* thumbnail.c — the three thumbnail sizes from one decoded image. */
#include "thumbnail.h"

#include "image.h"
#include "resample.h"

typedef struct thumb_size {
    const char *name; /* seed 003 size name */
    int box;          /* fits in box × box */
} thumb_size;

static const thumb_size sizes[] = {{"large", 800}, {"medium", 400}, {"small", 200}};

/* 8-bit sRGB, alpha kept, ICC profile dropped (already converted). */
static int normalise(VipsImage *in, VipsImage **out)
{
    VipsImage *srgb = NULL;
    if (vips_colourspace(in, &srgb, VIPS_INTERPRETATION_sRGB, NULL) != 0)
        return -1;
    int rc = vips_copy(srgb, out, NULL);
    g_object_unref(srgb);
    if (rc == 0)
        vips_image_remove(*out, VIPS_META_ICC_NAME);
    return rc;
}

static int save(const aw_ctx *ctx, VipsImage *img, const char *path)
{
    int q = ctx->config->thumb_quality;
    if (ctx->config->thumb_format == AW_THUMB_WEBP)
        return vips_webpsave(img, path, "Q", q, "effort", ctx->config->thumb_effort, "strip", TRUE,
                             NULL);
    VipsImage *flat = NULL;
    if (vips_image_hasalpha(img)) {
        VipsArrayDouble *white = vips_array_double_newv(1, 255.0);
        int rc = vips_flatten(img, &flat, "background", white, NULL);
        vips_area_unref(VIPS_AREA(white));
        if (rc != 0)
            return rc;
    }
    int rc = vips_jpegsave(flat ? flat : img, path, "Q", q, "strip", TRUE, NULL);
    if (flat != NULL)
        g_object_unref(flat);
    return rc;
}

/* `img` turned upright by EXIF orientation 1–8 (a new reference). */
static VipsImage *upright(VipsImage *img, int orientation)
{
    if (orientation <= 1 || orientation > 8)
        return g_object_ref(img);
    VipsImage *tagged = NULL, *turned = NULL;
    if (vips_copy(img, &tagged, NULL) != 0)
        return NULL;
    vips_image_set_int(tagged, VIPS_META_ORIENTATION, orientation);
    int rc = vips_autorot(tagged, &turned, NULL);
    g_object_unref(tagged);
    return rc == 0 ? turned : NULL;
}

static void record(aw_ctx *ctx, const thumb_size *size, VipsImage *img, const char *file,
                   const char *path)
{
    bool webp = ctx->config->thumb_format == AW_THUMB_WEBP;
    char key[512];
    aw_ctx_output_key(ctx, file, key, sizeof key);
    json_int_t bytes = (json_int_t)aw_output_bytes(path);
    json_t *v = json_pack("{s:s,s:s,s:i,s:i,s:I,s:s}", "key", key, "size", size->name, "width",
                          img->Xsize, "height", img->Ysize, "bytes", bytes, "contentType",
                          webp ? "image/webp" : "image/jpeg");
    json_object_set_new(json_object_get(ctx->result->variants, "thumbnails"), size->name, v);
}

/* Writes `img` (EXIF orientation `orientation` still to apply) as
 * size's file and records it. */
static int write_file(aw_ctx *ctx, const thumb_size *size, VipsImage *img, int orientation,
                      aw_error *err)
{
    VipsImage *shown = upright(img, orientation);
    char file[64], path[4096];
    snprintf(file, sizeof file, "thumbnail_%s.%s", size->name,
             ctx->config->thumb_format == AW_THUMB_WEBP ? "webp" : "jpg");
    aw_ctx_output_path(ctx, file, path, sizeof path);
    int rc = shown != NULL ? save(ctx, shown, path) : -1;
    if (rc == 0)
        record(ctx, size, shown, file, path);
    if (shown != NULL)
        g_object_unref(shown);
    if (rc != 0)
        return aw_image_fail(err, AW_CODE_PROCESSING_FAILED, "encode", "cannot write thumbnail");
    return AW_OK;
}

/* Where the thumbnails come from: the decoded picture, its EXIF orientation
 * still to apply, and the file's own size (before any shrink-on-load). */
typedef struct source {
    VipsImage *clean; /* 8-bit sRGB */
    int orientation;
    int width, height;
} source;

/* The size that fits size->box from the file's own size (a 801 × 3 line is
 * 400 × 1 at medium, not half of 800 × 3; a JPEG shrunk on load by 4 is
 * sized as the whole), its sides swapped when `turned` (EXIF 5–8). */
static void target_size(const source *src, bool turned, const thumb_size *size, int *w, int *h)
{
    bool swap = turned && src->orientation >= 5 && src->orientation <= 8;
    aw_resample_fit(swap ? src->height : src->width, swap ? src->width : src->height, size->box, w,
                    h);
}

/* libvips' way, for what the planar one does not take (alpha, 16 bits,
 * CMYK left after conversion, sides under AW_RESAMPLE_MIN_SIDE): shrinks
 * `from` (upright) to width × height, writes it, and hands the shrunk image
 * back in *out (the next, smaller size is made from it: cheaper than from
 * the large one, and as sharp). */
static int write_size(aw_ctx *ctx, VipsImage *from, const thumb_size *size, int width, int height,
                      VipsImage **out, aw_error *err)
{
    VipsImage *img = NULL, *mem = NULL;
    if (from->Xsize == width && from->Ysize == height) {
        mem = g_object_ref(from); /* fits already: never upscaled */
    } else {
        if (vips_thumbnail_image(from, &img, width, "height", height, "size", VIPS_SIZE_FORCE,
                                 "no_rotate", TRUE, NULL) != 0)
            return aw_image_fail(err, AW_CODE_PROCESSING_FAILED, "resize", "cannot resize");
        /* each size is read again for the next one: keep its pixels */
        mem = vips_image_copy_memory(img);
        g_object_unref(img);
        if (mem == NULL)
            return aw_image_fail(err, AW_CODE_PROCESSING_FAILED, "resize", "cannot resize");
    }
    if (write_file(ctx, size, mem, 1, err) != AW_OK) {
        g_object_unref(mem);
        return AW_ERROR;
    }
    *out = mem;
    return AW_OK;
}

static int write_with_vips(aw_ctx *ctx, const source *src, aw_error *err)
{
    VipsImage *clean = src->clean;
    int orientation = src->orientation;
    VipsImage *large = NULL, *from = NULL, *sized = NULL;
    int rc = AW_ERROR, w, h;
    target_size(src, false, &sizes[0], &w, &h); /* turned upright below */
    if (vips_thumbnail_image(clean, &large, w, "height", h, "size", VIPS_SIZE_FORCE, "no_rotate",
                             TRUE, NULL) != 0) {
        aw_image_fail(err, AW_CODE_PROCESSING_FAILED, "corrupt", "cannot convert image");
        goto out;
    }
    /* The one decode happens here; the sizes below read from memory. */
    sized = vips_image_copy_memory(large);
    if (sized == NULL || aw_image_decode_failed()) {
        aw_image_fail(err, AW_CODE_PROCESSING_FAILED, "corrupt", "cannot decode image");
        goto out;
    }
    from = upright(sized, orientation);
    rc = from != NULL ? AW_OK
                      : aw_image_fail(err, AW_CODE_PROCESSING_FAILED, "corrupt",
                                      "cannot turn image upright");
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0] && rc == AW_OK; i++) {
        VipsImage *next = NULL;
        int w, h;
        target_size(src, true, &sizes[i], &w, &h);
        rc = write_size(ctx, from, &sizes[i], w, h, &next, err);
        g_object_unref(from);
        from = next;
    }
out:
    if (from != NULL)
        g_object_unref(from);
    if (sized != NULL)
        g_object_unref(sized);
    if (large != NULL)
        g_object_unref(large);
    return rc;
}

/* Size i as planes into *next at its target_size (turned upright when
 * written): the large one from the decode, each smaller one from `from`,
 * the size before it (same size: a copy). */
static int shrink_planes(const source *src, size_t i, const aw_planes *from, aw_planes *next,
                         aw_error *err)
{
    int w, h;
    target_size(src, false, &sizes[i], &w, &h);
    if (i > 0)
        return aw_resample_planes(from, w, h, next) == 0
                   ? AW_OK
                   : aw_image_fail(err, AW_CODE_PROCESSING_FAILED, "resize", "cannot resize");
    if (aw_resample_image(src->clean, w, h, next) == 0 && !aw_image_decode_failed())
        return AW_OK;
    aw_planes_free(next); /* empty when the resample itself failed */
    return aw_image_fail(err, AW_CODE_PROCESSING_FAILED, "corrupt", "cannot decode image");
}

/* The planar way (resample.h): one pass over the decode for the large
 * size, each smaller one from the one before. */
static int write_planar(aw_ctx *ctx, const source *src, aw_error *err)
{
    aw_planes from = {0};
    int rc = AW_OK;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0] && rc == AW_OK; i++) {
        aw_planes next;
        if ((rc = shrink_planes(src, i, &from, &next, err)) != AW_OK)
            break;
        aw_planes_free(&from);
        from = next;
        VipsImage *img = aw_planes_image(&from);
        rc = img != NULL ? write_file(ctx, &sizes[i], img, src->orientation, err)
                         : aw_error_set(err, AW_CODE_PROCESSING_FAILED, "resize", "out of memory");
        if (img != NULL)
            g_object_unref(img);
    }
    aw_planes_free(&from);
    return rc;
}

int aw_thumbnail_write_oriented(aw_ctx *ctx, VipsImage *decoded, int orientation, int width,
                                int height, aw_error *err)
{
    source src = {NULL, orientation, width, height};
    if (normalise(decoded, &src.clean) != 0)
        return aw_image_fail(err, AW_CODE_PROCESSING_FAILED, "corrupt", "cannot convert image");
    int small_w, small_h;
    target_size(&src, false, &sizes[sizeof sizes / sizeof sizes[0] - 1], &small_w, &small_h);
    bool planar = aw_resample_accepts(src.clean) &&
                  VIPS_MIN(small_w, small_h) >= AW_RESAMPLE_MIN_SIDE;
    int rc = planar ? write_planar(ctx, &src, err) : write_with_vips(ctx, &src, err);
    g_object_unref(src.clean);
    return rc;
}

int aw_thumbnail_write_all(aw_ctx *ctx, VipsImage *decoded, aw_error *err)
{
    return aw_thumbnail_write_oriented(ctx, decoded, 1, decoded->Xsize, decoded->Ysize, err);
}

int aw_thumbnail_write_from_buffer(aw_ctx *ctx, const void *data, size_t size, const char *what,
                                   aw_error *err)
{
    aw_image_reset_warnings();
    VipsImage *header = vips_image_new_from_buffer(data, size, "", "access", VIPS_ACCESS_SEQUENTIAL,
                                                   NULL);
    char message[96];
    snprintf(message, sizeof message, "cannot read the %s", what);
    if (header == NULL)
        return aw_image_fail(err, AW_CODE_PROCESSING_FAILED, "corrupt", message);
    uint64_t pixels = (uint64_t)header->Xsize * (uint64_t)header->Ysize;
    g_object_unref(header);
    if (pixels > ctx->config->limits.max_image_pixels)
        return aw_error_set(err, AW_CODE_FILE_TOO_LARGE, "pixel_limit",
                            "the %s has %llu pixels, over the limit of %llu", what,
                            (unsigned long long)pixels,
                            (unsigned long long)ctx->config->limits.max_image_pixels);
    VipsImage *decoded = NULL;
    if (vips_thumbnail_buffer((void *)data, size, &decoded, AW_THUMB_LARGE_BOX, "height",
                              AW_THUMB_LARGE_BOX, "size", VIPS_SIZE_DOWN, NULL) != 0)
        return aw_image_fail(err, AW_CODE_PROCESSING_FAILED, "corrupt", message);
    int rc = aw_thumbnail_write_all(ctx, decoded, err);
    g_object_unref(decoded);
    return rc;
}
