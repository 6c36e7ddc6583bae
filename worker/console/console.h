/* console.h — `asset-worker console`: the read model fed from the topics,
 * the API and the page, until SIGTERM/SIGINT. */
#ifndef AW_CONSOLE_H
#define AW_CONSOLE_H

#include "console_config.h"

/* Runs the console; the process exit code (0 after a signal). Prints
 * "console=http://ADDRESS:PORT" on stdout once it listens. */
int aw_console_run(const aw_console_config *cfg);

#endif
