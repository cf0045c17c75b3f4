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
from vend_local.embedded_aws import COGNITO_CORS_HEADERS, EmbeddedCors

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


def test_bucket_cors_for_the_page_origin_is_moto_s_own() -> None:
    # The bucket's rule is moto's to apply: for an object answer this middleware adds and removes nothing.
    client, _ = _client()
    response = client.put(f"/{demo.BUCKET}/users/x/new.txt", headers={"Origin": ALLOWED})
    assert _cors(response) == {
        "access-control-allow-origin": ALLOWED,
        "access-control-allow-methods": "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT",
    }


@dataclass
class MotoListAnswer:
    """moto's ListObjectsV2 answer: the bucket's CORS rule is not applied to bucket-level answers."""

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "application/xml")])
        return [b"<ListBucketResult/>"]


@pytest.mark.parametrize("path", [f"/{demo.BUCKET}", f"/{demo.BUCKET}/"])
def test_the_page_origin_may_read_the_bucket_listing(path: str) -> None:
    client = Client(EmbeddedCors(MotoListAnswer(), [ALLOWED]))
    response = client.get(path, query_string="list-type=2&prefix=users/x/", headers={"Origin": ALLOWED})
    assert _cors(response) == {"access-control-allow-origin": ALLOWED}
    assert response.headers["Vary"] == "Origin"


@pytest.mark.parametrize(
    ("origin", "method", "path"),
    [
        (OTHER, "GET", f"/{demo.BUCKET}"),
        (
            ALLOWED,
            "DELETE",
            f"/{demo.BUCKET}",
        ),  # the rule allows GET and PUT; a bucket is never PUT by the page
        (ALLOWED, "PUT", f"/{demo.BUCKET}"),
        (ALLOWED, "GET", "/other-bucket"),
    ],
)
def test_no_listing_cors_beyond_the_bucket_rule(origin: str, method: str, path: str) -> None:
    client = Client(EmbeddedCors(MotoListAnswer(), [ALLOWED]))
    assert _cors(client.open(path, method=method, headers={"Origin": origin})) == {}


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
