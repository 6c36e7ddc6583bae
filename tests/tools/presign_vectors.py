#!/usr/bin/python3
"""presign_vectors.py — where the expected URLs of unit/test_storage.c come
from: the same presigned GETs signed by botocore (the AWS SDK for Python's
own SigV4, S3SigV4QueryAuth), an implementation independent of ours. Not run
by ctest (botocore is not a dependency); run it by hand after changing a
vector: `python3 tests/tools/presign_vectors.py` (Debian: python3-botocore).

It first signs AWS's documented example ("Authenticating Requests: Using
Query Parameters", S3 API reference) and stops unless botocore reproduces
the documented signature, so the other vectors are signed the same way.
botocore lists X-Amz-Security-Token after X-Amz-SignedHeaders in the URL;
the test expects the parameters in canonical (sorted) order, which is how
the worker writes them: same parameters, same signature.
"""
import datetime
import urllib.parse

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
WHEN = datetime.datetime(2013, 5, 24)  # 20130524T000000Z, 1369353600


def sign(url, region, token=None, expires=86400):
    botocore.auth.get_current_datetime = lambda: WHEN
    req = AWSRequest(method="GET", url=url)
    creds = Credentials(ACCESS_KEY, SECRET_KEY, token)
    botocore.auth.S3SigV4QueryAuth(creds, "s3", region, expires=expires).add_auth(req)
    return req.url


def path(key):
    """A key as S3 SDKs put it in a path: RFC 3986 unreserved and '/' kept."""
    return urllib.parse.quote(key, safe="/~")


doc = sign("https://examplebucket.s3.amazonaws.com/test.txt", "us-east-1")
assert doc.endswith("aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"), doc
print("documented example:", doc)
# s3://examplebucket/out, AWS_REGION=eu-west-1, AWS_SESSION_TOKEN set
print("virtual-hosted:", sign("https://examplebucket.s3.eu-west-1.amazonaws.com/" +
                              path("out/a b+c%/\u00fc~x.txt"), "eu-west-1",
                              token="FwoG/tok+en=", expires=3600))
# s3://assets, AWS_ENDPOINT_URL=http://127.0.0.1:9000/
print("endpoint:", sign("http://127.0.0.1:9000/assets/" + path("derived/x.webp"), "us-east-1",
                        expires=900))
# s3://examplebucket, AW_S3_PATH_STYLE=1
print("path style:", sign("https://s3.us-east-1.amazonaws.com/examplebucket/" + path("test.txt"),
                          "us-east-1"))
# s3://assets, AWS_ENDPOINT_URL=https://minio.example:443 (the default port is not signed)
print("default port:", sign("https://minio.example:443/assets/" + path("k"), "us-east-1",
                            expires=1))
