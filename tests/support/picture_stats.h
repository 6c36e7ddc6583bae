/* picture_stats.h — what a rendered picture shows, in numbers: its size,
 * how much of it differs from the background (the colour of its top-left
 * corner) and the mean colour of that part. For "the thumbnail shows the
 * model", not merely "a file exists". */
#ifndef AW_PICTURE_STATS_H
#define AW_PICTURE_STATS_H

typedef struct aw_picture_stats {
    int width, height;
    double foreground; /* share of pixels more than 16 levels off the background */
    double r, g, b;    /* their mean colour, 0–255 */
} aw_picture_stats;

/* Decodes the picture at path (any format libvips reads) into *s; fails
 * the test when it cannot be read. */
void aw_picture_stats_of(const char *path, aw_picture_stats *s);

#endif
