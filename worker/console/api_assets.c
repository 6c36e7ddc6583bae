/* api_assets.c — a job's outputs for the client: their URLs (the console's
 * own content route for file:// storage, a presigned GET valid 15 minutes,
 * seed 003's expiry, for s3://), the bytes, and the visibility flag. */
#define _GNU_SOURCE
#include "api_internal.h"

#include "alloc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PRESIGN_SECONDS 900

void aw_api_output_url(const aw_console_deps *d, json_t *output)
{
    const char *id = json_string_value(json_object_get(output, "id"));
    const char *key = json_string_value(json_object_get(output, "key"));
    char url[8192];
    aw_error err;
    aw_error_clear(&err);
    if (key != NULL && aw_storage_presign_get(d->storage, key, PRESIGN_SECONDS, time(NULL), url,
                                              sizeof url, &err) == AW_OK) {
        json_object_set_new(output, "url", json_string(url));
        return;
    }
    json_object_set_new(output, "url", json_sprintf("/api/v1/assets/%s/content", id));
}

enum MHD_Result aw_api_asset_content(const api_request *r)
{
    json_t *out = aw_read_model_output(r->deps->rm, r->seg[1]);
    if (out == NULL)
        return aw_api_error(r->conn, MHD_HTTP_NOT_FOUND, "id", "no asset %.200s", r->seg[1]);
    const char *key = json_string_value(json_object_get(out, "key"));
    const char *type = json_string_value(json_object_get(out, "content_type"));
    char path[PATH_MAX];
    aw_error err;
    aw_error_clear(&err);
    enum MHD_Result rc;
    if (aw_storage_local_path(r->deps->storage, key, path, sizeof path, &err) == AW_OK) {
        rc = aw_api_file(r->conn, path, type ? type : "application/octet-stream",
                         "private, max-age=60");
    } else {
        aw_api_output_url(r->deps, out); /* object storage: to the presigned URL */
        const char *url = json_string_value(json_object_get(out, "url"));
        rc = strncmp(url, "/api/", 5) != 0
                 ? aw_api_redirect(r->conn, url)
                 : aw_api_error(r->conn, MHD_HTTP_SERVICE_UNAVAILABLE, NULL,
                                "the storage can neither serve nor sign %.200s", key);
    }
    json_decref(out);
    return rc;
}

enum MHD_Result aw_api_set_visibility(const api_request *r)
{
    enum MHD_Result reply = MHD_NO;
    json_t *body = aw_api_body_json(r, &reply);
    if (body == NULL)
        return reply;
    json_t *flag = json_object_get(body, "is_public");
    bool valid = json_is_boolean(flag), value = json_is_true(flag);
    json_decref(body);
    if (!valid)
        return aw_api_error(r->conn, MHD_HTTP_BAD_REQUEST, "is_public",
                            "the body must be {\"is_public\": true|false}");
    if (aw_read_model_set_public(r->deps->rm, r->seg[1], value) != AW_OK)
        return aw_api_error(r->conn, MHD_HTTP_NOT_FOUND, "id", "no asset %.200s", r->seg[1]);
    json_t *out = aw_read_model_output(r->deps->rm, r->seg[1]);
    aw_api_output_url(r->deps, out);
    return aw_api_json(r->conn, MHD_HTTP_OK, out);
}
