"""EmbeddedCors in-process over WSGI, in front of a recording fake of moto: what each origin may read, by table.

The fake answers as moto does with its global CORS on (it reflects any Origin), so each test also proves that
whatever moto adds never reaches a browser of another origin. tests/e2e/test_embedded_aws_cors.py proves the
same over real HTTP against the embedded moto.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

import pytest
from werkzeug.test import Client, TestResponse

from vend_local import demo
from vend_local.embedded_aws import COGNITO_CORS_HEADERS, S3_CORS_HEADERS, S3_CORS_METHODS, EmbeddedCors

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

ALLOWED: Final = "http://127.0.0.1:5173"
OTHER: Final = "http://evil.example"
INITIATE_AUTH: Final = "AWSCognitoIdentityProviderService.InitiateAuth"
PAGE_HEADERS: Final = ",".join(COGNITO_CORS_HEADERS)
ROOT: Final = Path(__file__).resolve().parents[2]


@dataclass
class FakeMoto:
    """Records what reached it; answers 200 with the headers moto's flask-cors would add for any Origin."""

    paths: list[str] = field(default_factory=list)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        self.paths.append(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}")
        headers = [("Content-Type", "application/x-amz-json-1.1")]
        if "HTTP_ORIGIN" in environ:
            headers += [
                ("Access-Control-Allow-Origin", environ["HTTP_ORIGIN"]),
                ("Access-Control-Allow-Methods", "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"),
            ]
        start_response("200 OK", headers)
        return [b"{}"]


def _client(origins: Iterable[str] = (ALLOWED,)) -> tuple[Client, FakeMoto]:
    moto = FakeMoto()
    return Client(EmbeddedCors(moto, origins)), moto


def _cors(response: TestResponse) -> dict[str, str]:
    return {k.lower(): v for k, v in response.headers.items() if k.lower().startswith("access-control-")}


def _preflight(
    client: Client, origin: str, method: str = "POST", headers: str = PAGE_HEADERS, path: str = "/"
) -> TestResponse:
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": headers,
        },
    )


# ---- Cognito (the root) ----------------------------------------------------------------------------------


def test_the_page_origin_preflight_gets_post_and_the_sdk_headers_only() -> None:
    client, moto = _client()
    response = _preflight(client, ALLOWED)
    assert response.status_code == 204
    assert _cors(response) == {
        "access-control-allow-origin": ALLOWED,
        "access-control-allow-methods": "POST",
        "access-control-allow-headers": ", ".join(COGNITO_CORS_HEADERS),
        "access-control-max-age": "600",
    }
    assert response.headers["Vary"] == "Origin"
    assert moto.paths == [], "a preflight is answered here, never by moto"


@pytest.mark.parametrize(
    ("origin", "method", "headers"),
    [
        (OTHER, "POST", PAGE_HEADERS),  # another origin
        ("null", "POST", PAGE_HEADERS),  # sandboxed frames and file:// pages
        (ALLOWED.upper(), "POST", PAGE_HEADERS),  # origins compare exactly
        (ALLOWED + "/", "POST", PAGE_HEADERS),
        (ALLOWED, "PUT", PAGE_HEADERS),  # a method the page never sends
        (ALLOWED, "GET", "content-type"),
        (ALLOWED, "POST", PAGE_HEADERS + ",authorization"),  # a header it never sends
        (ALLOWED, "POST", "x-amz-target,x-evil"),
    ],
)
def test_a_preflight_outside_the_page_needs_gets_403_and_no_cors(
    origin: str, method: str, headers: str
) -> None:
    client, moto = _client()
    response = _preflight(client, origin, method, headers)
    assert response.status_code == 403
    assert _cors(response) == {}
    assert moto.paths == []


def test_initiate_auth_from_the_page_origin_is_readable_with_its_origin_only() -> None:
    client, moto = _client()
    response = client.post("/", headers={"Origin": ALLOWED, "X-Amz-Target": INITIATE_AUTH})
    assert moto.paths == ["POST /"]
    # moto's reflected methods are dropped: the page needs the origin alone on an actual answer.
    assert _cors(response) == {"access-control-allow-origin": ALLOWED}
    assert response.headers["Vary"] == "Origin"


