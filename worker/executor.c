/* executor.c — the zygote and the executor loop. */
#define _GNU_SOURCE
#include "executor.h"

#include "pipeline.h"
#include "sandbox.h"
#ifdef AW_TEST_FAULTS
#include "test_faults.h"
#endif

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct aw_zygote {
    pid_t pid;
    int ctl; /* requests out, new sockets back (SCM_RIGHTS) */
    int ev;  /* "pid status\n" lines for exited executors */
    char buf[512];
    size_t len;
};

/* Writes all of buf; -1 on error. */
static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        buf += n, len -= (size_t)n;
    }
    return 0;
}

static int write_json_line(int fd, json_t *obj)
{
    char *text = json_dumps(obj, JSON_COMPACT | JSON_REAL_PRECISION(10));
    if (text == NULL)
        return -1;
    size_t n = strlen(text);
    text[n] = '\n'; /* replaces the NUL; length passed explicitly */
    int rc = write_all(fd, text, n + 1);
    free(text);
    return rc;
}

char *aw_exec_request_encode(const aw_exec_request *r)
{
    json_t *obj = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:i}", "jobId", r->job_id, "assetId",
                            r->asset_id, "mime", r->mime ? r->mime : "", "input", r->input,
                            "output", r->output, "scratch", r->scratch, "stages",
                            (int)r->stages);
    char *text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
    json_decref(obj);
    return text;
}

/* CPU time (user + system) of this process, in ms. */
static double cpu_ms(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0;
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

static void send_result(int fd, aw_result *r, const aw_job *job, double cpu_before)
{
    json_t *data = aw_result_to_json(r, job);
    json_object_set_new(data, "cpuMs", json_real(cpu_ms() - cpu_before));
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

static void run_request(int fd, const exec_settings *s, const char *line)
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
    double cpu_before = cpu_ms();
    if (aw_result_init(&r) != AW_OK)
        _exit(4);
    if (enter_sandbox(s, input, output, scratch, &r) != 0) {
        send_result(fd, &r, &job, cpu_before);
        return;
    }
#ifdef AW_TEST_FAULTS
    if (aw_test_fault(job.asset_id, fd, &r)) {
        send_result(fd, &r, &job, cpu_before);
        return;
    }
#endif
    aw_result_free(&r);
    if (aw_pipeline_run(&job, s->cfg, input, output, &r) != AW_OK)
        _exit(4); /* out of memory: the supervisor reports it and retries */
    send_result(fd, &r, &job, cpu_before);
    /* no cleanup: the process ends with the job */
}

/* One job, then exit: nothing a file did to this process reaches the next
 * job, and the per-job limits are per process. */
static void executor_main(int fd, const exec_settings *s)
{
    FILE *in = fdopen(dup(fd), "r");
    char *line = NULL;
    size_t cap = 0;
    if (in != NULL && getline(&line, &cap, in) > 0)
        run_request(fd, s, line);
    _exit(0);
}

/* Sends fd and pid over the control socket. */
static int send_fd(int sock, int fd, pid_t pid)
{
    char cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {.iov_base = &pid, .iov_len = sizeof pid};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                         .msg_controllen = sizeof cbuf};
    memset(cbuf, 0, sizeof cbuf);
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    return sendmsg(sock, &msg, MSG_NOSIGNAL) == (ssize_t)sizeof pid ? 0 : -1;
}

static void die_with_parent(void)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/* Forks one executor; sends its socket to the supervisor. */
static void zygote_spawn(int ctl, int ev, const exec_settings *s)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        send_fd(ctl, -1, -1);
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(ctl), close(ev), close(sv[0]);
        die_with_parent();
        signal(SIGCHLD, SIG_DFL);
        executor_main(sv[1], s);
    }
    send_fd(ctl, sv[0], pid);
    close(sv[0]), close(sv[1]);
}

static void report_exits(int ev)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        char line[64];
        int n = snprintf(line, sizeof line, "%d %d\n", (int)pid, status);
        write_all(ev, line, (size_t)n);
    }
}

