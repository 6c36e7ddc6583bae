/* cli_tools.c — the small Kafka tools around the service:
 *   upload  put files into storage and publish asset.upload.confirmed for each
 *   events  follow asset.events and print them readably (or as JSON lines) */
#define _GNU_SOURCE
#include "cli.h"

#include "alloc.h"
#include "event.h"
#include "ids.h"
#include "kafka.h"
#include "media.h"
#include "storage.h"
#include "timeutil.h"

#include <getopt.h>
#include <glib.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct tool_opts {
    aw_service_config svc;
    const char *topic, *mime, *asset_id, *created_by, *asset_filter, *job_filter;
    int until;
    double timeout_ms;
    bool json;
} tool_opts;

enum {
    T_BROKERS = 256,
    T_STORAGE,
    T_TOPIC,
    T_MIME,
    T_ASSET,
    T_CREATED,
    T_SOURCE,
    T_JOB,
    T_UNTIL,
    T_TIMEOUT,
    T_JSON
};

static const struct option tool_options[] = {
    {"brokers", required_argument, NULL, T_BROKERS},
    {"storage", required_argument, NULL, T_STORAGE},
    {"topic", required_argument, NULL, T_TOPIC},
    {"mime", required_argument, NULL, T_MIME},
    {"asset-id", required_argument, NULL, T_ASSET},
    {"created-by", required_argument, NULL, T_CREATED},
    {"source", required_argument, NULL, T_SOURCE},
    {"asset", required_argument, NULL, T_ASSET},
    {"job", required_argument, NULL, T_JOB},
    {"until", required_argument, NULL, T_UNTIL},
    {"timeout", required_argument, NULL, T_TIMEOUT},
    {"json", no_argument, NULL, T_JSON},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void tools_usage(FILE *out)
{
    fputs("usage: asset-worker upload [options] FILE...\n"
          "       asset-worker events [options]\n"
          "\n"
          "upload: stores each FILE at uploads/ASSET_ID/NAME and publishes\n"
          "asset.upload.confirmed for it; prints 'ASSET_ID JOB_ID STORAGE_KEY TIME ACKED' per\n"
          "file once the broker acknowledged its event (TIME: the event's ce_time; ACKED: when\n"
          "the broker acknowledged it).\n"
          "  --brokers LIST    [AW_BROKERS]       --storage URL   [AW_STORAGE]\n"
          "  --topic T         (default: asset.uploads)\n"
          "  --mime TYPE       (default: from the extension)\n"
          "  --asset-id ID     (default: file name without extension; one FILE only)\n"
          "  --created-by U    (default: cli)       --source URI (default: asset-worker-cli)\n"
          "events: prints asset.events as they arrive, from the beginning.\n"
          "  --brokers LIST    [AW_BROKERS]       --topic T (default: asset.events)\n"
          "  --asset ID / --job ID   only this asset / job\n"
          "  --until N         exit 0 after N distinct asset.job.completed events\n"
          "  --timeout SEC     exit 1 if --until is not reached in time (default: 300)\n"
          "  --json            one JSON object per line: {type, id, time, received, data}\n",
          out);
}

static int parse_tool(tool_opts *o, int argc, char **argv, const char *default_topic)
{
    memset(o, 0, sizeof *o);
    aw_service_config_defaults(&o->svc);
    o->svc.brokers = getenv("AW_BROKERS");
    o->svc.storage_url = getenv("AW_STORAGE");
    o->svc.source = "asset-worker-cli";
    o->topic = default_topic, o->created_by = "cli", o->timeout_ms = 300000;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", tool_options, NULL)) != -1) {
        switch (c) {
        case 'h': tools_usage(stdout); exit(AW_EXIT_OK);
        case T_BROKERS: o->svc.brokers = optarg; break;
        case T_STORAGE: o->svc.storage_url = optarg; break;
        case T_TOPIC: o->topic = optarg; break;
        case T_MIME: o->mime = optarg; break;
        case T_ASSET: o->asset_id = o->asset_filter = optarg; break;
        case T_CREATED: o->created_by = optarg; break;
        case T_SOURCE: o->svc.source = optarg; break;
        case T_JOB: o->job_filter = optarg; break;
        case T_UNTIL: o->until = atoi(optarg); break;
        case T_TIMEOUT: o->timeout_ms = atof(optarg) * 1000; break;
        case T_JSON: o->json = true; break;
        default: tools_usage(stderr); return AW_EXIT_USAGE;
        }
    }
    if (o->svc.brokers == NULL) {
        fprintf(stderr, "asset-worker: needs --brokers (or AW_BROKERS)\n");
        return AW_EXIT_USAGE;
    }
    return AW_EXIT_OK;
}

