/* test_s3.c — the service with S3 storage against a real S3-compatible
 * server (s3rver, started here on loopback) behind a proxy that misbehaves
 * on purpose: every corpus file round-trips through the whole service and
 * its outputs are read back with a plain HTTP client; 5xx, SlowDown and
 * connection resets are retried until the job completes; a damaged upload
 * is caught by its checksum and sent again; a permanent fault fails the job
 * after the configured attempts; 404 and 403 fail at once; an object over
 * the size limit is refused without being downloaded. A presigned GET URL
 * of a stored object works without credentials and expires.
 *
 * usage: test_s3 ASSET_WORKER S3RVER FAULT_PROXY_JS */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "aw_test.h"
#include "event.h"
#include "kafka_harness.h"
#include "manifest.h"
#include "media.h"
#include "storage.h"
#include "timeutil.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <vips/vips.h>

static const char *bin, *s3rver, *proxy_js;
static char *work, *db;
static int s3_port;
static pid_t s3_pid;
static aw_storage *direct; /* our client, straight to the server, for set-up */
static kh_cluster K;

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    bind(fd, (struct sockaddr *)&a, sizeof a);
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    return ntohs(a.sin_port);
}

static pid_t spawn(const char *const *argv, const char *out_path)
{
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1), dup2(fd, 2);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}

/* Waits until file path contains text; returns the text after it. */
static const char *wait_for(const char *path, const char *text, char *buf, size_t size)
{
    for (int i = 0; i < 100; i++) {
        FILE *f = fopen(path, "r");
        size_t n = f ? fread(buf, 1, size - 1, f) : 0;
        if (f)
            fclose(f);
        buf[n] = '\0';
        char *at = strstr(buf, text);
        if (at != NULL)
            return at + strlen(text);
        usleep(100000);
    }
    return NULL;
}

typedef struct proxy {
    pid_t pid;
    int port;
    char stats[4200];
} proxy;

/* A fault proxy in front of the server that holds every request delay_ms
 * and sends answers at most bytes_per_s (0: as fast as it can); workers
 * started afterwards use it. */
static void proxy_start_paced(proxy *p, const char *faults, int delay_ms, long bytes_per_s)
{
    static int n;
    char out[4200], up[16], buf[256], url[64], delay[16], rate[24];
    snprintf(out, sizeof out, "%s/proxy-%d.out", work, ++n);
    snprintf(p->stats, sizeof p->stats, "%s/proxy-%d.json", work, n);
    snprintf(up, sizeof up, "%d", s3_port);
    snprintf(delay, sizeof delay, "%d", delay_ms);
    snprintf(rate, sizeof rate, "%ld", bytes_per_s);
    const char *argv[] = {"node", proxy_js, up, faults, p->stats, delay, rate, NULL};
    p->pid = spawn(argv, out);
    const char *port = wait_for(out, "port ", buf, sizeof buf);
    assert_non_null(port);
    p->port = atoi(port);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", p->port);
    setenv("AWS_ENDPOINT_URL", url, 1);
}

static void proxy_start(proxy *p, const char *faults)
{
    proxy_start_paced(p, faults, 0, 0);
}

static long proxy_stat(const proxy *p, const char *name)
{
    json_t *j = json_load_file(p->stats, 0, NULL);
    long v = (long)json_integer_value(json_object_get(j, name));
    json_decref(j);
    return v;
}

static void proxy_stop(proxy *p)
{
    kill(p->pid, SIGKILL);
    waitpid(p->pid, NULL, 0);
}

/* Reads an object back with a plain, unsigned HTTP GET. */
typedef struct fetched {
    char *data;
    size_t len;
    char type[128];
} fetched;

static size_t collect(char *d, size_t one, size_t n, void *user)
{
    fetched *f = user;
    f->data = aw_xrealloc(f->data, f->len + one * n + 1);
    memcpy(f->data + f->len, d, one * n);
    f->len += one * n;
    f->data[f->len] = '\0'; /* read as text by metric() */
    return one * n;
}

