/* web_files.c — the page: "/" redirects to /dashboard/assets, which (and
 * anything under it: the page routes itself) is index.html; /assets/NAME
 * are Vite's content-hashed files, cached for a year. Nothing else of
 * web_dir is reachable: a name is one path segment of [A-Za-z0-9._-]. */
#define _GNU_SOURCE
#include "api_internal.h"

#include "alloc.h"

#include <stdlib.h>
#include <string.h>

static bool plain_name(const char *s)
{
    return *s != '\0' && *s != '.' &&
           strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789._-") == strlen(s);
}

static const char *content_type(const char *name)
{
    static const char *const types[][2] = {
        {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".webp", "image/webp"},
        {".woff2", "font/woff2"},
        {".json", "application/json"},
        {".html", "text/html; charset=utf-8"},
        {".ico", "image/x-icon"},
    };
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot != NULL && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i][0]) == 0)
            return types[i][1];
    return "application/octet-stream";
}

static bool under(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

enum MHD_Result aw_api_web(struct MHD_Connection *c, const aw_console_deps *d, const char *path)
{
    if (strcmp(path, "/") == 0)
        return aw_api_redirect(c, "/dashboard/assets");
    char *file = NULL;
    const char *type = NULL, *cache = "no-cache";
    if (under(path, "/dashboard/assets")) {
        file = aw_xasprintf("%s/index.html", d->web_dir);
        type = "text/html; charset=utf-8";
    } else if (strncmp(path, "/assets/", 8) == 0 && plain_name(path + 8)) {
        file = aw_xasprintf("%s/assets/%s", d->web_dir, path + 8);
        type = content_type(path + 8), cache = "public, max-age=31536000, immutable";
    } else if (strcmp(path, "/favicon.svg") == 0) {
        file = aw_xasprintf("%s/favicon.svg", d->web_dir);
        type = "image/svg+xml";
    }
    if (file == NULL)
        return aw_api_error(c, MHD_HTTP_NOT_FOUND, NULL, "no such page");
    enum MHD_Result rc = aw_api_file(c, file, type, cache);
    free(file);
    return rc;
}
