/* test_storage.c — unit tests of the storage layer's optional operations:
 * S3 presigned GET URLs (the SigV4 maths against AWS's documented example,
 * the backend's URLs against botocore's, tests/tools/presign_vectors.py)
 * and file:// local paths; a backend without the operation says
 * "unsupported". No network: signing is pure. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aw_test.h"
#include "s3_presign.h"
#include "storage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACCESS_KEY "AKIAIOSFODNN7EXAMPLE"
#define SECRET_KEY "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define T_20130524 ((time_t)1369353600) /* 2013-05-24T00:00:00Z */
#define QUERY_TO_REGION                                                                            \
    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F"

/* AWS's example, "Authenticating Requests: Using Query Parameters (AWS
 * Signature Version 4)", S3 API reference: GET examplebucket/test.txt. */
static const char aws_documented_url[] =
    "https://examplebucket.s3.amazonaws.com/test.txt?" QUERY_TO_REGION
    "us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&"
    "X-Amz-SignedHeaders=host&"
    "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

static aw_s3_presign documented(void)
{
    return (aw_s3_presign){.origin = "https://examplebucket.s3.amazonaws.com",
                           .path = "/test.txt",
                           .region = "us-east-1",
                           .access_key = ACCESS_KEY,
                           .secret_key = SECRET_KEY,
                           .session_token = NULL,
                           .expires_s = 86400,
                           .now = T_20130524};
}

static void presign_reproduces_the_aws_documented_example(void **state)
{
    (void)state;
    char url[1024];
    aw_error err;
    aw_s3_presign p = documented();
    assert_int_equal(aw_s3_presign_get_url(&p, url, sizeof url, &err), AW_OK);
    assert_string_equal(url, aws_documented_url);
    /* an explicit default port is not part of the signed host */
    p.origin = "https://examplebucket.s3.amazonaws.com:443";
    assert_int_equal(aw_s3_presign_get_url(&p, url, sizeof url, &err), AW_OK);
    assert_string_equal(strstr(url, "X-Amz-Signature="),
                        strstr(aws_documented_url, "X-Amz-Signature="));
    /* any other port is */
    p.origin = "https://examplebucket.s3.amazonaws.com:8443";
    assert_int_equal(aw_s3_presign_get_url(&p, url, sizeof url, &err), AW_OK);
    assert_string_not_equal(strstr(url, "X-Amz-Signature="),
                            strstr(aws_documented_url, "X-Amz-Signature="));
    /* so are the secret, the time and the path */
    p = documented(), p.secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEz";
    assert_int_equal(aw_s3_presign_get_url(&p, url, sizeof url, &err), AW_OK);
    assert_string_not_equal(url, aws_documented_url);
    p = documented(), p.now += 1;
    assert_int_equal(aw_s3_presign_get_url(&p, url, sizeof url, &err), AW_OK);
    assert_non_null(strstr(url, "X-Amz-Date=20130524T000001Z&"));
    assert_string_not_equal(strstr(url, "X-Amz-Signature="),
                            strstr(aws_documented_url, "X-Amz-Signature="));
}

static void presign_refuses_what_it_cannot_sign(void **state)
{
    (void)state;
    char url[1024];
    aw_error err;
    aw_s3_presign p = documented();
    int bad_expiry[] = {0, -1, 604801};
    for (size_t i = 0; i < sizeof bad_expiry / sizeof bad_expiry[0]; i++) {
        p.expires_s = bad_expiry[i];
        strcpy(url, "junk");
        assert_int_equal(aw_s3_presign_get_url(&p, url, sizeof url, &err), AW_ERROR);
        assert_int_equal(err.code, AW_CODE_STORAGE_ERROR);
        assert_string_equal(err.reason, "bad_expiry");
        assert_string_equal(url, "");
    }
    p.expires_s = 604800; /* seven days: the longest S3 accepts */
    assert_int_equal(aw_s3_presign_get_url(&p, url, sizeof url, &err), AW_OK);
    assert_non_null(strstr(url, "&X-Amz-Expires=604800&"));
    const char *origins[] = {"ftp://examplebucket", "https://", "examplebucket.s3.amazonaws.com",
                             "https://a@examplebucket", "https://examplebucket/x"};
    for (size_t i = 0; i < sizeof origins / sizeof origins[0]; i++) {
        p = documented(), p.origin = origins[i];
        assert_int_equal(aw_s3_presign_get_url(&p, url, sizeof url, &err), AW_ERROR);
        assert_string_equal(err.reason, "bad_endpoint");
    }
    /* every size short of the whole URL fails and leaves nothing behind */
    p = documented();
    for (size_t size = 0; size <= strlen(aws_documented_url); size++) {
        memset(url, 'x', sizeof url);
        assert_int_equal(aw_s3_presign_get_url(&p, url, size, &err), AW_ERROR);
        assert_string_equal(err.reason, "url_too_long");
        if (size > 0)
            assert_string_equal(url, "");
    }
    assert_int_equal(aw_s3_presign_get_url(&p, url, strlen(aws_documented_url) + 1, &err), AW_OK);
    assert_string_equal(url, aws_documented_url);
}

