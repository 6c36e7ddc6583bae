/* api_internal.h — what the console's route handlers share. */
#ifndef AW_CONSOLE_API_INTERNAL_H
#define AW_CONSOLE_API_INTERNAL_H

#include "api.h"

#include <jansson.h>
#include <microhttpd.h>

typedef struct api_request {
    struct MHD_Connection *conn;
    const aw_console_deps *deps;
    const char *method;
    const char *seg[6]; /* the path's segments after /api/v1 */
    int n_seg;
    const char *body; /* NUL-terminated, "" when none */
    size_t body_len;
} api_request;

/* Replies; each takes ownership of what it is given. */
enum MHD_Result aw_api_json(struct MHD_Connection *c, unsigned status, json_t *body);
/* body with its ETag, revalidated on every use (no-cache); NULL body: none (304). */
enum MHD_Result aw_api_json_etag(struct MHD_Connection *c, unsigned status, json_t *body,
                                 const char *etag);
/* 400/404/…: {"error": {"code", "message", "field"?}}. */
enum MHD_Result aw_api_error(struct MHD_Connection *c, unsigned status, const char *field,
                             const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* 405 with its Allow header (allow: "GET, HEAD"). */
enum MHD_Result aw_api_error_allow(struct MHD_Connection *c, const char *allow, const char *fmt,
                                   ...) __attribute__((format(printf, 3, 4)));
enum MHD_Result aw_api_text(struct MHD_Connection *c, unsigned status, const char *text);
/* Sends the file at path (or 404), with a Content-Type and Cache-Control. */
enum MHD_Result aw_api_file(struct MHD_Connection *c, const char *path, const char *type,
                            const char *cache);
enum MHD_Result aw_api_redirect(struct MHD_Connection *c, const char *location);

/* Picks the route of path (what follows /api/v1) and answers. */
enum MHD_Result aw_api_route(api_request *r, const char *path);

/* Routes (api_jobs.c, api_assets.c, web_files.c). */
enum MHD_Result aw_api_jobs(const api_request *r);
enum MHD_Result aw_api_job(const api_request *r);
enum MHD_Result aw_api_job_assets(const api_request *r);
enum MHD_Result aw_api_regenerate(const api_request *r);
enum MHD_Result aw_api_dead_letters(const api_request *r);
enum MHD_Result aw_api_replay_dead_letter(const api_request *r);
enum MHD_Result aw_api_status(const api_request *r);
enum MHD_Result aw_api_set_visibility(const api_request *r);
enum MHD_Result aw_api_asset_content(const api_request *r);
/* The page; MHD_NO-free 404 when the path is not one of its files. */
enum MHD_Result aw_api_web(struct MHD_Connection *c, const aw_console_deps *d, const char *path);

/* An output row made ready for the client: its "url" filled in. */
void aw_api_output_url(const aw_console_deps *d, json_t *output);

/* A query parameter as an integer in [lo, hi]; def when absent. false
 * (and a 400 already queued in *reply) when it is not. */
bool aw_api_int_param(const api_request *r, const char *name, int64_t def, int64_t lo, int64_t hi,
                      int64_t *out, enum MHD_Result *reply);

/* GET /api/v1/jobs's parameters; false (and a 400 queued in *reply) when
 * one is wrong. aw_api_job_filter_free releases what it holds. */
bool aw_api_job_filter(const api_request *r, aw_job_filter *f, enum MHD_Result *reply);
void aw_api_job_filter_free(aw_job_filter *f);

/* Adds "replay": {"possible", "reason"} to each dead letter of the list. */
void aw_api_replay_annotate(const aw_console_deps *d, json_t *letters);

/* The request body as JSON; NULL (and a 400 naming "body" queued in
 * *reply) when it is not JSON. */
json_t *aw_api_body_json(const api_request *r, enum MHD_Result *reply);

#endif
