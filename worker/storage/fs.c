/* fs.c — the filesystem backend: keys are paths under a root
 * directory; writes go to a temporary file, fsync, rename, so a reader
 * never sees half an object and a stored object survives a crash.
 * local_path gives the console an object's path to serve with sendfile. */
#define _GNU_SOURCE
#include "storage.h"

#include "alloc.h"
#include "backends.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct fs_storage {
    aw_storage base;
    char root[PATH_MAX];
} fs_storage;

/* root + "/" + key for a safe key; an error, never a truncated path, when
 * it does not fit in size bytes. */
static int key_path(fs_storage *fs, const char *key, char *path, size_t size, aw_error *err)
{
    if (!aw_storage_key_safe(key))
        return aw_error_set(err, AW_CODE_STORAGE_ERROR, "invalid_key",
                            "storage key is not a safe relative path: %.200s", key);
    int n = snprintf(path, size, "%s/%s", fs->root, key);
    if (n < 0 || (size_t)n >= size) {
        if (size > 0)
            path[0] = '\0';
        return aw_error_set(err, AW_CODE_STORAGE_ERROR, "key_too_long",
                            "the path of %.300s is longer than %zu bytes", key,
                            size > 0 ? size - 1 : 0);
    }
    return AW_OK;
}

static int io_error(aw_error *err, const char *what, const char *path)
{
    int e = errno;
    aw_error_set(err, AW_CODE_STORAGE_ERROR, "io", "%s %.300s: %s", what, path, strerror(e));
    err->retriable = e != EACCES && e != EPERM && e != EISDIR && e != ENAMETOOLONG;
    return AW_ERROR;
}

/* Copies in → out, at most max bytes; 1 when more was there. Stops with
 * ECANCELED once the storage is cancelled. */
static int copy_bounded(aw_storage *s, int in, int out, uint64_t max, GChecksum *sum, int *over)
{
    char buf[1 << 16];
    uint64_t total = 0;
    *over = 0;
    for (;;) {
        if (aw_storage_cancelled(s)) {
            errno = ECANCELED;
            return -1;
        }
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return (int)n;
        if (total + (uint64_t)n > max) {
            *over = 1;
            return 0;
        }
        total += (uint64_t)n;
        if (sum != NULL)
            g_checksum_update(sum, (const guchar *)buf, n);
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                return -1;
            off += w;
        }
    }
}

/* Copies the open descriptor in (which it closes) into a new file at to,
 * at most max bytes (*over when more was there), fsync'ed when asked. */
static int copy_into(aw_storage *s, int in, const char *to, mode_t mode, uint64_t max, bool sync,
                     GChecksum *sum, int *over, aw_error *err)
{
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (out < 0) {
        close(in);
        return io_error(err, "cannot create", to);
    }
    int rc = copy_bounded(s, in, out, max, sum, over);
    if (rc == 0 && sync)
        rc = fsync(out);
    int saved = errno;
    close(in);
    close(out);
    errno = saved;
    return rc == 0 ? AW_OK : io_error(err, "cannot copy into", to);
}

static int fs_get(aw_storage *s, const char *key, const char *dest, uint64_t max,
                  char sha256_hex[65], aw_error *err)
{
    char path[PATH_MAX + 1100];
    if (key_path((fs_storage *)s, key, path, sizeof path, err) != AW_OK)
        return AW_ERROR;
    int in = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (in < 0 && errno == ENOENT)
        return aw_error_set(err, AW_CODE_NOT_FOUND, "missing", "no object at %.300s", key);
    if (in < 0)
        return io_error(err, "cannot open", path);
    int over = 0;
    GChecksum *sum = sha256_hex ? g_checksum_new(G_CHECKSUM_SHA256) : NULL;
    int rc = copy_into(s, in, dest, 0600, max, false, sum, &over, err);
    if (rc == AW_OK && over)
        rc = aw_error_set(err, AW_CODE_FILE_TOO_LARGE, "file_size",
                          "object %.300s is larger than %llu bytes", key, (unsigned long long)max);
    if (rc == AW_OK && sum != NULL)
        snprintf(sha256_hex, 65, "%s", g_checksum_get_string(sum));
    if (sum != NULL)
        g_checksum_free(sum);
    return rc;
}

