"""CORS of a running `vend serve` over real HTTP: the allowed origin gets exactly what the page needs from the
embedded Cognito and S3, any other origin gets no CORS header from Cognito, S3 or the GraphQL endpoint.

What a browser does is decided by these headers alone, so checking them proves the browser-side refusal without
a browser (clients/e2e/browser.e2e.test.mjs proves the page still works with them).
"""

from __future__ import annotations

import json
import socket
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Final

import httpx
import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.e2e.client import HTTP_TIMEOUT_SECONDS
from tests.e2e.conftest import CORS_ORIGIN, RunningServer, assert_clean_stop, start_server
from vend_local import demo

OTHER_ORIGIN: Final = "http://evil.example"
INITIATE_AUTH: Final = "AWSCognitoIdentityProviderService.InitiateAuth"
# What Chromium asks for before Amplify's InitiateAuth and the SDK's PutObject (lower-case, sorted).
COGNITO_REQUEST_HEADERS: Final = (
    "amz-sdk-invocation-id,amz-sdk-request,cache-control,content-type,x-amz-target,x-amz-user-agent"
)
S3_REQUEST_HEADERS: Final = (
    "amz-sdk-invocation-id,amz-sdk-request,authorization,content-type,x-amz-checksum-crc32,"
    "x-amz-content-sha256,x-amz-date,x-amz-sdk-checksum-algorithm,x-amz-security-token,x-amz-user-agent"
)
# What Chromium asks for before Amplify Storage's CreateMultipartUpload and its "do not overwrite" PutObject (the
# Storage Browser example).
AMPLIFY_MULTIPART_HEADERS: Final = (
    "amz-sdk-invocation-id,amz-sdk-request,authorization,content-type,x-amz-checksum-algorithm,x-amz-checksum-type,"
    "x-amz-content-sha256,x-amz-date,x-amz-security-token,x-amz-user-agent"
)
AMPLIFY_PUT_HEADERS: Final = (
    "amz-sdk-invocation-id,amz-sdk-request,authorization,content-type,if-none-match,x-amz-checksum-crc32,"
    "x-amz-content-sha256,x-amz-date,x-amz-security-token,x-amz-user-agent"
)
# ... and before the Storage Browser's Copy (Amplify Storage's CopyObject).
AMPLIFY_COPY_HEADERS: Final = (
    "amz-sdk-invocation-id,amz-sdk-request,authorization,x-amz-content-sha256,x-amz-copy-source,"
    "x-amz-copy-source-if-match,x-amz-copy-source-if-unmodified-since,x-amz-date,x-amz-metadata-directive,"
    "x-amz-security-token,x-amz-tagging-directive,x-amz-user-agent"
)
S3_RULE_METHODS: Final = "GET, PUT, HEAD, DELETE, POST"
S3_VARY: Final = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"


def _cors_headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.lower().startswith("access-control-")}


def _preflight(url: str, origin: str, method: str, headers: str) -> httpx.Response:
    return httpx.options(
        url,
        headers={
            "origin": origin,
            "access-control-request-method": method,
            "access-control-request-headers": headers,
        },
        timeout=HTTP_TIMEOUT_SECONDS,
    )


def _cognito_preflight(server: RunningServer, origin: str) -> httpx.Response:
    return _preflight(f"{server.state.aws_endpoint}/", origin, "POST", COGNITO_REQUEST_HEADERS)


def _initiate_auth(server: RunningServer, origin: str, *, target: str = INITIATE_AUTH) -> httpx.Response:
    """Amplify's sign-in request, as the page sends it, with a wrong password: no token is ever issued here."""
    state = server.state
    return httpx.post(
        f"{state.aws_endpoint}/",
        content=json.dumps(
            {
                "AuthFlow": "USER_PASSWORD_AUTH",
                "ClientId": state.app_client_id,
                "AuthParameters": {"USERNAME": "alice", "PASSWORD": "not-alices-password-1A!"},
            }
        ),
        headers={"origin": origin, "content-type": "application/x-amz-json-1.1", "x-amz-target": target},
        timeout=HTTP_TIMEOUT_SECONDS,
    )


def _prefix(server: RunningServer) -> str:
    alice = server.state.user("alice")
    assert alice is not None
    return f"users/{alice.sub}/"


def _list_url(server: RunningServer) -> str:
    """The page's ListObjectsV2 of alice's prefix."""
    return f"{server.state.aws_endpoint}/{demo.BUCKET}?list-type=2&prefix={_prefix(server)}"


