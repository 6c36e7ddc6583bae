/* executor.c — an executor: one request in, the sandbox, the pipeline,
 * progress and the result out. */
#define _GNU_SOURCE
#include "executor.h"

#include "fd_io.h"
#include "pipeline.h"
#include "sandbox.h"
#include "timeutil.h"
#ifdef AW_TEST_FAULTS
#include "test_faults.h"
#endif

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static int write_json_line(int fd, json_t *obj)
{
    char *text = json_dumps(obj, JSON_COMPACT | JSON_REAL_PRECISION(10));
    if (text == NULL)
        return -1;
    size_t n = strlen(text);
    text[n] = '\n'; /* replaces the NUL; length passed explicitly */
    int rc = aw_fd_write_all(fd, text, n + 1);
    free(text);
    return rc;
}

char *aw_exec_request_encode(const aw_exec_request *r)
{
    json_t *obj = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:i}", "jobId", r->job_id, "assetId",
                            r->asset_id, "mime", r->mime ? r->mime : "", "input", r->input,
                            "output", r->output, "scratch", r->scratch, "stages", (int)r->stages);
    char *text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
    json_decref(obj);
    return text;
}

/* Resident set size of this process now, in KiB (0 if /proc is closed). */
static long rss_now_kib(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f != NULL && fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = 0;
    if (f != NULL)
        fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Peak resident set size of this process, in KiB. It counts the pages the
 * executor shares with its zygote (libraries, the ClamAV engine) from the
 * moment it is forked. */
static long rss_peak_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void send_progress(void *ctx, const char *stage, int percent)
{
    json_t *msg = json_pack("{s:{s:s,s:i}}", "progress", "stage", stage, "percent", percent);
    if (msg != NULL)
        write_json_line(*(int *)ctx, msg);
    json_decref(msg);
}

/* The settings an executor works under, copied into the zygote. */
typedef struct exec_settings {
    const aw_config *cfg;
    aw_sandbox_config sandbox;
} exec_settings;

/* What the executor had used before the job started. */
typedef struct usage_before {
    double cpu_ms;
    long rss_kib;
} usage_before;

static void send_result(int fd, aw_result *r, const aw_job *job, const usage_before *before)
{
    json_t *data = aw_result_to_json(r, job);
    json_object_set_new(data, "cpuMs", json_real(aw_time_cpu_ms() - before->cpu_ms));
    json_object_set_new(data, "rssAtStartKiB", json_integer(before->rss_kib));
    json_object_set_new(data, "peakRssKiB", json_integer(rss_peak_kib()));
    json_t *msg = json_pack("{s:o}", "result", data);
    if (msg == NULL || write_json_line(fd, msg) != 0)
        _exit(5);
    json_decref(msg);
}

/* Gives up what the job must not have (sandbox.h); 0 when the job may run. */
static int enter_sandbox(const exec_settings *s, const char *input, const char *output,
                         const char *scratch, aw_result *r)
{
    setenv("TMPDIR", scratch, 1); /* ClamAV's and libvips's temporary files */
    if (!s->sandbox.enabled)
        return 0;
    aw_error err;
    bool confined;
    aw_sandbox_paths paths = {input, output, scratch};
    if (aw_sandbox_enter(&s->sandbox, &paths, &confined, &err) == AW_OK)
        return 0;
    r->status = AW_JOB_FAILED;
    aw_result_add_error(r, "sandbox", &err);
    return -1;
}

static void execute_request(int fd, const exec_settings *s, const char *line)
{
    json_t *req = json_loads(line, 0, NULL);
    aw_job job = {
        .job_id = json_string_value(json_object_get(req, "jobId")),
        .asset_id = json_string_value(json_object_get(req, "assetId")),
        .declared_mime = json_string_value(json_object_get(req, "mime")),
        .stages = (unsigned)json_integer_value(json_object_get(req, "stages")),
        .on_progress = send_progress,
        .progress_ctx = &fd,
    };
    const char *input = json_string_value(json_object_get(req, "input"));
    const char *output = json_string_value(json_object_get(req, "output"));
    const char *scratch = json_string_value(json_object_get(req, "scratch"));
    if (job.job_id == NULL || job.asset_id == NULL || input == NULL || output == NULL ||
        scratch == NULL)
        _exit(2); /* the supervisor sent junk: a bug, not a job outcome */
    aw_result r;
    usage_before before = {aw_time_cpu_ms(), rss_now_kib()};
    if (aw_result_init(&r) != AW_OK)
        _exit(4);
    if (enter_sandbox(s, input, output, scratch, &r) != 0) {
        send_result(fd, &r, &job, &before);
        return;
    }
#ifdef AW_TEST_FAULTS
    if (aw_test_fault(job.asset_id, fd, &r)) {
        send_result(fd, &r, &job, &before);
        return;
    }
#endif
    aw_result_free(&r);
    if (aw_pipeline_run(&job, s->cfg, input, output, &r) != AW_OK)
        _exit(4); /* out of memory: the supervisor reports it and retries */
    send_result(fd, &r, &job, &before);
    /* no cleanup: the process ends with the job */
}

/* One job, then exit: nothing a file did to this process reaches the next
 * job, and the per-job limits are per process. */
void aw_executor_main(int fd, const aw_config *cfg, const aw_sandbox_config *sandbox)
{
    exec_settings s = {cfg, *sandbox};
    FILE *in = fdopen(dup(fd), "r");
    char *line = NULL;
    size_t cap = 0;
    if (in != NULL && getline(&line, &cap, in) > 0)
        execute_request(fd, &s, line);
    _exit(0);
}
