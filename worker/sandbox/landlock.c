/* sandbox_landlock.c — the job's view of the file tree (Landlock LSM).
 *
 * Every file-system right Landlock knows is handled, so anything not granted
 * below is refused with EACCES: the executor reads the read-only system
 * trees libraries load from lazily, and reads and writes only in its own
 * work directory, where the job it serves has its input, output and scratch
 * directory. /etc/passwd, the spool of other jobs, the ClamAV database and
 * the supervisor's files are out of reach. */
#define _GNU_SOURCE
#include "sandbox_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FS_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define FS_WRITE                                                                                   \
    (LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |                               \
     LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG)
#define FS_ABI1                                                                                    \
    (LANDLOCK_ACCESS_FS_EXECUTE | FS_READ | FS_WRITE | LANDLOCK_ACCESS_FS_MAKE_CHAR |              \
     LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK | \
     LANDLOCK_ACCESS_FS_MAKE_SYM)

/* Read-only trees the libraries open after the fork: shared objects and
 * their data (/usr: fonts, poppler's tables, gconv, zoneinfo), fontconfig's
 * configuration and cache, the CPU count and the process's own /proc files.
 * Missing ones are skipped. */
static const char *const system_read_paths[] = {
    "/usr",           "/lib",
    "/lib64",         "/etc/fonts",
    "/etc/localtime", "/var/cache/fontconfig",
    "/proc/self",     "/sys/devices/system/cpu",
    "/dev/null",      "/dev/zero",
    "/dev/urandom",
};

int aw_sandbox_landlock_abi(void)
{
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    return abi > 0 ? (int)abi : 0;
}

/* Grants access (limited to what a file can have when path is not a
 * directory). Returns 0, or -1 with errno when path exists but the rule
 * cannot be added. */
static int allow(int ruleset, const char *path, __u64 access)
{
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : -1;
    struct stat st;
    if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
        access &= LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE |
                  LANDLOCK_ACCESS_FS_EXECUTE;
    struct landlock_path_beneath_attr rule = {.allowed_access = access, .parent_fd = fd};
    int rc = (int)syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

static int add_rules(int ruleset, const aw_sandbox_paths *p, __u64 handled)
{
    for (size_t i = 0; i < sizeof system_read_paths / sizeof system_read_paths[0]; i++)
        if (allow(ruleset, system_read_paths[i], FS_READ) != 0)
            return -1;
    for (const char *const *extra = p->read_only; extra != NULL && *extra != NULL; extra++)
        if (allow(ruleset, *extra, FS_READ) != 0)
            return -1;
    __u64 rw = (FS_READ | FS_WRITE) & handled;
    return allow(ruleset, p->workdir, rw);
}

int aw_sandbox_landlock(const aw_sandbox_paths *paths, aw_error *err)
{
    __u64 handled = FS_ABI1;
    if (aw_sandbox_landlock_abi() >= 2)
        handled |= LANDLOCK_ACCESS_FS_REFER;
    struct landlock_ruleset_attr attr = {.handled_access_fs = handled};
    int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
    if (ruleset < 0)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "sandbox",
                            "landlock_create_ruleset: %s", strerror(errno));
    int rc = add_rules(ruleset, paths, handled);
    if (rc == 0)
        rc = (int)syscall(SYS_landlock_restrict_self, ruleset, 0);
    int saved = errno;
    close(ruleset);
    if (rc != 0)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "sandbox", "landlock: %s",
                            strerror(saved));
    return AW_OK;
}
