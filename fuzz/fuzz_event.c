/* fuzz_event.c — libFuzzer target: decoding an input event (asset.uploads /
 * asset.regenerate payload plus its CloudEvents headers), the first thing
 * the supervisor does with bytes from Kafka. The first input byte picks the
 * ce_type header; the rest is the payload. A decoded event must satisfy the
 * invariants the rest of the service relies on. */
#include "event.h"
#include "ids.h"

#include "fuzz_check.h"
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static const char *const types[] = {AW_TYPE_UPLOAD, AW_TYPE_REGENERATE, "", "x"};
    if (size < 1)
        return 0;
    aw_ce_headers h = {.specversion = "1.0",
                       .id = "fuzz-id",
                       .type = types[data[0] & 3],
                       .source = "fuzz",
                       .content_type = "application/json",
                       .traceparent = (data[0] & 4) ? "00-0af7651916cd43dd8448eb211c80319c-"
                                                      "b7ad6b7169203331-01"
                                                    : NULL};
    aw_input_event ev;
    aw_error err;
    aw_error_clear(&err);
    if (aw_event_decode(data + 1, size - 1, &h, &ev, &err) == AW_OK) {
        /* ids name spool directories and output keys */
        FUZZ_CHECK(aw_id_valid(ev.asset_id) && aw_id_valid(ev.job_id));
        FUZZ_CHECK(ev.kind == AW_EVENT_REGENERATE || ev.storage_key[0] != '\0');
        FUZZ_CHECK(ev.stages != 0);
    } else {
        FUZZ_CHECK(err.message[0] != '\0'); /* every refusal says why */
    }
    return 0;
}
