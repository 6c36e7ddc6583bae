/* zygote.c — the zygote process, and the supervisor's handle on one. */
#define _GNU_SOURCE
#include "zygote.h"

#include "alloc.h"
#include "executor.h"
#include "fd_io.h"
#include "log.h"
#include "scan.h"
#include "scanner.h"
#include "self_exec.h"
#include "service_config.h"
#include "timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
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

#define FDS_ENV "AW_ZYGOTE_FDS"

typedef enum { SETTING_UP, READY, FAILED } zygote_state;

struct aw_zygote {
    pid_t pid;
    int ctl; /* requests out, new sockets back (SCM_RIGHTS) */
    int ev;  /* the set-up line, then "pid status\n" per exited executor */
    char buf[4096];
    size_t len;
    zygote_state state;
    aw_scan_engine engine;
    char error[400];
};

/* ---- the zygote process ------------------------------------------------ */

static void die_with_parent(void)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/* Sends fd and pid over the control socket (pid alone when fd is -1: the
 * spawn failed). */
static int send_fd(int sock, int fd, pid_t pid)
{
    char cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {.iov_base = &pid, .iov_len = sizeof pid};
    struct msghdr msg = {.msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = fd >= 0 ? cbuf : NULL,
                         .msg_controllen = fd >= 0 ? sizeof cbuf : 0};
    if (fd < 0)
        return sendmsg(sock, &msg, MSG_NOSIGNAL) == (ssize_t)sizeof pid ? 0 : -1;
    memset(cbuf, 0, sizeof cbuf);
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    return sendmsg(sock, &msg, MSG_NOSIGNAL) == (ssize_t)sizeof pid ? 0 : -1;
}

/* Forks one executor confined to workdir, with a scan process of its own
 * when there is a scanner; sends the executor's socket to the supervisor. */
static void spawn_executor(int ctl, int ev, const aw_service_config *cfg, aw_scanner *scanner,
                           const char *workdir)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        send_fd(ctl, -1, -1);
        return;
    }
    int scan = scanner != NULL ? aw_scanner_connect(scanner, workdir) : -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(ctl), close(ev), close(sv[0]);
        aw_scanner_forget(scanner);
        die_with_parent();
        signal(SIGCHLD, SIG_DFL);
        aw_scan_set_connection(scan);
        aw_executor_main(sv[1], &cfg->pipeline, &cfg->sandbox, workdir);
    }
    if (scan >= 0)
        close(scan);
    send_fd(ctl, sv[0], pid);
    close(sv[0]), close(sv[1]);
}

/* Executors' exits to the supervisor; a scanner's exit starts another. */
static void report_exits(int ev, aw_scanner *scanner)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (aw_scanner_reaped(scanner, pid))
            continue;
        char line[64];
        int n = snprintf(line, sizeof line, "%d %d\n", (int)pid, status);
        aw_fd_write_all(ev, line, (size_t)n);
    }
}

/* One request line, "S<work directory>\n": 1, 0 on a bad line, -1 when
 * the supervisor is gone. */
static int read_request(int ctl, char *workdir, size_t size)
{
    size_t n = 0;
    for (;;) {
        char c;
        ssize_t r = read(ctl, &c, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        if (c == '\n')
            break;
        if (n + 1 < size)
            workdir[n++] = c;
    }
    workdir[n] = '\0';
    return n > 1 && workdir[0] == 'S' ? 1 : 0;
}

static void serve_spawns(int ctl, int ev, const aw_service_config *cfg, aw_scanner *scanner)
{
    char line[PATH_MAX + 2];
    for (;;) {
        struct pollfd p = {.fd = ctl, .events = POLLIN};
        int n = poll(&p, 1, 50);
        report_exits(ev, scanner);
        if (n <= 0)
            continue;
        int got = read_request(ctl, line, sizeof line);
        if (got < 0)
            break; /* the supervisor is gone */
        if (got == 1)
            spawn_executor(ctl, ev, cfg, scanner, line + 1);
        else
            send_fd(ctl, -1, -1);
    }
}

/* The set-up line: {"ready":true,"scan":{...}} or {"ready":false,"error":...}. */
static void say(int ev, const aw_error *failure)
{
    json_t *line;
    if (failure != NULL) {
        line = json_pack("{s:b,s:s}", "ready", 0, "error", failure->message);
    } else {
        aw_scan_engine e;
        aw_pipeline_scan_engine(&e);
        line = json_pack("{s:b,s:{s:b,s:b,s:i,s:i,s:I,s:s}}", "ready", 1, "scan", "enabled",
                         e.enabled, "loaded", e.loaded, "signatures", (int)e.signatures, "version",
                         (int)e.version, "built", (json_int_t)e.built, "error", e.error);
    }
    char *text = json_dumps(line, JSON_COMPACT);
    if (text != NULL) {
        aw_fd_write_all(ev, text, strlen(text));
        aw_fd_write_all(ev, "\n", 1);
    }
    free(text), json_decref(line);
}

/* The scanner loads the database while this process sets itself up. */
static aw_scanner *start_scanner(const aw_service_config *cfg, aw_error *err)
{
    aw_scanner *s = aw_scanner_start(cfg);
    if (s == NULL)
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "scanner", "cannot start the scanner: %s",
                     strerror(errno));
    aw_scan_use_scanner(); /* here, not in the scanner forked above */
    return s;
}

