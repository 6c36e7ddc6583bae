/* summary.c — the human summary of `asset-worker process`. */
#include "summary.h"

#include <string.h>

static void print_image_facts(FILE *out, const aw_result *r)
{
    json_t *t = json_object_get(r->metadata, "technical");
    json_t *exif = json_object_get(json_object_get(r->metadata, "extracted"), "exif");
    if (json_object_get(t, "width") == NULL)
        return;
    fprintf(out, "  %-11s%lld x %lld", "dimensions",
            (long long)json_integer_value(json_object_get(t, "width")),
            (long long)json_integer_value(json_object_get(t, "height")));
    const char *cs = json_string_value(json_object_get(t, "colorSpace"));
    if (cs != NULL)
        fprintf(out, " (%s, %lld-bit)", cs,
                (long long)json_integer_value(json_object_get(t, "bitDepth")));
    const char *model = json_string_value(json_object_get(exif, "model"));
    if (model != NULL)
        fprintf(out, ", camera %s", model);
    fputc('\n', out);
}

static void print_thumbnails(FILE *out, const aw_result *r)
{
    json_t *thumbs = json_object_get(r->variants, "thumbnails");
    if (json_object_size(thumbs) == 0)
        return;
    fprintf(out, "  %-11s", "thumbnails");
    const char *names[] = {"large", "medium", "small"};
    for (int i = 0; i < 3; i++) {
        json_t *v = json_object_get(thumbs, names[i]);
        if (v != NULL)
            fprintf(out, "%s%s %lld x %lld", i ? ", " : "", names[i],
                    (long long)json_integer_value(json_object_get(v, "width")),
                    (long long)json_integer_value(json_object_get(v, "height")));
    }
    fputc('\n', out);
}

static void print_timings(FILE *out, const aw_result *r)
{
    fprintf(out, "  %-11s%.0f ms (", "time", r->total_ms);
    for (int i = 0; i < r->timing_count; i++)
        fprintf(out, "%s%s %.0f", i ? ", " : "", r->timings[i].stage, r->timings[i].ms);
    fprintf(out, ")\n");
}

void aw_summary_print(FILE *out, const char *input, const char *output_dir, const aw_result *r)
{
    const char *base = strrchr(input, '/');
    fprintf(out, "%s -> %s\n", base ? base + 1 : input, output_dir);
    fprintf(out, "  %-11s%s\n", "status", aw_result_status_name(r->status));
    fprintf(out, "  %-11s%s (%s)\n", "type",
            json_string_value(json_object_get(r->metadata, "type")),
            r->media             ? r->media->mime
            : r->sniffed_mime[0] ? r->sniffed_mime
                                 : "unknown");
    fprintf(out, "  %-11s%s%s%s\n", "scan", aw_result_scan_status_name(r->scan_status),
            r->scan_signature[0] ? " " : "", r->scan_signature);
    print_image_facts(out, r);
    print_thumbnails(out, r);
    print_timings(out, r);
    size_t i;
    json_t *e;
    json_array_foreach(r->errors, i, e)
        fprintf(out, "  %-11s%s %s (%s): %s\n", "error",
                json_string_value(json_object_get(e, "stage")),
                json_string_value(json_object_get(e, "code")),
                json_string_value(json_object_get(e, "reason")),
                json_string_value(json_object_get(e, "message")));
}
