/* service_config.c — the settings of `asset-worker run`, parsed the same way
 * by the command and by the zygote it execs. Settings come from the
 * environment (AW_*) and are overridden by flags; any librdkafka property
 * passes through with -X key=value or AW_RDKAFKA_KEY_NAME=value. */
#define _GNU_SOURCE
#include "service_config.h"

#include "error.h"
#include "option_parse.h"
#include "pipeline_options.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void aw_service_config_defaults(aw_service_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    aw_config_defaults(&cfg->pipeline);
    cfg->group = "asset-workers";
    cfg->topic_uploads = "asset.uploads";
    cfg->topic_regenerate = "asset.regenerate";
    cfg->topic_events = "asset.events";
    cfg->topic_dlq = "asset.dlq";
    cfg->source = "asset-worker";
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    cfg->concurrency = cores < 1 ? 1 : cores > AW_MAX_CONCURRENCY ? AW_MAX_CONCURRENCY : (int)cores;
    cfg->transfers = 0; /* from the concurrency once parsed */
    cfg->prefetch = -1; /* likewise */
    cfg->job_timeout_ms = 300000;
    cfg->stage_timeout_ms = 180000;
    aw_sandbox_defaults(&cfg->sandbox);
    cfg->grace_ms = 30000;
    cfg->max_attempts = 5;
    cfg->backoff_base_ms = 500;
    cfg->backoff_max_ms = 30000;
    cfg->embedded_partitions = 6;
    cfg->http_port = 8080;
    cfg->http_address = "0.0.0.0";
    cfg->log_level = AW_LOG_INFO;
    cfg->log_format = AW_LOG_AUTO;
    cfg->clamav_watch = true;
    cfg->clamav_settle_ms = 5000;
    cfg->reuse = true;
    cfg->office = "auto";
    cfg->office_slots = 0; /* as many as executors once parsed */
    cfg->office_timeout_ms = 60000;
}