static void fetch(const char *key, fetched *f)
{
    memset(f, 0, sizeof *f);
    CURL *c = curl_easy_init();
    char url[4096], *e = NULL;
    int n = snprintf(url, sizeof url, "http://127.0.0.1:%d/assets", s3_port);
    char copy[2048];
    snprintf(copy, sizeof copy, "%s", key);
    for (char *seg = strtok(copy, "/"); seg; seg = strtok(NULL, "/")) {
        e = curl_easy_escape(c, seg, 0);
        n += snprintf(url + n, sizeof url - (size_t)n, "/%s", e);
        curl_free(e);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    long status = 0;
    char *ct = NULL;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
    snprintf(f->type, sizeof f->type, "%s", ct ? ct : "");
    curl_easy_cleanup(c);
    if (status != 200)
        fail_msg("GET %s: HTTP %ld", key, status);
}

static pid_t worker(kh_scope *s, const char *name, const char *const *extra)
{
    char *log = kh_log_path(work, name);
    pid_t pid = kh_worker_start(&K, s, bin, "s3://assets", db, log, extra);
    free(log);
    return pid;
}

static void stop_worker(pid_t pid)
{
    int status = kh_worker_stop(pid, SIGTERM, 60);
    assert_true(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Stores a local file as uploads/ASSET/NAME and publishes its upload event. */
static void upload_file(kh_scope *s, const char *asset, const char *path, const char *mime)
{
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    char key[1024], id[64];
    snprintf(key, sizeof key, "uploads/%s/%s", asset, name);
    aw_error err;
    if (aw_storage_put(direct, key, path, mime, &err) != AW_OK)
        fail_msg("set-up PUT %s: %s", key, err.message);
    struct stat st;
    stat(path, &st);
    int32_t p;
    int64_t o;
    assert_int_equal(
        kh_produce_upload(&K, s, asset, key, mime, (long long)st.st_size, NULL, id, &p, &o), 0);
}

static char *make_photo(const char *name, int w, int h)
{
    char *path = NULL;
    assert_true(asprintf(&path, "%s/%s", work, name) > 0);
    /* pixels of its own: the same bytes under two assets would be reused,
     * not processed (content-hash reuse), and these tests are about transfers */
    VipsImage *xy = NULL, *shifted = NULL, *u = NULL;
    vips_xyz(&xy, w, h, NULL);
    vips_linear1(xy, &shifted, 1.0, (double)(g_str_hash(name) % 97), NULL);
    vips_cast_uchar(shifted, &u, NULL);
    assert_int_equal(vips_jpegsave(u, path, NULL), 0);
    g_object_unref(u), g_object_unref(shifted), g_object_unref(xy);
    return path;
}

/* Every output of a job, read back: bytes, type and pixels as reported. */
static void check_outputs(const kh_event *e)
{
    json_t *thumbs = json_object_get(json_object_get(e->data, "variants"), "thumbnails");
    const char *size;
    json_t *v;
    json_object_foreach(thumbs, size, v) {
        fetched f;
        fetch(aw_test_str(v, "key"), &f);
        assert_int_equal((long long)f.len, aw_test_int(v, "bytes"));
        assert_string_equal(f.type, aw_test_str(v, "contentType"));
        VipsImage *img = vips_image_new_from_buffer(f.data, f.len, "", NULL);
        assert_non_null(img);
        assert_int_equal(img->Xsize, aw_test_int(v, "width"));
        assert_int_equal(img->Ysize, aw_test_int(v, "height"));
        g_object_unref(img), free(f.data);
    }
}

static void no_storage_errors(const kh_event *e)
{
    json_t *err = aw_test_error(e->data, "storage");
    if (err != NULL)
        fail_msg("storage error: %s", aw_test_str(err, "message"));
}

static void corpus_round_trips_through_s3(void **state)
{
    (void)state;
    const char *corpus = aw_test_corpus_dir();
    if (corpus == NULL)
        skip();
    kh_scope s;
    kh_scope_init(&K, &s, "s3corpus", 4);
    kh_collector c;
    kh_collector_start(&c, &K, &s);
    proxy px;
    proxy_start(&px, "-");
    aw_manifest *m = aw_manifest_load(corpus);
    int sent = 0;
    for (size_t i = 0; i < aw_manifest_count(m); i++) {
        const char *path = aw_manifest_path(aw_manifest_row_at(m, i));
        const aw_media_type *t = aw_media_by_extension(path);
        if (t == NULL)
            continue; /* no type the API tier would accept (.mtl, .bin) */
        char asset[32];
        snprintf(asset, sizeof asset, "corpus-%03zu", i);
        upload_file(&s, asset, path, t->mime);
        sent++;
    }
    const char *two[] = {"--concurrency", "2", NULL};
    pid_t w = worker(&s, "s3corpus", two);
    assert_int_equal(kh_collect_until(&c, AW_TYPE_COMPLETED, sent, 300), sent);
    stop_worker(w);
    int with_outputs = 0;
    for (size_t i = 0; i < c.n; i++)
        if (strcmp(c.events[i].type, AW_TYPE_COMPLETED) == 0) {
            no_storage_errors(&c.events[i]);
            check_outputs(&c.events[i]);
            with_outputs += json_object_size(json_object_get(
                                json_object_get(c.events[i].data, "variants"), "thumbnails")) > 0;
        }
    print_message("%d corpus files round-tripped, %d with thumbnails read back\n", sent,
                  with_outputs);
    assert_true(with_outputs >= 40);
    proxy_stop(&px);
    aw_manifest_free(m);
    kh_collector_stop(&c);
}

/* Content-hash reuse on S3: the second asset with the same bytes gets the
 * first one's outputs by CopyObject, byte for byte, at its own keys. */
static void duplicate_bytes_are_copied_on_s3(void **state)
{
    (void)state;
    kh_scope s;
    kh_scope_init(&K, &s, "s3reuse", 1);
    kh_collector c;
    kh_collector_start(&c, &K, &s);
    proxy px;
    proxy_start(&px, "-");
    char *photo = make_photo("reuse-original.jpg", 900, 600);
    upload_file(&s, "s3reuse-a", photo, "image/jpeg");
    pid_t w = worker(&s, "s3reuse", NULL);
    assert_int_equal(kh_collect_until(&c, AW_TYPE_COMPLETED, 1, 120), 1);
    upload_file(&s, "s3reuse-b", photo, "image/jpeg");
    assert_int_equal(kh_collect_until(&c, AW_TYPE_COMPLETED, 2, 120), 2);
    stop_worker(w);
    const kh_event *a = kh_find(&c, AW_TYPE_COMPLETED, "s3reuse-a");
    const kh_event *b = kh_find(&c, AW_TYPE_COMPLETED, "s3reuse-b");
    assert_null(json_object_get(a->data, "reusedFrom"));
    assert_string_equal(aw_test_str(b->data, "reusedFrom.assetId"), "s3reuse-a");
    assert_string_equal(aw_test_str(b->data, "outputs.thumbnail"), "reused");
    check_outputs(b); /* every output at b's keys, read back: bytes and type as reported */
    const char *sizes[] = {"small", "medium", "large"};
    for (int i = 0; i < 3; i++) {
        char ka[96], kb[96];
        snprintf(ka, sizeof ka, "derived/s3reuse-a/thumbnail_%s.webp", sizes[i]);
        snprintf(kb, sizeof kb, "derived/s3reuse-b/thumbnail_%s.webp", sizes[i]);
        fetched fa, fb;
        fetch(ka, &fa); /* each fails the test unless 200 */
        fetch(kb, &fb);
        assert_int_equal(fa.len, fb.len);
        assert_memory_equal(fa.data, fb.data, fa.len);
        free(fa.data), free(fb.data);
    }
    fetched m;
    fetch("derived/s3reuse-b/manifest.json", &m);
    json_t *manifest = json_loadb(m.data, m.len, 0, NULL);
    assert_string_equal(aw_test_str(manifest, "source.storageKey"),
                        "uploads/s3reuse-b/reuse-original.jpg");
    assert_int_equal(strlen(aw_test_str(manifest, "source.sha256")), 64); /* hashed on the way in */
    json_decref(manifest);
    free(m.data);
    free(photo);
    proxy_stop(&px);
    kh_collector_stop(&c);
}

/* One photo through the service behind a proxy with the given faults. */
static const kh_event *one_job(kh_scope *s, kh_collector *c, proxy *px, const char *name,
                               const char *faults, const char *const *extra, const char *path)
{
    kh_scope_init(&K, s, name, 1);
    kh_collector_start(c, &K, s);
    proxy_start(px, faults);
    /* a key with a space, '+', '%' and UTF-8 in it */
    char *photo = path ? NULL : make_photo("f\xc3\xbcr photo+1%.jpg", 900, 600);
    upload_file(s, name, path ? path : photo, "image/jpeg");
    pid_t w = worker(s, name, extra);
    assert_int_equal(kh_collect_until(c, AW_TYPE_COMPLETED, 1, 120), 1);
    stop_worker(w);
    free(photo);
    return kh_find(c, AW_TYPE_COMPLETED, name);
}

static void transient_faults_are_retried(void **state)
{
    (void)state;
    kh_scope s;
    kh_collector c;
    proxy px;
    const char *extra[] = {"--max-attempts", "6", "--backoff", "200", NULL};
    const kh_event *e = one_job(&s, &c, &px, "s3flaky", "503,slowdown,reset,500", extra, NULL);
    assert_string_equal(aw_test_str(e->data, "status"), "completed");
    assert_int_equal(proxy_stat(&px, "faults"), 4);
    check_outputs(e);
    proxy_stop(&px);
    kh_collector_stop(&c);
}

static void damaged_upload_is_caught_and_sent_again(void **state)
{
    (void)state;
    kh_scope s;
    kh_collector c;
    proxy px;
    const kh_event *e = one_job(&s, &c, &px, "s3corrupt", "corrupt", NULL, NULL);
    assert_string_equal(aw_test_str(e->data, "status"), "completed");
    assert_int_equal(proxy_stat(&px, "faults"), 1);
    assert_true(proxy_stat(&px, "puts") >= 4); /* three thumbnails, one of them twice */
    check_outputs(e);
    proxy_stop(&px);
    kh_collector_stop(&c);
}

static void expect_failure(const kh_event *e, const char *code, const char *reason)
{
    assert_string_equal(aw_test_str(e->data, "status"), "failed");
    json_t *err = json_array_get(json_object_get(e->data, "errors"), 0);
    assert_string_equal(aw_test_str(err, "code"), code);
    assert_string_equal(aw_test_str(err, "reason"), reason);
}

static void permanent_fault_fails_after_the_attempts(void **state)
{
    (void)state;
    kh_scope s;
    kh_collector c;
    proxy px;
    const char *extra[] = {"--max-attempts", "3", NULL};
    const kh_event *e = one_job(&s, &c, &px, "s3down", "500*", extra, NULL);
    expect_failure(e, "ASSET_STORAGE_ERROR", "http");
    assert_int_equal(proxy_stat(&px, "requests"), 3);
    assert_int_equal(kh_collect_until(&c, "dlq", 1, 20), 1);
    proxy_stop(&px);
    kh_collector_stop(&c);
}

static void forbidden_fails_at_once(void **state)
{
    (void)state;
    kh_scope s;
    kh_collector c;
    proxy px;
    const kh_event *e = one_job(&s, &c, &px, "s3denied", "403*", NULL, NULL);
    expect_failure(e, "ASSET_STORAGE_ERROR", "forbidden");
    assert_int_equal(proxy_stat(&px, "requests"), 1);
    proxy_stop(&px);
    kh_collector_stop(&c);
}

static void missing_object_fails_at_once(void **state)
{
    (void)state;
    kh_scope s;
    kh_scope_init(&K, &s, "s3missing", 1);
    kh_collector c;
    kh_collector_start(&c, &K, &s);
    proxy px;
    proxy_start(&px, "-");
    char id[64];
    int32_t p;
    int64_t o;
    assert_int_equal(kh_produce_upload(&K, &s, "s3missing", "uploads/s3missing/never.jpg",
                                       "image/jpeg", 10, NULL, id, &p, &o),
                     0);
    pid_t w = worker(&s, "s3missing", NULL);
    assert_int_equal(kh_collect_until(&c, AW_TYPE_COMPLETED, 1, 60), 1);
    stop_worker(w);
    expect_failure(kh_find(&c, AW_TYPE_COMPLETED, "s3missing"), "ASSET_NOT_FOUND", "missing");
    assert_int_equal(proxy_stat(&px, "requests"), 1);
    proxy_stop(&px);
    kh_collector_stop(&c);
}

/* A JPEG header, then zeros up to size bytes. */
static void write_large_file(const char *path, long size)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite("\xff\xd8\xff\xe0", 1, 4, f);
    assert_int_equal(fseek(f, size - 1, SEEK_SET), 0);
    fputc(0, f);
    assert_int_equal(fclose(f), 0);
}

static void oversized_object_is_not_downloaded(void **state)
{
    (void)state;
    char *big = NULL;
    assert_true(asprintf(&big, "%s/big.jpg", work) > 0);
    write_large_file(big, 101L << 20); /* 101 MB */
    kh_scope s;
    kh_collector c;
    proxy px;
    const kh_event *e = one_job(&s, &c, &px, "s3huge", "-", NULL, big);
    expect_failure(e, "ASSET_FILE_TOO_LARGE", "file_size");
    long bytes = proxy_stat(&px, "bytesToClient");
    print_message("the worker read %ld bytes of the 101 MB object\n", bytes);
    assert_true(bytes < (16L << 20));
    proxy_stop(&px);
    kh_collector_stop(&c);
    unlink(big), free(big);
}

/* ---- real storage latency -------------------------------------------- */

/* One sample of a worker's /metrics (0 when absent). */
/* The sum of the series in a worker's /metrics whose line starts with
 * prefix: a family ("name") or one series ("name{label=\"v\"}"); -1 while
 * the worker does not answer. */
static double metric(int http_port, const char *prefix)
{
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/metrics", http_port);
    fetched f = {0};
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &f);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) { /* not listening yet */
        free(f.data);
        return -1;
    }
    double v = 0;
    size_t n = strlen(prefix);
    for (char *line = f.data; line != NULL && line < f.data + f.len; line = strchr(line, '\n')) {
        line += *line == '\n';
        char *value = strchr(line, ' ');
        if (strncmp(line, prefix, n) == 0 && (line[n] == ' ' || line[n] == '{') && value != NULL)
            v += strtod(value + 1, NULL);
    }
    free(f.data);
    return v;
}