/* fsync of the directory holding path, so a rename into it survives a crash. */
static int sync_parent(const char *path)
{
    char dir[PATH_MAX + 1100];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        return 0;
    *slash = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static int make_parents(char *path)
{
    for (char *p = strchr(path + 1, '/'); p != NULL; p = strchr(p + 1, '/')) {
        *p = '\0';
        int rc = mkdir(path, 0755);
        *p = '/';
        if (rc != 0 && errno != EEXIST)
            return -1;
    }
    return 0;
}

static int fs_put(aw_storage *s, const char *key, const char *src, const char *content_type,
                  aw_error *err)
{
    (void)content_type; /* a filesystem keeps no content type */
    char path[PATH_MAX + 1100], tmp[PATH_MAX + 1200];
    if (key_path((fs_storage *)s, key, path, sizeof path, err) != AW_OK)
        return AW_ERROR;
    if (make_parents(path) != 0)
        return io_error(err, "cannot create directories for", path);
    snprintf(tmp, sizeof tmp, "%s.tmp-%d-%d", path, (int)getpid(), (int)gettid()); /* per thread */
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return io_error(err, "cannot open", src);
    int over = 0;
    if (copy_into(s, in, tmp, 0644, UINT64_MAX, true, NULL, &over, err) != AW_OK) {
        unlink(tmp);
        return AW_ERROR;
    }
    if (rename(tmp, path) != 0) {
        io_error(err, "cannot store", path);
        unlink(tmp);
        return AW_ERROR;
    }
    return sync_parent(path) == 0 ? AW_OK : io_error(err, "cannot sync the directory of", path);
}

/* A hard link where the filesystem allows one (objects are never written in
 * place: put writes a temporary file and renames it over the key, which
 * replaces a link without touching the file it shared), else a copy. */
static int fs_copy(aw_storage *s, const char *src_key, const char *dst_key, aw_error *err)
{
    char src[PATH_MAX + 1100], dst[PATH_MAX + 1100], tmp[PATH_MAX + 1200];
    if (key_path((fs_storage *)s, src_key, src, sizeof src, err) != AW_OK ||
        key_path((fs_storage *)s, dst_key, dst, sizeof dst, err) != AW_OK)
        return AW_ERROR;
    int in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (in < 0 && errno == ENOENT)
        return aw_error_set(err, AW_CODE_NOT_FOUND, "missing", "no object at %.300s", src_key);
    if (in < 0)
        return io_error(err, "cannot open", src);
    if (make_parents(dst) != 0) {
        close(in);
        return io_error(err, "cannot create directories for", dst);
    }
    snprintf(tmp, sizeof tmp, "%s.tmp-%d-%d", dst, (int)getpid(), (int)gettid());
    int over = 0, rc = AW_OK;
    if (link(src, tmp) == 0)
        close(in);
    else
        rc = copy_into(s, in, tmp, 0644, UINT64_MAX, true, NULL, &over, err);
    if (rc == AW_OK && rename(tmp, dst) != 0)
        rc = io_error(err, "cannot store", dst);
    if (rc != AW_OK) {
        unlink(tmp);
        return AW_ERROR;
    }
    return sync_parent(dst) == 0 ? AW_OK : io_error(err, "cannot sync the directory of", dst);
}

static int fs_local_path(aw_storage *s, const char *key, char *out, size_t size, aw_error *err)
{
    return key_path((fs_storage *)s, key, out, size, err);
}

static void fs_destroy(aw_storage *s)
{
    free(s);
}

static const aw_storage_ops fs_ops = {.scheme = "file",
                                      .get = fs_get,
                                      .put = fs_put,
                                      .copy = fs_copy,
                                      .presign_get = NULL, /* files have no URL */
                                      .local_path = fs_local_path,
                                      .destroy = fs_destroy};

aw_storage *aw_storage_fs_open(const char *root, aw_error *err)
{
    struct stat st;
    if (root[0] != '/') {
        aw_error_set(err, AW_CODE_STORAGE_ERROR, "bad_url",
                     "file:// storage needs an absolute directory (file:///dir)");
        return NULL;
    }
    if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode)) {
        aw_error_set(err, AW_CODE_STORAGE_ERROR, "bad_url", "storage directory %.300s: %s", root,
                     errno ? strerror(errno) : "not a directory");
        return NULL;
    }
    fs_storage *fs = aw_xcalloc(1, sizeof *fs);
    fs->base.ops = &fs_ops;
    snprintf(fs->root, sizeof fs->root, "%s", root);
    for (size_t n = strlen(fs->root); n > 0 && fs->root[n - 1] == '/'; n--)
        fs->root[n - 1] = '\0'; /* "/dir/" → "/dir", "/" → "": paths are root + "/" + key */
    return &fs->base;
}