void aw_service_config_usage(FILE *out)
{
    fputs("usage: asset-worker run [options]\n"
          "\n"
          "The service: consumes asset.upload.confirmed and asset.regenerate.requested,\n"
          "runs each file through the pipeline in executor processes, stores the\n"
          "outputs at derived/ASSET_ID/..., publishes progress, scan and job events,\n"
          "and commits an input offset only after its final event is acknowledged.\n"
          "Stops on SIGTERM/SIGINT after draining (exit 0). [ENV] sets the default.\n"
          "\n"
          "options:\n"
          "  --embedded             host librdkafka's mock cluster in-process (3 brokers,\n"
          "                         topics created), print bootstrap.servers=... on stdout\n"
          "  --brokers LIST         bootstrap servers [AW_BROKERS]\n"
          "  --group ID             consumer group (default: asset-workers) [AW_GROUP]\n"
          "  --topic-uploads T      (default: asset.uploads) [AW_TOPIC_UPLOADS]\n"
          "  --topic-regenerate T   (default: asset.regenerate) [AW_TOPIC_REGENERATE]\n"
          "  --topic-events T       (default: asset.events) [AW_TOPIC_EVENTS]\n"
          "  --topic-dlq T          (default: asset.dlq) [AW_TOPIC_DLQ]\n"
          "  --storage URL          file:///abs/dir or s3://BUCKET[/PREFIX] [AW_STORAGE]\n"
          "                         (default with --embedded: ./aw-storage); S3 reads\n"
          "                         AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,\n"
          "                         AWS_SESSION_TOKEN, AWS_REGION, AWS_ENDPOINT_URL\n"
          "                         (path-style when set, or AW_S3_PATH_STYLE=1)\n"
          "  --spool-dir DIR        per-job scratch space [AW_SPOOL_DIR]\n"
          "                         (default: $TMPDIR/asset-worker-spool-PID)\n"
          "  --source URI           ce_source of published events (default:\n"
          "                         asset-worker) [AW_SOURCE]\n"
          "  --concurrency N        executor processes (default: cores) [AW_CONCURRENCY]\n"
          "  --transfers N          storage requests in flight at once, each on its own\n"
          "                         thread (default: 16 x concurrency, at least 32)\n"
          "                         [AW_TRANSFERS]\n"
          "  --prefetch N           sources downloaded ahead for busy executors\n"
          "                         (default: 4 x concurrency) [AW_PREFETCH]\n"
          "  --job-timeout SEC      wall time of one job (default: 300) [AW_JOB_TIMEOUT]\n"
          "  --stage-timeout SEC    wall time of one stage (default: 180)\n"
          "                         [AW_STAGE_TIMEOUT]\n"
          "  --sandbox on|off       executors enter a sandbox before their first job:\n"
          "                         seccomp (no sockets, exec, fork, ptrace, mounts),\n"
          "                         Landlock (only the job's files), the limits below\n"
          "                         (default: on) [AW_SANDBOX]\n"
          "  --executor-jobs N      jobs one executor serves before it is replaced\n"
          "                         (default: 64; 1: a fresh process per job); any\n"
          "                         job that is not completed cleanly, or that leaves\n"
          "                         a file, descriptor, thread or memory behind,\n"
          "                         or the executor over 96 MiB resident, retires\n"
          "                         it at once [AW_EXECUTOR_JOBS]\n"
          "  --job-memory SIZE      memory one job may add; the executor is killed\n"
          "                         past it, and its address space is capped at 4x\n"
          "                         (default: 1G) [AW_JOB_MEMORY]\n"
          "  --job-cpu SEC          CPU time of one job (default: 300) [AW_JOB_CPU]\n"
          "  --job-file-size SIZE   largest file a job writes (RLIMIT_FSIZE;\n"
          "                         default: 1G) [AW_JOB_FILE_SIZE]\n"
          "  --job-open-files N     open files of a job (RLIMIT_NOFILE; default:\n"
          "                         256) [AW_JOB_OPEN_FILES]\n"
          "  --grace SEC            drain time on SIGTERM and revoke (default: 30)\n"
          "                         [AW_GRACE]\n"
          "  --max-attempts N       storage attempts before a job fails (default: 5)\n"
          "                         [AW_MAX_ATTEMPTS]\n"
          "  --backoff MS           first retry delay; doubles each attempt, with\n"
          "                         jitter (default: 500) [AW_BACKOFF_MS]\n"
          "  --backoff-max MS       cap of the retry delay (default: 30000)\n"
          "                         [AW_BACKOFF_MAX_MS]\n"
          "  --partitions N         partitions of each topic with --embedded (default: 6)\n"
          "  --http-port N          port of /healthz, /readyz and /metrics; 0 for none\n"
          "                         (default: 8080) [AW_HTTP_PORT]\n"
          "  --http-address IP      address to listen on (default: 0.0.0.0)\n"
          "                         [AW_HTTP_ADDRESS]\n"
          "  --log-level L          debug, info, warn or error (default: info)\n"
          "                         [AW_LOG_LEVEL]\n"
          "  --log-format F         json (one object per line), text, or auto: text on\n"
          "                         a terminal, else json (default: auto) [AW_LOG_FORMAT]\n"
          "  --clamav-watch on|off  load the ClamAV database again when it changes\n"
          "                         (freshclam); new executors take over, jobs in\n"
          "                         flight finish on the old one (default: on)\n"
          "                         [AW_CLAMAV_WATCH]\n"
          "  --clamav-settle SEC    quiet time after the last change before reloading\n"
          "                         (default: 5) [AW_CLAMAV_SETTLE]\n"
          "  --reuse on|off         an upload whose bytes and recipes were processed before\n"
          "                         gets those outputs copied to its own keys instead of\n"
          "                         being decoded again (the index in derived/by-hash/ is\n"
          "                         written either way) (default: on) [AW_REUSE]\n"
          "  --office auto|off|DIR  render page 1 of Office files with LibreOfficeKit\n"
          "                         from DIR (auto: /usr/lib/libreoffice/program if\n"
          "                         it is installed); without it they keep their\n"
          "                         embedded thumbnail (default: auto) [AW_OFFICE]\n"
          "  --office-slots N       Office documents rendered at once, each in a\n"
          "                         sandboxed child of one office process (default:\n"
          "                         the executors, so none waits holding an executor)\n"
          "                         [AW_OFFICE_SLOTS]\n"
          "  --office-timeout SEC   wall time of one rendering (default: 60)\n"
          "                         [AW_OFFICE_TIMEOUT]\n"
          "  -X KEY=VALUE           any librdkafka property (repeatable); also\n"
          "                         AW_RDKAFKA_KEY_NAME=VALUE (underscores become dots)\n",
          out);
    aw_pipeline_options_usage(out);
    fputs("  -h, --help             this text\n", out);
}

