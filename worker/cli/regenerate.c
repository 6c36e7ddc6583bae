/* cli_regenerate.c — `asset-worker regenerate`: ops ask for outputs again.
 * Publishes asset.regenerate.requested for one asset (flags) or for every
 * line of a JSON-lines file or stdin. Each request is checked with the
 * worker's own decoder first, so nothing is sent that the worker would
 * only dead-letter. */
#define _GNU_SOURCE
#include "cli.h"

#include "alloc.h"
#include "event.h"
#include "kafka.h"
#include "media.h"
#include "regenerate_request.h"
#include "service_config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

typedef struct regen_opts {
    aw_service_config svc;
    const char *topic, *asset, *key, *mime, *types, *job_id, *file;
} regen_opts;

enum {
    R_BROKERS = 256,
    R_TOPIC,
    R_SOURCE,
    R_ASSET,
    R_KEY,
    R_MIME,
    R_TYPES,
    R_JOB,
    R_FILE,
    R_OUTDATED
};

static const struct option regen_options[] = {
    {"brokers", required_argument, NULL, R_BROKERS},
    {"topic", required_argument, NULL, R_TOPIC},
    {"source", required_argument, NULL, R_SOURCE},
    {"asset", required_argument, NULL, R_ASSET},
    {"storage-key", required_argument, NULL, R_KEY},
    {"mime", required_argument, NULL, R_MIME},
    {"types", required_argument, NULL, R_TYPES},
    {"job-id", required_argument, NULL, R_JOB},
    {"file", required_argument, NULL, R_FILE},
    {"outdated", no_argument, NULL, R_OUTDATED},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void regen_usage(FILE *out)
{
    fputs("usage: asset-worker regenerate [options] --asset ID --storage-key KEY\n"
          "       asset-worker regenerate [options] --file FILE|-\n"
          "\n"
          "Publishes asset.regenerate.requested: the worker runs the asked stages again\n"
          "(the scan always runs) and publishes a job under the given job id. Prints\n"
          "'ASSET_ID JOB_ID TYPES' per request sent; exit 1 if any was refused.\n"
          "  --brokers LIST      bootstrap servers [AW_BROKERS]\n"
          "  --topic T           (default: asset.regenerate) [AW_TOPIC_REGENERATE]\n"
          "  --source URI        ce_source (default: asset-worker-cli)\n"
          "  --asset ID          the asset\n"
          "  --storage-key KEY   where its source file is (uploads/ID/NAME)\n"
          "  --mime TYPE         its type (default: from the key's extension)\n"
          "  --types LIST        thumbnail,preview,metadata,all or outdated (default: all)\n"
          "  --outdated          same as --types outdated: only the stages whose recipe\n"
          "                      (version and settings) changed since the asset's\n"
          "                      manifest was written, or whose outputs are missing;\n"
          "                      nothing runs when all are current\n"
          "  --job-id ID         (default: regen-RANDOM)\n"
          "  --file F            one JSON object per line, - for stdin:\n"
          "                      {\"assetId\", \"storageKey\", \"mimeType\"?, \"types\"?, "
          "\"jobId\"?};\n"
          "                      --mime and --types are the defaults of missing fields\n",
          out);
}

static int parse(regen_opts *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    aw_service_config_defaults(&o->svc);
    o->svc.brokers = getenv("AW_BROKERS");
    o->svc.source = "asset-worker-cli";
    o->topic = getenv("AW_TOPIC_REGENERATE") ? getenv("AW_TOPIC_REGENERATE") : "asset.regenerate";
    o->types = "all";
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", regen_options, NULL)) != -1) {
        switch (c) {
        case 'h': regen_usage(stdout); exit(AW_EXIT_OK);
        case R_BROKERS: o->svc.brokers = optarg; break;
        case R_TOPIC: o->topic = optarg; break;
        case R_SOURCE: o->svc.source = optarg; break;
        case R_ASSET: o->asset = optarg; break;
        case R_KEY: o->key = optarg; break;
        case R_MIME: o->mime = optarg; break;
        case R_TYPES: o->types = optarg; break;
        case R_JOB: o->job_id = optarg; break;
        case R_FILE: o->file = optarg; break;
        case R_OUTDATED: o->types = "outdated"; break;
        default: regen_usage(stderr); return AW_EXIT_USAGE;
        }
    }
    const char *missing = o->svc.brokers == NULL ? "--brokers (or AW_BROKERS)"
                          : o->file == NULL && (!o->asset || !o->key)
                              ? "--asset and --storage-key, or --file"
                              : NULL;
    if (missing != NULL || optind != argc) {
        fprintf(stderr, "asset-worker regenerate: needs %s (see --help)\n",
                missing ? missing : "no arguments");
        return AW_EXIT_USAGE;
    }
    return AW_EXIT_OK;
}

