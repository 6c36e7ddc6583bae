/* pool.c — executor bookkeeping in the supervisor (pool.h). */
#define _GNU_SOURCE
#include "pool.h"

#include "alloc.h"
#include "file_tree.h"
#include "log.h"
#include "procfs.h"
#include "timeutil.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define LINE_MAX_BYTES (16u << 20) /* a result line larger than this is a broken executor */

#define MEMORY_SAMPLE_MS 100.0

typedef enum {
    KILLED_NOT,
    KILLED_JOB_TIME,
    KILLED_STAGE_TIME,
    KILLED_MEMORY,
    KILLED_CPU
} kill_cause;

typedef struct executor {
    pid_t pid;
    int fd; /* -1 once closed */
    char *buf;
    size_t len, cap;
    void *job;       /* NULL when idle */
    double deadline; /* monotonic ms */
    double timeout_ms;
    char stage[48]; /* the stage it last announced */
    double stage_deadline;
    uint64_t anon_baseline; /* anonymous resident bytes when the job was handed over (pages
                               inherited from the zygote count too, hence the baseline) */
    uint64_t anon_now;
    double cpu_baseline, cpu_now; /* its CPU ms when the job was handed over, and lately */
    char workdir[PATH_MAX];       /* its own: the job's directory is moved in as job/ */
    char job_dir[PATH_MAX];       /* where the job's directory goes back to; "" when none */
    kill_cause killed;
    aw_zygote *zygote;      /* the one it was forked from */
    const char *why_killed; /* set when the pool kills it without a job */
} executor;

struct aw_pool {
    aw_zygote *zygote;   /* new executors come from this one */
    aw_zygote *retiring; /* the previous one, until its last executor is gone */
    executor *ex;
    int n;
    aw_pool_limits limits;
    aw_pool_callbacks cb;
    void *owner;
    double next_memory_sample;
    unsigned long spawned; /* executors started: names their work directories */
};

/* The work directory and whatever a job left in it. */
static void remove_workdir(executor *e)
{
    if (e->workdir[0] != '\0')
        aw_remove_tree(e->workdir);
    e->workdir[0] = '\0';
}

/* The job's directory, back where the supervisor left it. */
static void move_job_back(executor *e)
{
    char inside[PATH_MAX + 8];
    if (e->job_dir[0] == '\0')
        return;
    snprintf(inside, sizeof inside, "%s/job", e->workdir);
    if (rename(inside, e->job_dir) != 0)
        aw_log_error("cannot move %s back to %s: %s", inside, e->job_dir, strerror(errno));
    e->job_dir[0] = '\0';
}

/* Nothing but "." and ".." in the work directory. */
static bool workdir_empty(const executor *e)
{
    DIR *d = opendir(e->workdir);
    if (d == NULL)
        return false;
    struct dirent *entry;
    bool empty = true;
    while (empty && (entry = readdir(d)) != NULL)
        empty = strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0;
    closedir(d);
    return empty;
}

/* A new, empty work directory at path (one a pod before this left there is
 * removed first). */
static int make_workdir(const char *path)
{
    if (mkdir(path, 0700) == 0)
        return 0;
    if (errno != EEXIST)
        return -1;
    aw_remove_tree(path);
    return mkdir(path, 0700);
}

static int start_executor(aw_pool *p, executor *e, aw_error *err)
{
    memset(e, 0, sizeof *e);
    e->fd = -1;
    e->zygote = p->zygote;
    snprintf(e->workdir, sizeof e->workdir, "%s/executor-%lu", p->limits.work_root, ++p->spawned);
    if (make_workdir(e->workdir) != 0) {
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "spawn", "cannot create %s: %s", e->workdir,
                     strerror(errno));
        e->workdir[0] = '\0';
        return AW_ERROR;
    }
    return aw_zygote_spawn(p->zygote, e->workdir, &e->pid, &e->fd, err);
}

static void close_executor(executor *e)
{
    if (e->fd >= 0)
        close(e->fd);
    e->fd = -1;
}