enum {
    OPT_EMBEDDED = 256,
    OPT_BROKERS,
    OPT_GROUP,
    OPT_T_UP,
    OPT_T_REGEN,
    OPT_T_EVENTS,
    OPT_T_DLQ,
    OPT_STORAGE,
    OPT_SPOOL,
    OPT_SOURCE,
    OPT_CONC,
    OPT_TIMEOUT,
    OPT_GRACE,
    OPT_ATTEMPTS,
    OPT_PARTITIONS,
    OPT_BACKOFF,
    OPT_BACKOFF_MAX,
    OPT_STAGE_TIMEOUT,
    OPT_SANDBOX,
    OPT_JOB_MEMORY,
    OPT_JOB_CPU,
    OPT_EXECUTOR_JOBS,
    OPT_JOB_FSIZE,
    OPT_JOB_NOFILE,
    OPT_HTTP_PORT,
    OPT_HTTP_ADDRESS,
    OPT_LOG_LEVEL,
    OPT_LOG_FORMAT,
    OPT_CLAMAV_WATCH,
    OPT_CLAMAV_SETTLE,
    OPT_REUSE,
    OPT_TRANSFERS,
    OPT_PREFETCH,
    OPT_OFFICE,
    OPT_OFFICE_SLOTS,
    OPT_OFFICE_TIMEOUT,
};

