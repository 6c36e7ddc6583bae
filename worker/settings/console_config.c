/* console_config.c — see console_config.h. */
#define _GNU_SOURCE
#include "console_config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#ifndef AW_CONSOLE_WEB_DIR
#define AW_CONSOLE_WEB_DIR "/usr/share/asset-worker/console"
#endif

void aw_console_config_usage(FILE *out)
{
    fputs("usage: asset-worker console --brokers LIST --storage URL --db PATH [options]\n"
          "\n"
          "The jobs & assets console (docs/console.md): reads asset.uploads,\n"
          "asset.regenerate, asset.events and asset.dlq from the earliest offset into a\n"
          "SQLite read model, serves seed 000's jobs API under /api/v1 and the page at\n"
          "/dashboard/assets. One replica beside the worker pods; it never parses media.\n"
          "Deleting the database and restarting rebuilds the view from the topics.\n"
          "With `run --embedded`, pass the bootstrap.servers it prints as --brokers.\n"
          "Stops on SIGTERM/SIGINT (exit 0). [ENV] sets the default.\n"
          "\n"
          "options:\n"
          "  --brokers LIST         bootstrap servers [AW_BROKERS]\n"
          "  --group ID             consumer group (default: asset-console)\n"
          "                         [AW_CONSOLE_GROUP]\n"
          "  --topic-uploads T      (default: asset.uploads) [AW_TOPIC_UPLOADS]\n"
          "  --topic-regenerate T   (default: asset.regenerate) [AW_TOPIC_REGENERATE]\n"
          "  --topic-events T       (default: asset.events) [AW_TOPIC_EVENTS]\n"
          "  --topic-dlq T          (default: asset.dlq) [AW_TOPIC_DLQ]\n"
          "  --storage URL          the worker's storage: file:///abs/dir (objects served\n"
          "                         by the console) or s3://BUCKET[/PREFIX] (presigned\n"
          "                         URLs, 15 min, signed with AWS_ACCESS_KEY_ID,\n"
          "                         AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION;\n"
          "                         AWS_ENDPOINT_URL as for run) [AW_STORAGE]\n"
          "  --db PATH              the read model (created when absent) [AW_CONSOLE_DB]\n"
          "  --web-dir DIR          the page built by Vite (default: " AW_CONSOLE_WEB_DIR ")\n"
          "                         [AW_CONSOLE_WEB_DIR]\n"
          "  --http-port N          (default: 8090; 0 picks a free port, printed as\n"
          "                         console=http://...) [AW_CONSOLE_HTTP_PORT]\n"
          "  --http-address IP      (default: 0.0.0.0) [AW_CONSOLE_HTTP_ADDRESS]\n"
          "  --source URI           ce_source of regenerate requests (default:\n"
          "                         asset-console)\n"
          "  --log-level L          as for run [AW_LOG_LEVEL]\n"
          "  --log-format F         as for run [AW_LOG_FORMAT]\n"
          "  -X KEY=VALUE           any librdkafka property (repeatable); also\n"
          "                         AW_RDKAFKA_KEY_NAME=VALUE\n"
          "  -h, --help             this text\n",
          out);
}

enum {
    C_BROKERS = 256,
    C_GROUP,
    C_T_UP,
    C_T_REGEN,
    C_T_EVENTS,
    C_T_DLQ,
    C_STORAGE,
    C_DB,
    C_WEB,
    C_PORT,
    C_ADDRESS,
    C_SOURCE,
    C_LOG_LEVEL,
    C_LOG_FORMAT,
};

