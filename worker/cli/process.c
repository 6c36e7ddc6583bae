/* cli_process.c — `asset-worker process FILE`: one file through the whole
 * pipeline, outputs and job.json on disk, no Kafka, no storage. */
#define _GNU_SOURCE
#include "cli.h"

#include "config.h"
#include "ids.h"
#include "media.h"
#include "office_render.h"
#include "office_service.h"
#include "option_parse.h"
#include "pipeline_options.h"
#include "pipeline.h"
#include "summary.h"
#include "setup_clock.h"
#include "timeutil.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct process_opts {
    const char *input;
    const char *out_dir;
    const char *mime;
    const char *asset_id;
    const char *job_id;
    unsigned stages;
    bool json;
    aw_config cfg;
} process_opts;

void aw_cli_process_usage(FILE *out)
{
    fputs("usage: asset-worker process FILE [options]\n"
          "\n"
          "Runs one file through the pipeline (sniff, scan, metadata, thumbnail, ...)\n"
          "and writes the outputs and job.json (the asset.job.completed data) into\n"
          "the output directory. Exit status: 0 completed or partial, 1 failed,\n"
          "2 usage error, 3 set-up error. An Office file's first page is rendered\n"
          "by an office process (LibreOfficeKit) started for it, if LibreOffice is\n"
          "installed and AW_OFFICE is not off; else its embedded thumbnail is used.\n"
          "\n"
          "options:\n"
          "  --out DIR              output directory (default: ./out/ASSET_ID)\n"
          "  --mime TYPE            declared MIME type (default: from the file\n"
          "                         extension, else from the content)\n"
          "  --asset-id ID          asset id; names keys derived/ID/... (default: file\n"
          "                         name without extension, [A-Za-z0-9._-])\n"
          "  --job-id ID            job id (default: process-ASSET_ID)\n"
          "  --stages LIST          comma list of scan,metadata,thumbnail,preview,\n"
          "                         waveform or all (default: all; sniff always runs)\n"
          "  --json                 print job.json instead of the summary\n",
          out);
    aw_pipeline_options_usage(out);
    fputs("  -h, --help             this text\n", out);
}

enum { OPT_OUT = 256, OPT_MIME, OPT_ASSET, OPT_JOB, OPT_STAGES, OPT_JSON };

static const struct option process_options[] = {
    {"out", required_argument, NULL, OPT_OUT},
    {"mime", required_argument, NULL, OPT_MIME},
    {"asset-id", required_argument, NULL, OPT_ASSET},
    {"job-id", required_argument, NULL, OPT_JOB},
    {"stages", required_argument, NULL, OPT_STAGES},
    {"json", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "asset-worker process: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(see asset-worker process --help)\n");
    return AW_EXIT_USAGE;
}

/* Applies one option; AW_EXIT_OK or AW_EXIT_USAGE. */
static int apply_option(process_opts *o, int c, const char *arg)
{
    aw_error err;
    switch (c) {
    case OPT_OUT: o->out_dir = arg; break;
    case OPT_MIME: o->mime = arg; break;
    case OPT_ASSET: o->asset_id = arg; break;
    case OPT_JOB: o->job_id = arg; break;
    case OPT_JSON: o->json = true; break;
    case OPT_STAGES:
        if (aw_stage_mask_parse(arg, &o->stages, &err) != AW_OK)
            return usage_error("%s", err.message);
        break;
    default:
        if (aw_pipeline_option(&o->cfg, c, arg, "process") != 0)
            return AW_EXIT_USAGE;
    }
    return AW_EXIT_OK;
}

static int parse_options(process_opts *o, int argc, char **argv)
{
    struct option all[64];
    aw_options_join(all, 64, process_options, aw_pipeline_long_options);
    aw_config_defaults(&o->cfg);
    if (aw_pipeline_options_from_env(&o->cfg, "process") != 0)
        return AW_EXIT_USAGE;
    o->stages = AW_STAGES_ALL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", all, NULL)) != -1) {
        if (c == 'h') {
            aw_cli_process_usage(stdout);
            exit(AW_EXIT_OK);
        }
        if (c == '?' || apply_option(o, c, optarg) != AW_EXIT_OK)
            return AW_EXIT_USAGE;
    }
    if (optind != argc - 1)
        return usage_error("%s", "needs exactly one FILE");
    o->input = argv[optind];
    return AW_EXIT_OK;
}