aw_pool *aw_pool_new(aw_zygote *z, int n, const aw_pool_limits *limits, const aw_pool_callbacks *cb,
                     void *owner, aw_error *err)
{
    aw_pool *p = aw_xcalloc(1, sizeof *p);
    p->zygote = z, p->n = n, p->limits = *limits, p->cb = *cb, p->owner = owner;
    p->limits.work_root = aw_xstrdup(limits->work_root);
    p->ex = aw_xcalloc((size_t)n, sizeof *p->ex);
    for (int i = 0; i < n; i++)
        if (start_executor(p, &p->ex[i], err) != AW_OK) {
            aw_pool_free(p);
            return NULL;
        }
    return p;
}

void aw_pool_free(aw_pool *p)
{
    if (p == NULL)
        return;
    for (int i = 0; i < p->n; i++) {
        if (p->ex[i].fd >= 0)
            close(p->ex[i].fd);
        if (p->ex[i].pid > 0)
            kill(p->ex[i].pid, SIGKILL);
        move_job_back(&p->ex[i]);
        remove_workdir(&p->ex[i]);
        free(p->ex[i].buf);
    }
    free((char *)p->limits.work_root);
    aw_zygote_stop(p->zygote);
    aw_zygote_stop(p->retiring);
    free(p->ex);
    free(p);
}

int aw_pool_size(const aw_pool *p)
{
    return p->n;
}

int aw_pool_alive_count(const aw_pool *p)
{
    int alive = 0;
    for (int i = 0; i < p->n; i++)
        alive += p->ex[i].fd >= 0;
    return alive;
}

int aw_pool_idle_count(const aw_pool *p)
{
    int idle = 0;
    for (int i = 0; i < p->n; i++)
        idle += p->ex[i].job == NULL && p->ex[i].fd >= 0;
    return idle;
}

/* The job's directory into e's work directory, and the request line that
 * names it there. */
static char *hand_over(executor *e, const aw_exec_request *req)
{
    char inside[PATH_MAX + 8];
    snprintf(inside, sizeof inside, "%s/job", e->workdir);
    if (rename(req->dir, inside) != 0) {
        aw_log_error("cannot move %s into %s: %s", req->dir, e->workdir, strerror(errno));
        return NULL;
    }
    snprintf(e->job_dir, sizeof e->job_dir, "%s", req->dir);
    char *line = aw_exec_request_encode(req, inside);
    if (line == NULL)
        move_job_back(e);
    return line;
}

static void start_clocks(executor *e, double timeout_ms)
{
    double now = aw_time_mono_ms();
    e->len = 0, e->killed = KILLED_NOT;
    e->timeout_ms = timeout_ms;
    e->deadline = now + timeout_ms;
    snprintf(e->stage, sizeof e->stage, "executor");
    e->stage_deadline = INFINITY; /* the stage clock starts with the first stage */
    e->anon_baseline = e->anon_now = aw_proc_anon_bytes(e->pid);
    e->cpu_baseline = e->cpu_now = aw_proc_cpu_ms(e->pid);
}

int aw_pool_submit(aw_pool *p, void *job, const aw_exec_request *req, double timeout_ms)
{
    for (int i = 0; i < p->n; i++) {
        executor *e = &p->ex[i];
        if (e->job != NULL || e->fd < 0)
            continue;
        char *line = hand_over(e, req);
        if (line == NULL)
            return AW_ERROR;
        size_t len = strlen(line);
        bool sent = write(e->fd, line, len) == (ssize_t)len && write(e->fd, "\n", 1) == 1;
        free(line);
        if (!sent) {
            move_job_back(e);
            continue; /* its exit will be reported; try the next one */
        }
        e->job = job;
        start_clocks(e, timeout_ms);
        return AW_OK;
    }
    return AW_ERROR;
}

