/* procfs.c — a process's figures from /proc (procfs.h). */
#include "procfs.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* The first three fields of /proc/PID/statm (/proc/self/statm for pid 0),
 * in pages: size, resident, shared; false when it cannot be read. */
static bool read_statm(pid_t pid, unsigned long long pages[3])
{
    char path[64];
    if (pid > 0)
        snprintf(path, sizeof path, "/proc/%d/statm", (int)pid);
    else
        snprintf(path, sizeof path, "/proc/self/statm");
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    int got = fscanf(f, "%llu %llu %llu", &pages[0], &pages[1], &pages[2]);
    fclose(f);
    return got == 3;
}

uint64_t aw_proc_anon_bytes(pid_t pid)
{
    unsigned long long pages[3];
    if (!read_statm(pid, pages) || pages[2] > pages[1])
        return 0;
    return (pages[1] - pages[2]) * (uint64_t)sysconf(_SC_PAGESIZE);
}

double aw_proc_cpu_ms(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f != NULL)
        fclose(f);
    buf[n] = '\0';
    const char *end = strrchr(buf, ')'); /* the name may hold spaces */
    unsigned long long utime = 0, stime = 0;
    if (end == NULL || sscanf(end + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
                              &utime, &stime) != 2)
        return -1;
    return (double)(utime + stime) * 1000.0 / (double)sysconf(_SC_CLK_TCK);
}

long aw_proc_rss_kib(void)
{
    unsigned long long pages[3];
    if (!read_statm(0, pages))
        return 0;
    return (long)pages[1] * (sysconf(_SC_PAGESIZE) / 1024);
}

long aw_proc_peak_rss_kib(void)
{
    long kib = 0;
    char line[128];
    FILE *f = fopen("/proc/self/status", "r");
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmHWM: %ld", &kib) == 1)
            break;
    if (f != NULL)
        fclose(f);
    if (kib > 0)
        return kib;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}
