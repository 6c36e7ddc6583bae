/* model_io.c — the only files assimp may open while importing a model: the
 * model itself and plain files beside it in the job's own input directory.
 * A reference that is absolute, climbs with "..", names a URL, a symbolic
 * link, a path through a linked directory leading out, or anything but a
 * regular file is refused, and assimp carries on
 * without it (a texture or material library missing) or stops (a glTF
 * buffer missing). The sandbox confines the executor as well; this makes
 * the importer's own behaviour the same inside and outside of it. */
#define _GNU_SOURCE
#include "model_io.h"

#include "alloc.h"

#include <fcntl.h>
#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct model_dir {
    char *dir;        /* the input's directory, with a trailing '/' */
    char *alias;      /* the name assimp is given for the model ("{dir}model.glb") */
    char *alias_name; /* its last part ("model.glb") */
    char *source;     /* the model's real path */
} model_dir;

static size_t read_proc(struct aiFile *f, char *buf, size_t size, size_t count)
{
    if (size == 0 || count == 0)
        return 0;
    return fread(buf, size, count, (FILE *)f->UserData);
}

static size_t write_proc(struct aiFile *f, const char *buf, size_t size, size_t count)
{
    (void)f, (void)buf, (void)size, (void)count;
    return 0; /* read only */
}

static size_t tell_proc(struct aiFile *f)
{
    long at = ftell((FILE *)f->UserData);
    return at < 0 ? 0 : (size_t)at;
}

static size_t size_proc(struct aiFile *f)
{
    struct stat st;
    return fstat(fileno((FILE *)f->UserData), &st) == 0 ? (size_t)st.st_size : 0;
}

static enum aiReturn seek_proc(struct aiFile *f, size_t offset, enum aiOrigin origin)
{
    int whence = origin == aiOrigin_CUR ? SEEK_CUR : origin == aiOrigin_END ? SEEK_END : SEEK_SET;
    if (offset > (size_t)INT64_MAX)
        return aiReturn_FAILURE;
    return fseeko((FILE *)f->UserData, (off_t)offset, whence) == 0 ? aiReturn_SUCCESS
                                                                   : aiReturn_FAILURE;
}

static void flush_proc(struct aiFile *f)
{
    (void)f;
}

/* `path` below the input directory with "//" and "/./" folded, when it
 * may be opened there: no ".." component, no URL, no backslash (Windows
 * separators in a model are names, not directories). NULL otherwise; the
 * caller frees the result. */
static char *confined_name(const model_dir *m, const char *path)
{
    size_t dlen = strlen(m->dir);
    if (strncmp(path, m->dir, dlen) != 0 || strstr(path, "://") != NULL || strchr(path, '\\'))
        return NULL;
    GString *rel = g_string_new(NULL);
    gchar **parts = g_strsplit(path + dlen, "/", -1);
    bool ok = true;
    for (gchar **p = parts; *p != NULL && ok; p++) {
        if ((*p)[0] == '\0' || strcmp(*p, ".") == 0)
            continue;
        ok = strcmp(*p, "..") != 0;
        g_string_append_printf(rel, "%s%s", rel->len ? "/" : "", *p);
    }
    g_strfreev(parts);
    ok = ok && rel->len > 0;
    return g_string_free(rel, !ok);
}

/* A regular file, or NULL; a symbolic link is followed only for the model
 * itself (the path the job was given). */
static FILE *open_plain(const char *path, bool follow)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
    struct stat st;
    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return NULL;
    }
    FILE *f = fdopen(fd, "rb");
    if (f == NULL)
        close(fd);
    return f;
}

/* A file the model names, `name` below the directory: opened only when it
 * resolves inside the directory (no directory on the way is a link out of
 * it) and is itself no link. *outside tells a refusal from an absence. */
static FILE *open_named(const model_dir *m, const char *name, bool *outside)
{
    gchar *full = g_strconcat(m->dir, name, NULL);
    char *real = realpath(full, NULL);
    *outside = real != NULL && strncmp(real, m->dir, strlen(m->dir)) != 0;
    FILE *f = real != NULL && !*outside ? open_plain(full, false) : NULL;
    free(real), g_free(full);
    return f;
}

static struct aiFile *open_proc(struct aiFileIO *io, const char *path, const char *mode)
{
    model_dir *m = (model_dir *)io->UserData;
    if (mode == NULL || strchr(mode, 'w') || strchr(mode, 'a') || strchr(mode, '+'))
        return NULL;
    FILE *f = NULL;
    char *name = confined_name(m, path);
    if (name != NULL && strcmp(name, m->alias_name) == 0) {
        f = open_plain(m->source, true);
    } else if (name != NULL) {
        bool outside;
        f = open_named(m, name, &outside);
    }
    g_free(name);
    if (f == NULL)
        return NULL;
    struct aiFile *file = aw_xcalloc(1, sizeof *file);
    *file = (struct aiFile){.ReadProc = read_proc,
                            .WriteProc = write_proc,
                            .TellProc = tell_proc,
                            .FileSizeProc = size_proc,
                            .SeekProc = seek_proc,
                            .FlushProc = flush_proc,
                            .UserData = (aiUserData)f};
    return file;
}

static void close_proc(struct aiFileIO *io, struct aiFile *file)
{
    (void)io;
    if (file == NULL)
        return;
    fclose((FILE *)file->UserData);
    free(file);
}

struct aiFileIO *aw_model_io_new(const char *source, const char *extension)
{
    model_dir *m = aw_xcalloc(1, sizeof *m);
    const char *slash = strrchr(source, '/');
    char *dir = slash ? aw_xasprintf("%.*s", (int)(slash - source), source) : aw_xstrdup(".");
    char *absolute = realpath(dir, NULL);
    m->dir = aw_xasprintf("%s/", absolute ? absolute : dir);
    free(dir), free(absolute);
    m->alias_name = aw_xasprintf("model.%s", extension);
    m->alias = aw_xasprintf("%s%s", m->dir, m->alias_name);
    m->source = aw_xstrdup(source);
    struct aiFileIO *io = aw_xcalloc(1, sizeof *io);
    *io = (struct aiFileIO){.OpenProc = open_proc,
                            .CloseProc = close_proc,
                            .UserData = (aiUserData)m};
    return io;
}

const char *aw_model_io_name(const struct aiFileIO *io)
{
    return ((const model_dir *)io->UserData)->alias;
}

aw_model_reference aw_model_io_reference(const struct aiFileIO *io, const char *ref)
{
    const model_dir *m = (const model_dir *)io->UserData;
    if (ref[0] == '/' || strstr(ref, "://") != NULL)
        return AW_MODEL_REF_REFUSED;
    gchar *full = g_strconcat(m->dir, ref, NULL);
    char *name = confined_name(m, full);
    bool outside = false;
    FILE *f = name != NULL ? open_named(m, name, &outside) : NULL;
    aw_model_reference r = name == NULL || outside ? AW_MODEL_REF_REFUSED
                           : f == NULL             ? AW_MODEL_REF_MISSING
                                                   : AW_MODEL_REF_PRESENT;
    if (f != NULL)
        fclose(f);
    g_free(name), g_free(full);
    return r;
}

void aw_model_io_free(struct aiFileIO *io)
{
    if (io == NULL)
        return;
    model_dir *m = (model_dir *)io->UserData;
    free(m->dir), free(m->alias), free(m->alias_name), free(m->source), free(m);
    free(io);
}