/* ---- upload ----------------------------------------------------------- */

/* One uploaded file's output line: ASSET_ID JOB_ID STORAGE_KEY TIME, and the
 * time the broker acknowledged the event ("" until then). */
typedef struct upload_line {
    char text[1400];
    char acked[40];
} upload_line;

static void on_delivered(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk, (void)opaque;
    upload_line *line = m->_private;
    if (line != NULL && m->err == RD_KAFKA_RESP_ERR_NO_ERROR)
        aw_time_iso8601(line->acked, sizeof line->acked);
}

static int publish_upload(rd_kafka_t *p, const tool_opts *o, upload_line *line, const char *asset,
                          const char *key, const char *mime, long long size, const char *title)
{
    char id[33], trace[56];
    aw_event_new_trace(id, trace);
    json_t *data = json_pack("{s:s,s:s,s:s,s:I,s:s,s:s}", "assetId", asset, "storageKey", key,
                             "mimeType", mime, "fileSize", size, "title", title, "createdBy",
                             o->created_by);
    char now[40];
    aw_time_iso8601(now, sizeof now); /* within a millisecond of the event's ce_time */
    int err = aw_kafka_publish(p, o->topic, asset, AW_TYPE_UPLOAD, id, o->svc.source, trace, data,
                               line);
    json_decref(data);
    const char *parts[] = {o->svc.source, id};
    char hash[33];
    aw_event_hash(hash, parts, 2);
    snprintf(line->text, sizeof line->text, "%s job-%s %s %s", asset, hash, key, now);
    return err;
}

static int upload_one(rd_kafka_t *p, aw_storage *st, const tool_opts *o, upload_line *line,
                      const char *file)
{
    char base[512], asset[130], key[1100];
    snprintf(base, sizeof base, "%s", strrchr(file, '/') ? strrchr(file, '/') + 1 : file);
    if (o->asset_id != NULL && !aw_id_valid(o->asset_id)) {
        fprintf(stderr, "asset-worker upload: --asset-id must be 1-128 of [A-Za-z0-9._-]\n");
        return -1;
    }
    if (o->asset_id != NULL)
        snprintf(asset, sizeof asset, "%s", o->asset_id);
    else
        aw_id_from_name(file, asset, sizeof asset);
    const aw_media_type *t = aw_media_by_extension(file);
    const char *mime = o->mime ? o->mime : t ? t->mime : "application/octet-stream";
    struct stat sb;
    aw_error err;
    snprintf(key, sizeof key, "uploads/%s/%s", asset, base);
    if (stat(file, &sb) != 0 || aw_storage_put(st, key, file, mime, &err) != AW_OK) {
        fprintf(stderr, "asset-worker upload: cannot store %s\n", file);
        return -1;
    }
    return publish_upload(p, o, line, asset, key, mime, (long long)sb.st_size, base);
}

int aw_cli_upload(int argc, char **argv)
{
    tool_opts o;
    int rc = parse_tool(&o, argc, argv, "asset.uploads");
    if (rc != AW_EXIT_OK)
        return rc;
    aw_error err;
    aw_storage *st = aw_storage_open(o.svc.storage_url, &err);
    if (st == NULL || optind >= argc) {
        fprintf(stderr, "asset-worker upload: %s\n", st ? "no FILE given" : err.message);
        aw_storage_close(st);
        return AW_EXIT_USAGE;
    }
    char errstr[256];
    rd_kafka_conf_t *conf = aw_kafka_conf(&o.svc, NULL, NULL, errstr, sizeof errstr);
    if (conf != NULL)
        rd_kafka_conf_set_dr_msg_cb(conf, on_delivered);
    rd_kafka_t *p = conf ? rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr) : NULL;
    if (p == NULL) {
        fprintf(stderr, "asset-worker upload: %s\n", errstr);
        aw_storage_close(st);
        return AW_EXIT_INTERNAL;
    }
    upload_line *lines = aw_xcalloc((size_t)(argc - optind), sizeof *lines);
    int failed = 0;
    for (int i = optind; i < argc; i++)
        failed += upload_one(p, st, &o, &lines[i - optind], argv[i]) != 0;
    rd_kafka_flush(p, 30000);
    for (int i = 0; i < argc - optind; i++) {
        if (lines[i].acked[0] != '\0')
            printf("%s %s\n", lines[i].text, lines[i].acked);
        else if (lines[i].text[0] != '\0' && ++failed)
            fprintf(stderr, "asset-worker upload: %s: not acknowledged by the broker\n",
                    lines[i].text);
    }
    free(lines);
    rd_kafka_destroy(p);
    aw_storage_close(st);
    return failed ? AW_EXIT_JOB_FAILED : AW_EXIT_OK;
}

