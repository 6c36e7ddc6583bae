/* fuzz_pipeline.c — libFuzzer target: the one core function,
 * aw_pipeline_run(), on arbitrary bytes with no declared type: sniffing,
 * then whichever family's stages the bytes reach (libvips, FFmpeg, TagLib,
 * poppler, libgsf, for a GLB our counting of its declaration, assimp and the
 * OSMesa render). Single-threaded, small limits,
 * no ClamAV (its engine is not ours to fuzz, and loading it is slow); run
 * with -max_len to cap the size. Every run must end in a result whose status
 * is one of the three, with an error for every failed stage. */
#define _GNU_SOURCE
#include "fuzz_check.h"
#include "pipeline.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static aw_config cfg;
static char dir[64], input[96], output[96];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    aw_config_defaults(&cfg);
    cfg.scan_enabled = false;
    cfg.limits.max_image_pixels = 4000000;
    cfg.limits.max_video_pixels = 4000000;
    cfg.limits.max_media_seconds = 60;
    cfg.limits.max_frames = 50;
    cfg.limits.max_pages = 50;
    cfg.limits.max_page_points = 2000;
    cfg.limits.max_zip_bytes = 16u << 20;
    cfg.preview_seconds = 1;
    cfg.audio_preview_seconds = 1;
    aw_error err;
    FUZZ_CHECK(aw_pipeline_init(&cfg, &err) == AW_OK);
    snprintf(dir, sizeof dir, "%s/aw-fuzz-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    FUZZ_CHECK(mkdtemp(dir) != NULL);
    snprintf(input, sizeof input, "%s/input", dir);
    snprintf(output, sizeof output, "%s/out", dir);
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag;
    return ftw->level > 0 ? remove(path) : 0; /* keep out/ itself */
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    FILE *f = fopen(input, "wb");
    FUZZ_CHECK(f != NULL && fwrite(data, 1, size, f) == size && fclose(f) == 0);
    mkdir(output, 0700);
    aw_job job = {.job_id = "fuzz-job", .asset_id = "fuzz-asset", .stages = AW_STAGES_ALL};
    aw_result r;
    if (aw_pipeline_run(&job, &cfg, input, output, &r) == AW_OK) {
        FUZZ_CHECK(r.status == AW_JOB_COMPLETED || r.status == AW_JOB_PARTIAL ||
                   r.status == AW_JOB_FAILED);
        FUZZ_CHECK((r.status == AW_JOB_COMPLETED) == (json_array_size(r.errors) == 0));
        json_t *doc = aw_result_to_json(&r, &job);
        FUZZ_CHECK(doc != NULL);
        json_decref(doc);
        aw_result_free(&r);
    }
    nftw(output, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
    return 0;
}
