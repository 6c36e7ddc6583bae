/* scan_remote.c — an executor's side of its scan process (scan.h): the
 * file's descriptor and the temporary directory out, one verdict back. */
#include "fd_pass.h"
#include "log.h"
#include "scan.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static int connection = -1;
static double cpu_ms;
static long peak_kib;

void aw_scan_set_connection(int sock)
{
    connection = sock;
}

double aw_scan_remote_cpu_ms(void)
{
    return cpu_ms;
}

long aw_scan_remote_peak_kib(void)
{
    long peak = peak_kib;
    peak_kib = 0;
    return peak;
}

/* The scan process is gone: the job cannot be scanned by this executor. */
static void lost(const char *what)
{
    aw_log_warn("scan: %s: %s; the executor exits for the job to be retried", what,
                errno ? strerror(errno) : "the scan process ended");
    _exit(AW_SCAN_LOST_EXIT);
}

void aw_scan_remotely(int fd, const char *tmpdir, aw_scan_verdict *v)
{
    if (tmpdir == NULL)
        tmpdir = "";
    errno = 0;
    if (connection < 0 || aw_fd_send(connection, tmpdir, strlen(tmpdir), fd) != 0)
        lost("cannot reach the scan process");
    char reply[sizeof *v + 1];
    int none = -1;
    errno = 0;
    ssize_t n = aw_fd_recv(connection, reply, sizeof reply, &none);
    if (none >= 0)
        close(none);
    if (n != (ssize_t)sizeof *v)
        lost("no verdict from the scan process");
    memcpy(v, reply, sizeof *v);
    cpu_ms += v->cpu_ms;
    if (v->peak_rss_kib > peak_kib)
        peak_kib = v->peak_rss_kib;
}
