/* hygiene.c — an executor between two jobs (hygiene.h). */
#define _GNU_SOURCE
#include "hygiene.h"

#include "lazy.h"
#include "pipeline.h"
#include "procfs.h"
#include "sanitizer.h"

#include <dirent.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PERTURB_BYTE 0xA5

void aw_hygiene_prepare_malloc(void)
{
    mallopt(M_PERTURB, PERTURB_BYTE);
}

static int compare_ints(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

/* The open descriptors (the directory's own left out), ascending; -1 when
 * /proc cannot be read or there are more than max. */
static int open_fds(int *fds, int max)
{
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        int fd = atoi(e->d_name);
        if (fd == dirfd(d))
            continue;
        if (n == max) {
            n = -1;
            break;
        }
        fds[n++] = fd;
    }
    closedir(d);
    if (n > 0)
        qsort(fds, (size_t)n, sizeof *fds, compare_ints);
    return n;
}

/* libvips' worker pool (GLib's thread pool) grows and shrinks by itself
 * from one job to the next; an idle worker holds no job's state once the
 * job's images are gone, which aw_pipeline_forget_job checks. Any other
 * thread counts. */
#define POOL_THREAD_NAME "libvips worker"
#define POOL_THREADS_MAX 16

static bool is_pool_thread(const char *task)
{
    char path[300], name[32] = "";
    snprintf(path, sizeof path, "/proc/self/task/%s/comm", task);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    bool named = fgets(name, sizeof name, f) != NULL;
    fclose(f);
    name[strcspn(name, "\n")] = '\0';
    return named && strcmp(name, POOL_THREAD_NAME) == 0;
}

/* Threads other than libvips' pool workers; -1 when /proc cannot be read
 * or the pool holds more than POOL_THREADS_MAX. */
static int thread_count(void)
{
    DIR *d = opendir("/proc/self/task");
    if (d == NULL)
        return -1;
    int n = 0, pool = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (is_pool_thread(e->d_name))
            pool++;
        else
            n++;
    }
    closedir(d);
    return pool > POOL_THREADS_MAX ? -1 : n;
}

void aw_hygiene_baseline(aw_hygiene *h)
{
    memset(h, 0, sizeof *h);
    h->nfds = open_fds(h->fds, AW_HYGIENE_FDS_MAX);
}

static bool same_fds(const aw_hygiene *h, char *why, size_t size)
{
    int now[AW_HYGIENE_FDS_MAX];
    int n = open_fds(now, AW_HYGIENE_FDS_MAX);
    if (h->nfds < 0 || n < 0) {
        snprintf(why, size, "open descriptors cannot be listed");
        return false;
    }
    if (n == h->nfds && memcmp(now, h->fds, (size_t)n * sizeof *now) == 0)
        return true;
    snprintf(why, size, "%d descriptors open, %d before the first job", n, h->nfds);
    return false;
}

/* Threads and memory against the first job's (which sets them), or the
 * last one's that loaded a library. */
static bool within_first_job(aw_hygiene *h, char *why, size_t size)
{
    int threads = thread_count();
    uint64_t anon = aw_proc_anon_bytes(0);
    if (threads < 0 || anon == 0) {
        snprintf(why, size, "threads or memory cannot be read (or libvips' pool over %d)",
                 POOL_THREADS_MAX);
        return false;
    }
    unsigned libraries = aw_lazy_loaded();
    if (h->threads == 0 || libraries != h->libraries) {
        h->threads = threads, h->anon_bytes = anon, h->libraries = libraries;
        return true;
    }
    if (threads > h->threads) {
        snprintf(why, size, "%d threads, %d after the first job", threads, h->threads);
        return false;
    }
    if (anon > h->anon_bytes + AW_HYGIENE_GROWTH_BYTES) {
        snprintf(why, size, "anonymous memory %llu MiB, %llu MiB after the first job",
                 (unsigned long long)(anon >> 20), (unsigned long long)(h->anon_bytes >> 20));
        return false;
    }
    return true;
}

/* What the executor holds resident (the libraries its jobs loaded, its
 * heap) is what the next job would start from. Not under AddressSanitizer,
 * whose quarantine keeps up to 256 MiB of freed memory resident. */
static bool resident_within_max(char *why, size_t size)
{
#ifdef AW_UNDER_ASAN
    (void)why, (void)size;
    return true;
#else
    long kib = aw_proc_rss_kib();
    if (kib <= AW_HYGIENE_RESIDENT_MAX)
        return true;
    snprintf(why, size, "resident %ld MiB, over the %ld MiB a job may start from", kib >> 10,
             AW_HYGIENE_RESIDENT_MAX >> 10);
    return false;
#endif
}

bool aw_hygiene_after_job(aw_hygiene *h, char *why, size_t size)
{
    if (!aw_pipeline_forget_job(why, size))
        return false;
    return same_fds(h, why, size) && resident_within_max(why, size) &&
           within_first_job(h, why, size);
}
