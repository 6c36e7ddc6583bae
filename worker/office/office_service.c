/* office_service.c — the office process (office_service.h): the
 * supervisor's handle on it, and its own main(). */
#define _GNU_SOURCE
#include "office_service.h"

#include "alloc.h"
#include "file_tree.h"
#include "log.h"
#include "office_internal.h"
#include "office_lok.h"
#include "office_profile.h"
#include "self_exec.h"
#include "timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define FDS_ENV "AW_OFFICE_FDS"
#define DIR_ENV "AW_OFFICE_DIR"
#define ONE_SHOT_ENV "AW_OFFICE_ONE_SHOT"
#define RESTART_MS 5000
#define STOP_MS 2000 /* for the office process to end its children and exit */

struct aw_office {
    char **argv;  /* the run command line, for restarts */
    int listener; /* bound by the supervisor, lent to each office process */
    char socket_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    char dir[PATH_MAX]; /* <spool>/office: the profile and the children's directories */
    pid_t pid;
    bool one_shot; /* for one command: no preinit (launch) */
    int ev;        /* the set-up line */
    bool said;
    double started;
};

const char *aw_office_install_dir(const aw_service_config *cfg)
{
    if (strcmp(cfg->office, "off") == 0)
        return NULL;
    const char *dir = strcmp(cfg->office, "auto") == 0 ? AW_OFFICE_DEFAULT_DIR : cfg->office;
    return aw_lok_installed(dir) ? dir : NULL;
}

/* ---- the office process --------------------------------------------------- */

bool aw_office_requested(void)
{
    return getenv(FDS_ENV) != NULL;
}

static void say(int ev, const char *line)
{
    if (write(ev, line, strlen(line)) < 0)
        return; /* the supervisor is gone: the loop notices */
}

static int settle(aw_office_settings *s, const aw_service_config *cfg, const char *dir,
                  aw_error *err)
{
    s->install_dir = aw_office_install_dir(cfg);
    s->slots = cfg->office_slots;
    s->timeout_ms = cfg->office_timeout_ms;
    s->sandbox = cfg->sandbox;
    s->sandboxed = cfg->sandbox.enabled;
    snprintf(s->profile_dir, sizeof s->profile_dir, "%s/profile", dir);
    snprintf(s->work_dir, sizeof s->work_dir, "%s/documents", dir);
    if (s->install_dir == NULL)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "office_unavailable",
                            "LibreOffice is not installed");
    if (mkdir(s->work_dir, 0700) != 0 && errno != EEXIST)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "office_unavailable",
                            "cannot create %s: %s", s->work_dir, strerror(errno));
    if (aw_office_profile_write(s->profile_dir, s->profile_url, sizeof s->profile_url, err) !=
        AW_OK)
        return AW_ERROR;
    if (getenv(ONE_SHOT_ENV) != NULL) /* one document: its child loads LibreOffice whole */
        return AW_OK;
    return aw_lok_preinit(s->install_dir, s->profile_url, err);
}

/* LibreOffice writes its progress to stdout and stderr ("Init vcl",
 * "preload: …"), which would break the supervisor's log lines; what the
 * office process has to say goes over its set-up line and its answers. */
static void quiet(void)
{
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, STDOUT_FILENO), dup2(null, STDERR_FILENO);
        close(null);
    }
}

int aw_office_main(int argc, char **argv)
{
    int listener = -1, ev = -1;
    const char *dir = getenv(DIR_ENV);
    if (sscanf(getenv(FDS_ENV), "%d,%d", &listener, &ev) != 2 || dir == NULL)
        return 3;
    unsetenv(FDS_ENV);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    signal(SIGTERM, SIG_IGN); /* a terminal's ^C is the supervisor's to handle */
    signal(SIGINT, SIG_IGN);
    aw_service_config cfg;
    if (aw_service_config_parse(argc, argv, &cfg) != AW_SETTINGS_OK)
        return 3;
    quiet();
    static aw_office_settings s;
    static aw_error err;
    aw_error_clear(&err);
    double t0 = aw_time_mono_ms();
    char line[700];
    if (settle(&s, &cfg, dir, &err) != AW_OK) {
        s.unavailable = err.message; /* every request is answered with it */
        snprintf(line, sizeof line, "office: not available: %s\n", err.message);
    } else {
        snprintf(line, sizeof line, "office: LibreOfficeKit loaded from %s in %.0f ms\n",
                 s.install_dir, aw_time_mono_ms() - t0);
    }
    say(ev, line);
    aw_office_serve(&s, listener, ev);
    _exit(0); /* children follow: their parent-death signal is SIGKILL */
}

/* ---- the supervisor's handle ------------------------------------------------ */

static int bind_socket(aw_office *o)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(o->socket_path) >= sizeof addr.sun_path)
        return -1;
    memcpy(addr.sun_path, o->socket_path, strlen(o->socket_path) + 1);
    unlink(o->socket_path);
    o->listener = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (o->listener < 0 || bind(o->listener, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(o->listener, 256) != 0)
        return -1;
    return 0;
}

