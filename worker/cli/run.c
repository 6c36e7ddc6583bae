/* run.c — `asset-worker run`: parses the service's settings and runs the
 * service until SIGTERM/SIGINT. */
#include "cli.h"

#include "service.h"
#include "service_config.h"

#include <stdio.h>

int aw_cli_run(int argc, char **argv)
{
    aw_service_config cfg;
    int rc = aw_service_config_parse(argc, argv, &cfg);
    if (rc == AW_SETTINGS_HELP) {
        aw_service_config_usage(stdout);
        return AW_EXIT_OK;
    }
    if (rc != AW_SETTINGS_OK)
        return AW_EXIT_USAGE;
    cfg.argv = argv;
    return aw_service_run(&cfg);
}