/* An s3:// backend opened with this environment (NULL: unset). */
static aw_storage *open_s3(const char *url, const char *region, const char *endpoint,
                           const char *path_style, const char *token)
{
    setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY, 1);
    setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY, 1);
    const char *names[] = {"AWS_REGION", "AWS_ENDPOINT_URL", "AW_S3_PATH_STYLE",
                           "AWS_SESSION_TOKEN"};
    const char *values[] = {region, endpoint, path_style, token};
    for (size_t i = 0; i < 4; i++)
        if (values[i] != NULL)
            setenv(names[i], values[i], 1);
        else
            unsetenv(names[i]);
    unsetenv("AWS_DEFAULT_REGION"), unsetenv("AWS_ENDPOINT_URL_S3");
    aw_error err;
    aw_storage *s = aw_storage_open(url, &err);
    if (s == NULL)
        fail_msg("%s: %s", url, err.message);
    return s;
}

static void expect_presigned(aw_storage *s, const char *key, int expires_s, const char *want)
{
    char url[2048];
    aw_error err;
    if (aw_storage_presign_get(s, key, expires_s, T_20130524, url, sizeof url, &err) != AW_OK)
        fail_msg("presign %s: %s", key, err.message);
    assert_string_equal(url, want);
}

/* Expected URLs: botocore's (tests/tools/presign_vectors.py), parameters in
 * canonical order. */
static void s3_backend_presigns_its_object_urls(void **state)
{
    (void)state;
    /* virtual-hosted, with a prefix, a session token and a key to encode */
    aw_storage *s = open_s3("s3://examplebucket/out", "eu-west-1", NULL, NULL, "FwoG/tok+en=");
    expect_presigned(
        s, "a b+c%/\xc3\xbc~x.txt", 3600,
        "https://examplebucket.s3.eu-west-1.amazonaws.com/out/a%20b%2Bc%25/"
        "%C3%BC~x.txt?" QUERY_TO_REGION
        "eu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=3600&"
        "X-Amz-Security-Token=FwoG%2Ftok%2Ben%3D&X-Amz-SignedHeaders=host&"
        "X-Amz-Signature=53bc67bb315298cdc4fb5ef972c0ecfd5f1335b8fcee2ebfd53b8e3c00f6f21b");
    char url[2048];
    aw_error err;
    const char *unsafe[] = {"../x", "/abs", "a//b", "a/./b", "a/../b", "", "a\nb"};
    for (size_t i = 0; i < sizeof unsafe / sizeof unsafe[0]; i++) {
        assert_int_equal(
            aw_storage_presign_get(s, unsafe[i], 60, T_20130524, url, sizeof url, &err), AW_ERROR);
        assert_string_equal(err.reason, "invalid_key");
        assert_string_equal(url, "");
    }
    assert_int_equal(aw_storage_presign_get(s, "k", 0, T_20130524, url, sizeof url, &err),
                     AW_ERROR);
    assert_string_equal(err.reason, "bad_expiry");
    assert_int_equal(aw_storage_presign_get(s, "k", 60, T_20130524, url, 100, &err), AW_ERROR);
    assert_string_equal(err.reason, "url_too_long");
    assert_string_equal(url, "");
    aw_storage_close(s);

    /* path style under AWS_ENDPOINT_URL (its trailing '/' dropped, as for GET) */
    s = open_s3("s3://assets", "us-east-1", "http://127.0.0.1:9000/", NULL, NULL);
    expect_presigned(
        s, "derived/x.webp", 900,
        "http://127.0.0.1:9000/assets/derived/x.webp?" QUERY_TO_REGION
        "us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=900&"
        "X-Amz-SignedHeaders=host&"
        "X-Amz-Signature=5cb8faad533dae5eb6c29ae73e1a21577d7cb96bb2c7b1d53cb537ed79962c28");
    aw_storage_close(s);

    /* AW_S3_PATH_STYLE=1 on AWS */
    s = open_s3("s3://examplebucket", "us-east-1", NULL, "1", NULL);
    expect_presigned(
        s, "test.txt", 86400,
        "https://s3.us-east-1.amazonaws.com/examplebucket/test.txt?" QUERY_TO_REGION
        "us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&"
        "X-Amz-SignedHeaders=host&"
        "X-Amz-Signature=82a9e14d32bf328c615ee54f73419659fdf15ae409b9832190c98d88a00297d8");
    aw_storage_close(s);

    /* an endpoint with its default port written out: signed without it */
    s = open_s3("s3://assets", "us-east-1", "https://minio.example:443", NULL, NULL);
    expect_presigned(
        s, "k", 1,
        "https://minio.example:443/assets/k?" QUERY_TO_REGION
        "us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=1&"
        "X-Amz-SignedHeaders=host&"
        "X-Amz-Signature=8736cbe8fddf288554f7c70e4cf618e66affcbdf544cdc9847b28376d4090f0a");
    aw_storage_close(s);
}

