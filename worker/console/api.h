/* api.h — the console's HTTP side (docs/console.md): seed 000's jobs API
 * under /api/v1, the objects' bytes for file:// storage, and the page
 * built by Vite. libmicrohttpd, a thread per connection. */
#ifndef AW_CONSOLE_API_H
#define AW_CONSOLE_API_H

#include "error.h"
#include "read_model.h"
#include "storage.h"

#include <librdkafka/rdkafka.h>

typedef struct aw_console_deps {
    aw_read_model *rm;
    aw_storage *storage;  /* where the outputs are */
    rd_kafka_t *producer; /* regenerate requests */
    const char *topic_regenerate;
    const char *topic_uploads; /* where a replayed dead letter may go (or regenerate) */
    const char *source;        /* ce_source of what the console publishes */
    const char *web_dir;       /* the page: index.html and assets/ */
} aw_console_deps;

typedef struct aw_console_api aw_console_api;

/* Listens on address:port (port 0 picks a free one). deps must outlive it. */
aw_console_api *aw_console_api_start(const char *address, int port, const aw_console_deps *deps,
                                     aw_error *err);
int aw_console_api_port(const aw_console_api *api);
void aw_console_api_stop(aw_console_api *api);

#endif
