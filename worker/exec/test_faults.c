/* test_faults.c — the executor's test-only fault switches (test_faults.h).
 *
 *   fault-segv…        SIGSEGV
 *   fault-hang…        sleeps forever (job wall-time limit)
 *   fault-stage-hang…  announces stage "scan", then sleeps (stage limit)
 *   fault-alloc…       touches 8 MiB more every 20 ms, without end
 *   fault-exit…        exits with status 3
 *   fault-slow…        0.5 s, then the job runs normally
 *   fault-linger…      5 s, then the job runs normally (in flight for sure)
 *   fault-probe-PORT…  tries what the sandbox must refuse and reports each
 *                      outcome as the job's error message: a TCP connection
 *                      to 127.0.0.1:PORT, reading /etc/passwd and the file
 *                      named by AW_TEST_PROBE_SECRET, fork, and finally
 *                      execve of touch(1) on AW_TEST_PROBE_MARK. */
#define _GNU_SOURCE
#include "test_faults.h"

#include "alloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
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

bool aw_test_fault(const char *asset_id, int progress_fd, aw_result *r)
{
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
    if (starts(asset_id, "fault-probe-")) {
        probe(asset_id, r);
        return true;
    }
    return false;
}
