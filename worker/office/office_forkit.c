/* office_forkit.c — the office process's loop: executors connect, each
 * sends one document at a time, a child per document renders it. */
#define _GNU_SOURCE
#include "office_internal.h"

#include "fd_pass.h"
#include "file_tree.h"
#include "log.h"
#include "timeutil.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CLIENTS 256

typedef enum { IDLE, WAITING, RENDERING } client_state;

typedef struct client {
    aw_office_request req;
    client_state state;
    double since; /* when the request came */
    int child;    /* its index in children while RENDERING */
} client;

/* A child lives on after its client moved on: it answers, then exits, and
 * the client may send its next document before the exit is reaped. */
typedef struct child {
    pid_t pid;  /* 0: a free entry */
    int client; /* whom to answer for a child that dies silently; -1 none */
    double started;
    bool overdue; /* killed for time */
    char dir[PATH_MAX + 32];
} child;

typedef struct forkit {
    const aw_office_settings *s;
    int listener, ev;
    client clients[MAX_CLIENTS];
    child children[MAX_CLIENTS];
    int n_clients, running;
    unsigned long documents;
} forkit;

void aw_office_refuse(int client_fd, const char *reason, const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    json_t *reply = json_pack("{s:b,s:s,s:s,s:s}", "ok", 0, "code", "ASSET_PROCESSING_FAILED",
                              "reason", reason, "message", message);
    char *text = json_dumps(reply, JSON_COMPACT);
    if (text != NULL)
        aw_fd_send(client_fd, text, strlen(text), -1);
    free(text);
    json_decref(reply);
}

static void remove_dir(char *dir)
{
    if (dir[0] != '\0')
        aw_remove_tree(dir);
    dir[0] = '\0';
}

/* The child no longer answers to its client (who left, or had its answer
 * and sent the next document). */
static void detach_child(forkit *f, int i)
{
    client *c = &f->clients[i];
    if (c->state == RENDERING)
        f->children[c->child].client = -1;
    c->state = IDLE;
}

static void drop_client(forkit *f, int i)
{
    client *c = &f->clients[i];
    if (c->state == RENDERING)
        kill(f->children[c->child].pid, SIGKILL); /* reaped by reap_children */
    else if (c->state == WAITING)
        close(c->req.doc);
    detach_child(f, i);
    close(c->req.client);
    c->req.client = -1;
}

/* "ext" is a short lower-case extension, "box" a sane page size. */
static bool parse_request(const char *text, aw_office_request *r)
{
    json_t *req = json_loads(text, 0, NULL);
    const char *ext = json_string_value(json_object_get(req, "ext"));
    const char *kind = json_string_value(json_object_get(req, "kind")) ?: "";
    json_int_t box = json_integer_value(json_object_get(req, "box"));
    bool ok = ext != NULL && strlen(ext) >= 1 && strlen(ext) < sizeof r->ext &&
              strspn(ext, "abcdefghijklmnopqrstuvwxyz0123456789") == strlen(ext) && box >= 16 &&
              box <= 4096 && strlen(kind) < sizeof r->kind &&
              strspn(kind, "abcdefghijklmnopqrstuvwxyz") == strlen(kind);
    if (ok) {
        snprintf(r->ext, sizeof r->ext, "%s", ext), r->box = (int)box;
        snprintf(r->kind, sizeof r->kind, "%s", kind);
    }
    json_decref(req);
    return ok;
}

static void read_request(forkit *f, int i)
{
    client *c = &f->clients[i];
    char text[2048];
    int doc = -1;
    ssize_t n = aw_fd_recv(c->req.client, text, sizeof text, &doc);
    if (n <= 0) {
        drop_client(f, i);
        return;
    }
    if (c->state == RENDERING) /* it had its answer: the child is on its way out */
        detach_child(f, i);
    if (c->state != IDLE || doc < 0 || !parse_request(text, &c->req)) {
        if (doc >= 0)
            close(doc);
        aw_office_refuse(c->req.client, "internal", "a request the office process cannot take");
        return;
    }
    c->req.doc = doc;
    c->state = WAITING;
    c->since = aw_time_mono_ms();
}

