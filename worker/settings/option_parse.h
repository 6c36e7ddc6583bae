/* option_parse.h — small helpers of the commands' getopt parsing: an on|off
 * value, and one option table made of two. */
#ifndef AW_OPTION_PARSE_H
#define AW_OPTION_PARSE_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

/* "on" → true, "off" → false: 0; anything else: -1, *out untouched. */
int aw_option_on_off(const char *arg, bool *out);

/* Appends table b to table a into out (both NULL-terminated). */
void aw_options_join(struct option *out, size_t max, const struct option *a,
                     const struct option *b);

#endif
