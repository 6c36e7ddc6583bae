/* console.c — `asset-worker console`: the jobs & assets console
 * (docs/console.md). */
#include "console.h"

#include "cli.h"
#include "console_config.h"

int aw_cli_console(int argc, char **argv)
{
    aw_console_config cfg;
    switch (aw_console_config_parse(argc, argv, &cfg)) {
    case AW_SETTINGS_HELP: aw_console_config_usage(stdout); return AW_EXIT_OK;
    case AW_SETTINGS_BAD: return AW_EXIT_USAGE;
    default: break;
    }
    return aw_console_run(&cfg) == 0 ? AW_EXIT_OK : AW_EXIT_INTERNAL;
}
