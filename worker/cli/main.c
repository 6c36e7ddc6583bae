/* main.c — asset-worker: the media-processing worker of the IP-asset
 * service. Dispatches to the subcommands in worker/cli_*.c. */
#include "cli.h"
#include "office_service.h"
#include "zygote.h"

#include <stdio.h>
#include <string.h>

#ifndef AW_VERSION
#define AW_VERSION "0.1.0"
#endif

static void usage(FILE *out)
{
    fputs("usage: asset-worker COMMAND [options]\n"
          "\n"
          "commands:\n"
          "  process FILE   run one file through the pipeline, outputs on disk\n"
          "  run            the service: Kafka in, executors, storage, events out\n"
          "  upload FILE... store files and publish asset.upload.confirmed for each\n"
          "  events         follow asset.events and print them as a table\n"
          "  regenerate     ask for outputs again (asset.regenerate.requested)\n"
          "  console        the jobs & assets page and API, fed by the topics\n"
          "\n"
          "  asset-worker COMMAND --help   options of a command\n"
          "  asset-worker --version\n",
          out);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return AW_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (aw_zygote_requested() && strcmp(cmd, "run") == 0)
        return aw_zygote_main(argc - 1, argv + 1); /* started by `run` (zygote.h) */
    if (aw_office_requested() && strcmp(cmd, "run") == 0)
        return aw_office_main(argc - 1, argv + 1); /* likewise (office_service.h) */
    if (strcmp(cmd, "process") == 0)
        return aw_cli_process(argc - 1, argv + 1);
    if (strcmp(cmd, "run") == 0)
        return aw_cli_run(argc - 1, argv + 1);
    if (strcmp(cmd, "upload") == 0)
        return aw_cli_upload(argc - 1, argv + 1);
    if (strcmp(cmd, "events") == 0)
        return aw_cli_events(argc - 1, argv + 1);
    if (strcmp(cmd, "regenerate") == 0)
        return aw_cli_regenerate(argc - 1, argv + 1);
    if (strcmp(cmd, "console") == 0)
        return aw_cli_console(argc - 1, argv + 1);
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return AW_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("asset-worker %s\n", AW_VERSION);
        return AW_EXIT_OK;
    }
    fprintf(stderr, "asset-worker: unknown command '%s'\n", cmd);
    usage(stderr);
    return AW_EXIT_USAGE;
}
