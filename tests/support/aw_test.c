/* aw_test.c — shared test helpers. */
#define _GNU_SOURCE
#include "aw_test.h"

#include "pipeline.h"

#include <ftw.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef AW_DEFAULT_CORPUS
#define AW_DEFAULT_CORPUS "../shared/corpus"
#endif

#define CLAM_EXE "/usr/share/clamav-testfiles/clam.exe"

char *aw_test_tmpdir(const char *tag)
{
    const char *base = getenv("TMPDIR");
    char *dir = NULL;
    if (asprintf(&dir, "%s/aw-test-%s-XXXXXX", base && *base ? base : "/tmp", tag) < 0 ||
        mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        abort();
    }
    return dir;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

void aw_test_rmtree(const char *dir)
{
    if (dir != NULL)
        nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Split so that this source file is not itself flagged by scanners. */
static const char eicar_a[] = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR";
static const char eicar_b[] = "-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

void aw_test_write_eicar(const char *path)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || fprintf(f, "%s%s", eicar_a, eicar_b) < 0 || fclose(f) != 0) {
        perror(path);
        abort();
    }
}

const char *aw_test_clam_exe(void)
{
    return access(CLAM_EXE, R_OK) == 0 ? CLAM_EXE : NULL;
}

static void append_md5_signature(FILE *db, const char *file, const char *name)
{
    gchar *data = NULL;
    gsize len = 0;
    if (!g_file_get_contents(file, &data, &len, NULL))
        abort();
    gchar *md5 = g_compute_checksum_for_data(G_CHECKSUM_MD5, (const guchar *)data, len);
    fprintf(db, "%s:%zu:%s\n", md5, (size_t)len, name);
    g_free(md5);
    g_free(data);
}

void aw_test_make_clamav_db(const char *dir)
{
    char path[4096], eicar[4096];
    snprintf(eicar, sizeof eicar, "%s/eicar.sample", dir);
    aw_test_write_eicar(eicar);
    snprintf(path, sizeof path, "%s/test.hdb", dir);
    FILE *hdb = fopen(path, "w");
    if (hdb == NULL)
        abort();
    append_md5_signature(hdb, eicar, "Eicar-Test-Signature");
    if (aw_test_clam_exe() != NULL)
        append_md5_signature(hdb, CLAM_EXE, "ClamAV-Test-File");
    fclose(hdb);
    remove(eicar);
    snprintf(path, sizeof path, "%s/test.ndb", dir);
    FILE *ndb = fopen(path, "w");
    if (ndb == NULL)
        abort();
    fprintf(ndb, "Eicar-Test-Signature.Body:0:*:");
    for (const char *p = eicar_a; *p; p++)
        fprintf(ndb, "%02x", (unsigned char)*p);
    for (const char *p = eicar_b; *p; p++)
        fprintf(ndb, "%02x", (unsigned char)*p);
    fprintf(ndb, "\n");
    fclose(ndb);
}

void aw_test_config(aw_config *cfg, const char *db_dir)
{
    aw_config_defaults(cfg);
    cfg->scan_enabled = db_dir != NULL;
    if (db_dir != NULL)
        cfg->clamav_db_dir = db_dir;
}

json_t *aw_test_run(const aw_config *cfg, const char *path, const char *mime, unsigned stages,
                    char **out_dir)
{
    char *dir = aw_test_tmpdir("out");
    aw_job job = {.job_id = "job-test", .asset_id = "asset-test", .declared_mime = mime,
                  .stages = stages};
    aw_result r;
    if (aw_pipeline_run(&job, cfg, path, dir, &r) != AW_OK)
        abort();
    json_t *data = aw_result_to_json(&r, &job);
    aw_result_free(&r);
    if (out_dir != NULL) {
        *out_dir = dir;
    } else {
        aw_test_rmtree(dir);
        free(dir);
    }
    return data;
}

const char *aw_test_corpus_dir(void)
{
    static char found[4096];
    const char *env = getenv("AW_CORPUS_DIR");
    const char *dir = env && *env ? env : AW_DEFAULT_CORPUS;
    snprintf(found, sizeof found, "%s/MANIFEST.tsv", dir);
    if (access(found, R_OK) != 0)
        return NULL;
    snprintf(found, sizeof found, "%s", dir);
    return found;
}

json_t *aw_test_error(json_t *job, const char *stage)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(job, "errors"), i, e)
        if (stage == NULL || strcmp(json_string_value(json_object_get(e, "stage")), stage) == 0)
            return e;
    return NULL;
}

/* Follows a dotted path such as "metadata.technical.width". */
static json_t *lookup(json_t *obj, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    char *save = NULL;
    for (char *part = strtok_r(buf, ".", &save); part && obj; part = strtok_r(NULL, ".", &save))
        obj = json_object_get(obj, part);
    return obj;
}

const char *aw_test_str(json_t *obj, const char *path)
{
    return json_string_value(lookup(obj, path));
}

long long aw_test_int(json_t *obj, const char *path)
{
    json_t *v = lookup(obj, path);
    return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}