/* "thumbnail,preview" → ["thumbnail","preview"] */
static json_t *types_list(const char *csv)
{
    json_t *list = json_array();
    char *copy = aw_xstrdup(csv), *save = NULL;
    for (char *t = strtok_r(copy, ", ", &save); t != NULL; t = strtok_r(NULL, ", ", &save))
        json_array_append_new(list, json_string(t));
    free(copy);
    return list;
}

/* Fills what a request left out: job id, MIME type, types. */
static void complete(const regen_opts *o, json_t *req)
{
    if (json_object_get(req, "jobId") == NULL) {
        char hex[17];
        aw_event_random_hex(hex, 8);
        json_object_set_new(req, "jobId", json_sprintf("regen-%s", hex));
    }
    const char *key = json_string_value(json_object_get(req, "storageKey"));
    const aw_media_type *t = key ? aw_media_by_extension(key) : NULL;
    if (json_object_get(req, "mimeType") == NULL && (o->mime || t))
        json_object_set_new(req, "mimeType", json_string(o->mime ? o->mime : t->mime));
    if (json_object_get(req, "types") == NULL)
        json_object_set_new(req, "types", types_list(o->types));
}

/* Checks req with the worker's decoder and publishes it; 0 when sent. */
static int send_one(rd_kafka_t *p, const regen_opts *o, json_t *req, int line)
{
    complete(o, req);
    aw_input_event ev;
    aw_error err;
    aw_error_clear(&err);
    if (aw_regenerate_publish(p, o->topic, o->svc.source, req, &ev, &err) != AW_OK) {
        fprintf(stderr, "asset-worker regenerate: request %d refused: %s\n", line, err.message);
        return -1;
    }
    char *types = json_dumps(json_object_get(req, "types"), JSON_COMPACT);
    printf("%s %s %s\n", ev.asset_id, ev.job_id, types ? types : "");
    free(types);
    return 0;
}

static int send_lines(rd_kafka_t *p, const regen_opts *o)
{
    FILE *in = strcmp(o->file, "-") == 0 ? stdin : fopen(o->file, "r");
    if (in == NULL) {
        fprintf(stderr, "asset-worker regenerate: cannot read %s\n", o->file);
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    int failed = 0, n = 0;
    while (getline(&line, &cap, in) > 0) {
        n++;
        if (strspn(line, " \t\r\n") == strlen(line))
            continue;
        json_t *req = json_loads(line, 0, NULL);
        if (!json_is_object(req))
            fprintf(stderr, "asset-worker regenerate: line %d is not a JSON object\n", n);
        failed += !json_is_object(req) || send_one(p, o, req, n) != 0;
        json_decref(req);
    }
    free(line);
    if (in != stdin)
        fclose(in);
    return failed;
}

int aw_cli_regenerate(int argc, char **argv)
{
    regen_opts o;
    int rc = parse(&o, argc, argv);
    if (rc != AW_EXIT_OK)
        return rc;
    char errstr[256];
    rd_kafka_conf_t *conf = aw_kafka_conf(&o.svc, NULL, NULL, errstr, sizeof errstr);
    rd_kafka_t *p = conf ? rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr) : NULL;
    if (p == NULL) {
        fprintf(stderr, "asset-worker regenerate: %s\n", errstr);
        return AW_EXIT_INTERNAL;
    }
    int failed;
    if (o.file != NULL) {
        failed = send_lines(p, &o);
    } else {
        json_t *req = json_pack("{s:s,s:s}", "assetId", o.asset, "storageKey", o.key);
        if (o.job_id != NULL)
            json_object_set_new(req, "jobId", json_string(o.job_id));
        failed = send_one(p, &o, req, 1) != 0;
        json_decref(req);
    }
    if (rd_kafka_flush(p, 30000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "asset-worker regenerate: not every request was acknowledged\n");
        failed++;
    }
    rd_kafka_destroy(p);
    return failed ? AW_EXIT_JOB_FAILED : AW_EXIT_OK;
}
