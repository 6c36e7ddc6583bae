/* test_faults.c — the executor's test-only fault switches (test_faults.h).
 *
 *   fault-segv…        SIGSEGV
 *   fault-hang…        sleeps forever (job wall-time limit)
 *   fault-stage-hang…  announces stage "scan", then sleeps (stage limit)
 *   fault-alloc…       touches 8 MiB more every 20 ms, without end
 *   fault-exit…        exits with status 3
 *   fault-slow…        0.5 s, then the job runs normally
 *   fault-linger…      5 s, then the job runs normally (in flight for sure)
 *   fault-resident…    keeps 128 MiB of touched memory, then the job runs
 *                      normally (its executor must retire after it)
 *   fault-probe-PORT…  tries what the sandbox must refuse and reports each
 *                      outcome as the job's error message: a TCP connection
 *                      to 127.0.0.1:PORT, reading /etc/passwd and the file
 *                      named by AW_TEST_PROBE_SECRET, fork, and finally
 *                      execve of touch(1) on AW_TEST_PROBE_MARK. */
#define _GNU_SOURCE
#include "test_faults.h"

#include "alloc.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void allocate_forever(void)
{
    for (;;) {
        size_t n = 8u << 20;
        char *p = aw_xmalloc(n); /* aborts at the job's memory limit */
        memset(p, 1, n);
        usleep(20000);
    }
}

static const char *outcome(int rc)
{
    return rc == 0 ? "ALLOWED" : strerrorname_np(errno);
}

static int probe_connect(int port)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int rc = connect(s, (struct sockaddr *)&a, sizeof a);
    close(s);
    return rc;
}

static int probe_read(const char *path)
{
    int fd = path ? open(path, O_RDONLY) : -1;
    if (fd >= 0)
        close(fd);
    return fd >= 0 ? 0 : -1;
}

static int probe_fork(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    if (pid > 0)
        waitpid(pid, NULL, 0);
    return pid > 0 ? 0 : -1;
}

static int probe_exec(void)
{
    const char *mark = getenv("AW_TEST_PROBE_MARK");
    char *argv[] = {"touch", (char *)(mark ? mark : "/dev/null"), NULL};
    execv("/usr/bin/touch", argv); /* returns only when refused */
    return -1;
}

static void probe(const char *asset_id, aw_result *r)
{
    char msg[400];
    int port = atoi(asset_id + strlen("fault-probe-"));
    int n = snprintf(msg, sizeof msg, "socket+connect: %s", outcome(probe_connect(port)));
    n += snprintf(msg + n, sizeof msg - (size_t)n, "; read /etc/passwd: %s",
                  outcome(probe_read("/etc/passwd")));
    n += snprintf(msg + n, sizeof msg - (size_t)n, "; read secret: %s",
                  outcome(probe_read(getenv("AW_TEST_PROBE_SECRET"))));
    n += snprintf(msg + n, sizeof msg - (size_t)n, "; fork: %s", outcome(probe_fork()));
    snprintf(msg + n, sizeof msg - (size_t)n, "; execve: %s", outcome(probe_exec()));
    aw_error err;
    aw_error_set(&err, AW_CODE_PROCESSING_FAILED, "sandbox_probe", "%s", msg);
    r->status = AW_JOB_FAILED;
    aw_result_add_error(r, "probe", &err);
}

#define SECRET "AW-TEST-SECRET-OF-AN-EARLIER-JOB"
static const size_t secret_sizes[] = {200, 4000, 60000, 1u << 20};

static void remember(void)
{
    for (size_t i = 0; i < sizeof secret_sizes / sizeof secret_sizes[0]; i++) {
        char *p = aw_xmalloc(secret_sizes[i]);
        for (size_t at = 0; at + sizeof SECRET <= secret_sizes[i]; at += sizeof SECRET)
            memcpy(p + at, SECRET, sizeof SECRET);
        free(p);
    }
}

