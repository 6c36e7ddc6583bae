/* waveform.h — min/max peaks of an audio track, as BBC audiowaveform's JSON
 * (version 2, 8 bits, one channel: what peaks.js loads as is) and as a PNG
 * drawn from the same peaks. */
#ifndef AW_WAVEFORM_H
#define AW_WAVEFORM_H

#include <stddef.h>
#include <stdint.h>

typedef struct aw_peaks {
    int8_t *data;    /* min, max, min, max, … (length pairs) */
    size_t length;   /* points */
    size_t capacity; /* pairs allocated */
    unsigned samples_per_point;
    int sample_rate;
    /* the point being filled */
    float low, high;
    unsigned filled;
} aw_peaks;

void aw_peaks_init(aw_peaks *p, unsigned samples_per_point, int sample_rate);
void aw_peaks_free(aw_peaks *p);

/* Adds mono samples in [-1, 1]. The caller bounds the track's length
 * (av_waveform.c: the duration limit). */
void aw_peaks_add(aw_peaks *p, const float *samples, size_t count);

/* Closes the last, partly filled point. */
void aw_peaks_finish(aw_peaks *p);

/* {"version":2,"channels":1,"sample_rate":…,"samples_per_pixel":…,"bits":8,
 * "length":…,"data":[…]} into path. Returns 0 or -1 (errno set). */
int aw_peaks_write_json(const aw_peaks *p, const char *path);

/* A width × height PNG of the peaks (columns spread over the whole track).
 * Returns 0 or -1. */
int aw_peaks_write_png(const aw_peaks *p, int width, int height, const char *path);

#endif