static const struct option run_options[] = {
    {"embedded", no_argument, NULL, OPT_EMBEDDED},
    {"brokers", required_argument, NULL, OPT_BROKERS},
    {"group", required_argument, NULL, OPT_GROUP},
    {"topic-uploads", required_argument, NULL, OPT_T_UP},
    {"topic-regenerate", required_argument, NULL, OPT_T_REGEN},
    {"topic-events", required_argument, NULL, OPT_T_EVENTS},
    {"topic-dlq", required_argument, NULL, OPT_T_DLQ},
    {"storage", required_argument, NULL, OPT_STORAGE},
    {"spool-dir", required_argument, NULL, OPT_SPOOL},
    {"source", required_argument, NULL, OPT_SOURCE},
    {"concurrency", required_argument, NULL, OPT_CONC},
    {"transfers", required_argument, NULL, OPT_TRANSFERS},
    {"prefetch", required_argument, NULL, OPT_PREFETCH},
    {"job-timeout", required_argument, NULL, OPT_TIMEOUT},
    {"stage-timeout", required_argument, NULL, OPT_STAGE_TIMEOUT},
    {"sandbox", required_argument, NULL, OPT_SANDBOX},
    {"job-memory", required_argument, NULL, OPT_JOB_MEMORY},
    {"job-cpu", required_argument, NULL, OPT_JOB_CPU},
    {"executor-jobs", required_argument, NULL, OPT_EXECUTOR_JOBS},
    {"job-file-size", required_argument, NULL, OPT_JOB_FSIZE},
    {"job-open-files", required_argument, NULL, OPT_JOB_NOFILE},
    {"grace", required_argument, NULL, OPT_GRACE},
    {"max-attempts", required_argument, NULL, OPT_ATTEMPTS},
    {"partitions", required_argument, NULL, OPT_PARTITIONS},
    {"backoff", required_argument, NULL, OPT_BACKOFF},
    {"backoff-max", required_argument, NULL, OPT_BACKOFF_MAX},
    {"http-port", required_argument, NULL, OPT_HTTP_PORT},
    {"http-address", required_argument, NULL, OPT_HTTP_ADDRESS},
    {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
    {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
    {"clamav-watch", required_argument, NULL, OPT_CLAMAV_WATCH},
    {"clamav-settle", required_argument, NULL, OPT_CLAMAV_SETTLE},
    {"reuse", required_argument, NULL, OPT_REUSE},
    {"office", required_argument, NULL, OPT_OFFICE},
    {"office-slots", required_argument, NULL, OPT_OFFICE_SLOTS},
    {"office-timeout", required_argument, NULL, OPT_OFFICE_TIMEOUT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Environment variable of each run option (same codes). */
static const struct {
    int code;
    const char *env;
} run_env[] = {
    {OPT_BROKERS, "AW_BROKERS"},
    {OPT_GROUP, "AW_GROUP"},
    {OPT_T_UP, "AW_TOPIC_UPLOADS"},
    {OPT_T_REGEN, "AW_TOPIC_REGENERATE"},
    {OPT_T_EVENTS, "AW_TOPIC_EVENTS"},
    {OPT_T_DLQ, "AW_TOPIC_DLQ"},
    {OPT_STORAGE, "AW_STORAGE"},
    {OPT_SPOOL, "AW_SPOOL_DIR"},
    {OPT_SOURCE, "AW_SOURCE"},
    {OPT_CONC, "AW_CONCURRENCY"},
    {OPT_TIMEOUT, "AW_JOB_TIMEOUT"},
    {OPT_GRACE, "AW_GRACE"},
    {OPT_ATTEMPTS, "AW_MAX_ATTEMPTS"},
    {OPT_BACKOFF, "AW_BACKOFF_MS"},
    {OPT_BACKOFF_MAX, "AW_BACKOFF_MAX_MS"},
    {OPT_STAGE_TIMEOUT, "AW_STAGE_TIMEOUT"},
    {OPT_SANDBOX, "AW_SANDBOX"},
    {OPT_JOB_MEMORY, "AW_JOB_MEMORY"},
    {OPT_JOB_CPU, "AW_JOB_CPU"},
    {OPT_EXECUTOR_JOBS, "AW_EXECUTOR_JOBS"},
    {OPT_JOB_FSIZE, "AW_JOB_FILE_SIZE"},
    {OPT_JOB_NOFILE, "AW_JOB_OPEN_FILES"},
    {OPT_HTTP_PORT, "AW_HTTP_PORT"},
    {OPT_HTTP_ADDRESS, "AW_HTTP_ADDRESS"},
    {OPT_LOG_LEVEL, "AW_LOG_LEVEL"},
    {OPT_LOG_FORMAT, "AW_LOG_FORMAT"},
    {OPT_CLAMAV_WATCH, "AW_CLAMAV_WATCH"},
    {OPT_CLAMAV_SETTLE, "AW_CLAMAV_SETTLE"},
    {OPT_REUSE, "AW_REUSE"},
    {OPT_TRANSFERS, "AW_TRANSFERS"},
    {OPT_PREFETCH, "AW_PREFETCH"},
    {OPT_OFFICE, "AW_OFFICE"},
    {OPT_OFFICE_SLOTS, "AW_OFFICE_SLOTS"},
    {OPT_OFFICE_TIMEOUT, "AW_OFFICE_TIMEOUT"},
};

static int bad(const char *what, const char *arg)
{
    fprintf(stderr, "asset-worker run: %s, not '%s' (see asset-worker run --help)\n", what, arg);
    return -1;
}

static int positive(const char *arg, int max, int *out)
{
    uint64_t n = 0;
    if (aw_parse_count(arg, &n) != AW_OK || n < 1 || n > (uint64_t)max)
        return -1;
    *out = (int)n;
    return 0;
}

/* Whole seconds, 1 to max, as milliseconds. */
static int seconds_ms(const char *arg, int max, double *ms)
{
    int n = 0;
    if (positive(arg, max, &n) != 0)
        return -1;
    *ms = n * 1000.0;
    return 0;
}

/* A size of at least min bytes. */
static int size_at_least(const char *arg, uint64_t min, uint64_t *out)
{
    uint64_t n = 0;
    if (aw_parse_bytes(arg, &n) != AW_OK || n < min)
        return -1;
    *out = n;
    return 0;
}

/* HTTP, logs, the ClamAV database watch and storage transfers; the
 * pipeline's own options. */
static int apply_operations(aw_service_config *c, int code, const char *arg)
{
    int n = 0;
    switch (code) {
    case OPT_TRANSFERS:
        return positive(arg, AW_MAX_TRANSFERS, &c->transfers) == 0
                   ? 0
                   : bad("--transfers takes 1 to " AW_STR(AW_MAX_TRANSFERS), arg);
    case OPT_PREFETCH:
        if (strcmp(arg, "0") == 0)
            return c->prefetch = 0, 0;
        return positive(arg, AW_MAX_CONCURRENCY, &c->prefetch) == 0
                   ? 0
                   : bad("--prefetch takes 0 to " AW_STR(AW_MAX_CONCURRENCY), arg);
    case OPT_HTTP_PORT:
        if (strcmp(arg, "0") == 0)
            return c->http_port = 0, 0;
        if (positive(arg, 65535, &n) != 0)
            return bad("--http-port takes 0 to 65535", arg);
        c->http_port = n;
        return 0;
    case OPT_HTTP_ADDRESS: c->http_address = arg; return 0;
    case OPT_LOG_LEVEL:
        return aw_log_level_parse(arg, &c->log_level) == 0
                   ? 0
                   : bad("--log-level takes debug, info, warn or error", arg);
    case OPT_LOG_FORMAT:
        return aw_log_format_parse(arg, &c->log_format) == 0
                   ? 0
                   : bad("--log-format takes auto, json or text", arg);
    case OPT_REUSE:
        return aw_option_on_off(arg, &c->reuse) == 0 ? 0 : bad("--reuse takes on or off", arg);
    case OPT_OFFICE:
        return strcmp(arg, "auto") == 0 || strcmp(arg, "off") == 0 || arg[0] == '/'
                   ? (c->office = arg, 0)
                   : bad("--office takes auto, off or an absolute directory", arg);
    case OPT_OFFICE_SLOTS:
        return positive(arg, AW_MAX_CONCURRENCY, &c->office_slots) == 0
                   ? 0
                   : bad("--office-slots takes 1 to " AW_STR(AW_MAX_CONCURRENCY), arg);
    case OPT_OFFICE_TIMEOUT:
        return seconds_ms(arg, 3600, &c->office_timeout_ms) == 0
                   ? 0
                   : bad("--office-timeout takes seconds, 1 to 3600", arg);
    case OPT_CLAMAV_WATCH:
        return aw_option_on_off(arg, &c->clamav_watch) == 0
                   ? 0
                   : bad("--clamav-watch takes on or off", arg);
    case OPT_CLAMAV_SETTLE:
        return seconds_ms(arg, 3600, &c->clamav_settle_ms) == 0
                   ? 0
                   : bad("--clamav-settle takes seconds, 1 to 3600", arg);
    default: return aw_pipeline_option(&c->pipeline, code, arg, "run") == 0 ? 0 : -1;
    }
}

/* The executor sandbox and its limits. */
static int apply_sandbox(aw_service_config *c, int code, const char *arg)
{
    aw_sandbox_config *sb = &c->sandbox;
    int n = 0;
    switch (code) {
    case OPT_STAGE_TIMEOUT:
        return seconds_ms(arg, 86400, &c->stage_timeout_ms) == 0
                   ? 0
                   : bad("--stage-timeout takes seconds, 1 to 86400", arg);
    case OPT_SANDBOX:
        return aw_option_on_off(arg, &sb->enabled) == 0 ? 0 : bad("--sandbox takes on or off", arg);
    case OPT_JOB_MEMORY:
        return size_at_least(arg, 16ULL << 20, &sb->memory_bytes) == 0
                   ? 0
                   : bad("--job-memory takes a size of at least 16M", arg);
    case OPT_JOB_CPU:
        if (positive(arg, 86400, &n) != 0)
            return bad("--job-cpu takes seconds, 1 to 86400", arg);
        sb->cpu_seconds = (unsigned)n;
        return 0;
    case OPT_EXECUTOR_JOBS:
        if (positive(arg, 100000, &n) != 0)
            return bad("--executor-jobs takes 1 to 100000", arg);
        sb->jobs = (unsigned)n;
        return 0;
    case OPT_JOB_FSIZE:
        return size_at_least(arg, 1ULL << 20, &sb->file_bytes) == 0
                   ? 0
                   : bad("--job-file-size takes a size of at least 1M", arg);
    case OPT_JOB_NOFILE:
        if (positive(arg, 65536, &n) != 0 || n < 32)
            return bad("--job-open-files takes 32 to 65536", arg);
        sb->open_files = (unsigned)n;
        return 0;
    default: return apply_operations(c, code, arg);
    }
}

static int apply(aw_service_config *c, int code, const char *arg)
{
    int n = 0;
    switch (code) {
    case OPT_EMBEDDED: c->embedded = true; return 0;
    case OPT_BROKERS: c->brokers = arg; return 0;
    case OPT_GROUP: c->group = arg; return 0;
    case OPT_T_UP: c->topic_uploads = arg; return 0;
    case OPT_T_REGEN: c->topic_regenerate = arg; return 0;
    case OPT_T_EVENTS: c->topic_events = arg; return 0;
    case OPT_T_DLQ: c->topic_dlq = arg; return 0;
    case OPT_STORAGE: c->storage_url = arg; return 0;
    case OPT_SPOOL: c->spool_dir = arg; return 0;
    case OPT_SOURCE: c->source = arg; return 0;
    case OPT_CONC:
        if (positive(arg, AW_MAX_CONCURRENCY, &c->concurrency) != 0)
            return bad("--concurrency takes 1 to " AW_STR(AW_MAX_CONCURRENCY), arg);
        return 0;
    case OPT_TIMEOUT:
        return seconds_ms(arg, 86400, &c->job_timeout_ms) == 0
                   ? 0
                   : bad("--job-timeout takes seconds, 1 to 86400", arg);
    case OPT_GRACE:
        return seconds_ms(arg, 3600, &c->grace_ms) == 0
                   ? 0
                   : bad("--grace takes seconds, 1 to 3600", arg);
    case OPT_ATTEMPTS:
        if (positive(arg, 100, &c->max_attempts) != 0)
            return bad("--max-attempts takes 1 to 100", arg);
        return 0;
    case OPT_BACKOFF:
        if (positive(arg, 3600000, &n) != 0)
            return bad("--backoff takes milliseconds, 1 to 3600000", arg);
        c->backoff_base_ms = n;
        return 0;
    case OPT_BACKOFF_MAX:
        if (positive(arg, 3600000, &n) != 0)
            return bad("--backoff-max takes milliseconds, 1 to 3600000", arg);
        c->backoff_max_ms = n;
        return 0;
    case OPT_PARTITIONS:
        if (positive(arg, 1000, &c->embedded_partitions) != 0)
            return bad("--partitions takes 1 to 1000", arg);
        return 0;
    case 'X':
        if (c->n_kafka_props == AW_MAX_KAFKA_PROPS || strchr(arg, '=') == NULL)
            return bad("-X takes KEY=VALUE", arg);
        c->kafka_props[c->n_kafka_props++] = arg;
        return 0;
    default: return apply_sandbox(c, code, arg);
    }
}

static int from_env(aw_service_config *c)
{
    if (aw_pipeline_options_from_env(&c->pipeline, "run") != 0)
        return -1;
    for (size_t i = 0; i < sizeof run_env / sizeof run_env[0]; i++) {
        const char *v = getenv(run_env[i].env);
        if (v != NULL && *v != '\0' && apply(c, run_env[i].code, v) != 0)
            return -1;
    }
    return 0;
}

/* Transfers, office slots and prefetch follow the concurrency unless they
 * were set. */
static void settle_counts(aw_service_config *c)
{
    if (c->transfers == 0)
        c->transfers = 16 * c->concurrency > 32 ? 16 * c->concurrency : 32;
    if (c->transfers > AW_MAX_TRANSFERS)
        c->transfers = AW_MAX_TRANSFERS;
    if (c->office_slots == 0) /* an executor waits for its document's page */
        c->office_slots = c->concurrency;
    /* four jobs ahead per executor: with jobs of 20-50 ms and 100 ms per
     * storage request, two ahead left the executors idle half the time
     * (tests/integration/test_s3.c, backlog_at_100_ms) */
    if (c->prefetch < 0)
        c->prefetch = 4 * c->concurrency > AW_MAX_CONCURRENCY ? AW_MAX_CONCURRENCY
                                                              : 4 * c->concurrency;
}

int aw_service_config_parse(int argc, char **argv, aw_service_config *cfg)
{
    aw_service_config_defaults(cfg);
    if (from_env(cfg) != 0)
        return AW_SETTINGS_BAD;
    struct option all[128];
    aw_options_join(all, 128, run_options, aw_pipeline_long_options);
    int c;
    optind = 0; /* glibc: start over, whatever an earlier parse left */
    while ((c = getopt_long(argc, argv, "hX:", all, NULL)) != -1) {
        if (c == 'h')
            return AW_SETTINGS_HELP;
        if (c == '?' || apply(cfg, c, optarg) != 0)
            return AW_SETTINGS_BAD;
    }
    settle_counts(cfg);
    if (optind != argc)
        return bad("takes no arguments", argv[optind]) ? AW_SETTINGS_BAD : AW_SETTINGS_BAD;
    if (cfg->brokers == NULL && !cfg->embedded)
        return bad("needs --brokers (or AW_BROKERS) or --embedded", "") ? AW_SETTINGS_BAD
                                                                        : AW_SETTINGS_BAD;
    if (cfg->storage_url == NULL && !cfg->embedded)
        return bad("needs --storage file:///dir (or AW_STORAGE)", "") ? AW_SETTINGS_BAD
                                                                      : AW_SETTINGS_BAD;
    return AW_SETTINGS_OK;
}
