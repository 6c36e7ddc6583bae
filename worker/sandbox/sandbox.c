/* sandbox.c — resource limits, then Landlock, then seccomp (sandbox.h). */
#define _GNU_SOURCE
#include "sandbox.h"

#include "sandbox_internal.h"
#include "sanitizer.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

void aw_sandbox_defaults(aw_sandbox_config *cfg)
{
    cfg->enabled = true;
    cfg->memory_bytes = 1ULL << 30;
    cfg->cpu_seconds = 300;
    cfg->jobs = 64;
    cfg->file_bytes = 1ULL << 30;
    cfg->open_files = 256;
}

/* Bytes of address space mapped now (/proc/self/statm, first field). */
#ifndef AW_UNDER_ASAN
static uint64_t aw_mapped_bytes(void)
{
    unsigned long long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f != NULL) {
        if (fscanf(f, "%llu", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    return pages * (uint64_t)sysconf(_SC_PAGESIZE);
}
#endif

static int limit(int resource, uint64_t soft, uint64_t hard, const char *name, aw_error *err)
{
    struct rlimit rl = {.rlim_cur = soft, .rlim_max = hard};
    if (setrlimit(resource, &rl) != 0)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "sandbox", "setrlimit %s: %s", name,
                            strerror(errno));
    return AW_OK;
}

/* Address space: what is mapped now (libraries, the shared ClamAV engine)
 * plus four times the job's memory allowance (thread stacks and malloc
 * arenas reserve more than they use), so the supervisor's resident-memory
 * watchdog normally speaks first and this is the hard stop behind it: a
 * single huge allocation fails at once, as an error of the library asking.
 * AddressSanitizer reserves terabytes of shadow, so there it is left out and
 * the watchdog alone bounds memory. */
static int limit_address_space(const aw_sandbox_config *cfg, aw_error *err)
{
#ifdef AW_UNDER_ASAN
    (void)cfg, (void)err;
    return AW_OK;
#else
    uint64_t as = aw_mapped_bytes() + 4 * cfg->memory_bytes;
    return limit(RLIMIT_AS, as, as, "RLIMIT_AS", err);
#endif
}

/* RLIMIT_CPU counts the executor's whole life, so it is only the backstop
 * behind the supervisor's per-job CPU watch: every job it may serve at its
 * limit. */
static int apply_limits(const aw_sandbox_config *cfg, aw_error *err)
{
    uint64_t cpu_backstop = (uint64_t)cfg->cpu_seconds * (cfg->jobs > 0 ? cfg->jobs : 1);
    /* Writing past RLIMIT_FSIZE then fails with EFBIG (a stage error)
     * instead of killing the job with SIGXFSZ. */
    signal(SIGXFSZ, SIG_IGN);
    if (limit_address_space(cfg, err) != AW_OK ||
        limit(RLIMIT_CPU, cpu_backstop, cpu_backstop + 5ULL, "RLIMIT_CPU", err) != AW_OK ||
        limit(RLIMIT_FSIZE, cfg->file_bytes, cfg->file_bytes, "RLIMIT_FSIZE", err) != AW_OK ||
        limit(RLIMIT_NOFILE, cfg->open_files, cfg->open_files, "RLIMIT_NOFILE", err) != AW_OK ||
        limit(RLIMIT_CORE, 0, 0, "RLIMIT_CORE", err) != AW_OK)
        return AW_ERROR;
    return AW_OK;
}

int aw_sandbox_enter(const aw_sandbox_config *cfg, const aw_sandbox_paths *paths, bool *confined,
                     aw_error *err)
{
    *confined = false;
    if (apply_limits(cfg, err) != AW_OK)
        return AW_ERROR;
    /* Required by both Landlock and unprivileged seccomp; also keeps set-id
     * programs from gaining anything, had execve been reachable. */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "sandbox", "prctl: %s",
                            strerror(errno));
    if (aw_sandbox_landlock_abi() > 0) {
        if (aw_sandbox_landlock(paths, err) != AW_OK)
            return AW_ERROR;
        *confined = true;
    }
    return aw_sandbox_seccomp(err);
}