static int wait_scanner(aw_scanner *s, aw_error *err)
{
    aw_scan_engine engine;
    if (s == NULL)
        return AW_OK;
    if (aw_scanner_wait_engine(s, &engine, err) != AW_OK)
        return AW_ERROR;
    aw_scan_set_engine(&engine);
    return AW_OK;
}

bool aw_zygote_requested(void)
{
    return getenv(FDS_ENV) != NULL;
}

int aw_zygote_main(int argc, char **argv)
{
    int ctl = -1, ev = -1;
    if (sscanf(getenv(FDS_ENV), "%d,%d", &ctl, &ev) != 2)
        return 3;
    unsetenv(FDS_ENV);
    die_with_parent();
    aw_service_config cfg;
    aw_error err;
    aw_error_clear(&err);
    if (aw_service_config_parse(argc, argv, &cfg) != AW_SETTINGS_OK) {
        aw_error_set(&err, AW_CODE_PROCESSING_FAILED, "zygote", "the run options do not parse");
        say(ev, &err);
        return 3;
    }
    aw_log_setup(cfg.log_level, cfg.log_format);
    signal(SIGTERM, SIG_IGN); /* a terminal's ^C is the supervisor's to handle */
    signal(SIGINT, SIG_IGN);
    aw_scanner *scanner = cfg.pipeline.scan_enabled ? start_scanner(&cfg, &err) : NULL;
    if ((cfg.pipeline.scan_enabled && scanner == NULL) ||
        aw_pipeline_init(&cfg.pipeline, &err) != AW_OK || wait_scanner(scanner, &err) != AW_OK) {
        say(ev, &err);
        return 3;
    }
    say(ev, NULL);
    serve_spawns(ctl, ev, &cfg, scanner);
    _exit(0); /* executors follow: their parent-death signal is SIGKILL */
}

/* ---- the supervisor's handle --------------------------------------------- */

aw_zygote *aw_zygote_launch(char *const *run_argv, aw_error *err)
{
    int ctl[2], ev[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctl) != 0) {
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "zygote", "socketpair: %s", strerror(errno));
        return NULL;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ev) != 0) {
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "zygote", "socketpair: %s", strerror(errno));
        close(ctl[0]), close(ctl[1]);
        return NULL;
    }
    char fds[64];
    snprintf(fds, sizeof fds, FDS_ENV "=%d,%d", ctl[1], ev[1]);
    const char *const extra[] = {fds, "G_SLICE=always-malloc", NULL};
    char **argv = aw_self_argv("asset-worker-zygote", run_argv), **env = aw_self_env(extra);
    pid_t pid = fork();
    if (pid == 0) {                               /* only async-signal-safe calls until exec */
        close_range(3, ~0U, CLOSE_RANGE_CLOEXEC); /* the HTTP and Kafka sockets stay here */
        fcntl(ctl[1], F_SETFD, 0), fcntl(ev[1], F_SETFD, 0);
        execve("/proc/self/exe", argv, env);
        _exit(127);
    }
    free(argv), free(env);
    close(ctl[1]), close(ev[1]);
    if (pid < 0) {
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "zygote", "fork: %s", strerror(errno));
        close(ctl[0]), close(ev[0]);
        return NULL;
    }
    aw_zygote *z = aw_xcalloc(1, sizeof *z);
    z->pid = pid, z->ctl = ctl[0], z->ev = ev[0], z->state = SETTING_UP;
    return z;
}