/* The batch as the worker itself saw it (the collector may lag under load):
 * from its first finished download to its jobs_total reaching jobs, sampled
 * every 50 ms. Returns the executors' busy fraction over it (-1 past the
 * timeout) and its length in *wall_s. */
static double busy_over_batch(int port, int jobs, int executors, double *wall_s)
{
    double t0 = 0, deadline = aw_time_mono_ms() + 240000;
    while (aw_time_mono_ms() < deadline) {
        double now = aw_time_mono_ms();
        if (t0 == 0 &&
            metric(port, "asset_worker_storage_request_duration_seconds_count{op=\"get\"}") >= 1)
            t0 = now;
        if (t0 > 0 && metric(port, "asset_worker_jobs_total") >= jobs) {
            *wall_s = (now - t0) / 1000.0;
            return metric(port, "asset_worker_executor_busy_seconds_total") / (executors * *wall_s);
        }
        usleep(50000);
    }
    return -1;
}

#define BACKLOG 24

/* A backlog of distinct photos through 2 executors with every storage request
 * delayed by delay_ms: every job completes, no executor is reported lost,
 * requests overlap, and the executors are busy for most of the batch. */
static void backlog_at_latency(int delay_ms)
{
    kh_scope s;
    char name[32];
    snprintf(name, sizeof name, "lat%d", delay_ms);
    kh_scope_init(&K, &s, name, 2);
    kh_collector c;
    kh_collector_start(&c, &K, &s);
    for (int i = 0; i < BACKLOG; i++) { /* stored before the proxy: set-up is not timed */
        char file[64], asset[48];
        snprintf(file, sizeof file, "lat%d-%02d.jpg", delay_ms, i);
        snprintf(asset, sizeof asset, "%s-%02d", name, i);
        char *photo = make_photo(file, 1024 + i, 768);
        upload_file(&s, asset, photo, "image/jpeg");
        free(photo);
    }
    proxy px;
    proxy_start_paced(&px, "-", delay_ms, 0);
    int port = free_port();
    char port_arg[16];
    snprintf(port_arg, sizeof port_arg, "%d", port);
    const char *extra[] = {"--concurrency", "2", "--http-port", port_arg, NULL};
    pid_t w = worker(&s, name, extra);
    double wall_s = 0;
    double fraction = busy_over_batch(port, BACKLOG, 2, &wall_s);
    int done = kh_collect_until(&c, AW_TYPE_COMPLETED, BACKLOG, 240);
    stop_worker(w);
    assert_int_equal(done, BACKLOG);
    for (size_t i = 0; i < c.n; i++)
        if (strcmp(c.events[i].type, AW_TYPE_COMPLETED) == 0) {
            assert_string_equal(aw_test_str(c.events[i].data, "status"), "completed");
            no_storage_errors(&c.events[i]);
        }
    print_message("%d ms per request: %d jobs in %.1f s, executors busy %.0f %%, "
                  "%ld requests, at most %ld at once\n",
                  delay_ms, BACKLOG, wall_s, 100 * fraction, proxy_stat(&px, "requests"),
                  proxy_stat(&px, "maxInFlight"));
    assert_int_equal(kh_log_count(work, name, "executor lost"), 0);
    assert_true(proxy_stat(&px, "maxInFlight") >= 2); /* transfers overlap */
    assert_true(fraction > 0.5);
    char first[48];
    snprintf(first, sizeof first, "%s-00", name);
    check_outputs(kh_find(&c, AW_TYPE_COMPLETED, first)); /* stored whole, read back */
    proxy_stop(&px);
    kh_collector_stop(&c);
}

