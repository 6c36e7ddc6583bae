/* db_watch.c — inotify on the ClamAV database directory. */
#define _GNU_SOURCE
#include "db_watch.h"

#include "alloc.h"
#include "timeutil.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#define WATCHED (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE)

struct aw_db_watch {
    int fd;
    double settle_ms;
    double last_change; /* monotonic ms; 0 when nothing is pending */
};

aw_db_watch *aw_db_watch_new(const char *dir, double settle_ms, aw_error *err)
{
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0 || inotify_add_watch(fd, dir, WATCHED) < 0) {
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "clamav_watch", "cannot watch %s: %s", dir,
                     strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    aw_db_watch *w = aw_xcalloc(1, sizeof *w);
    w->fd = fd, w->settle_ms = settle_ms;
    return w;
}

void aw_db_watch_free(aw_db_watch *w)
{
    if (w == NULL)
        return;
    close(w->fd);
    free(w);
}

int aw_db_watch_fd(const aw_db_watch *w)
{
    return w->fd;
}

static bool is_bookkeeping(const char *name)
{
    return name[0] == '.' || strcmp(name, "freshclam.dat") == 0 ||
           strcmp(name, "mirrors.dat") == 0 || fnmatch("*.tmp", name, 0) == 0 ||
           fnmatch("tmp.*", name, 0) == 0 || fnmatch("clamav-*", name, 0) == 0;
}

static void read_events(aw_db_watch *w)
{
    char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
    ssize_t n;
    while ((n = read(w->fd, buf, sizeof buf)) > 0)
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *e = (const struct inotify_event *)p;
            if (e->len > 0 && !is_bookkeeping(e->name))
                w->last_change = aw_time_mono_ms();
            p += sizeof *e + e->len;
        }
}

bool aw_db_watch_settled(aw_db_watch *w)
{
    read_events(w);
    if (w->last_change == 0 || aw_time_mono_ms() - w->last_change < w->settle_ms)
        return false;
    w->last_change = 0;
    return true;
}

void aw_db_watch_again(aw_db_watch *w)
{
    w->last_change = aw_time_mono_ms();
}