/* Blocks of the sizes remember() freed, read before anything is written. */
static const char *memory_holds_secret(void)
{
    const char *found = "clean";
    for (size_t i = 0; i < sizeof secret_sizes / sizeof secret_sizes[0]; i++) {
        char *p = aw_xmalloc(secret_sizes[i]);
        if (memmem(p, secret_sizes[i], SECRET, sizeof SECRET - 1) != NULL)
            found = "SECRET";
        free(p);
    }
    return found;
}

/* The executor's work directory: the parent of the job's directory. */
static void workdir_of(const char *input, char *buf, size_t size)
{
    snprintf(buf, size, "%s", input);
    for (int up = 0; up < 2; up++) { /* <workdir>/job/source */
        char *slash = strrchr(buf, '/');
        if (slash != NULL)
            *slash = '\0';
    }
}

static void litter_file(const char *input)
{
    char dir[PATH_MAX], path[PATH_MAX + 16];
    workdir_of(input, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/litter", dir);
    FILE *f = fopen(path, "w");
    if (f != NULL)
        fputs(SECRET, f), fclose(f);
}

static int open_fd_count(void)
{
    int n = 0;
    for (int fd = 0; fd < 1024; fd++)
        n += fcntl(fd, F_GETFD) != -1;
    return n;
}

static void recall(const char *input, unsigned served, aw_result *r)
{
    char dir[PATH_MAX], path[PATH_MAX + 16], names[200] = "";
    workdir_of(input, dir, sizeof dir);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.' && strlen(names) + strlen(e->d_name) + 2 < sizeof names)
            strcat(strcat(names, " "), e->d_name);
    if (d != NULL)
        closedir(d);
    snprintf(path, sizeof path, "%s/litter", dir);
    aw_error err;
    aw_error_set(&err, AW_CODE_PROCESSING_FAILED, "recall",
                 "served=%u memory=%s workdir=[%s ] litter=%s fds=%d", served,
                 memory_holds_secret(), names, probe_read(path) == 0 ? "READ" : "absent",
                 open_fd_count());
    r->status = AW_JOB_FAILED;
    aw_result_add_error(r, "recall", &err);
}

/* What a job leaves for the next one: nothing, if hygiene works. */
static bool leave_or_recall(const char *asset_id, const char *input, unsigned served, aw_result *r)
{
    if (starts(asset_id, "fault-remember"))
        remember();
    if (starts(asset_id, "fault-litter-file"))
        litter_file(input);
    if (starts(asset_id, "fault-litter-fd") && open("/dev/null", O_RDONLY) < 0)
        _exit(3);
    if (!starts(asset_id, "fault-recall"))
        return false;
    recall(input, served, r);
    return true;
}

/* Memory the process keeps resident after the job (never freed). */
static void keep_resident(size_t bytes)
{
    static char *volatile kept; /* volatile: kept, not optimised away */
    kept = malloc(bytes);
    if (kept != NULL)
        memset(kept, 1, bytes);
}

bool aw_test_fault(const char *asset_id, const char *input, int progress_fd, unsigned served,
                   aw_result *r)
{
    if (leave_or_recall(asset_id, input, served, r))
        return true;
    if (starts(asset_id, "fault-segv"))
        raise(SIGSEGV);
    if (starts(asset_id, "fault-stage-hang")) {
        static const char line[] = "{\"progress\":{\"stage\":\"scan\",\"percent\":0}}\n";
        if (write(progress_fd, line, sizeof line - 1) < 0)
            _exit(3);
    }
    if (starts(asset_id, "fault-hang") || starts(asset_id, "fault-stage-hang"))
        for (;;)
            pause();
    if (starts(asset_id, "fault-alloc"))
        allocate_forever();
    if (starts(asset_id, "fault-exit"))
        _exit(3);
    if (starts(asset_id, "fault-slow"))
        usleep(500000);
    if (starts(asset_id, "fault-linger"))
        sleep(5);
    if (starts(asset_id, "fault-resident"))
        keep_resident(128u << 20);
    if (starts(asset_id, "fault-probe-")) {
        probe(asset_id, r);
        return true;
    }
    return false;
}