/* The binary again, as "asset-worker-office run …". */
static int launch(aw_office *o)
{
    int ev[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ev) != 0)
        return -1;
    char fds[64], dir[PATH_MAX + 32];
    snprintf(fds, sizeof fds, FDS_ENV "=%d,%d", o->listener, ev[1]);
    snprintf(dir, sizeof dir, DIR_ENV "=%s", o->dir);
    const char *const extra[] = {fds, dir, "G_SLICE=always-malloc",
                                 o->one_shot ? ONE_SHOT_ENV "=1" : NULL, NULL};
    char **env = aw_self_env(extra);
    pid_t pid = fork();
    if (pid == 0) { /* only async-signal-safe calls until exec */
        close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
        fcntl(o->listener, F_SETFD, 0), fcntl(ev[1], F_SETFD, 0);
        execve("/proc/self/exe", o->argv, env);
        _exit(127);
    }
    free(env);
    close(ev[1]);
    if (pid < 0) {
        close(ev[0]);
        return -1;
    }
    o->pid = pid, o->ev = ev[0], o->said = false, o->started = aw_time_mono_ms();
    return 0;
}

/* The handle on an office process working in dir (created by the caller)
 * and listening on dir/office.sock; NULL (the handle's files gone) when the
 * path is too long for a socket or the process cannot start. */
static aw_office *open_office(const char *dir, char *const *run_argv, bool one_shot)
{
    aw_office *o = aw_xcalloc(1, sizeof *o);
    o->ev = -1, o->listener = -1, o->one_shot = one_shot;
    snprintf(o->dir, sizeof o->dir, "%s", dir);
    o->argv = aw_self_argv("asset-worker-office", run_argv);
    int n = snprintf(o->socket_path, sizeof o->socket_path, "%.*s/office.sock",
                     (int)sizeof o->socket_path, o->dir);
    if (n >= (int)sizeof o->socket_path) {
        aw_log_error("office: the path %s is too long for a Unix socket", o->dir);
        aw_office_stop(o);
        return NULL;
    }
    if (bind_socket(o) != 0 || launch(o) != 0) {
        aw_log_error("office: cannot start the office process in %s: %s", o->dir, strerror(errno));
        aw_office_stop(o);
        return NULL;
    }
    return o;
}

aw_office *aw_office_start(const aw_service_config *cfg)
{
    if (aw_office_install_dir(cfg) == NULL) {
        aw_log_info("office: %s; Office files get the thumbnail their writer embedded, if any",
                    strcmp(cfg->office, "off") == 0 ? "off (--office off)"
                                                    : "LibreOffice is not installed");
        return NULL;
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/office", cfg->spool_dir);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        aw_log_error("office: cannot create %s: %s", dir, strerror(errno));
        return NULL;
    }
    aw_office *o = open_office(dir, cfg->argv, false);
    if (o != NULL)
        setenv("AW_OFFICE_SOCKET", o->socket_path, 1); /* for the executors (office_render.h) */
    return o;
}

aw_office *aw_office_start_private(void)
{
    static char *argv[] = {"run", "--embedded", "--log-level", "error", NULL};
    const char *tmp = getenv("TMPDIR");
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/asset-worker-office-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!aw_lok_installed(AW_OFFICE_DEFAULT_DIR) || mkdtemp(dir) == NULL)
        return NULL;
    return open_office(dir, argv, true);
}

const char *aw_office_socket_path(const aw_office *o)
{
    return o->socket_path;
}

static void read_setup_line(aw_office *o)
{
    char line[800];
    struct pollfd p = {.fd = o->ev, .events = POLLIN};
    if (o->said || poll(&p, 1, 0) <= 0)
        return;
    ssize_t n = read(o->ev, line, sizeof line - 1);
    if (n <= 0)
        return;
    line[n] = '\0';
    line[strcspn(line, "\n")] = '\0';
    if (strstr(line, "not available") != NULL)
        aw_log_warn("%s; Office files get the thumbnail their writer embedded", line);
    else
        aw_log_info("%s", line);
    o->said = true;
}

void aw_office_step(aw_office *o)
{
    if (o == NULL)
        return;
    read_setup_line(o);
    int status;
    if (o->pid > 0 && waitpid(o->pid, &status, WNOHANG) == o->pid) {
        aw_log_warn("office: the office process ended (status %d); starting another", status);
        close(o->ev), o->ev = -1, o->pid = 0;
    }
    if (o->pid == 0 && aw_time_mono_ms() - o->started > RESTART_MS && launch(o) != 0)
        o->started = aw_time_mono_ms(); /* try again later */
}

static bool exited_within(pid_t pid, double ms)
{
    for (double waited = 0; waited < ms; waited += 10) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return true;
        usleep(10000);
    }
    return false;
}

void aw_office_stop(aw_office *o)
{
    if (o == NULL)
        return;
    if (o->ev >= 0) /* the office process ends its children and exits */
        close(o->ev);
    if (o->pid > 0 && !exited_within(o->pid, STOP_MS)) {
        kill(o->pid, SIGKILL);
        waitpid(o->pid, NULL, 0);
    }
    if (o->listener >= 0)
        close(o->listener);
    unlink(o->socket_path);
    aw_remove_tree(o->dir);
    free(o->argv);
    free(o);
}