static void accept_client(forkit *f)
{
    int fd = accept4(f->listener, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return;
    for (int i = 0; i < MAX_CLIENTS; i++) {
        if (f->clients[i].req.client < 0) {
            f->clients[i] = (client){.req = {.client = fd, .doc = -1}, .state = IDLE};
            if (i >= f->n_clients)
                f->n_clients = i + 1;
            return;
        }
    }
    close(fd); /* more executors than a pod runs */
}

/* The oldest waiting request, or -1. */
static int next_waiting(const forkit *f)
{
    int best = -1;
    for (int i = 0; i < f->n_clients; i++)
        if (f->clients[i].state == WAITING &&
            (best < 0 || f->clients[i].since < f->clients[best].since))
            best = i;
    return best;
}

static int free_child(const forkit *f)
{
    for (int k = 0; k < MAX_CLIENTS; k++)
        if (f->children[k].pid == 0)
            return k;
    return -1;
}

static void start_child(forkit *f, int i, int k)
{
    client *c = &f->clients[i];
    child *ch = &f->children[k];
    snprintf(ch->dir, sizeof ch->dir, "%s/doc-%lu", f->s->work_dir, ++f->documents);
    pid_t pid = mkdir(ch->dir, 0700) == 0 ? fork() : -1;
    if (pid == 0) {
        close(f->listener), close(f->ev);
        for (int n = 0; n < f->n_clients; n++)
            if (n != i && f->clients[n].req.client >= 0)
                close(f->clients[n].req.client);
        aw_office_child_main(f->s, &c->req, ch->dir);
    }
    close(c->req.doc);
    if (pid < 0) {
        aw_office_refuse(c->req.client, "internal", "cannot start a child in %s: %s", ch->dir,
                         strerror(errno));
        c->state = IDLE, remove_dir(ch->dir);
        return;
    }
    ch->pid = pid, ch->client = i, ch->started = aw_time_mono_ms(), ch->overdue = false;
    c->state = RENDERING, c->child = k;
    f->running++;
}

/* What the parent says for a child that ended without answering. */
static void answer_for(const forkit *f, const child *ch, int status)
{
    const client *c = &f->clients[ch->client];
    if (ch->overdue)
        aw_office_refuse(c->req.client, "timeout",
                         "LibreOffice did not render the first page within %.0f s",
                         f->s->timeout_ms / 1000);
    else if (WIFSIGNALED(status))
        aw_office_refuse(c->req.client, "crashed", "LibreOffice died of signal %d (%s)",
                         WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        aw_office_refuse(c->req.client, "crashed", "LibreOffice exited with status %d",
                         WEXITSTATUS(status));
}

static void reap_children(forkit *f)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        for (int k = 0; k < MAX_CLIENTS; k++) {
            child *ch = &f->children[k];
            if (ch->pid != pid)
                continue;
            bool silent = !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
            if (ch->client >= 0) {
                if (silent)
                    answer_for(f, ch, status);
                f->clients[ch->client].state = IDLE;
            }
            remove_dir(ch->dir);
            ch->pid = 0, f->running--;
        }
    }
}

static void kill_overdue(forkit *f)
{
    double now = aw_time_mono_ms();
    for (int k = 0; k < MAX_CLIENTS; k++) {
        child *ch = &f->children[k];
        if (ch->pid > 0 && !ch->overdue && now - ch->started > f->s->timeout_ms) {
            kill(ch->pid, SIGKILL);
            ch->overdue = true;
        }
    }
}

/* Without LibreOffice every request is answered at once. */
static void start_or_refuse(forkit *f)
{
    int i, k;
    while ((i = next_waiting(f)) >= 0 && (f->s->unavailable != NULL || f->running < f->s->slots)) {
        if (f->s->unavailable == NULL && (k = free_child(f)) >= 0) {
            start_child(f, i, k);
            continue;
        }
        if (f->s->unavailable == NULL)
            return; /* every entry waits to be reaped */
        client *c = &f->clients[i];
        aw_office_refuse(c->req.client, "office_unavailable", "%s", f->s->unavailable);
        close(c->req.doc), c->state = IDLE;
    }
}

/* Kills the children still at work and waits for every one, so that their
 * CPU time counts in this process's (and so in its parent's). */
static void end_children(forkit *f)
{
    for (int k = 0; k < MAX_CLIENTS; k++)
        if (f->children[k].pid > 0)
            kill(f->children[k].pid, SIGKILL);
    while (f->running > 0 && wait(NULL) > 0)
        f->running--;
    for (int k = 0; k < MAX_CLIENTS; k++)
        if (f->children[k].pid > 0)
            remove_dir(f->children[k].dir);
}

/* Listener, the supervisor's channel and every executor's socket. */
static int gather(const forkit *f, struct pollfd *fds, int *index)
{
    int n = 0;
    fds[n++] = (struct pollfd){.fd = f->ev, .events = POLLIN};
    fds[n++] = (struct pollfd){.fd = f->listener, .events = POLLIN};
    for (int i = 0; i < f->n_clients; i++)
        if (f->clients[i].req.client >= 0) {
            index[n] = i;
            fds[n++] = (struct pollfd){.fd = f->clients[i].req.client, .events = POLLIN};
        }
    return n;
}

void aw_office_serve(const aw_office_settings *s, int listener, int ev)
{
    static forkit f;
    f = (forkit){.s = s, .listener = listener, .ev = ev};
    for (int i = 0; i < MAX_CLIENTS; i++)
        f.clients[i].req.client = -1;
    struct pollfd fds[MAX_CLIENTS + 2];
    int index[MAX_CLIENTS + 2];
    for (;;) {
        int n = gather(&f, fds, index);
        poll(fds, (nfds_t)n, 50);
        if (fds[0].revents != 0) { /* the supervisor is gone (it never writes here) */
            end_children(&f);
            return;
        }
        if (fds[1].revents & POLLIN)
            accept_client(&f);
        for (int k = 2; k < n; k++)
            if (fds[k].revents != 0)
                read_request(&f, index[k]);
        reap_children(&f);
        kill_overdue(&f);
        start_or_refuse(&f);
    }
}
