/* office_child.c — one document: LibreOffice started, the sandbox closed,
 * the document loaded and page 1 painted, the answer sent. */
#define _GNU_SOURCE
#include "office_internal.h"
#include "office_lok.h"

#include "crash_signals.h"
#include "fd_pass.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* LibreOffice opens many files (fonts, its own resources). */
#define OFFICE_OPEN_FILES 4096

/* The document copied into dir (LibreOffice takes a path, and finds the
 * filter by its extension as well as its content). */
static int copy_document(const aw_office_request *r, const char *dir, char *path, size_t size)
{
    snprintf(path, size, "%s/document.%s", dir, r->ext);
    int out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out < 0)
        return -1;
    char buf[65536];
    ssize_t n;
    int rc = 0;
    while ((n = read(r->doc, buf, sizeof buf)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || write(out, buf, (size_t)n) != n) {
            rc = -1;
            break;
        }
    }
    close(out), close(r->doc);
    return rc;
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
    int in = open(from, O_RDONLY | O_CLOEXEC), out = -1;
    if (in >= 0)
        out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 0700);
    char buf[65536];
    ssize_t n = out >= 0 ? 1 : -1;
    while (n > 0 && (n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n)
            n = -1;
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    return n == 0 ? 0 : -1;
}

static const char *copy_from, *copy_to;

static int copy_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)ftw;
    char to[PATH_MAX * 2];
    snprintf(to, sizeof to, "%s%s", copy_to, path + strlen(copy_from));
    if (flag == FTW_D)
        return mkdir(to, 0700);
    if (flag == FTW_F && S_ISREG(st->st_mode))
        return copy_file(path, to, st->st_mode);
    return 0; /* links and the like are not copied */
}

int aw_office_copy_tree(const char *src, const char *dst)
{
    copy_from = src, copy_to = dst;
    return nftw(src, copy_entry, 16, FTW_PHYS);
}

/* The executor's limits, more open files, Landlock over dir (which holds
 * its own copy of the profile) and LibreOffice's configuration in /etc,
 * read-only. */
static int enter_sandbox(const aw_office_settings *s, const char *dir, aw_error *err)
{
    if (!s->sandboxed)
        return AW_OK;
    aw_sandbox_config cfg = s->sandbox;
    struct rlimit now;
    if (cfg.open_files < OFFICE_OPEN_FILES) /* as many as allowed: a container may allow fewer */
        cfg.open_files = getrlimit(RLIMIT_NOFILE, &now) == 0 && now.rlim_max < OFFICE_OPEN_FILES
                             ? (unsigned)now.rlim_max
                             : OFFICE_OPEN_FILES;
    cfg.jobs = 1;
    const char *const read_only[] = {"/etc/libreoffice", NULL};
    aw_sandbox_paths paths = {.workdir = dir, .read_only = read_only};
    bool confined = false;
    return aw_sandbox_enter(&cfg, &paths, &confined, err);
}

/* {"ok":true,…} with the pixels in a memfd. */
static int send_page(int client, const aw_lok_page *page)
{
    size_t bytes = (size_t)page->width * (size_t)page->height * 4;
    int memfd = memfd_create("office-page", MFD_CLOEXEC);
    if (memfd < 0 || write(memfd, page->bgra, bytes) != (ssize_t)bytes)
        return -1;
    json_t *reply = json_pack("{s:b,s:i,s:i,s:i,s:s}", "ok", 1, "width", page->width, "height",
                              page->height, "parts", page->parts, "kind", page->kind);
    char *text = json_dumps(reply, JSON_COMPACT);
    int rc = text != NULL ? aw_fd_send(client, text, strlen(text), memfd) : -1;
    free(text), json_decref(reply), close(memfd);
    return rc;
}

void aw_office_child_main(const aw_office_settings *s, const aw_office_request *r, const char *dir)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    signal(SIGCHLD, SIG_DFL);
    /* A render that crashes ends the child at once, so that its job reads
     * "crashed" now, not "timeout" a minute later. LibreOffice catches
     * SIGBUS, SIGFPE and SIGABRT to print a stack (stdio and backtrace() in
     * a signal handler); in a sanitizer build the sanitizer reports a
     * SIGSEGV first, and once a child signalled while LibreOffice started
     * had not ended after 60 s. */
    aw_die_on_crash_signals(); /* the preinit's handlers, inherited */
    char path[PATH_MAX + 32];
    aw_error err;
    aw_error_clear(&err);
    if (copy_document(r, dir, path, sizeof path) != 0) {
        aw_office_refuse(r->client, "internal", "cannot copy the document: %s", strerror(errno));
        _exit(0);
    }
    setenv("TMPDIR", dir, 1), setenv("HOME", dir, 1);
    if (s->sandboxed)
        (void)unshare(CLONE_NEWNET); /* a namespace without interfaces, where allowed */
    char profile[PATH_MAX + 16], profile_url[PATH_MAX + 32];
    snprintf(profile, sizeof profile, "%s/profile", dir);
    snprintf(profile_url, sizeof profile_url, "file://%s", profile);
    if (aw_office_copy_tree(s->profile_dir, profile) != 0) {
        aw_office_refuse(r->client, "internal", "cannot copy the profile: %s", strerror(errno));
        _exit(0);
    }
    aw_lok_page page;
    int started = aw_lok_start(s->install_dir, profile_url, &err);
    aw_die_on_crash_signals(); /* lok_init's own, if it set any */
    if (started != AW_OK || enter_sandbox(s, dir, &err) != AW_OK ||
        aw_lok_render_first_page(path, r->kind, r->box, &page, &err) != AW_OK) {
        aw_office_refuse(r->client, err.reason, "%s", err.message);
        _exit(0);
    }
    _exit(send_page(r->client, &page) == 0 ? 0 : 3);
}
