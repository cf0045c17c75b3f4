"""Threat: a client abuses the HTTP endpoint (malformed JSON, oversized or endless bodies, deep, aliased or
cyclic queries, batches, unsupported operations) to crash it, hang it, amplify work or read internals. Each
abuse gets a clear AppSync-shaped error, no vend happens, and the server keeps serving. Loopback only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

import httpx
import pytest

from tests import support
from tests.e2e.client import VEND, tokens
from tests.e2e.conftest import RunningServer
from tests.secret_scan import find_leaks
from tests.security import http_support
from vend_local.server import MAX_ALIASES, MAX_BODY_BYTES, MAX_QUERY_DEPTH, MAX_TOKENS

SCOPES_QUERY: Final = "{ scopes { name } }"


@pytest.fixture(scope="module")
def token(abuse_server: RunningServer) -> str:
    http_support.assert_loopback(abuse_server)
    return tokens(abuse_server, "alice")["id"]


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client() as c:
        yield c


def audit_count(server: RunningServer) -> int:
    return sum('"vend decision"' in line for line in server.output().splitlines())


def assert_clear_error(response: httpx.Response, status: int, error_type: str, server: RunningServer) -> str:
    """An AppSync-shaped error with a type and a message; nothing internal, nothing secret. Returns the message."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body.get("data") is None
    (first, *_) = body["errors"]
    assert first["errorType"] == error_type
    assert isinstance(first["message"], str)
    assert first["message"]
    assert "Traceback" not in response.text
    assert 'File "' not in response.text
    assert find_leaks([response.text], server.secrets | support.ISSUED_SECRETS) == []
    message: str = first["message"]
    return message


def assert_still_serving(client: httpx.Client, server: RunningServer, token: str) -> None:
    assert server.process.poll() is None, "the server died"
    response = http_support.vend(client, server, token, "S3_OWN_PREFIX")
    assert response.status_code == 200, response.text
    assert response.json()["data"]["vendCredentials"]["scope"] == "S3_OWN_PREFIX"


@pytest.mark.parametrize(
    "content",
    [
        b"{",
        b"not json",
        b"\xff\xfe\x00",
        b'{"query": ',
        b"[" * 60_000,
        b"",
        b'{"query": "{ scopes { name } }", "variables": {"x": ' + b"9" * 5000 + b"}}",
    ],
    ids=["unclosed", "text", "not-utf8", "truncated", "nested-60000", "empty", "number-5000-digits"],
)
def test_malformed_json_is_a_clear_400_and_the_server_keeps_serving(
    abuse_server: RunningServer, token: str, client: httpx.Client, content: bytes
) -> None:
    response = http_support.post_raw(client, abuse_server, content, token)
    assert_clear_error(response, 400, "MalformedHttpRequestException", abuse_server)
    assert_still_serving(client, abuse_server, token)


@pytest.mark.parametrize(
    "body", [None, "a string", 42, {"query": 42}, {"query": SCOPES_QUERY, "variables": []}]
)
def test_json_that_is_not_one_operation_is_a_clear_400(
    abuse_server: RunningServer, token: str, client: httpx.Client, body: Any
) -> None:
    response = http_support.post_json(client, abuse_server, body, token)
    assert_clear_error(response, 400, "BadRequestException", abuse_server)


def test_malformed_body_without_a_token_is_refused_before_it_is_parsed(
    abuse_server: RunningServer, client: httpx.Client
) -> None:
    response = http_support.post_raw(client, abuse_server, b"{", None)
    assert_clear_error(response, 401, "UnauthorizedException", abuse_server)


def padded_vend(size: int) -> bytes:
    """A valid vend request of exactly ``size`` bytes (JSON allows trailing whitespace)."""
    body = json.dumps({"query": VEND, "variables": {"scope": "S3_OWN_PREFIX"}}).encode()
    assert len(body) <= size
    return body + b" " * (size - len(body))


@pytest.mark.parametrize(
    ("size", "served"), [(MAX_BODY_BYTES - 1, True), (MAX_BODY_BYTES, True), (MAX_BODY_BYTES + 1, False)]
)
def test_body_size_limit_holds_at_the_boundary(
    abuse_server: RunningServer, token: str, client: httpx.Client, size: int, served: bool
) -> None:
    assert MAX_BODY_BYTES == 64 * 1024
    response = http_support.post_raw(client, abuse_server, padded_vend(size), token)
    if served:
        assert response.status_code == 200, response.text
        abuse_server.secrets.update(
            {response.json()["data"]["vendCredentials"][k] for k in ("secretAccessKey", "sessionToken")}
        )
    else:
        assert_clear_error(response, 413, "PayloadTooLargeException", abuse_server)


def test_oversized_body_is_refused_even_before_authentication(
    abuse_server: RunningServer, client: httpx.Client, token: str
) -> None:
    response = http_support.post_raw(client, abuse_server, b" " * (4 * MAX_BODY_BYTES), None)
    assert_clear_error(response, 413, "PayloadTooLargeException", abuse_server)
    assert_still_serving(client, abuse_server, token)