@pytest.mark.parametrize(
    ("origin", "method", "target"),
    [
        (OTHER, "POST", INITIATE_AUTH),
        (ALLOWED, "POST", "AWSCognitoIdentityProviderService.AdminCreateUser"),
        (ALLOWED, "POST", "AWSCognitoIdentityProviderService.ListUsers"),
        (ALLOWED, "POST", "DynamoDB_20120810.Scan"),
        (ALLOWED, "POST", None),
        (ALLOWED, "GET", INITIATE_AUTH),
    ],
)
def test_any_other_answer_at_the_root_carries_no_cors(origin: str, method: str, target: str | None) -> None:
    client, moto = _client()
    headers = {"Origin": origin} | ({"X-Amz-Target": target} if target else {})
    response = client.open("/", method=method, headers=headers)
    # Forwarded unchanged (CORS decides what a browser reads), but not readable by the page.
    assert moto.paths == [f"{method} /"]
    assert _cors(response) == {}


def test_without_origins_even_the_page_request_gets_no_cors() -> None:
    client, _ = _client(origins=())
    assert _cors(_preflight(client, ALLOWED)) == {}
    assert _cors(client.post("/", headers={"Origin": ALLOWED, "X-Amz-Target": INITIATE_AUTH})) == {}


# ---- S3 and everything else --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/{demo.BUCKET}"),
        ("PUT", f"/{demo.BUCKET}/users/x/new.txt"),
        ("OPTIONS", f"/{demo.BUCKET}/users/x/new.txt"),
        ("GET", "/other-bucket"),
        ("GET", "/?Action=GetCallerIdentity"),
    ],
)
def test_another_origin_never_gets_a_cors_header_from_any_service(method: str, path: str) -> None:
    client, moto = _client()
    response = client.open(path, method=method, headers={"Origin": OTHER})
    assert moto.paths, "the request still reaches moto"
    assert _cors(response) == {}


def test_an_object_answer_keeps_moto_s_cors_and_gains_the_exposed_etag() -> None:
    # moto applies the bucket's rule to object GETs and PUTs; S3 also exposes the rule's ETag to the page.
    client, _ = _client()
    response = client.put(f"/{demo.BUCKET}/users/x/new.txt", headers={"Origin": ALLOWED})
    assert _cors(response) == {
        "access-control-allow-origin": ALLOWED,
        "access-control-allow-methods": "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT",
        "access-control-expose-headers": "ETag",
    }


@dataclass
class MotoListAnswer:
    """moto's answer where it leaves the bucket's CORS rule out (a listing, HEAD, DELETE, POST)."""

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "application/xml")])
        return [b"<ListBucketResult/>"]


def _bare_client() -> Client:
    return Client(EmbeddedCors(MotoListAnswer(), [ALLOWED]))


@pytest.mark.parametrize(
    ("method", "path", "host"),
    [
        ("GET", f"/{demo.BUCKET}", "127.0.0.1:4566"),
        ("GET", f"/{demo.BUCKET}/", "127.0.0.1:4566"),
        ("HEAD", f"/{demo.BUCKET}/users/x/a.txt", "127.0.0.1:4566"),
        ("DELETE", f"/{demo.BUCKET}/users/x/a.txt", "127.0.0.1:4566"),
        ("POST", f"/{demo.BUCKET}/users/x/a.txt", "127.0.0.1:4566"),
        # The HTTPS listener: the bucket named by the Host, "/" is the bucket itself.
        ("GET", "/", f"{demo.BUCKET}.localhost:4443"),
        ("HEAD", "/users/x/a.txt", f"{demo.BUCKET}.localhost:4443"),
    ],
)
def test_every_method_of_the_rule_is_readable_by_the_page_origin(method: str, path: str, host: str) -> None:
    response = _bare_client().open(path, method=method, headers={"Origin": ALLOWED, "Host": host})
    assert _cors(response) == {
        "access-control-allow-origin": ALLOWED,
        "access-control-expose-headers": "ETag",
    }
    assert response.headers["Vary"] == "Origin"


@pytest.mark.parametrize(
    ("origin", "method", "path", "host"),
    [
        (OTHER, "GET", f"/{demo.BUCKET}", "127.0.0.1:4566"),
        (OTHER, "GET", "/", f"{demo.BUCKET}.localhost:4443"),
        (ALLOWED, "PATCH", f"/{demo.BUCKET}/users/x/a.txt", "127.0.0.1:4566"),  # not a method of the rule
        (ALLOWED, "GET", "/other-bucket", "127.0.0.1:4566"),
        (ALLOWED, "GET", "/users/x/a.txt", "other-bucket.localhost:4443"),
    ],
)
def test_no_cors_beyond_the_bucket_rule(origin: str, method: str, path: str, host: str) -> None:
    assert _cors(_bare_client().open(path, method=method, headers={"Origin": origin, "Host": host})) == {}


S3_HEADERS: Final = "authorization,content-type,if-none-match,x-amz-date,x-amz-security-token"