static void backlog_at_0_ms(void **state)
{
    (void)state;
    backlog_at_latency(0);
}

static void backlog_at_20_ms(void **state)
{
    (void)state;
    backlog_at_latency(20);
}

static void backlog_at_100_ms(void **state)
{
    (void)state;
    backlog_at_latency(100);
}

/* Position of the first event of type for asset in arrival order, or -1. */
static long position(const kh_collector *c, const char *type, const char *asset)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->events[i].type, type) == 0 &&
            strcmp(aw_test_str(c->events[i].data, "assetId"), asset) == 0)
            return (long)i;
    return -1;
}

/* A 95 MB source first, downloading at 10 MB/s behind 20 ms requests, then
 * small photos: they complete while it downloads, and it ends with its
 * status event too. One partition, so the big one is first in line. */
static void small_jobs_flow_while_a_large_source_downloads(void **state)
{
    (void)state;
    kh_scope s;
    kh_scope_init(&K, &s, "s3large", 1);
    kh_collector c;
    kh_collector_start(&c, &K, &s);
    char *big = NULL;
    assert_true(asprintf(&big, "%s/large.jpg", work) > 0);
    write_large_file(big, 95L << 20);
    upload_file(&s, "large-source", big, "image/jpeg");
    enum { SMALL = 8 };
    for (int i = 0; i < SMALL; i++) {
        char file[64], asset[48];
        snprintf(file, sizeof file, "behind-%d.jpg", i);
        snprintf(asset, sizeof asset, "behind-%d", i);
        char *photo = make_photo(file, 640 + i, 480);
        upload_file(&s, asset, photo, "image/jpeg");
        free(photo);
    }
    proxy px;
    proxy_start_paced(&px, "-", 20, 10L << 20);
    const char *two[] = {"--concurrency", "2", NULL};
    pid_t w = worker(&s, "s3large", two);
    assert_int_equal(kh_collect_until(&c, AW_TYPE_COMPLETED, SMALL + 1, 240), SMALL + 1);
    stop_worker(w);
    long big_started = position(&c, AW_TYPE_PROGRESS, "large-source");
    assert_true(big_started >= 0);
    for (int i = 0; i < SMALL; i++) {
        char asset[48];
        snprintf(asset, sizeof asset, "behind-%d", i);
        long done = position(&c, AW_TYPE_COMPLETED, asset);
        if (done < 0 || done > big_started)
            fail_msg("%s completed at event %ld, after the large source reached an executor "
                     "(event %ld)",
                     asset, done, big_started);
        assert_string_equal(aw_test_str(kh_find(&c, AW_TYPE_COMPLETED, asset)->data, "status"),
                            "completed");
    }
    assert_true(proxy_stat(&px, "bytesToClient") >= (95L << 20)); /* it was downloaded whole */
    proxy_stop(&px);
    kh_collector_stop(&c);
    unlink(big), free(big);
}

