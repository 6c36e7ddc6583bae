/* fuzz_result.c — libFuzzer target: the job-result encoder round trip. The
 * executor encodes its result as one JSON line, the supervisor parses it
 * and publishes it. Fields filled from bytes that libraries hand us (libmagic's
 * answer, a signature name, a tag, an error message) must always encode, on
 * one line, and parse back to the very same document. The input is split
 * on 0xFF into those four fields. */
#include "fuzz_check.h"
#include "jsonutil.h"
#include "result.h"

#include <stdio.h>
#include <string.h>

/* The next piece of the input, NUL-terminated into buf. */
static const unsigned char *piece(const unsigned char *p, const unsigned char *end, char *buf,
                                  size_t size)
{
    const unsigned char *stop = memchr(p, 0xff, (size_t)(end - p));
    size_t n = (size_t)((stop ? stop : end) - p);
    if (n >= size)
        n = size - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return stop ? stop + 1 : end;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char mime[96], signature[128], title[2048], message[512];
    const unsigned char *p = data, *end = data + size;
    p = piece(p, end, mime, sizeof mime);
    p = piece(p, end, signature, sizeof signature);
    p = piece(p, end, title, sizeof title);
    piece(p, end, message, sizeof message);

    aw_result r;
    FUZZ_CHECK(aw_result_init(&r) == AW_OK);
    snprintf(r.sniffed_mime, sizeof r.sniffed_mime, "%s", mime);
    snprintf(r.scan_signature, sizeof r.scan_signature, "%s", signature);
    r.scan_status = signature[0] ? AW_SCAN_INFECTED : AW_SCAN_CLEAN;
    aw_json_set_text(aw_result_section(&r, "descriptive"), "title", title);
    aw_error err;
    aw_error_set(&err, AW_CODE_PROCESSING_FAILED, "corrupt", "%s", message);
    aw_result_add_error(&r, "thumbnail", &err);
    aw_job job = {.job_id = "fuzz-job", .asset_id = "fuzz-asset"};

    json_t *doc = aw_result_to_json(&r, &job);
    FUZZ_CHECK(doc != NULL);
    char *line = json_dumps(doc, JSON_COMPACT);
    FUZZ_CHECK(line != NULL && strchr(line, '\n') == NULL);
    json_t *back = json_loads(line, 0, NULL);
    FUZZ_CHECK(back != NULL && json_equal(doc, back));
    FUZZ_CHECK(json_array_size(json_object_get(back, "errors")) == 1);
    json_decref(back);
    free(line);
    json_decref(doc);
    aw_result_free(&r);
    return 0;
}
