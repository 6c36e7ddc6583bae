/* storage.c — backend selection and key rules. */
#include "storage.h"

#include "backends.h"

#include <string.h>

aw_storage *aw_storage_open(const char *url, aw_error *err)
{
    if (url != NULL && strncmp(url, "file://", 7) == 0)
        return aw_storage_fs_open(url + 7, err);
    if (url != NULL && strncmp(url, "s3://", 5) == 0)
        return aw_storage_s3_open(url + 5, err);
    aw_error_set(err, AW_CODE_STORAGE_ERROR, "bad_url",
                 "storage URL must be file:///absolute/dir or s3://bucket[/prefix] (got %.200s)",
                 url ? url : "(none)");
    return NULL;
}

void aw_storage_close(aw_storage *s)
{
    if (s != NULL)
        s->ops->destroy(s);
}

int aw_storage_key_safe(const char *key)
{
    size_t n = key ? strlen(key) : 0;
    if (n == 0 || n > 1024 || key[0] == '/')
        return 0;
    for (const char *seg = key; seg != NULL;) {
        const char *slash = strchr(seg, '/');
        size_t len = slash ? (size_t)(slash - seg) : strlen(seg);
        if (len == 0 || (len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
            return 0;
        seg = slash ? slash + 1 : NULL;
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)key[i] < 0x20 || key[i] == 0x7f)
            return 0;
    return 1;
}