@pytest.mark.parametrize(
    ("path", "host"),
    [
        (f"/{demo.BUCKET}/users/x/exists.txt", "127.0.0.1:4566"),
        (f"/{demo.BUCKET}", "127.0.0.1:4566"),
        ("/users/x/exists.txt", f"{demo.BUCKET}.localhost:4443"),
        ("/", f"{demo.BUCKET}.localhost:4443"),  # the bucket, not Cognito's root
    ],
)
@pytest.mark.parametrize("method", ["GET", "PUT", "HEAD", "DELETE", "POST"])
def test_an_s3_preflight_is_answered_here_by_the_rule_never_by_moto(
    path: str, host: str, method: str
) -> None:
    client, moto = _client()
    response = client.options(
        path,
        headers={
            "Host": host,
            "Origin": ALLOWED,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": S3_HEADERS,
        },
    )
    assert response.status_code == 200
    assert _cors(response) == {
        "access-control-allow-origin": ALLOWED,
        "access-control-allow-methods": ", ".join(S3_CORS_METHODS),
        "access-control-allow-headers": S3_HEADERS.replace(",", ", "),
        "access-control-expose-headers": "ETag",
        "access-control-max-age": "600",
    }
    assert moto.paths == [], "moto answers a preflight of an existing key with 403, before any CORS rule"


@pytest.mark.parametrize(
    ("origin", "method", "headers"),
    [
        (OTHER, "GET", "authorization"),
        (ALLOWED, "PATCH", "authorization"),
        (
            ALLOWED,
            "PUT",
            "authorization,x-amz-acl",
        ),  # one header outside the rule refuses the whole preflight
        (ALLOWED, "PUT", "authorization,X-Evil"),
    ],
)
def test_an_s3_preflight_outside_the_rule_gets_s3_s_403_and_no_cors(
    origin: str, method: str, headers: str, caplog: pytest.LogCaptureFixture
) -> None:
    client, moto = _client()
    with caplog.at_level("INFO", logger="vend_local.embedded_aws"):
        response = client.options(
            f"/{demo.BUCKET}/users/x/a.txt",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": method,
                "Access-Control-Request-Headers": headers,
            },
        )
    assert response.status_code == 403
    assert _cors(response) == {}
    assert b"<Code>AccessForbidden</Code>" in response.data
    assert moto.paths == []
    # The log says what was outside the rule, so a developer knows what to change.
    (record,) = caplog.records
    assert f"origin {origin} allowed: {origin == ALLOWED}, method {method}" in record.getMessage()


def test_the_rule_s_headers_are_those_the_two_example_pages_send() -> None:
    # The SDK's PutObject (example page) and Amplify Storage's PutObject, multipart upload, conditional write and
    # CopyObject (Storage Browser example): every header they sign, nothing else.
    assert set(S3_CORS_HEADERS) == {
        "amz-sdk-invocation-id",
        "amz-sdk-request",
        "authorization",
        "content-type",
        "if-none-match",
        "x-amz-checksum-algorithm",
        "x-amz-checksum-crc32",
        "x-amz-checksum-type",
        "x-amz-content-sha256",
        "x-amz-copy-source",
        "x-amz-copy-source-if-match",
        "x-amz-copy-source-if-unmodified-since",
        "x-amz-date",
        "x-amz-metadata-directive",
        "x-amz-sdk-checksum-algorithm",
        "x-amz-security-token",
        "x-amz-tagging-directive",
        "x-amz-user-agent",
    }


def test_requests_without_origin_pass_through_untouched() -> None:
    client, moto = _client()
    response = client.options("/", headers={"Access-Control-Request-Method": "POST"})
    assert moto.paths == ["OPTIONS /"]
    assert response.status_code == 200
    assert "Vary" not in response.headers


# ---- moto's own CORS ----------------------------------------------------------------------------------------


def test_the_embedded_aws_refuses_to_start_once_moto_was_imported_with_global_cors() -> None:
    # A fresh interpreter: moto's settings are read once per process, at import.
    code = (
        "import moto.moto_server.werkzeug_app\n"
        "from vend_local.embedded_aws import EmbeddedAws\n"
        "try:\n"
        "    EmbeddedAws()\n"
        "except RuntimeError as exc:\n"
        "    print('refused:', exc)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env, check=True
    )
    assert result.stdout.startswith("refused: moto was imported before MOTO_DISABLE_GLOBAL_CORS was set")


def test_the_embedded_aws_turns_moto_s_global_cors_off_when_it_imports_moto() -> None:
    code = (
        "from vend_local.embedded_aws import EmbeddedAws\n"
        "EmbeddedAws()\n"
        "from moto.moto_server import werkzeug_app\n"
        "print(werkzeug_app.DISABLE_GLOBAL_CORS)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env, check=True
    )
    assert result.stdout.strip() == "True"