/* ---- events ----------------------------------------------------------- */

static void print_readable(const char *type, const char *time, json_t *d)
{
    const char *short_type = strcmp(type, AW_TYPE_SCAN) == 0        ? "scan"
                             : strcmp(type, AW_TYPE_PROGRESS) == 0  ? "progress"
                             : strcmp(type, AW_TYPE_COMPLETED) == 0 ? "status"
                                                                    : type;
    printf("%s  %-24s %-20.20s %-9s ", time + 11, json_string_value(json_object_get(d, "assetId")),
           json_string_value(json_object_get(d, "jobId")), short_type);
    if (strcmp(type, AW_TYPE_PROGRESS) == 0)
        printf("%s %lld%%", json_string_value(json_object_get(d, "stage")),
               (long long)json_integer_value(json_object_get(d, "progress")));
    else if (strcmp(type, AW_TYPE_SCAN) == 0)
        printf("%s %s", json_string_value(json_object_get(d, "scanStatus")),
               json_string_value(json_object_get(d, "signature")) ?: "");
    else {
        printf("%s", json_string_value(json_object_get(d, "status")));
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(d, "errors"), i, e)
            printf("  %s (%s)", json_string_value(json_object_get(e, "code")),
                   json_string_value(json_object_get(e, "reason")));
    }
    putchar('\n');
}

static bool wanted(const tool_opts *o, json_t *d)
{
    const char *a = json_string_value(json_object_get(d, "assetId"));
    const char *j = json_string_value(json_object_get(d, "jobId"));
    return (o->asset_filter == NULL || (a && strcmp(a, o->asset_filter) == 0)) &&
           (o->job_filter == NULL || (j && strcmp(j, o->job_filter) == 0));
}

/* Prints one event; 1 when it is a new job.completed. */
static int show(const tool_opts *o, const rd_kafka_message_t *m, GHashTable *seen)
{
    char type[256], id[256], time[256];
    aw_kafka_header(m, "ce_type", type), aw_kafka_header(m, "ce_id", id);
    aw_kafka_header(m, "ce_time", time);
    json_t *d = json_loadb(m->payload, m->len, 0, NULL);
    int completed = 0;
    if (d != NULL && wanted(o, d) && !g_hash_table_contains(seen, id)) {
        g_hash_table_add(seen, g_strdup(id));
        if (o->json) {
            char received[40];
            aw_time_iso8601(received, sizeof received);
            json_t *line = json_pack("{s:s,s:s,s:s,s:s,s:O}", "type", type, "id", id, "time", time,
                                     "received", received, "data", d);
            char *text = json_dumps(line, JSON_COMPACT);
            puts(text);
            free(text), json_decref(line);
        } else {
            print_readable(type, strlen(time) > 11 ? time : "           ?", d);
        }
        completed = strcmp(type, AW_TYPE_COMPLETED) == 0;
        fflush(stdout);
    }
    json_decref(d);
    return completed;
}

int aw_cli_events(int argc, char **argv)
{
    tool_opts o;
    int rc = parse_tool(&o, argc, argv, "asset.events");
    if (rc != AW_EXIT_OK)
        return rc;
    char group[64], errstr[256];
    snprintf(group, sizeof group, "asset-worker-events-%d", (int)getpid());
    const char *const fixed[] = {
        "group.id", group, "auto.offset.reset", "earliest", "enable.auto.commit", "false", NULL};
    rd_kafka_conf_t *conf = aw_kafka_conf(&o.svc, NULL, fixed, errstr, sizeof errstr);
    rd_kafka_t *c = conf ? rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr) : NULL;
    if (c == NULL) {
        fprintf(stderr, "asset-worker events: %s\n", errstr);
        return AW_EXIT_INTERNAL;
    }
    rd_kafka_poll_set_consumer(c);
    rd_kafka_topic_partition_list_t *t = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(t, o.topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(c, t);
    rd_kafka_topic_partition_list_destroy(t);
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    int done = 0;
    if (!o.json) {
        printf("%-13s  %-24s %-20s %-9s %s\n", "TIME", "ASSET", "JOB", "EVENT", "DETAIL");
        fflush(stdout);
    }
    double deadline = aw_time_mono_ms() + o.timeout_ms;
    while (o.until <= 0 || done < o.until) {
        if (o.until > 0 && aw_time_mono_ms() > deadline)
            break;
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 200);
        if (m != NULL && m->err == 0)
            done += show(&o, m, seen);
        if (m != NULL)
            rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);
    g_hash_table_destroy(seen);
    return (o.until > 0 && done < o.until) ? AW_EXIT_JOB_FAILED : AW_EXIT_OK;
}