static void zygote_main(int ctl, int ev, const exec_settings *s)
{
    die_with_parent();
    for (;;) {
        struct pollfd p = {.fd = ctl, .events = POLLIN};
        int n = poll(&p, 1, 50);
        report_exits(ev);
        if (n <= 0)
            continue;
        char cmd;
        ssize_t r = read(ctl, &cmd, 1);
        if (r == 0 || (r < 0 && errno != EINTR))
            break; /* the supervisor is gone */
        if (r == 1 && cmd == 'S')
            zygote_spawn(ctl, ev, s);
    }
    _exit(0); /* executors follow: their parent-death signal is SIGKILL */
}

/* Threads in this process (/proc/self/task entries). */
static int thread_count(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/task");
    for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.';
    if (d != NULL)
        closedir(d);
    return n;
}

aw_zygote *aw_zygote_start(const aw_config *cfg, const aw_sandbox_config *sandbox,
                           aw_error *err)
{
    if (thread_count() > 1) { /* fork would copy one thread of a locked world */
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "zygote",
                     "the zygote must be forked before any thread starts (%d running)",
                     thread_count());
        return NULL;
    }
    int ctl[2], ev[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctl) != 0 ||
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ev) != 0) {
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "zygote", "socketpair: %s", strerror(errno));
        return NULL;
    }
    pid_t pid = fork();
    if (pid < 0) {
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "zygote", "fork: %s", strerror(errno));
        return NULL;
    }
    if (pid == 0) {
        close(ctl[0]), close(ev[0]);
        exec_settings settings = {cfg, *sandbox};
        zygote_main(ctl[1], ev[1], &settings);
    }
    close(ctl[1]), close(ev[1]);
    aw_zygote *z = calloc(1, sizeof *z);
    z->pid = pid, z->ctl = ctl[0], z->ev = ev[0];
    return z;
}

int aw_zygote_spawn(aw_zygote *z, pid_t *pid, int *fd, aw_error *err)
{
    char cbuf[CMSG_SPACE(sizeof(int))];
    pid_t got = -1;
    struct iovec iov = {.iov_base = &got, .iov_len = sizeof got};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                         .msg_controllen = sizeof cbuf};
    if (write_all(z->ctl, "S", 1) != 0 || recvmsg(z->ctl, &msg, MSG_CMSG_CLOEXEC) != sizeof got ||
        got <= 0)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "spawn",
                            "the zygote could not start an executor");
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    if (c == NULL || c->cmsg_type != SCM_RIGHTS)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "spawn", "no executor socket");
    memcpy(fd, CMSG_DATA(c), sizeof *fd);
    *pid = got;
    return AW_OK;
}

int aw_zygote_exit_fd(const aw_zygote *z)
{
    return z->ev;
}

int aw_zygote_next_exit(aw_zygote *z, pid_t *pid, int *status)
{
    for (;;) {
        char *nl = memchr(z->buf, '\n', z->len);
        if (nl != NULL) {
            *nl = '\0';
            int p = 0, s = 0;
            sscanf(z->buf, "%d %d", &p, &s);
            size_t used = (size_t)(nl - z->buf) + 1;
            memmove(z->buf, z->buf + used, z->len - used);
            z->len -= used;
            *pid = p, *status = s;
            return 1;
        }
        struct pollfd p = {.fd = z->ev, .events = POLLIN};
        if (poll(&p, 1, 0) <= 0)
            return 0;
        ssize_t n = read(z->ev, z->buf + z->len, sizeof z->buf - z->len);
        if (n <= 0)
            return -1;
        z->len += (size_t)n;
    }
}

void aw_zygote_stop(aw_zygote *z)
{
    if (z == NULL)
        return;
    close(z->ctl);
    close(z->ev);
    kill(z->pid, SIGKILL);
    waitpid(z->pid, NULL, 0);
    free(z);
}