static const struct option console_options[] = {
    {"brokers", required_argument, NULL, C_BROKERS},
    {"group", required_argument, NULL, C_GROUP},
    {"topic-uploads", required_argument, NULL, C_T_UP},
    {"topic-regenerate", required_argument, NULL, C_T_REGEN},
    {"topic-events", required_argument, NULL, C_T_EVENTS},
    {"topic-dlq", required_argument, NULL, C_T_DLQ},
    {"storage", required_argument, NULL, C_STORAGE},
    {"db", required_argument, NULL, C_DB},
    {"web-dir", required_argument, NULL, C_WEB},
    {"http-port", required_argument, NULL, C_PORT},
    {"http-address", required_argument, NULL, C_ADDRESS},
    {"source", required_argument, NULL, C_SOURCE},
    {"log-level", required_argument, NULL, C_LOG_LEVEL},
    {"log-format", required_argument, NULL, C_LOG_FORMAT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const struct {
    int code;
    const char *env;
} console_env[] = {
    {C_BROKERS, "AW_BROKERS"},
    {C_GROUP, "AW_CONSOLE_GROUP"},
    {C_T_UP, "AW_TOPIC_UPLOADS"},
    {C_T_REGEN, "AW_TOPIC_REGENERATE"},
    {C_T_EVENTS, "AW_TOPIC_EVENTS"},
    {C_T_DLQ, "AW_TOPIC_DLQ"},
    {C_STORAGE, "AW_STORAGE"},
    {C_DB, "AW_CONSOLE_DB"},
    {C_WEB, "AW_CONSOLE_WEB_DIR"},
    {C_PORT, "AW_CONSOLE_HTTP_PORT"},
    {C_ADDRESS, "AW_CONSOLE_HTTP_ADDRESS"},
    {C_LOG_LEVEL, "AW_LOG_LEVEL"},
    {C_LOG_FORMAT, "AW_LOG_FORMAT"},
};

static int bad(const char *what, const char *arg)
{
    fprintf(stderr, "asset-worker console: %s, not '%s' (see --help)\n", what, arg);
    return -1;
}

static int apply(aw_console_config *c, int code, const char *arg)
{
    aw_service_config *s = &c->svc;
    char *end = NULL;
    long port;
    switch (code) {
    case C_BROKERS: s->brokers = arg; return 0;
    case C_GROUP: s->group = arg; return 0;
    case C_T_UP: s->topic_uploads = arg; return 0;
    case C_T_REGEN: s->topic_regenerate = arg; return 0;
    case C_T_EVENTS: s->topic_events = arg; return 0;
    case C_T_DLQ: s->topic_dlq = arg; return 0;
    case C_STORAGE: s->storage_url = arg; return 0;
    case C_DB: c->db_path = arg; return 0;
    case C_WEB: c->web_dir = arg; return 0;
    case C_ADDRESS: c->http_address = arg; return 0;
    case C_SOURCE: s->source = arg; return 0;
    case C_PORT:
        port = strtol(arg, &end, 10);
        if (*arg == '\0' || *end != '\0' || port < 0 || port > 65535)
            return bad("--http-port takes 0 to 65535", arg);
        c->http_port = (int)port;
        return 0;
    case C_LOG_LEVEL:
        return aw_log_level_parse(arg, &s->log_level) == 0
                   ? 0
                   : bad("--log-level takes debug, info, warn or error", arg);
    case C_LOG_FORMAT:
        return aw_log_format_parse(arg, &s->log_format) == 0
                   ? 0
                   : bad("--log-format takes auto, json or text", arg);
    default: return -1;
    }
}

static void defaults(aw_console_config *c)
{
    memset(c, 0, sizeof *c);
    aw_service_config_defaults(&c->svc);
    c->svc.group = "asset-console";
    c->svc.source = "asset-console";
    c->web_dir = AW_CONSOLE_WEB_DIR;
    c->http_port = 8090;
    c->http_address = "0.0.0.0";
}

static int from_environment(aw_console_config *c)
{
    for (size_t i = 0; i < sizeof console_env / sizeof console_env[0]; i++) {
        const char *v = getenv(console_env[i].env);
        if (v != NULL && *v != '\0' && apply(c, console_env[i].code, v) != 0)
            return -1;
    }
    return 0;
}

static int from_flags(aw_console_config *c, int argc, char **argv)
{
    int code;
    optind = 1;
    while ((code = getopt_long(argc, argv, "hX:", console_options, NULL)) != -1) {
        if (code == 'h')
            return AW_SETTINGS_HELP;
        if (code == 'X' && c->svc.n_kafka_props < AW_MAX_KAFKA_PROPS) {
            c->svc.kafka_props[c->svc.n_kafka_props++] = optarg;
            continue;
        }
        if (code == 'X')
            return bad("too many -X properties", optarg), AW_SETTINGS_BAD;
        if (code == '?' || apply(c, code, optarg) != 0)
            return AW_SETTINGS_BAD;
    }
    if (optind != argc)
        return bad("no arguments are taken", argv[optind]), AW_SETTINGS_BAD;
    return AW_SETTINGS_OK;
}

int aw_console_config_parse(int argc, char **argv, aw_console_config *c)
{
    defaults(c);
    if (from_environment(c) != 0)
        return AW_SETTINGS_BAD;
    int rc = from_flags(c, argc, argv);
    if (rc != AW_SETTINGS_OK)
        return rc;
    const char *missing = c->svc.brokers == NULL       ? "--brokers (or AW_BROKERS)"
                          : c->svc.storage_url == NULL ? "--storage (or AW_STORAGE)"
                          : c->db_path == NULL         ? "--db (or AW_CONSOLE_DB)"
                                                       : NULL;
    if (missing != NULL) {
        fprintf(stderr, "asset-worker console: needs %s (see --help)\n", missing);
        return AW_SETTINGS_BAD;
    }
    return AW_SETTINGS_OK;
}
