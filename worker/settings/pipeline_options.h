/* pipeline_options.h — command-line options shared by subcommands: the pipeline's
 * settings (limits, ClamAV database, thumbnails), each with the environment
 * variable that sets it (12-factor) and its line in --help. */
#ifndef AW_PIPELINE_OPTIONS_H
#define AW_PIPELINE_OPTIONS_H

#include "config.h"
#include "option_parse.h" /* aw_options_join, to append these to a command's own */

#include <getopt.h>
#include <stdio.h>

/* First option code of the pipeline options; subcommands number theirs below. */
#define AW_OPT_PIPELINE_BASE 1000

/* The pipeline options, NULL-terminated, to append to a getopt table. */
extern const struct option aw_pipeline_long_options[];

/* Applies AW_CLAMAV_DB, AW_MAX_FILE_SIZE, … from the environment. Returns 0,
 * or -1 after printing what is wrong. */
int aw_pipeline_options_from_env(aw_config *cfg, const char *cmd);

/* Applies one pipeline option (code from aw_pipeline_long_options).
 * Returns 0, 1 when code is not a pipeline option, -1 on a bad value. */
int aw_pipeline_option(aw_config *cfg, int code, const char *arg, const char *cmd);

/* The --help lines of the pipeline options. */
void aw_pipeline_options_usage(FILE *out);

#endif
