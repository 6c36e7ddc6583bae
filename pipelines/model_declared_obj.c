/* model_declared_obj.c — what a Wavefront OBJ declares, counted line by
 * line before assimp reads it: vertices (`v`), faces (`f`, any arity;
 * triangles = n − 2 each), texture coordinates and normals, objects and
 * groups, material libraries named (`mtllib`). The limits are checked on
 * these, and they are the file's own counts (assimp gives every face
 * corner a vertex of its own). */
#include "model3d.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OBJ_LINE_MAX 65536

static int words(const char *rest)
{
    int n = 0;
    for (const char *p = rest; *p != '\0';) {
        p += strspn(p, " \t\r\n");
        if (*p == '\0')
            break;
        n++;
        p += strcspn(p, " \t\r\n");
    }
    return n;
}

/* Every file name of an `mtllib` line. */
static void libraries(aw_model_declared *t, const char *rest)
{
    for (const char *p = rest; *p != '\0';) {
        p += strspn(p, " \t\r\n");
        size_t len = strcspn(p, " \t\r\n");
        if (len > 0)
            aw_model_declared_reference(t, p, len);
        p += len;
    }
}

static void line(aw_model_declared *t, const char *text)
{
    text += strspn(text, " \t");
    size_t kw = strcspn(text, " \t\r\n");
    const char *rest = text + kw;
#define IS(word) (kw == strlen(word) && strncmp(text, word, kw) == 0)
    if (IS("v")) {
        t->vertices++;
    } else if (IS("f")) {
        int n = words(rest);
        t->faces++;
        t->triangles += n > 2 ? (uint64_t)n - 2 : 0;
    } else if (IS("vt")) {
        t->texcoords++;
    } else if (IS("vn")) {
        t->normals++;
    } else if (IS("o")) {
        t->objects++;
    } else if (IS("g")) {
        t->groups++;
    } else if (IS("mtllib")) {
        libraries(t, rest);
    }
#undef IS
}

int aw_model_declared_obj(const char *path, aw_model_declared *t, aw_error *err)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return aw_error_set(err, AW_CODE_STORAGE_ERROR, "unreadable", "cannot open the model");
    char *buf = g_malloc(OBJ_LINE_MAX);
    bool continued = false; /* inside an over-long line: its tail is not a new line */
    while (fgets(buf, OBJ_LINE_MAX, f) != NULL) {
        if (!continued)
            line(t, buf);
        continued = strchr(buf, '\n') == NULL;
    }
    fclose(f);
    g_free(buf);
    return t->vertices > 0 ? AW_OK
                           : aw_error_set(err, AW_CODE_PROCESSING_FAILED, "corrupt",
                                          "no vertex: not a Wavefront OBJ model");
}
