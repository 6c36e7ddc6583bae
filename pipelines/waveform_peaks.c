/* waveform_peaks.c — accumulating min/max points and writing them in
 * audiowaveform's JSON format. */
#include "waveform.h"

#include "alloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void aw_peaks_init(aw_peaks *p, unsigned samples_per_point, int sample_rate)
{
    *p = (aw_peaks){.samples_per_point = samples_per_point ? samples_per_point : 1,
                    .sample_rate = sample_rate};
}

void aw_peaks_free(aw_peaks *p)
{
    free(p->data);
    p->data = NULL;
    p->length = p->capacity = 0;
}

/* [-1, 1] → [-128, 127] as audiowaveform's 8-bit output (16-bit value / 256). */
static int8_t to_8bit(float v)
{
    float scaled = floorf(v * 128.0f);
    if (!(scaled >= -128.0f)) /* also NaN */
        return -128;
    return scaled > 127.0f ? 127 : (int8_t)scaled;
}

static void push_point(aw_peaks *p)
{
    if (p->length == p->capacity) {
        size_t cap = p->capacity ? p->capacity * 2 : 4096;
        p->data = aw_xreallocarray(p->data, cap, 2);
        p->capacity = cap;
    }
    p->data[2 * p->length] = to_8bit(p->low);
    p->data[2 * p->length + 1] = to_8bit(p->high);
    p->length++;
    p->filled = 0;
}

void aw_peaks_add(aw_peaks *p, const float *samples, size_t count)
{
    size_t i = 0;
    while (i < count) {
        size_t take = p->samples_per_point - p->filled;
        take = take < count - i ? take : count - i;
        float low = p->filled ? p->low : samples[i], high = p->filled ? p->high : samples[i];
        for (size_t k = i; k < i + take; k++) { /* branch-free: the compiler vectorises it */
            low = samples[k] < low ? samples[k] : low;
            high = samples[k] > high ? samples[k] : high;
        }
        p->low = low, p->high = high;
        p->filled += (unsigned)take;
        i += take;
        if (p->filled == p->samples_per_point)
            push_point(p);
    }
}

void aw_peaks_finish(aw_peaks *p)
{
    if (p->filled > 0)
        push_point(p);
}

int aw_peaks_write_json(const aw_peaks *p, const char *path)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    fprintf(f,
            "{\"version\":2,\"channels\":1,\"sample_rate\":%d,\"samples_per_pixel\":%u,"
            "\"bits\":8,\"length\":%zu,\"data\":[",
            p->sample_rate, p->samples_per_point, p->length);
    for (size_t i = 0; i < 2 * p->length; i++)
        fprintf(f, i ? ",%d" : "%d", p->data[i]);
    fputs("]}\n", f);
    int rc = ferror(f) ? -1 : 0;
    return (fclose(f) != 0 || rc != 0) ? -1 : 0;
}
