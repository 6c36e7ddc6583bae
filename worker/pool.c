/* pool.c — executor bookkeeping in the supervisor. */
#define _GNU_SOURCE
#include "pool.h"

#include "timeutil.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define LINE_MAX_BYTES (16u << 20) /* a result line larger than this is a broken executor */

typedef struct executor {
    pid_t pid;
    int fd;           /* -1 once closed */
    char *buf;
    size_t len, cap;
    void *job;        /* NULL when idle */
    double deadline;  /* monotonic ms */
    double timeout_ms;
    bool timed_out;
} executor;

struct aw_pool {
    aw_zygote *zygote;
    executor *ex;
    int n;
    aw_pool_callbacks cb;
    void *owner;
};

static int start_executor(aw_pool *p, executor *e, aw_error *err)
{
    memset(e, 0, sizeof *e);
    e->fd = -1;
    return aw_zygote_spawn(p->zygote, &e->pid, &e->fd, err);
}

aw_pool *aw_pool_new(aw_zygote *z, int n, const aw_pool_callbacks *cb, void *owner,
                     aw_error *err)
{
    aw_pool *p = calloc(1, sizeof *p);
    p->zygote = z, p->n = n, p->cb = *cb, p->owner = owner;
    p->ex = calloc((size_t)n, sizeof *p->ex);
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
        free(p->ex[i].buf);
    }
    free(p->ex);
    free(p);
}

int aw_pool_size(const aw_pool *p)
{
    return p->n;
}

int aw_pool_idle_count(const aw_pool *p)
{
    int idle = 0;
    for (int i = 0; i < p->n; i++)
        idle += p->ex[i].job == NULL && p->ex[i].fd >= 0;
    return idle;
}

int aw_pool_submit(aw_pool *p, void *job, const aw_exec_request *req, double timeout_ms)
{
    for (int i = 0; i < p->n; i++) {
        executor *e = &p->ex[i];
        if (e->job != NULL || e->fd < 0)
            continue;
        char *line = aw_exec_request_encode(req);
        size_t len = line ? strlen(line) : 0;
        bool sent = line != NULL && write(e->fd, line, len) == (ssize_t)len &&
                    write(e->fd, "\n", 1) == 1;
        free(line);
        if (!sent)
            continue; /* its exit will be reported; try the next one */
        e->job = job, e->len = 0, e->timed_out = false;
        e->timeout_ms = timeout_ms;
        e->deadline = aw_time_mono_ms() + timeout_ms;
        return AW_OK;
    }
    return AW_ERROR;
}

static void close_executor(executor *e);

void aw_pool_cancel(aw_pool *p, void *job)
{
    for (int i = 0; i < p->n; i++)
        if (p->ex[i].job == job) {
            p->ex[i].job = NULL; /* no callback when its exit comes in */
            close_executor(&p->ex[i]); /* and never picked again before then */
            kill(p->ex[i].pid, SIGKILL);
        }
}

int aw_pool_pollfds(aw_pool *p, struct pollfd *fds, int max)
{
    int k = 0;
    if (k < max)
        fds[k++] = (struct pollfd){.fd = aw_zygote_exit_fd(p->zygote), .events = POLLIN};
    for (int i = 0; i < p->n && k < max; i++)
        if (p->ex[i].fd >= 0)
            fds[k++] = (struct pollfd){.fd = p->ex[i].fd, .events = POLLIN};
    return k;
}

/* One complete line from an executor. */
static void handle_line(aw_pool *p, executor *e, const char *line)
{
    json_t *msg = json_loads(line, 0, NULL);
    json_t *progress = json_object_get(msg, "progress");
    json_t *result = json_object_get(msg, "result");
    void *job = e->job;
    if (job != NULL && progress != NULL) {
        p->cb.progress(p->owner, job,
                       json_string_value(json_object_get(progress, "stage")),
                       (int)json_integer_value(json_object_get(progress, "percent")));
    } else if (job != NULL && json_is_object(result)) {
        e->job = NULL; /* idle before the callback, which may submit again */
        p->cb.result(p->owner, job, result);
    }
    json_decref(msg);
}

static void close_executor(executor *e)
{
    if (e->fd >= 0)
        close(e->fd);
    e->fd = -1;
}

static void read_executor(aw_pool *p, executor *e)
{
    if (e->cap - e->len < 65536) {
        e->cap = e->cap ? e->cap * 2 : 131072;
        e->buf = realloc(e->buf, e->cap);
    }
    ssize_t n = read(e->fd, e->buf + e->len, e->cap - e->len - 1);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0 || e->len + (size_t)n > LINE_MAX_BYTES) {
        close_executor(e); /* its exit status arrives through the zygote */
        kill(e->pid, SIGKILL);
        return;
    }
    e->len += (size_t)n;
    char *start = e->buf, *nl;
    while ((nl = memchr(start, '\n', e->len - (size_t)(start - e->buf))) != NULL) {
        *nl = '\0';
        handle_line(p, e, start);
        start = nl + 1;
    }
    e->len -= (size_t)(start - e->buf);
    memmove(e->buf, start, e->len);
}

static void describe_exit(const executor *e, int status, char *why, size_t size)
{
    if (e->timed_out)
        snprintf(why, size, "executor exceeded the job wall-time limit of %.0f s and was killed",
                 e->timeout_ms / 1000);
    else if (WIFSIGNALED(status))
        snprintf(why, size, "executor killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(why, size, "executor exited with status %d", WEXITSTATUS(status));
}

/* An executor is gone: report its job, start a replacement in its slot. */
static void replace(aw_pool *p, executor *e, int status)
{
    char why[200];
    describe_exit(e, status, why, sizeof why);
    void *job = e->job;
    close_executor(e);
    free(e->buf);
    aw_error err;
    if (start_executor(p, e, &err) != AW_OK)
        fprintf(stderr, "asset-worker: cannot replace executor: %s\n", err.message);
    if (job != NULL)
        p->cb.lost(p->owner, job, why);
}

static void reap(aw_pool *p)
{
    pid_t pid;
    int status;
    while (aw_zygote_next_exit(p->zygote, &pid, &status) == 1)
        for (int i = 0; i < p->n; i++)
            if (p->ex[i].pid == pid)
                replace(p, &p->ex[i], status);
}

static void kill_overdue(aw_pool *p)
{
    double now = aw_time_mono_ms();
    for (int i = 0; i < p->n; i++) {
        executor *e = &p->ex[i];
        if (e->job != NULL && !e->timed_out && now > e->deadline) {
            e->timed_out = true;
            kill(e->pid, SIGKILL);
        }
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
    kill_overdue(p);
}
