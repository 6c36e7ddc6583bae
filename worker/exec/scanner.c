/* scanner.c — the scanner process, its scan processes, and the zygote's
 * handle on them (scanner.h). */
#define _GNU_SOURCE
#include "scanner.h"

#include "alloc.h"
#include "crash_signals.h"
#include "fd_pass.h"
#include "log.h"
#include "procfs.h"
#include "sandbox.h"
#include "scan.h"
#include "timeutil.h"

#include <clamav.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

struct aw_scanner {
    const aw_service_config *cfg;
    pid_t pid;
    int ctl; /* the scanner's report in, executors' connections out */
};

/* What the scanner says once its engine is loaded, or why it cannot scan. */
typedef struct engine_report {
    aw_scan_engine engine;
    bool failed; /* libclamav itself did not start: the zygote cannot work */
    char why[512];
} engine_report;

static void die_with(pid_t parent, const char *name)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(0); /* the parent went before the line above */
    prctl(PR_SET_NAME, name);
}

/* ---- a scan process: one executor's scans ------------------------------- */

/* libclamav ends a scan at --scan-max-ms itself; this is the hard stop
 * behind it, for a scan stuck where libclamav does not look at the clock. */
static unsigned backstop_seconds(const aw_config *cfg)
{
    return 2 * (cfg->limits.scan_max_ms / 1000) + 10;
}

static void scan_one(int fd, const char *tmpdir, const aw_config *cfg, int clear_refs,
                     aw_scan_verdict *v)
{
    if (tmpdir[0] != '\0')
        setenv("TMPDIR", tmpdir, 1); /* the job's scratch, in the executor's directory */
    if (clear_refs >= 0 && pwrite(clear_refs, "5", 1, 0) != 1)
        clear_refs = -1;
    alarm(backstop_seconds(cfg));
    double cpu = aw_time_cpu_ms();
    aw_scan_descriptor(fd, cfg, v);
    v->cpu_ms = aw_time_cpu_ms() - cpu;
    alarm(0);
    v->peak_rss_kib = clear_refs >= 0 ? aw_proc_peak_rss_kib() : 0;
}

static void refuse(aw_scan_verdict *v, int rc, const char *why)
{
    memset(v, 0, sizeof *v);
    v->rc = rc;
    snprintf(v->message, sizeof v->message, "%s", why);
}

/* Enters the executor's sandbox, then answers its scans until it closes
 * the connection. */
static void serve_executor(int conn, const aw_service_config *cfg, const char *workdir)
{
    aw_die_on_crash_signals(); /* a scan that crashes libclamav ends here, at once */
    int clear_refs = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
    aw_error failure;
    aw_error_clear(&failure);
    bool confined;
    aw_sandbox_paths paths = {.workdir = workdir};
    if (cfg->sandbox.enabled)
        aw_sandbox_enter(&cfg->sandbox, &paths, &confined, &failure);
    for (;;) {
        char tmpdir[PATH_MAX];
        int fd = -1;
        if (aw_fd_recv(conn, tmpdir, sizeof tmpdir, &fd) <= 0)
            break;
        aw_scan_verdict v;
        if (failure.code != AW_CODE_NONE)
            refuse(&v, CL_EARG, failure.message);
        else if (fd < 0)
            refuse(&v, CL_EOPEN, "ClamAV: no file came with the request");
        else
            scan_one(fd, tmpdir, &cfg->pipeline, clear_refs, &v);
        if (fd >= 0)
            close(fd);
        if (aw_fd_send(conn, &v, sizeof v, -1) != 0)
            break;
    }
    _exit(0);
}

/* ---- the scanner process -------------------------------------------------- */

static void report_engine(int ctl, const aw_service_config *cfg)
{
    engine_report r;
    memset(&r, 0, sizeof r);
    aw_error err;
    aw_error_clear(&err);
    if (aw_scan_engine_load(&cfg->pipeline, &err) != AW_OK) {
        r.failed = true;
        snprintf(r.why, sizeof r.why, "%s", err.message);
    }
    aw_pipeline_scan_engine(&r.engine);
    if (aw_fd_send(ctl, &r, sizeof r, -1) != 0)
        _exit(0); /* the zygote is gone */
}

