/* summary.h — a job result as a few readable lines for people at a terminal. */
#ifndef AW_SUMMARY_H
#define AW_SUMMARY_H

#include "result.h"

#include <stdio.h>

void aw_summary_print(FILE *out, const char *input, const char *output_dir, const aw_result *r);

#endif