/* GETs url with a plain client (no credentials, no signing of its own):
 * the HTTP status, the body in f. */
static long get_url(const char *url, fetched *f)
{
    memset(f, 0, sizeof *f);
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    return status;
}

static long get_presigned(const char *url)
{
    fetched f;
    long status = get_url(url, &f);
    free(f.data);
    return status;
}

/* A presigned URL of an object put through the backend: a plain GET of it
 * answers 200 with the object's bytes; it expires (s3rver checks X-Amz-Date
 * + X-Amz-Expires against its clock) and s3rver reads the access key in
 * X-Amz-Credential. s3rver 3.7.1 does NOT verify SigV4 signatures (its
 * authentication.js: "Signature version 4 calculation is unimplemented"),
 * and it serves unsigned GETs too, so a tampered signature is only
 * reported here, not asserted: unit_storage checks the signatures
 * themselves against AWS's documented example and botocore. */
static void presigned_get_urls_work_without_credentials(void **state)
{
    (void)state;
    const char *key = "presigned/f\xc3\xbcr photo+1%.bin";
    char path[4200], url[8192], bad[8192];
    snprintf(path, sizeof path, "%s/presigned.bin", work);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (int i = 0; i < 70000; i++)
        fputc((i * 131 + 7) & 0xff, f);
    fclose(f);
    gchar *want = NULL;
    gsize want_len = 0;
    assert_true(g_file_get_contents(path, &want, &want_len, NULL));
    aw_error err;
    if (aw_storage_put(direct, key, path, "application/octet-stream", &err) != AW_OK)
        fail_msg("set-up PUT %s: %s", key, err.message);

    time_t now = time(NULL);
    if (aw_storage_presign_get(direct, key, 900, now, url, sizeof url, &err) != AW_OK)
        fail_msg("presign %s: %s", key, err.message);
    char object[256]; /* the object URL a GET through the backend uses */
    snprintf(object, sizeof object,
             "http://127.0.0.1:%d/assets/presigned/f%%C3%%BCr%%20photo%%2B1%%25.bin?", s3_port);
    assert_int_equal(strncmp(url, object, strlen(object)), 0);
    fetched got;
    assert_int_equal(get_url(url, &got), 200);
    assert_int_equal((long long)got.len, (long long)want_len);
    assert_memory_equal(got.data, want, want_len);
    free(got.data);

    /* signed 10 minutes ago for 15: still valid */
    assert_int_equal(aw_storage_presign_get(direct, key, 900, now - 600, bad, sizeof bad, &err),
                     AW_OK);
    assert_int_equal(get_presigned(bad), 200);
    /* signed 20 minutes ago for 15: expired */
    assert_int_equal(aw_storage_presign_get(direct, key, 900, now - 1200, bad, sizeof bad, &err),
                     AW_OK);
    assert_int_equal(get_presigned(bad), 403);
    /* an access key the server does not know */
    snprintf(bad, sizeof bad, "%s", url);
    char *id = strstr(bad, "X-Amz-Credential=S3RVER");
    assert_non_null(id);
    id[strlen("X-Amz-Credential=")] = 'T';
    assert_int_equal(get_presigned(bad), 403);
    /* one character of the signature changed */
    snprintf(bad, sizeof bad, "%s", url);
    char *sig = strstr(bad, "&X-Amz-Signature=");
    assert_non_null(sig);
    sig += strlen("&X-Amz-Signature=");
    assert_int_equal(strlen(sig), 64);
    sig[10] = sig[10] == '0' ? '1' : '0';
    long tampered = get_presigned(bad);
    if (tampered != 403)
        print_message("NOT VERIFIED: s3rver answered %ld to a URL with a tampered signature "
                      "(it does not check SigV4 signatures)\n",
                      tampered);
    g_free(want);
    unlink(path);
}

