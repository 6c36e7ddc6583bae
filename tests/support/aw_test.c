/* aw_test.c — shared test helpers. */
#define _GNU_SOURCE
#include "aw_test.h"

#include <vips/vips.h>

#include "pipeline.h"

#include <ftw.h>
#include <glib.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef AW_DEFAULT_CORPUS
#define AW_DEFAULT_CORPUS "../shared/corpus"
#endif

#define CLAM_EXE "/usr/share/clamav-testfiles/clam.exe"

/* The tests draw their pictures with libvips before any job runs; the
 * pipeline sets libvips up only on a job's first image stage. */
__attribute__((constructor)) static void start_vips(void)
{
    if (VIPS_INIT("aw-test") != 0)
        abort();
}

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
    aw_job job = {.job_id = "job-test",
                  .asset_id = "asset-test",
                  .declared_mime = mime,
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

json_t *aw_test_get(json_t *obj, const char *path)
{
    return lookup(obj, path);
}

double aw_test_num(json_t *obj, const char *path)
{
    json_t *v = lookup(obj, path);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

json_t *aw_test_ffprobe(const char *path)
{
    gchar *quoted = g_shell_quote(path);
    gchar *cmd = g_strdup_printf(
        "ffprobe -v error -print_format json -show_format -show_streams %s", quoted);
    FILE *p = popen(cmd, "r");
    json_t *out = p ? json_loadf(p, 0, NULL) : NULL;
    if (p != NULL && pclose(p) != 0) {
        json_decref(out);
        out = NULL;
    }
    g_free(cmd), g_free(quoted);
    return out;
}

int aw_test_ffmpeg_samples(const char *path, long *count, int *low, int *high)
{
    gchar *quoted = g_shell_quote(path);
    gchar *cmd = g_strdup_printf(
        "ffmpeg -nostdin -v error -i %s -map 0:a:0 -ac 1 -f s16le -acodec pcm_s16le -", quoted);
    FILE *p = popen(cmd, "r");
    int16_t buf[4096];
    size_t n;
    *count = 0, *low = 32767, *high = -32768;
    while (p != NULL && (n = fread(buf, sizeof buf[0], 4096, p)) > 0) {
        for (size_t i = 0; i < n; i++) {
            *low = buf[i] < *low ? buf[i] : *low;
            *high = buf[i] > *high ? buf[i] : *high;
        }
        *count += (long)n;
    }
    int rc = p ? pclose(p) : -1;
    g_free(cmd), g_free(quoted);
    return (rc == 0 && *count > 0) ? 0 : -1;
}

static double luma_deviation(const unsigned char *px, size_t n)
{
    double sum = 0, sq = 0;
    for (size_t i = 0; i < n; i++)
        sum += px[i], sq += (double)px[i] * px[i];
    double mean = sum / n;
    return sqrt(fmax(0.0, sq / n - mean * mean));
}

double aw_test_ffmpeg_max_detail(const char *path)
{
    enum { W = 160, H = 90 };
    gchar *quoted = g_shell_quote(path);
    gchar *cmd = g_strdup_printf("ffmpeg -nostdin -v error -i %s -map 0:v:0 -vf "
                                 "scale=%d:%d,format=gray -f rawvideo -",
                                 quoted, W, H);
    FILE *p = popen(cmd, "r");
    static unsigned char frame[W * H];
    double best = -1.0;
    while (p != NULL && fread(frame, 1, sizeof frame, p) == sizeof frame)
        best = fmax(best, luma_deviation(frame, sizeof frame));
    if (p != NULL)
        pclose(p);
    g_free(cmd), g_free(quoted);
    return best;
}

void aw_test_mp4_box_offsets(const char *path, long *moov, long *mdat)
{
    *moov = *mdat = -1;
    FILE *f = fopen(path, "rb");
    unsigned char head[16];
    long at = 0;
    while (f != NULL && fseek(f, at, SEEK_SET) == 0 && fread(head, 1, 8, f) == 8) {
        uint64_t size = (uint64_t)head[0] << 24 | head[1] << 16 | head[2] << 8 | head[3];
        if (size == 1 && fread(head + 8, 1, 8, f) == 8) { /* 64-bit size follows */
            size = 0;
            for (int i = 8; i < 16; i++)
                size = size << 8 | head[i];
        }
        if (memcmp(head + 4, "moov", 4) == 0)
            *moov = at;
        if (memcmp(head + 4, "mdat", 4) == 0)
            *mdat = at;
        if (size < 8)
            break;
        at += (long)size;
    }
    if (f != NULL)
        fclose(f);
}

void aw_test_command_line(const char *fmt, const char *path, char *buf, size_t size)
{
    gchar *quoted = g_shell_quote(path);
    gchar *cmd = g_strdup_printf(fmt, quoted);
    FILE *p = popen(cmd, "r");
    buf[0] = '\0';
    if (p != NULL) {
        if (fgets(buf, (int)size, p) == NULL)
            buf[0] = '\0';
        pclose(p);
    }
    buf[strcspn(buf, "\n")] = '\0';
    g_free(cmd), g_free(quoted);
}

long aw_test_command_number(const char *fmt, const char *path)
{
    char buf[64];
    aw_test_command_line(fmt, path, buf, sizeof buf);
    return buf[0] ? atol(buf) : -1;
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

void aw_test_write_pdf(const char *path, const char *const *objects, int count, int info)
{
    GString *pdf = g_string_new("%PDF-1.7\n");
    long *offsets = g_new(long, count);
    for (int i = 0; i < count; i++) {
        offsets[i] = (long)pdf->len;
        g_string_append_printf(pdf, "%d 0 obj\n%s\nendobj\n", i + 1, objects[i]);
    }
    long xref = (long)pdf->len;
    g_string_append_printf(pdf, "xref\n0 %d\n0000000000 65535 f \n", count + 1);
    for (int i = 0; i < count; i++)
        g_string_append_printf(pdf, "%010ld 00000 n \n", offsets[i]);
    g_string_append_printf(pdf, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\n", count + 1,
                           info);
    g_string_append_printf(pdf, "startxref\n%ld\n%%%%EOF\n", xref);
    if (!g_file_set_contents(path, pdf->str, (gssize)pdf->len, NULL))
        abort();
    g_free(offsets);
    g_string_free(pdf, TRUE);
}
