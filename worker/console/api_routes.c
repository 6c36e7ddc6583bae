/* api_routes.c — the API's routes: a path's segments after /api/v1 and the
 * method pick a handler; a known path with another method is 405 (with
 * Allow), an unknown path 404. HEAD is answered as GET. */
#define _GNU_SOURCE
#include "api_internal.h"

#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct route {
    const char *method;
    int n_seg;
    const char *first, *last; /* last: the last segment of 3 or more; NULL: any */
    enum MHD_Result (*handler)(const api_request *r);
} route;

static const route ROUTES[] = {
    {"GET", 1, "jobs", NULL, aw_api_jobs},
    {"GET", 2, "jobs", NULL, aw_api_job},
    {"GET", 3, "jobs", "assets", aw_api_job_assets},
    {"POST", 3, "jobs", "regenerate", aw_api_regenerate},
    {"PATCH", 2, "assets", NULL, aw_api_set_visibility},
    {"GET", 3, "assets", "content", aw_api_asset_content},
    {"GET", 1, "dead-letters", NULL, aw_api_dead_letters},
    {"POST", 4, "dead-letters", "replay", aw_api_replay_dead_letter},
    {"GET", 1, "status", NULL, aw_api_status},
};

#define N_ROUTES (sizeof ROUTES / sizeof *ROUTES)

/* "/jobs/x/assets" → seg = {"jobs", "x", "assets"}; path is edited. */
static int split(char *path, const char **seg, int max)
{
    int n = 0;
    for (char *save = NULL, *s = strtok_r(path, "/", &save); s != NULL;
         s = strtok_r(NULL, "/", &save)) {
        if (n == max)
            return -1;
        seg[n++] = s;
    }
    return n;
}

static bool same_path(const route *rt, const api_request *r)
{
    return r->n_seg == rt->n_seg && strcmp(r->seg[0], rt->first) == 0 &&
           (rt->last == NULL || strcmp(r->seg[r->n_seg - 1], rt->last) == 0);
}

/* 405 naming the methods the path takes; 404 when it takes none. */
static enum MHD_Result not_routed(const api_request *r)
{
    char allow[64] = "";
    for (size_t i = 0; i < N_ROUTES; i++)
        if (same_path(&ROUTES[i], r))
            snprintf(allow + strlen(allow), sizeof allow - strlen(allow), "%s%s",
                     *allow ? ", " : "", ROUTES[i].method);
    if (*allow == '\0')
        return aw_api_error(r->conn, MHD_HTTP_NOT_FOUND, NULL, "no route %s /%s", r->method,
                            r->seg[0]);
    if (strstr(allow, "GET") != NULL)
        strncat(allow, ", HEAD", sizeof allow - strlen(allow) - 1);
    return aw_api_error_allow(r->conn, allow, "%s takes %s, not %s", r->seg[0], allow, r->method);
}

static enum MHD_Result dispatch(api_request *r)
{
    const char *asked = r->method;
    if (strcmp(asked, "HEAD") == 0)
        r->method = "GET";
    for (size_t i = 0; i < N_ROUTES; i++)
        if (same_path(&ROUTES[i], r) && strcmp(ROUTES[i].method, r->method) == 0)
            return ROUTES[i].handler(r);
    r->method = asked;
    return not_routed(r);
}

enum MHD_Result aw_api_route(api_request *r, const char *path)
{
    char *copy = aw_xstrdup(path);
    r->n_seg = split(copy, r->seg, 6);
    enum MHD_Result rc = r->n_seg < 1
                             ? aw_api_error(r->conn, MHD_HTTP_NOT_FOUND, NULL, "no such route")
                             : dispatch(r);
    free(copy);
    return rc;
}