static int after_each(void **state)
{
    (void)state;
    kh_kill_workers();
    return 0;
}

static int setup(void **state)
{
    (void)state;
    work = aw_test_tmpdir("s3");
    db = aw_test_tmpdir("s3db");
    aw_test_make_clamav_db(db);
    char dir[4200], out[4200], port[16], url[64], buf[256];
    snprintf(dir, sizeof dir, "%s/server", work);
    mkdir(dir, 0755);
    snprintf(out, sizeof out, "%s/s3rver.out", work);
    s3_port = free_port();
    snprintf(port, sizeof port, "%d", s3_port);
    const char *argv[] = {s3rver,   "-d", dir, "-a", "127.0.0.1", "-p", port, "--configure-bucket",
                          "assets", NULL};
    s3_pid = spawn(argv, out);
    if (wait_for(out, "listening", buf, sizeof buf) == NULL)
        return -1;
    setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
    setenv("AWS_REGION", "us-east-1", 1);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", s3_port);
    setenv("AWS_ENDPOINT_URL", url, 1);
    aw_error err;
    direct = aw_storage_open("s3://assets", &err);
    return direct != NULL && kh_cluster_start(&K) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    kh_kill_workers();
    kh_cluster_stop(&K);
    aw_storage_close(direct);
    kill(s3_pid, SIGTERM);
    waitpid(s3_pid, NULL, 0);
    if (getenv("AW_KEEP_TEST_LOGS") == NULL)
        aw_test_rmtree(work);
    aw_test_rmtree(db);
    free(work), free(db);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s ASSET_WORKER S3RVER FAULT_PROXY_JS\n", argv[0]);
        return 2;
    }
    bin = argv[1], s3rver = argv[2], proxy_js = argv[3];
    if (access(s3rver, X_OK) != 0) {
        printf("SKIP: %s missing (npm ci in tests/)\n", s3rver);
        return getenv("AW_REQUIRE_TOOLS") ? 1 : AW_TEST_SKIP;
    }
    if (VIPS_INIT(argv[0]) != 0)
        return 1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(transient_faults_are_retried, after_each),
        cmocka_unit_test_teardown(damaged_upload_is_caught_and_sent_again, after_each),
        cmocka_unit_test_teardown(permanent_fault_fails_after_the_attempts, after_each),
        cmocka_unit_test_teardown(forbidden_fails_at_once, after_each),
        cmocka_unit_test_teardown(missing_object_fails_at_once, after_each),
        cmocka_unit_test_teardown(oversized_object_is_not_downloaded, after_each),
        cmocka_unit_test_teardown(presigned_get_urls_work_without_credentials, after_each),
        cmocka_unit_test_teardown(corpus_round_trips_through_s3, after_each),
        cmocka_unit_test_teardown(duplicate_bytes_are_copied_on_s3, after_each),
        cmocka_unit_test_teardown(backlog_at_0_ms, after_each),
        cmocka_unit_test_teardown(backlog_at_20_ms, after_each),
        cmocka_unit_test_teardown(backlog_at_100_ms, after_each),
        cmocka_unit_test_teardown(small_jobs_flow_while_a_large_source_downloads, after_each),
    };
    if (getenv("AW_TEST_FILTER") != NULL)
        cmocka_set_test_filter(getenv("AW_TEST_FILTER"));
    return cmocka_run_group_tests_name("s3", tests, setup, teardown);
}