void aw_pool_cancel(aw_pool *p, void *job)
{
    for (int i = 0; i < p->n; i++)
        if (p->ex[i].job == job) {
            p->ex[i].job = NULL; /* no callback when its exit comes in */
            p->ex[i].why_killed = "cancelled";
            close_executor(&p->ex[i]); /* and never picked again before then */
            kill(p->ex[i].pid, SIGKILL);
            move_job_back(&p->ex[i]);
        }
}

int aw_pool_pollfds(aw_pool *p, struct pollfd *fds, int max)
{
    int k = 0;
    if (k < max)
        fds[k++] = (struct pollfd){.fd = aw_zygote_event_fd(p->zygote), .events = POLLIN};
    if (p->retiring != NULL && k < max)
        fds[k++] = (struct pollfd){.fd = aw_zygote_event_fd(p->retiring), .events = POLLIN};
    for (int i = 0; i < p->n && k < max; i++)
        if (p->ex[i].fd >= 0)
            fds[k++] = (struct pollfd){.fd = p->ex[i].fd, .events = POLLIN};
    return k;
}

/* A fresh executor in e's slot, after the old one's socket, buffer and work
 * directory go. */
static void respawn(aw_pool *p, executor *e)
{
    close_executor(e);
    move_job_back(e);
    remove_workdir(e);
    free(e->buf);
    aw_error err;
    if (start_executor(p, e, &err) != AW_OK)
        aw_log_error("cannot replace executor: %s", err.message);
}

/* A progress line: a new stage name restarts the stage clock. */
static void on_progress_line(aw_pool *p, executor *e, json_t *progress)
{
    const char *stage = json_string_value(json_object_get(progress, "stage"));
    if (stage == NULL)
        return;
    if (strcmp(stage, e->stage) != 0) {
        snprintf(e->stage, sizeof e->stage, "%s", stage);
        e->stage_deadline = aw_time_mono_ms() + p->limits.stage_timeout_ms;
    }
    p->cb.progress(p->owner, e->job, stage,
                   (int)json_integer_value(json_object_get(progress, "percent")));
}

/* A fresh executor takes the slot of a live one, killed now; its exit
 * report, for a pid no longer in the table, is ignored. */
static void retire(aw_pool *p, executor *e, const char *reason)
{
    kill(e->pid, SIGKILL);
    respawn(p, e);
    p->cb.restarted(p->owner, reason);
}

/* The job is over: its directory goes back, then the executor either stays
 * for another job (it said it may, it comes from the current zygote and its
 * work directory is empty again) or is retired, before the result is handed
 * on, so the callback may submit the next job straight away. */
static void finish_job(aw_pool *p, executor *e, json_t *result, bool reusable)
{
    void *job = e->job;
    move_job_back(e);
    e->job = NULL;
    if (!reusable || e->zygote != p->zygote || !workdir_empty(e))
        retire(p, e, "job_done");
    p->cb.result(p->owner, job, result);
}

/* One complete line from an executor; true when it was the job's result
 * (the slot is then idle again, or renewed). */
static bool handle_line(aw_pool *p, executor *e, const char *line)
{
    json_t *msg = json_loads(line, 0, NULL);
    json_t *progress = json_object_get(msg, "progress");
    json_t *result = json_object_get(msg, "result");
    bool done = false;
    if (e->job != NULL && progress != NULL) {
        on_progress_line(p, e, progress);
    } else if (e->job != NULL && json_is_object(result)) {
        finish_job(p, e, result, json_is_true(json_object_get(msg, "reusable")));
        done = true;
    }
    json_decref(msg);
    return done;
}

typedef enum {
    READ_MORE,   /* bytes taken in, no result yet */
    READ_AGAIN,  /* nothing there now (non-blocking read) */
    READ_RESULT, /* the job's result was handed on; the slot is renewed */
    READ_CLOSED, /* end of stream, error or an oversized line */
} read_outcome;

