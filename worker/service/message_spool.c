/* message_spool.c — a message's spool directory
 * (<spool>/<jobId>-<attempt>: source, out/, tmp/ and the JSON files of
 * the manifest and the reuse index) and its storage requests, which keep
 * the directory until the last one is back. */
#define _GNU_SOURCE
#include "file_tree.h"
#include "supervisor.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int aw_message_make_spool(aw_supervisor *sv, aw_message *r, aw_error *err)
{
    char out[PATH_MAX + 16], tmp[PATH_MAX + 16];
    snprintf(r->spool, sizeof r->spool, "%s/%s-%d", sv->cfg->spool_dir, r->ev.job_id,
             r->executor_attempts + r->io_attempts);
    aw_message_spool_path(r, "out", out, sizeof out);
    aw_message_spool_path(r, "tmp", tmp, sizeof tmp);
    if (mkdir(r->spool, 0700) == 0 && mkdir(out, 0700) == 0 && mkdir(tmp, 0700) == 0)
        return AW_OK;
    aw_error_set(err, AW_CODE_STORAGE_ERROR, "spool", "cannot create %s: %s", r->spool,
                 strerror(errno));
    err->retriable = true;
    return AW_ERROR;
}

/* name inside the message's spool directory ("source", "out", "out/x.webp"). */
void aw_message_spool_path(const aw_message *r, const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", r->spool, name);
}

json_t *aw_message_spool_json(const aw_message *r, const char *name)
{
    char path[PATH_MAX + 32];
    aw_message_spool_path(r, name, path, sizeof path);
    json_t *v = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
    if (v != NULL && !json_is_object(v)) {
        json_decref(v);
        v = NULL;
    }
    return v;
}

/* The spool goes once no transfer uses it any more. */
void aw_message_clear_spool(aw_message *r)
{
    if (r->transfers > 0)
        return; /* cleared when the last one comes back */
    if (r->spool[0] != '\0')
        aw_remove_tree(r->spool);
    r->spool[0] = '\0';
}

/* Every GET, PUT and COPY runs on the transfer pool; a finished one comes
 * back through aw_message_on_transfer. */
void aw_message_submit(aw_supervisor *sv, aw_message *r, aw_transfer *t)
{
    r->transfers++;
    aw_transfers_submit(sv->transfers, t);
}
