/* api_job_filter.c — GET /api/v1/jobs's query parameters → aw_job_filter:
 * status (any number of times: any of them), asset_type, q, created_from,
 * created_to, sort, limit, offset (each at most once); 400 naming the
 * parameter when one is wrong. */
#define _GNU_SOURCE
#include "api_internal.h"

#include "alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const STATUSES[] = {"queued", "processing", "completed",
                                       "failed", "partial",    NULL};
static const char *const ASSET_TYPES[] = {"IMAGE", "VIDEO", "AUDIO", "DOCUMENT", NULL};
static const char *const SORTS[] = {[AW_ORDER_NEWEST] = "newest",
                                    [AW_ORDER_OLDEST] = "oldest",
                                    [AW_ORDER_UPDATED] = "updated",
                                    NULL};
static const char *const SINGLE[] = {"asset_type", "q",     "created_from", "created_to",
                                     "sort",       "limit", "offset",       NULL};

/* Where v is in list (case-insensitive); -1 when it is not. */
static int index_of(const char *v, const char *const *list)
{
    for (int i = 0; list[i] != NULL; i++)
        if (strcasecmp(v, list[i]) == 0)
            return i;
    return -1;
}

static enum MHD_Result one_of(const api_request *r, const char *field, const char *const *list)
{
    char *allowed = aw_xstrdup("");
    for (int i = 0; list[i] != NULL; i++) {
        char *next = aw_xasprintf("%s%s%s", allowed, i ? ", " : "", list[i]);
        free(allowed);
        allowed = next;
    }
    enum MHD_Result rc = aw_api_error(r->conn, MHD_HTTP_BAD_REQUEST, field, "%s must be one of %s",
                                      field, allowed);
    free(allowed);
    return rc;
}

typedef struct collected {
    const char *name;
    unsigned n;
    char *joined; /* ",a,b," of the values when collecting statuses */
    bool bad;
} collected;

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    (void)kind;
    collected *c = cls;
    if (strcmp(key, c->name) != 0)
        return MHD_YES;
    c->n++;
    if (c->joined == NULL || value == NULL || *value == '\0')
        return MHD_YES;
    int i = index_of(value, STATUSES);
    c->bad = c->bad || i < 0;
    char *next = aw_xasprintf("%s%s,", c->joined, i < 0 ? "" : STATUSES[i]);
    free(c->joined);
    c->joined = next;
    return MHD_YES;
}

static unsigned occurrences(const api_request *r, const char *name)
{
    collected c = {name, 0, NULL, false};
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect, &c);
    return c.n;
}

/* ",queued,failed," or NULL (any); false with a 400 when one is unknown. */
static bool statuses(const api_request *r, char **out, enum MHD_Result *reply)
{
    collected c = {"status", 0, aw_xstrdup(","), false};
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect, &c);
    if (c.bad) {
        free(c.joined);
        *reply = one_of(r, "status", STATUSES);
        return false;
    }
    *out = strcmp(c.joined, ",") == 0 ? (free(c.joined), NULL) : c.joined;
    return true;
}

static const char *param(const api_request *r, const char *name)
{
    const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
    return v == NULL || *v == '\0' ? NULL : v;
}

/* A parameter from list, stored as its index; def when absent. */
static bool choice(const api_request *r, const char *name, const char *const *list, int def,
                   int *out, enum MHD_Result *reply)
{
    const char *v = param(r, name);
    *out = v == NULL ? def : index_of(v, list);
    if (v != NULL && *out < 0)
        *reply = one_of(r, name, list);
    return v == NULL || *out >= 0;
}

static bool time_param(const api_request *r, const char *name, int64_t def, int64_t *out,
                       enum MHD_Result *reply)
{
    const char *v = param(r, name);
    *out = v == NULL ? def : aw_read_model_parse_time(v);
    if (*out < 0)
        *reply = aw_api_error(r->conn, MHD_HTTP_BAD_REQUEST, name,
                              "%s must be an RFC 3339 time such as 2026-03-01T10:00:00Z", name);
    return *out >= 0;
}

static bool each_once(const api_request *r, enum MHD_Result *reply)
{
    for (int i = 0; SINGLE[i] != NULL; i++)
        if (occurrences(r, SINGLE[i]) > 1) {
            *reply = aw_api_error(r->conn, MHD_HTTP_BAD_REQUEST, SINGLE[i], "%s may be given once",
                                  SINGLE[i]);
            return false;
        }
    return true;
}

bool aw_api_job_filter(const api_request *r, aw_job_filter *f, enum MHD_Result *reply)
{
    int type = -1, order = AW_ORDER_NEWEST;
    *f = (aw_job_filter){0};
    if (!each_once(r, reply) || !statuses(r, (char **)&f->statuses, reply))
        return false;
    bool ok = choice(r, "asset_type", ASSET_TYPES, -1, &type, reply) &&
              choice(r, "sort", SORTS, AW_ORDER_NEWEST, &order, reply) &&
              time_param(r, "created_from", 0, &f->created_from, reply) &&
              time_param(r, "created_to", INT64_MAX, &f->created_to, reply) &&
              aw_api_int_param(r, "limit", 20, 1, 100, &f->limit, reply) &&
              aw_api_int_param(r, "offset", 0, 0, INT32_MAX, &f->offset, reply);
    f->asset_type = type >= 0 ? ASSET_TYPES[type] : NULL;
    f->query = param(r, "q");
    f->order = (aw_job_order)order;
    if (!ok)
        aw_api_job_filter_free(f);
    return ok;
}

void aw_api_job_filter_free(aw_job_filter *f)
{
    free((char *)f->statuses);
    f->statuses = NULL;
}