def _new_object_url(server: RunningServer) -> str:
    """Where the page's PutObject of a new file goes."""
    return f"{server.state.aws_endpoint}/{demo.BUCKET}/{_prefix(server)}new-upload.txt"


def _existing_object_url(server: RunningServer) -> str:
    """An object that exists (moto itself would refuse an unsigned preflight for it before any CORS rule)."""
    return f"{server.state.aws_endpoint}/{demo.BUCKET}/{_prefix(server)}hello.txt"


def _signed_list(server: RunningServer, origin: str) -> httpx.Response:
    """The page's list request, SigV4-signed as the SDK signs it (moto accepts any key), from ``origin``."""
    request = AWSRequest(method="GET", url=_list_url(server), headers={"origin": origin})
    S3SigV4Auth(Credentials("AKIAE2ETESTBOOTSTRAP", "e2e-not-a-secret"), "s3", server.state.region).add_auth(
        request
    )
    return httpx.get(_list_url(server), headers=dict(request.headers.items()), timeout=HTTP_TIMEOUT_SECONDS)


# ---- the allowed origin ----------------------------------------------------------------------------------


def test_cognito_preflight_allows_the_page_origin_for_its_sign_in_request(server: RunningServer) -> None:
    response = _cognito_preflight(server, CORS_ORIGIN)
    assert response.status_code == 204
    assert _cors_headers(response) == {
        "access-control-allow-origin": CORS_ORIGIN,
        "access-control-allow-methods": "POST",
        "access-control-allow-headers": COGNITO_REQUEST_HEADERS.replace(",", ", "),
        "access-control-max-age": "600",
    }
    assert response.headers["vary"] == "Origin"


def test_cognito_answer_to_the_page_origin_carries_its_origin(server: RunningServer) -> None:
    response = _initiate_auth(server, CORS_ORIGIN)
    # moto answered (the wrong password) and the browser may read that answer.
    assert response.status_code == 400
    assert response.json()["__type"] == "NotAuthorizedException"
    assert _cors_headers(response) == {"access-control-allow-origin": CORS_ORIGIN}
    assert response.headers["vary"] == "Origin"


@pytest.mark.parametrize(
    ("method", "headers"),
    [
        ("PUT", "content-type,x-amz-target"),  # a method the page never sends to Cognito
        ("POST", "content-type,x-amz-target,x-evil"),  # a header it never sends
        ("POST", "authorization,content-type,x-amz-target"),  # signed calls (admin APIs) are not the page's
    ],
)
def test_cognito_preflight_refuses_what_the_page_does_not_send(
    server: RunningServer, method: str, headers: str
) -> None:
    response = _preflight(f"{server.state.aws_endpoint}/", CORS_ORIGIN, method, headers)
    assert response.status_code == 403
    assert _cors_headers(response) == {}


@pytest.mark.parametrize(
    "target",
    [
        "AWSCognitoIdentityProviderService.AdminGetUser",
        "AWSCognitoIdentityProviderService.ListUsers",
        "DynamoDB_20120810.ListTables",
    ],
)
def test_only_initiate_auth_answers_are_readable_by_the_page(server: RunningServer, target: str) -> None:
    response = _initiate_auth(server, CORS_ORIGIN, target=target)
    assert _cors_headers(response) == {}


@pytest.mark.parametrize(
    ("method", "where", "headers"),
    [
        ("GET", _list_url, S3_REQUEST_HEADERS),
        ("PUT", _new_object_url, S3_REQUEST_HEADERS),
        ("PUT", _new_object_url, AMPLIFY_PUT_HEADERS),
        ("POST", _new_object_url, AMPLIFY_MULTIPART_HEADERS),
        ("PUT", _new_object_url, AMPLIFY_COPY_HEADERS),
        ("HEAD", _existing_object_url, S3_REQUEST_HEADERS),
        ("DELETE", _existing_object_url, S3_REQUEST_HEADERS),
        ("GET", _existing_object_url, ""),
    ],
)
def test_s3_preflight_allows_the_page_origin_by_the_bucket_rule(
    server: RunningServer, method: str, where: Callable[[RunningServer], str], headers: str
) -> None:
    response = _preflight(where(server), CORS_ORIGIN, method, headers)
    assert response.status_code == 200
    # As S3 answers it: the rule's methods, the requested headers named back, the header a client may read.
    expected = {
        "access-control-allow-origin": CORS_ORIGIN,
        "access-control-allow-methods": S3_RULE_METHODS,
        "access-control-expose-headers": "ETag",
        "access-control-max-age": "600",
    }
    if headers:
        expected["access-control-allow-headers"] = headers.replace(",", ", ")
    assert _cors_headers(response) == expected
    assert response.headers["vary"] == S3_VARY