/* One read from an executor's socket; every complete line is handled. */
static read_outcome read_once(aw_pool *p, executor *e, int flags)
{
    if (e->cap - e->len < 65536) {
        e->cap = e->cap ? e->cap * 2 : 131072; /* at most twice LINE_MAX_BYTES */
        e->buf = aw_xrealloc(e->buf, e->cap);
    }
    ssize_t n = recv(e->fd, e->buf + e->len, e->cap - e->len - 1, flags);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return READ_AGAIN;
    if (n <= 0 || e->len + (size_t)n > LINE_MAX_BYTES)
        return READ_CLOSED;
    e->len += (size_t)n;
    char *start = e->buf, *nl;
    while ((nl = memchr(start, '\n', e->len - (size_t)(start - e->buf))) != NULL) {
        *nl = '\0';
        if (handle_line(p, e, start))
            return READ_RESULT;
        start = nl + 1;
    }
    e->len -= (size_t)(start - e->buf);
    memmove(e->buf, start, e->len);
    return READ_MORE;
}

/* The socket is readable (poll said so). */
static void read_executor(aw_pool *p, executor *e)
{
    if (read_once(p, e, 0) == READ_CLOSED) {
        close_executor(e); /* its exit status arrives through the zygote */
        kill(e->pid, SIGKILL);
    }
}

/* Everything an executor that has exited left in its socket, read before its
 * exit is judged: the exit report may be taken in before the socket was
 * polled again, and a result waiting there is the job's result, not a loss.
 * True when the result was there (the slot is then already renewed). */
static bool drain_exited(aw_pool *p, executor *e)
{
    if (e->fd < 0 || e->job == NULL)
        return false;
    read_outcome o;
    while ((o = read_once(p, e, MSG_DONTWAIT)) == READ_MORE)
        continue;
    return o == READ_RESULT;
}

static const char *signal_name(int sig)
{
    const char *name = sigabbrev_np(sig);
    return name ? name : "?";
}

/* Why the executor of a job ended without a result. */
static void describe_exit(const aw_pool *p, const executor *e, int status, aw_exec_loss *loss,
                          char *msg, size_t size)
{
    double mib = 1024.0 * 1024.0;
    loss->stage = e->stage, loss->message = msg, loss->retry = false;
    if (e->killed == KILLED_JOB_TIME) {
        loss->reason = "timeout";
        snprintf(msg, size, "executor exceeded the job wall-time limit of %.0f s and was killed",
                 e->timeout_ms / 1000);
    } else if (e->killed == KILLED_STAGE_TIME) {
        loss->reason = "stage_timeout";
        snprintf(msg, size,
                 "stage %s exceeded the stage wall-time limit of %.0f s; "
                 "executor killed",
                 e->stage, p->limits.stage_timeout_ms / 1000);
    } else if (e->killed == KILLED_CPU) {
        loss->reason = "cpu_limit";
        snprintf(msg, size,
                 "executor used %.1f s of CPU, over the job CPU-time limit of %.0f s, in stage %s; "
                 "killed",
                 (e->cpu_now - e->cpu_baseline) / 1000, p->limits.cpu_ms / 1000, e->stage);
    } else if (e->killed == KILLED_MEMORY) {
        loss->reason = "memory_limit";
        snprintf(msg, size,
                 "executor grew by %.0f MiB, over the job memory limit of %.0f MiB, "
                 "in stage %s; killed",
                 (double)(e->anon_now - e->anon_baseline) / mib,
                 (double)p->limits.memory_bytes / mib, e->stage);
    } else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU) {
        loss->reason = "cpu_limit";
        snprintf(msg, size, "executor exceeded its CPU-time limit in stage %s (SIGXCPU)", e->stage);
    } else if (WIFSIGNALED(status)) {
        loss->reason = "crashed", loss->retry = true;
        snprintf(msg, size, "executor killed by signal %d (SIG%s, %s) in stage %s",
                 WTERMSIG(status), signal_name(WTERMSIG(status)), strsignal(WTERMSIG(status)),
                 e->stage);
    } else {
        loss->reason = "crashed", loss->retry = true;
        snprintf(msg, size, "executor exited with status %d in stage %s without a result",
                 WEXITSTATUS(status), e->stage);
    }
}

