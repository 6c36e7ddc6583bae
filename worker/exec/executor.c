/* executor.c — an executor: the sandbox once, then request lines in, the
 * pipeline, progress and a result line out per job, for as long as each job
 * leaves the process clean (hygiene.h) and its job count lasts. */
#define _GNU_SOURCE
#include "executor.h"

#include "fd_io.h"
#include "hygiene.h"
#include "log.h"
#include "office_render.h"
#include "pipeline.h"
#include "procfs.h"
#include "scan.h"
#include "sandbox.h"
#include "setup_clock.h"
#include "timeutil.h"
#ifdef AW_TEST_FAULTS
#include "test_faults.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

char *aw_exec_request_encode(const aw_exec_request *r, const char *dir)
{
    char input[PATH_MAX + 16], output[PATH_MAX + 16], scratch[PATH_MAX + 16];
    snprintf(input, sizeof input, "%s/source", dir);
    snprintf(output, sizeof output, "%s/out", dir);
    snprintf(scratch, sizeof scratch, "%s/tmp", dir);
    json_t *obj = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:i}", "jobId", r->job_id, "assetId",
                            r->asset_id, "mime", r->mime ? r->mime : "", "input", input, "output",
                            output, "scratch", scratch, "stages", (int)r->stages);
    char *text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
    json_decref(obj);
    return text;
}

static void send_progress(void *ctx, const char *stage, int percent)
{
    json_t *msg = json_pack("{s:{s:s,s:i}}", "progress", "stage", stage, "percent", percent);
    if (msg != NULL)
        write_json_line(*(int *)ctx, msg);
    json_decref(msg);
}

/* An executor's lasting state, from the fork to its exit. */
typedef struct executor_state {
    int fd; /* the socket to the supervisor */
    const aw_config *cfg;
    aw_sandbox_config sandbox;
    const char *workdir;
    aw_error sandbox_failure; /* set when the sandbox could not be entered */
    int clear_refs;           /* /proc/self/clear_refs, opened before the sandbox */
    unsigned served;          /* jobs so far, this one included */
    aw_hygiene hygiene;
} executor_state;

/* What the executor had used before the job started. */
typedef struct usage_before {
    double cpu_ms;
    double setup_cpu_ms; /* aw_setup_cpu_ms(): libraries loaded, stages set up */
    double scan_cpu_ms;  /* aw_scan_remote_cpu_ms(): what its scan process spent */
    long rss_kib;
} usage_before;

/* May this process serve another job after this one? Only after a clean
 * completion, within its job count, with nothing of the job left. */
static bool fit_for_another(executor_state *x, const aw_result *r)
{
    char why[160] = "";
    if (r->status != AW_JOB_COMPLETED || json_array_size(r->errors) > 0 ||
        x->served >= x->sandbox.jobs)
        return false;
    if (aw_hygiene_after_job(&x->hygiene, why, sizeof why))
        return true;
    aw_log_info("executor retires after its job %u: %s", x->served, why);
    return false;
}

/* The result line: {"result":{…},"reusable":bool}; the result is freed. */
static bool send_result(executor_state *x, aw_result *r, const aw_job *job,
                        const usage_before *before)
{
    json_t *data = aw_result_to_json(r, job);
    double scan_cpu_ms = aw_scan_remote_cpu_ms() - before->scan_cpu_ms;
    json_object_set_new(data, "cpuMs", json_real(aw_time_cpu_ms() - before->cpu_ms + scan_cpu_ms));
    json_object_set_new(data, "setupCpuMs", json_real(aw_setup_cpu_ms() - before->setup_cpu_ms));
    json_object_set_new(data, "rssAtStartKiB", json_integer(before->rss_kib));
    json_object_set_new(data, "peakRssKiB", json_integer(aw_proc_peak_rss_kib()));
    long scan_peak = aw_scan_remote_peak_kib();
    if (scan_peak > 0)
        json_object_set_new(data, "scanPeakRssKiB", json_integer(scan_peak));
    bool reusable = fit_for_another(x, r);
    aw_result_free(r);
    json_t *msg = json_pack("{s:o,s:b}", "result", data, "reusable", reusable);
    if (msg == NULL || write_json_line(x->fd, msg) != 0)
        _exit(5);
    json_decref(msg);
    return reusable;
}