/* Reads what the zygote has written, without waiting; -1 at its end. */
static int read_available(aw_zygote *z)
{
    struct pollfd p = {.fd = z->ev, .events = POLLIN};
    while (z->len < sizeof z->buf && poll(&p, 1, 0) > 0) {
        ssize_t n = read(z->ev, z->buf + z->len, sizeof z->buf - z->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        z->len += (size_t)n;
    }
    return 0;
}

/* Takes one line off the buffer into line (NUL-ended); false if none. */
static bool take_line(aw_zygote *z, char *line, size_t size)
{
    char *nl = memchr(z->buf, '\n', z->len);
    if (nl == NULL)
        return false;
    size_t used = (size_t)(nl - z->buf) + 1;
    snprintf(line, size, "%.*s", (int)(used - 1), z->buf);
    memmove(z->buf, z->buf + used, z->len - used);
    z->len -= used;
    return true;
}

static void read_setup_line(aw_zygote *z, const char *line)
{
    json_t *msg = json_loads(line, 0, NULL);
    json_t *scan = json_object_get(msg, "scan");
    if (json_is_true(json_object_get(msg, "ready"))) {
        aw_scan_engine *e = &z->engine;
        e->enabled = json_is_true(json_object_get(scan, "enabled"));
        e->loaded = json_is_true(json_object_get(scan, "loaded"));
        e->signatures = (unsigned)json_integer_value(json_object_get(scan, "signatures"));
        e->version = (unsigned)json_integer_value(json_object_get(scan, "version"));
        e->built = (long long)json_integer_value(json_object_get(scan, "built"));
        snprintf(e->error, sizeof e->error, "%s",
                 json_string_value(json_object_get(scan, "error")) ?: "");
        z->state = READY;
    } else {
        snprintf(z->error, sizeof z->error, "%s",
                 json_string_value(json_object_get(msg, "error")) ?: "no set-up line");
        z->state = FAILED;
    }
    json_decref(msg);
}

int aw_zygote_poll_ready(aw_zygote *z, aw_error *err)
{
    char line[2048];
    if (z->state == SETTING_UP) {
        bool ended = read_available(z) != 0;
        if (take_line(z, line, sizeof line))
            read_setup_line(z, line);
        else if (ended) {
            snprintf(z->error, sizeof z->error, "the zygote exited during set-up");
            z->state = FAILED;
        }
    }
    if (z->state == FAILED)
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "zygote", "%s", z->error);
    return z->state == READY ? 1 : z->state == FAILED ? -1 : 0;
}

int aw_zygote_wait_ready(aw_zygote *z, double timeout_ms, aw_error *err)
{
    double deadline = aw_time_mono_ms() + timeout_ms;
    int rc;
    while ((rc = aw_zygote_poll_ready(z, err)) == 0 && aw_time_mono_ms() < deadline) {
        struct pollfd p = {.fd = z->ev, .events = POLLIN};
        poll(&p, 1, 200);
    }
    if (rc == 0)
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "zygote",
                     "the zygote was not ready within %.0f s", timeout_ms / 1000);
    return rc == 1 ? AW_OK : AW_ERROR;
}

const aw_scan_engine *aw_zygote_engine(const aw_zygote *z)
{
    return &z->engine;
}

int aw_zygote_spawn(aw_zygote *z, const char *workdir, pid_t *pid, int *fd, aw_error *err)
{
    char request[PATH_MAX + 2];
    int len = snprintf(request, sizeof request, "S%s\n", workdir);
    char cbuf[CMSG_SPACE(sizeof(int))];
    pid_t got = -1;
    struct iovec iov = {.iov_base = &got, .iov_len = sizeof got};
    struct msghdr msg = {.msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = cbuf,
                         .msg_controllen = sizeof cbuf};
    if (z->state != READY || len >= (int)sizeof request ||
        aw_fd_write_all(z->ctl, request, (size_t)len) != 0 ||
        recvmsg(z->ctl, &msg, MSG_CMSG_CLOEXEC) != sizeof got || got <= 0)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "spawn",
                            "the zygote could not start an executor");
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    if (c == NULL || c->cmsg_type != SCM_RIGHTS)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "spawn", "no executor socket");
    memcpy(fd, CMSG_DATA(c), sizeof *fd);
    *pid = got;
    return AW_OK;
}

int aw_zygote_event_fd(const aw_zygote *z)
{
    return z->ev;
}

int aw_zygote_next_exit(aw_zygote *z, pid_t *pid, int *status)
{
    char line[64];
    bool ended = read_available(z) != 0;
    if (take_line(z, line, sizeof line)) {
        int p = 0, s = 0;
        sscanf(line, "%d %d", &p, &s);
        *pid = p, *status = s;
        return 1;
    }
    return ended ? -1 : 0;
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
