/* waveform_peaks.c — accumulating min/max points and writing them in
 * audiowaveform's JSON format. */
#include "waveform.h"

#include "alloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef __SSE__
#include <xmmintrin.h>
#endif

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

/* A sequential scan's comparisons: a NaN sample is passed over, a NaN
 * start (a point's first sample) stays. */
static void scan_scalar(const float *s, size_t n, float *low, float *high)
{
    float lo = *low, hi = *high;
    for (size_t k = 0; k < n; k++) {
        lo = s[k] < lo ? s[k] : lo;
        hi = s[k] > hi ? s[k] : hi;
    }
    *low = lo, *high = hi;
}

#ifdef __SSE__
/* The same with four lanes: MINPS(x, m) is x < m ? x : m, MAXPS(x, m) is
 * x > m ? x : m, so each lane is a sequential scan of its samples; and the
 * lanes agree with one scan, since the min/max of numbers does not depend
 * on their order (±0 aside, both 0 in 8 bits) and a NaN start is in every
 * lane. */
static void scan_range(const float *s, size_t n, float *low, float *high)
{
    __m128 lo = _mm_set1_ps(*low), hi = _mm_set1_ps(*high);
    size_t k = 0;
    for (; k + 4 <= n; k += 4) {
        __m128 x = _mm_loadu_ps(s + k);
        lo = _mm_min_ps(x, lo);
        hi = _mm_max_ps(x, hi);
    }
    float lanes_lo[4], lanes_hi[4];
    _mm_storeu_ps(lanes_lo, lo);
    _mm_storeu_ps(lanes_hi, hi);
    for (int j = 0; j < 4; j++) {
        *low = lanes_lo[j] < *low ? lanes_lo[j] : *low;
        *high = lanes_hi[j] > *high ? lanes_hi[j] : *high;
    }
    scan_scalar(s + k, n - k, low, high);
}
#else
#define scan_range scan_scalar
#endif

void aw_peaks_add(aw_peaks *p, const float *samples, size_t count)
{
    size_t i = 0;
    while (i < count) {
        size_t take = p->samples_per_point - p->filled;
        take = take < count - i ? take : count - i;
        float low = p->filled ? p->low : samples[i], high = p->filled ? p->high : samples[i];
        scan_range(samples + i, take, &low, &high);
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