/* mkdir -p */
static int make_dirs(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return (mkdir(buf, 0755) != 0 && errno != EEXIST) ? -1 : 0;
}

static int write_job_json(const char *out_dir, json_t *data)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/job.json", out_dir);
    return json_dump_file(data, path, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
}

/* An Office file's page comes from an office process of this command's
 * own, started when the first document needs it (office_render.h). */
static const char *start_office(void *arg)
{
    aw_office **office = arg;
    const char *setting = getenv("AW_OFFICE");
    if (setting != NULL && strcmp(setting, "off") == 0)
        return NULL;
    *office = aw_office_start_private();
    return *office != NULL ? aw_office_socket_path(*office) : NULL;
}

static int run_job(const process_opts *o, const aw_job *job, const char *out_dir)
{
    aw_result result;
    aw_office *office = NULL;
    aw_office_render_on_demand(start_office, &office);
    double cpu_before = aw_time_cpu_ms(), setup_before = aw_setup_cpu_ms();
    int ran = aw_pipeline_run(job, &o->cfg, o->input, out_dir, &result);
    aw_office_stop(office);
    if (ran != AW_OK) {
        fprintf(stderr, "asset-worker process: out of memory\n");
        return AW_EXIT_INTERNAL;
    }
    json_t *data = aw_result_to_json(&result, job);
    if (data != NULL) { /* the pipeline's own CPU, as an executor reports it, */
        json_object_set_new(data, "cpuMs", json_real(aw_time_cpu_ms() - cpu_before));
        /* and the part of it an executor pays only on its first such job */
        json_object_set_new(data, "setupCpuMs", json_real(aw_setup_cpu_ms() - setup_before));
    }
    int written = data ? write_job_json(out_dir, data) : -1;
    if (o->json && data != NULL)
        json_dumpf(data, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10)), fputc('\n', stdout);
    else
        aw_summary_print(stdout, o->input, out_dir, &result);
    int rc = result.status == AW_JOB_FAILED ? AW_EXIT_JOB_FAILED : AW_EXIT_OK;
    if (written != 0) {
        fprintf(stderr, "asset-worker process: cannot write %s/job.json\n", out_dir);
        rc = AW_EXIT_INTERNAL;
    }
    json_decref(data);
    aw_result_free(&result);
    return rc;
}

static const char *declared_mime(const process_opts *o)
{
    if (o->mime != NULL)
        return o->mime;
    const aw_media_type *by_ext = aw_media_by_extension(o->input);
    return by_ext ? by_ext->mime : NULL;
}

int aw_cli_process(int argc, char **argv)
{
    process_opts o = {0};
    int rc = parse_options(&o, argc, argv);
    if (rc != AW_EXIT_OK)
        return rc;
    char asset_id[160], job_id[200], out_dir[4096];
    aw_id_from_name(o.input, asset_id, sizeof asset_id);
    if (o.asset_id != NULL && !aw_id_valid(o.asset_id))
        return usage_error("--asset-id '%s' must be 1-128 of [A-Za-z0-9._-]", o.asset_id);
    if (o.job_id != NULL && !aw_id_valid(o.job_id))
        return usage_error("--job-id '%s' must be 1-128 of [A-Za-z0-9._-]", o.job_id);
    const char *aid = o.asset_id ? o.asset_id : asset_id;
    snprintf(job_id, sizeof job_id, "process-%s", aid);
    snprintf(out_dir, sizeof out_dir, "%s", o.out_dir ? o.out_dir : "out");
    if (o.out_dir == NULL)
        snprintf(out_dir, sizeof out_dir, "out/%s", aid);
    if (make_dirs(out_dir) != 0) {
        fprintf(stderr, "asset-worker process: cannot create %s: %s\n", out_dir, strerror(errno));
        return AW_EXIT_INTERNAL;
    }
    aw_error err;
    aw_error_clear(&err);
    if (aw_pipeline_init(&o.cfg, &err) != AW_OK) {
        fprintf(stderr, "asset-worker process: set-up failed: %s\n", err.message);
        return AW_EXIT_INTERNAL;
    }
    aw_job job = {.job_id = o.job_id ? o.job_id : job_id,
                  .asset_id = aid,
                  .declared_mime = declared_mime(&o),
                  .stages = o.stages};
    rc = run_job(&o, &job, out_dir);
    aw_pipeline_shutdown();
    return rc;
}