@pytest.mark.parametrize(
    ("method", "headers"),
    [
        ("PUT", "authorization,x-amz-acl"),  # a header the rule does not list (no client of ours sets an ACL)
        ("PATCH", "authorization"),  # a method the rule does not list
        ("PUT", "authorization,x-evil"),
    ],
)
def test_s3_preflight_refuses_what_the_rule_does_not_list(
    server: RunningServer, method: str, headers: str
) -> None:
    response = _preflight(_new_object_url(server), CORS_ORIGIN, method, headers)
    assert response.status_code == 403
    assert _cors_headers(response) == {}
    assert (
        "<Code>AccessForbidden</Code><Message>CORSResponse: This CORS request is not allowed."
        in response.text
    )


def test_s3_answer_to_the_page_origin_carries_its_origin(server: RunningServer) -> None:
    response = _signed_list(server, CORS_ORIGIN)
    assert response.status_code == 200
    assert f"<Key>{_prefix(server)}hello.txt</Key>" in response.text
    # moto leaves bucket-level answers without CORS; S3 (and vend serve, for the bucket's own rule) adds it.
    assert _cors_headers(response) == {
        "access-control-allow-origin": CORS_ORIGIN,
        "access-control-expose-headers": "ETag",
    }
    assert "Origin" in response.headers["vary"]


def test_s3_answers_a_head_with_the_rule_s_cors_where_moto_does_not(server: RunningServer) -> None:
    request = AWSRequest(method="HEAD", url=_existing_object_url(server), headers={"origin": CORS_ORIGIN})
    S3SigV4Auth(Credentials("AKIAE2ETESTBOOTSTRAP", "e2e-not-a-secret"), "s3", server.state.region).add_auth(
        request
    )
    response = httpx.head(
        _existing_object_url(server), headers=dict(request.headers.items()), timeout=HTTP_TIMEOUT_SECONDS
    )
    assert response.status_code == 200
    assert _cors_headers(response)["access-control-allow-origin"] == CORS_ORIGIN
    assert _cors_headers(response)["access-control-expose-headers"] == "ETag"


# ---- the HTTPS listener (Amplify Storage's customEndpoint): the bucket by virtual host -------------------------


def _https(server: RunningServer, path: str) -> tuple[str, dict[str, str]]:
    """The URL on the HTTPS listener and the Host header naming the bucket, as a browser sends them to
    https://<bucket>.localhost:<port> (Python cannot resolve *.localhost; browsers resolve it to loopback)."""
    endpoint = server.state.s3_custom_endpoint
    assert endpoint is not None
    assert endpoint.startswith("localhost:")
    port = endpoint.partition(":")[2]
    return f"https://127.0.0.1:{port}{path}", {"host": f"{demo.BUCKET}.{endpoint}"}


def _trusting(server: RunningServer) -> ssl.SSLContext:
    """TLS that trusts exactly this run's certificate (it names 127.0.0.1 and the bucket's host)."""
    assert server.state.s3_certificate_file is not None
    return ssl.create_default_context(cafile=server.state.s3_certificate_file)


def test_the_https_listener_answers_s3_preflights_for_the_bucket_s_virtual_host(
    server: RunningServer,
) -> None:
    # "/" on the bucket's host is the bucket, not Cognito's JSON API at the root of the plain listener.
    for path, method in (("/", "GET"), (f"/{_prefix(server)}x.txt", "PUT")):
        url, host = _https(server, path)
        response = httpx.options(
            url,
            headers={
                **host,
                "origin": CORS_ORIGIN,
                "access-control-request-method": method,
                "access-control-request-headers": AMPLIFY_PUT_HEADERS,
            },
            verify=_trusting(server),
            timeout=HTTP_TIMEOUT_SECONDS,
        )
        assert response.status_code == 200, path
        assert _cors_headers(response)["access-control-allow-origin"] == CORS_ORIGIN


