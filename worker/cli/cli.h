/* cli.h — the subcommands of asset-worker. Each returns the process exit code. */
#ifndef AW_CLI_H
#define AW_CLI_H

#include <stddef.h>
#include <stdio.h>

/* Exit codes shared by every subcommand. */
enum {
    AW_EXIT_OK = 0,
    AW_EXIT_JOB_FAILED = 1, /* the job ran and its status is "failed" */
    AW_EXIT_USAGE = 2,
    AW_EXIT_INTERNAL = 3, /* set-up failed: nothing was processed */
};

int aw_cli_process(int argc, char **argv);
void aw_cli_process_usage(FILE *out);

int aw_cli_run(int argc, char **argv);
int aw_cli_upload(int argc, char **argv);
int aw_cli_events(int argc, char **argv);
int aw_cli_regenerate(int argc, char **argv);
int aw_cli_console(int argc, char **argv);

void aw_cli_run_usage(FILE *out);

#endif