/* An executor is gone: report its job, start a replacement in its slot. */
static void replace(aw_pool *p, executor *e, int status)
{
    if (drain_exited(p, e))
        return; /* it finished its job after all */
    char msg[300];
    aw_exec_loss loss;
    describe_exit(p, e, status, &loss, msg, sizeof msg);
    char stage[sizeof e->stage];
    snprintf(stage, sizeof stage, "%s", e->stage); /* e is reset below */
    loss.stage = stage;
    void *job = e->job;
    const char *why = job != NULL ? loss.reason : e->why_killed ? e->why_killed : "exited";
    respawn(p, e);
    p->cb.restarted(p->owner, why);
    if (job != NULL)
        p->cb.lost(p->owner, job, &loss);
}

static void reap_from(aw_pool *p, aw_zygote *z)
{
    pid_t pid;
    int status;
    while (z != NULL && aw_zygote_next_exit(z, &pid, &status) == 1)
        for (int i = 0; i < p->n; i++)
            if (p->ex[i].pid == pid && p->ex[i].zygote == z)
                replace(p, &p->ex[i], status);
}

/* The retiring zygote goes once none of its executors is left. */
static void release_retiring(aw_pool *p)
{
    if (p->retiring == NULL)
        return;
    for (int i = 0; i < p->n; i++)
        if (p->ex[i].zygote == p->retiring)
            return;
    aw_zygote_stop(p->retiring);
    p->retiring = NULL;
}

static void reap(aw_pool *p)
{
    reap_from(p, p->zygote);
    reap_from(p, p->retiring);
    release_retiring(p);
}

int aw_pool_use_zygote(aw_pool *p, aw_zygote *z)
{
    if (p->retiring != NULL)
        return AW_ERROR;
    p->retiring = p->zygote;
    p->zygote = z;
    for (int i = 0; i < p->n; i++) { /* idle ones now; busy ones when their job ends */
        if (p->ex[i].job == NULL && p->ex[i].fd >= 0)
            retire(p, &p->ex[i], "reload");
    }
    release_retiring(p);
    return AW_OK;
}

bool aw_pool_switching(const aw_pool *p)
{
    return p->retiring != NULL;
}

aw_zygote *aw_pool_zygote(const aw_pool *p)
{
    return p->zygote;
}

static void kill_for(executor *e, kill_cause cause)
{
    e->killed = cause;
    kill(e->pid, SIGKILL);
}

/* Deadlines every turn; memory and CPU every MEMORY_SAMPLE_MS. */
static void enforce_limits(aw_pool *p)
{
    double now = aw_time_mono_ms();
    bool sample = now >= p->next_memory_sample;
    if (sample)
        p->next_memory_sample = now + MEMORY_SAMPLE_MS;
    for (int i = 0; i < p->n; i++) {
        executor *e = &p->ex[i];
        if (e->job == NULL || e->killed != KILLED_NOT)
            continue;
        if (now > e->deadline)
            kill_for(e, KILLED_JOB_TIME);
        else if (now > e->stage_deadline)
            kill_for(e, KILLED_STAGE_TIME);
        else if (sample && (e->anon_now = aw_proc_anon_bytes(e->pid)) > e->anon_baseline &&
                 e->anon_now - e->anon_baseline > p->limits.memory_bytes)
            kill_for(e, KILLED_MEMORY);
        else if (sample && (e->cpu_now = aw_proc_cpu_ms(e->pid)) >= 0 && e->cpu_baseline >= 0 &&
                 e->cpu_now - e->cpu_baseline > p->limits.cpu_ms)
            kill_for(e, KILLED_CPU);
    }
}

void aw_pool_dispatch(aw_pool *p, const struct pollfd *fds, int n)
{
    for (int k = 0; k < n; k++) {
        if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        for (int i = 0; i < p->n; i++)
            if (p->ex[i].fd == fds[k].fd && p->ex[i].fd >= 0)
                read_executor(p, &p->ex[i]);
    }
    reap(p);
    enforce_limits(p);
}