def test_oversized_chunked_body_without_content_length_is_refused(
    abuse_server: RunningServer, token: str, client: httpx.Client
) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(8):
            yield b" " * (MAX_BODY_BYTES // 4)

    response = client.post(
        abuse_server.url,
        content=chunks(),
        headers={"content-type": "application/json", "authorization": token},
        timeout=http_support.HTTP_TIMEOUT_SECONDS,
    )
    http_support.keep_if_error(response)
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert_clear_error(response, 413, "PayloadTooLargeException", abuse_server)
    assert_still_serving(client, abuse_server, token)


def nested(depth: int) -> str:
    """``{ scopes { x { x ... name } } }`` with ``depth`` levels under the root."""
    inner = "name"
    for _ in range(depth - 1):
        inner = f"x {{ {inner} }}"
    return f"{{ scopes {{ {inner} }} }}"


def test_query_deeper_than_the_limit_is_refused_by_depth(
    abuse_server: RunningServer, token: str, client: httpx.Client
) -> None:
    assert MAX_QUERY_DEPTH == 6
    response = http_support.post_json(client, abuse_server, {"query": nested(MAX_QUERY_DEPTH + 1)}, token)
    message = assert_clear_error(response, 200, "ValidationError", abuse_server)
    assert "depth" in message
    # At the limit the depth rule is silent (the query fails only on the unknown field).
    response = http_support.post_json(client, abuse_server, {"query": nested(MAX_QUERY_DEPTH)}, token)
    assert "depth" not in assert_clear_error(response, 200, "ValidationError", abuse_server)


@pytest.mark.parametrize(
    ("count", "served"), [(MAX_ALIASES - 1, True), (MAX_ALIASES, True), (MAX_ALIASES + 1, False)]
)
def test_aliased_queries_are_capped(
    abuse_server: RunningServer, token: str, client: httpx.Client, count: int, served: bool
) -> None:
    assert MAX_ALIASES == 15
    query = "{ " + " ".join(f"a{i}: scopes {{ name }}" for i in range(count)) + " }"
    response = http_support.post_json(client, abuse_server, {"query": query}, token)
    if served:
        assert response.status_code == 200
        assert len(response.json()["data"]) == count
    else:
        assert "aliases" in assert_clear_error(response, 200, "ValidationError", abuse_server)


def test_aliased_vend_mutations_over_the_cap_vend_nothing(
    abuse_server: RunningServer, token: str, client: httpx.Client
) -> None:
    before = audit_count(abuse_server)
    vends = " ".join(
        f"v{i}: vendCredentials(scope: S3_OWN_PREFIX) {{ scope }}" for i in range(MAX_ALIASES + 1)
    )
    response = http_support.post_json(client, abuse_server, {"query": f"mutation {{ {vends} }}"}, token)
    assert_clear_error(response, 200, "ValidationError", abuse_server)
    assert audit_count(abuse_server) == before, "the handler ran for a refused document"


def test_query_over_the_token_limit_is_not_parsed(
    abuse_server: RunningServer, token: str, client: httpx.Client
) -> None:
    query = "{ scopes { " + "name " * (MAX_TOKENS + 1) + "} }"
    response = http_support.post_json(client, abuse_server, {"query": query}, token)
    assert f"more than {MAX_TOKENS} tokens" in assert_clear_error(
        response, 200, "ValidationError", abuse_server
    )


@pytest.mark.parametrize(
    "query",
    [
        "{ scopes { ...F } } fragment F on ScopeInfo { ...G } fragment G on ScopeInfo { ...F }",  # cycle
        "{" * 5_000 + "}" * 5_000,  # a brace bomb
        "subscription { anything }",
    ],
    ids=["fragment-cycle", "brace-bomb", "subscription"],
)
def test_cyclic_or_unsupported_documents_are_refused(
    abuse_server: RunningServer, token: str, client: httpx.Client, query: str
) -> None:
    response = http_support.post_json(client, abuse_server, {"query": query}, token)
    assert_clear_error(response, 200, "ValidationError", abuse_server)
    assert_still_serving(client, abuse_server, token)


@pytest.mark.parametrize("count", [0, 1, 2, 50])
def test_batched_operations_are_refused(
    abuse_server: RunningServer, token: str, client: httpx.Client, count: int
) -> None:
    before = audit_count(abuse_server)
    batch = [{"query": VEND, "variables": {"scope": "S3_OWN_PREFIX"}}] * count
    response = http_support.post_json(client, abuse_server, batch, token)
    assert "Batched" in assert_clear_error(response, 400, "BadRequestException", abuse_server)
    assert audit_count(abuse_server) == before


ABUSE: Final[list[bytes]] = [
    b"{",
    b"[" * 60_000,
    b" " * (MAX_BODY_BYTES + 1),
    json.dumps([{"query": SCOPES_QUERY}] * 3).encode(),
    json.dumps({"query": nested(MAX_QUERY_DEPTH + 1)}).encode(),
]


def test_abuse_interleaved_with_real_traffic_never_stops_service(
    abuse_server: RunningServer, token: str
) -> None:
    def abuser(index: int) -> list[int]:
        with httpx.Client() as c:
            return [
                http_support.post_raw(c, abuse_server, ABUSE[(index + n) % len(ABUSE)], token).status_code
                for n in range(10)
            ]

    def honest(_: int) -> list[int]:
        with httpx.Client() as c:
            return [
                http_support.vend(c, abuse_server, token, "DYNAMODB_OWN_ITEMS").status_code for _ in range(5)
            ]

    with ThreadPoolExecutor(max_workers=12) as pool:
        abusive = [pool.submit(abuser, i) for i in range(8)]
        real = [pool.submit(honest, i) for i in range(4)]
        abuse_statuses = [s for f in abusive for s in f.result(timeout=120)]
        real_statuses = [s for f in real for s in f.result(timeout=120)]
    assert real_statuses == [200] * 20
    assert len(abuse_statuses) == 80
    assert set(abuse_statuses) <= {200, 400, 413}
    with httpx.Client() as c:
        assert_still_serving(c, abuse_server, token)
