/* console_config.h — the settings of `asset-worker console`: environment
 * (AW_*) first, then flags, like run's. */
#ifndef AW_CONSOLE_CONFIG_H
#define AW_CONSOLE_CONFIG_H

#include "service_config.h"

typedef struct aw_console_config {
    aw_service_config svc; /* brokers, topics, storage, -X, logs, source */
    const char *db_path;   /* the SQLite read model */
    const char *web_dir;   /* the page built by Vite */
    int http_port;
    const char *http_address;
} aw_console_config;

/* AW_SETTINGS_OK, _HELP (print aw_console_config_usage) or _BAD (printed). */
int aw_console_config_parse(int argc, char **argv, aw_console_config *cfg);
void aw_console_config_usage(FILE *out);

#endif
