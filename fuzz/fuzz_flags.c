/* fuzz_flags.c — libFuzzer target: `asset-worker run`'s settings parser
 * (every run and pipeline flag, getopt_long, the size/count parsers) on an
 * argv made of the input's NUL-separated pieces. Accepted settings must be
 * inside the ranges the rest of the service assumes. */
#include "alloc.h"
#include "fuzz_check.h"
#include "service_config.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 24

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char *copy = aw_xmalloc(size + 1); /* size: at most libFuzzer's -max_len */
    memcpy(copy, data, size);
    copy[size] = '\0';
    char *argv[MAX_ARGS + 2] = {"run"};
    int argc = 1;
    for (char *p = copy; p < copy + size && argc <= MAX_ARGS; p += strlen(p) + 1)
        argv[argc++] = p;
    argv[argc] = NULL;
    aw_service_config cfg;
    if (aw_service_config_parse(argc, argv, &cfg) == AW_SETTINGS_OK) {
        FUZZ_CHECK(cfg.concurrency >= 1 && cfg.concurrency <= 256);
        FUZZ_CHECK(cfg.job_timeout_ms >= 1000 && cfg.stage_timeout_ms >= 1000);
        FUZZ_CHECK(cfg.sandbox.memory_bytes >= (16u << 20) && cfg.sandbox.open_files >= 32);
        FUZZ_CHECK(cfg.pipeline.thumb_quality >= 1 && cfg.pipeline.thumb_quality <= 100);
        FUZZ_CHECK(cfg.pipeline.preview_height >= 16 && cfg.pipeline.preview_height % 2 == 0);
        FUZZ_CHECK(cfg.pipeline.waveform_width >= 1 && cfg.pipeline.waveform_height >= 2);
        FUZZ_CHECK(cfg.n_kafka_props <= AW_MAX_KAFKA_PROPS);
        FUZZ_CHECK(cfg.brokers != NULL || cfg.embedded);
    }
    free(copy);
    return 0;
}