/* Scan processes are reaped here, not by the kernel (SIGCHLD ignored):
 * so their CPU time adds up in the scanner's, as executors' do in the
 * zygote's, for whoever measures the pod. */
static void reap_scan_processes(void)
{
    while (waitpid(-1, NULL, WNOHANG) > 0)
        continue;
}

static void scanner_main(int ctl, const aw_service_config *cfg, pid_t zygote)
{
    die_with(zygote, "aw-scanner");
    signal(SIGCHLD, SIG_DFL);
    report_engine(ctl, cfg);
    for (;;) {
        char workdir[PATH_MAX];
        int conn = -1;
        struct pollfd p = {.fd = ctl, .events = POLLIN};
        int ready = poll(&p, 1, 1000);
        reap_scan_processes();
        if (ready <= 0)
            continue;
        ssize_t n = aw_fd_recv(ctl, workdir, sizeof workdir, &conn);
        if (n <= 0)
            break; /* the zygote is gone */
        if (conn < 0)
            continue;
        pid_t scanner = getpid(), pid = fork();
        if (pid == 0) {
            close(ctl);
            die_with(scanner, "aw-scan");
            serve_executor(conn, cfg, workdir);
        }
        if (pid < 0)
            aw_log_error("scanner: fork: %s; that executor's jobs are retried", strerror(errno));
        close(conn);
    }
    _exit(0); /* scan processes follow: their parent-death signal is SIGKILL */
}

/* ---- the zygote's handle ------------------------------------------------- */

/* Every descriptor from 3 up closed but keep: the scanner and its scan
 * processes hold nothing of the zygote's (its sockets to the supervisor). */
static void close_all_but(int keep)
{
    if (keep > 3)
        close_range(3, (unsigned)keep - 1, 0);
    close_range((unsigned)keep + 1, ~0U, 0);
}

static int launch(aw_scanner *s)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        return -1;
    pid_t zygote = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        close_all_but(sv[1]);
        scanner_main(sv[1], s->cfg, zygote);
    }
    close(sv[1]);
    if (pid < 0) {
        close(sv[0]);
        return -1;
    }
    s->pid = pid, s->ctl = sv[0];
    return 0;
}

aw_scanner *aw_scanner_start(const aw_service_config *cfg)
{
    aw_scanner *s = aw_xcalloc(1, sizeof *s);
    s->cfg = cfg, s->ctl = -1;
    if (launch(s) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

int aw_scanner_wait_engine(aw_scanner *s, aw_scan_engine *out, aw_error *err)
{
    char buf[sizeof(engine_report) + 1];
    int none = -1;
    ssize_t n = aw_fd_recv(s->ctl, buf, sizeof buf, &none);
    if (none >= 0)
        close(none);
    if (n != (ssize_t)sizeof(engine_report))
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "scanner",
                            "the scanner process ended while loading the ClamAV database");
    engine_report r;
    memcpy(&r, buf, sizeof r);
    if (r.failed)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "clamav_init", "%s", r.why);
    *out = r.engine;
    return AW_OK;
}

int aw_scanner_connect(aw_scanner *s, const char *workdir)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        return -1;
    int rc = aw_fd_send(s->ctl, workdir, strlen(workdir), sv[1]);
    close(sv[1]);
    if (rc != 0) {
        close(sv[0]);
        return -1;
    }
    return sv[0];
}

void aw_scanner_forget(aw_scanner *s)
{
    if (s != NULL)
        close(s->ctl);
}

bool aw_scanner_reaped(aw_scanner *s, pid_t pid)
{
    if (s == NULL || pid != s->pid)
        return false;
    close(s->ctl);
    s->ctl = -1, s->pid = 0;
    aw_log_warn("scanner: the scanner process ended; starting another (it loads the database "
                "again)");
    if (launch(s) != 0)
        aw_log_error("scanner: cannot start another: %s", strerror(errno));
    return true;
}
