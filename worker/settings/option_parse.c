/* option_parse.c — an on|off value, and joining two getopt tables. */
#include "option_parse.h"

#include <string.h>

int aw_option_on_off(const char *arg, bool *out)
{
    if (strcmp(arg, "on") != 0 && strcmp(arg, "off") != 0)
        return -1;
    *out = strcmp(arg, "on") == 0;
    return 0;
}

void aw_options_join(struct option *out, size_t max, const struct option *a, const struct option *b)
{
    size_t k = 0;
    for (; a->name != NULL && k + 1 < max; a++)
        out[k++] = *a;
    for (; b->name != NULL && k + 1 < max; b++)
        out[k++] = *b;
    out[k] = (struct option){NULL, 0, NULL, 0};
}