/* Gives up what no job may have (sandbox.h), once, before the first job. */
static void enter_sandbox(executor_state *x)
{
    aw_error_clear(&x->sandbox_failure);
    x->clear_refs = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
    if (!x->sandbox.enabled)
        return;
    bool confined;
    aw_sandbox_paths paths = {.workdir = x->workdir};
    aw_sandbox_enter(&x->sandbox, &paths, &confined, &x->sandbox_failure);
}

/* The job's memory peak starts from what the executor holds now. */
static void reset_peak(const executor_state *x)
{
    if (x->clear_refs >= 0 && pwrite(x->clear_refs, "5", 1, 0) != 1)
        aw_log(AW_LOG_DEBUG, NULL, "clear_refs: %s", strerror(errno));
}

/* Runs one request; true when the executor may take another. */
static bool execute_request(executor_state *x, const char *line)
{
    json_t *req = json_loads(line, 0, NULL);
    aw_job job = {
        .job_id = json_string_value(json_object_get(req, "jobId")),
        .asset_id = json_string_value(json_object_get(req, "assetId")),
        .declared_mime = json_string_value(json_object_get(req, "mime")),
        .stages = (unsigned)json_integer_value(json_object_get(req, "stages")),
        .on_progress = send_progress,
        .progress_ctx = &x->fd,
    };
    const char *input = json_string_value(json_object_get(req, "input"));
    const char *output = json_string_value(json_object_get(req, "output"));
    const char *scratch = json_string_value(json_object_get(req, "scratch"));
    if (job.job_id == NULL || job.asset_id == NULL || input == NULL || output == NULL ||
        scratch == NULL)
        _exit(2);                 /* the supervisor sent junk: a bug, not a job outcome */
    setenv("TMPDIR", scratch, 1); /* ClamAV's and libvips's temporary files */
    reset_peak(x);
    aw_result r;
    usage_before before = {aw_time_cpu_ms(), aw_setup_cpu_ms(), aw_scan_remote_cpu_ms(),
                           aw_proc_rss_kib()};
    if (aw_result_init(&r) != AW_OK)
        _exit(4);
    if (x->sandbox_failure.code != AW_CODE_NONE) {
        r.status = AW_JOB_FAILED;
        aw_result_add_error(&r, "sandbox", &x->sandbox_failure);
    }
#ifdef AW_TEST_FAULTS
    else if (aw_test_fault(job.asset_id, input, x->fd, x->served, &r))
        (void)0;
#endif
    else {
        aw_result_free(&r);
        if (aw_pipeline_run(&job, x->cfg, input, output, &r) != AW_OK)
            _exit(4); /* out of memory: the supervisor reports it and retries */
    }
    bool again = send_result(x, &r, &job, &before);
    json_decref(req);
    return again;
}

/* Jobs one at a time, until one leaves the process unfit for another, the
 * job count is reached or the supervisor closes the socket (hygiene.h). */
void aw_executor_main(int fd, const aw_config *cfg, const aw_sandbox_config *sandbox,
                      const char *workdir)
{
    aw_hygiene_prepare_malloc();
    executor_state x = {.fd = fd, .cfg = cfg, .sandbox = *sandbox, .workdir = workdir};
    FILE *in = fdopen(dup(fd), "r");
    aw_office_render_connect(getenv("AW_OFFICE_SOCKET")); /* sockets end with the sandbox */
    enter_sandbox(&x);
    aw_hygiene_baseline(&x.hygiene);
    char *line = NULL;
    size_t cap = 0;
    while (in != NULL && getline(&line, &cap, in) > 0) {
        x.served++;
        if (!execute_request(&x, line))
            break;
    }
    _exit(0); /* no cleanup: nothing of the process outlives it */
}