def test_the_https_listener_lists_the_bucket_by_virtual_host_with_cors(server: RunningServer) -> None:
    url, host = _https(server, f"/?list-type=2&prefix={_prefix(server)}")
    signed = AWSRequest(
        method="GET",
        url=f"https://{host['host']}/?list-type=2&prefix={_prefix(server)}",
        headers={"origin": CORS_ORIGIN},
    )
    S3SigV4Auth(Credentials("AKIAE2ETESTBOOTSTRAP", "e2e-not-a-secret"), "s3", server.state.region).add_auth(
        signed
    )
    response = httpx.get(
        url,
        headers=dict(signed.headers.items()) | host,
        verify=_trusting(server),
        timeout=HTTP_TIMEOUT_SECONDS,
    )
    assert response.status_code == 200
    assert f"<Key>{_prefix(server)}hello.txt</Key>" in response.text
    assert _cors_headers(response)["access-control-allow-origin"] == CORS_ORIGIN


def test_a_client_that_connects_and_never_shakes_hands_holds_up_no_one_else(server: RunningServer) -> None:
    # Each TLS handshake runs on its connection's own thread: silent connections to the HTTPS listener (a
    # stalled browser tab, a port scanner) leave every other request answered at once.
    url, host = _https(server, "/")
    port = int(url.rsplit(":", 1)[1].split("/", 1)[0])
    silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
    try:
        response = httpx.options(
            url,
            headers=host | {"origin": CORS_ORIGIN, "access-control-request-method": "GET"},
            verify=_trusting(server),
            timeout=HTTP_TIMEOUT_SECONDS,
        )
        assert response.status_code == 200
    finally:
        for conn in silent:
            conn.close()


# ---- any other origin ------------------------------------------------------------------------------------


def test_cognito_gives_another_origin_no_cors(server: RunningServer) -> None:
    preflight = _cognito_preflight(server, OTHER_ORIGIN)
    assert preflight.status_code == 403
    assert _cors_headers(preflight) == {}
    answer = _initiate_auth(server, OTHER_ORIGIN)
    assert answer.json()["__type"] == "NotAuthorizedException"
    assert _cors_headers(answer) == {}


def test_s3_gives_another_origin_no_cors(server: RunningServer) -> None:
    for method, url in (("GET", _list_url(server)), ("PUT", _new_object_url(server))):
        preflight = _preflight(url, OTHER_ORIGIN, method, "authorization")
        assert preflight.status_code == 403
        assert _cors_headers(preflight) == {}
    answer = _signed_list(server, OTHER_ORIGIN)
    assert answer.status_code == 200
    assert _cors_headers(answer) == {}


def test_the_graphql_endpoint_gives_another_origin_no_cors(server: RunningServer) -> None:
    preflight = _preflight(server.url, OTHER_ORIGIN, "POST", "authorization,content-type")
    assert preflight.status_code == 403
    assert _cors_headers(preflight) == {}
    answer = httpx.post(
        server.url,
        content=b'{"query":"{ scopes { name } }"}',
        headers={"origin": OTHER_ORIGIN, "content-type": "application/json"},
        timeout=HTTP_TIMEOUT_SECONDS,
    )
    assert answer.status_code == 401
    assert _cors_headers(answer) == {}


def test_the_other_embedded_services_give_no_origin_cors(server: RunningServer) -> None:
    # STS, IAM and DynamoDB are for the handler and the harness, never for a browser.
    for origin in (CORS_ORIGIN, OTHER_ORIGIN):
        for url in (
            f"{server.state.aws_endpoint}/",
            f"{server.state.aws_endpoint}/?Action=GetCallerIdentity",
        ):
            answer = httpx.get(url, headers={"origin": origin}, timeout=HTTP_TIMEOUT_SECONDS)
            assert _cors_headers(answer) == {}, url


def test_without_cors_origin_nothing_is_allowed(tmp_path: Path) -> None:
    # GIVEN a server started without --cors-origin
    bare = start_server(tmp_path)
    try:
        # THEN not even the origin the session's server allows gets CORS from Cognito, S3 or GraphQL
        assert _cors_headers(_cognito_preflight(bare, CORS_ORIGIN)) == {}
        assert _cors_headers(_initiate_auth(bare, CORS_ORIGIN)) == {}
        assert _cors_headers(_preflight(_new_object_url(bare), CORS_ORIGIN, "PUT", "authorization")) == {}
        assert _cors_headers(_signed_list(bare, CORS_ORIGIN)) == {}
        assert _cors_headers(_preflight(bare.url, CORS_ORIGIN, "POST", "authorization")) == {}
    finally:
        assert_clean_stop(bare)