static void s3_has_no_local_path(void **state)
{
    (void)state;
    aw_storage *s = open_s3("s3://assets", "us-east-1", NULL, NULL, NULL);
    char path[256] = "junk";
    aw_error err;
    assert_int_equal(aw_storage_local_path(s, "derived/x.webp", path, sizeof path, &err), AW_ERROR);
    assert_int_equal(err.code, AW_CODE_STORAGE_ERROR);
    assert_string_equal(err.reason, "unsupported");
    assert_string_equal(path, "");
    aw_storage_close(s);
}

static void fs_local_path_is_under_the_root(void **state)
{
    (void)state;
    char *root = aw_test_tmpdir("fs-local"), url[4200], want[4200], path[4200];
    snprintf(url, sizeof url, "file://%s", root);
    aw_error err;
    aw_storage *st = aw_storage_open(url, &err);
    assert_non_null(st);
    const char *key = "derived/a b/\xc3\xbc+%.webp";
    snprintf(want, sizeof want, "%s/%s", root, key);
    assert_int_equal(aw_storage_local_path(st, key, path, sizeof path, &err), AW_OK);
    assert_string_equal(path, want);
    assert_true(path[0] == '/');
    const char *unsafe[] = {"../x",
                            "/abs",
                            "a//b",
                            "a/./b",
                            "a/../../b",
                            "",
                            "a\x01"
                            "b"};
    for (size_t i = 0; i < sizeof unsafe / sizeof unsafe[0]; i++) {
        strcpy(path, "junk");
        assert_int_equal(aw_storage_local_path(st, unsafe[i], path, sizeof path, &err), AW_ERROR);
        assert_int_equal(err.code, AW_CODE_STORAGE_ERROR);
        assert_string_equal(err.reason, "invalid_key");
        assert_string_equal(path, "");
    }
    /* a path that does not fit is refused, never cut short */
    assert_int_equal(aw_storage_local_path(st, key, path, strlen(want), &err), AW_ERROR);
    assert_string_equal(err.reason, "key_too_long");
    assert_string_equal(path, "");
    assert_int_equal(aw_storage_local_path(st, key, path, strlen(want) + 1, &err), AW_OK);
    assert_string_equal(path, want);
    /* file:// has no URLs to hand out */
    char presigned[256] = "junk";
    assert_int_equal(aw_storage_presign_get(st, key, 900, T_20130524, presigned, sizeof presigned,
                                            &err),
                     AW_ERROR);
    assert_int_equal(err.code, AW_CODE_STORAGE_ERROR);
    assert_string_equal(err.reason, "unsupported");
    assert_string_equal(presigned, "");
    aw_storage_close(st);
    /* a root written with a trailing '/' gives the same paths */
    snprintf(url, sizeof url, "file://%s/", root);
    st = aw_storage_open(url, &err);
    assert_non_null(st);
    assert_int_equal(aw_storage_local_path(st, key, path, sizeof path, &err), AW_OK);
    assert_string_equal(path, want);
    aw_storage_close(st);
    aw_test_rmtree(root), free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(presign_reproduces_the_aws_documented_example),
        cmocka_unit_test(presign_refuses_what_it_cannot_sign),
        cmocka_unit_test(s3_backend_presigns_its_object_urls),
        cmocka_unit_test(s3_has_no_local_path),
        cmocka_unit_test(fs_local_path_is_under_the_root),
    };
    return cmocka_run_group_tests_name("storage", tests, NULL, NULL);
}
