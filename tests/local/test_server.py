"""LocalAppSync in-process over ASGI: auth before anything, AppSync error shapes, limits, CORS, the event.

The verifier is the real one over an injected test JWKS; the handler is a recording fake.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from resolvers.catalog import load_catalog
from tests.local import helpers as h
from vend_local.jwt_verify import CognitoVerifier, StaticKeys
from vend_local.server import MAX_ALIASES, MAX_BODY_BYTES, MAX_QUERY_DEPTH, LocalAppSync

ORIGIN = "http://localhost:5173"
CREDS = h.CREDS
# A valid ID token for the test pool, signed per request.
SIGNED = object()
VEND = "mutation { vendCredentials(scope: S3_OWN_PREFIX) { accessKeyId scope region } }"


@dataclass
class FakeHandler:
    envelope: Any = field(default_factory=lambda: {"data": CREDS})
    raises: bool = False
    events: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        self.events.append(event)
        if self.raises:
            raise RuntimeError("arn:aws:iam::123456789012:role/secret-detail")
        return self.envelope


def _app(handler: FakeHandler) -> LocalAppSync:
    verifier = CognitoVerifier(
        issuer=h.ISSUER, client_ids=frozenset({h.CLIENT_ID}), keys=StaticKeys(h.jwks())
    )
    return LocalAppSync(catalog=load_catalog(), verify=verifier.verify, invoke=handler, cors_origins=[ORIGIN])


def _request(
    app: LocalAppSync,
    *,
    body: Any = None,
    content: bytes | None = None,
    token: object = SIGNED,
    method: str = "POST",
    path: str = "/graphql",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    all_headers = {"content-type": "application/json", **(headers or {})}
    if token is SIGNED:
        token = h.sign(h.id_claims())
    if isinstance(token, str):
        all_headers["authorization"] = token
    if content is None and body is not None:
        content = json.dumps(body).encode()

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:4000") as client:
            return await client.request(method, path, content=content, headers=all_headers)

    return asyncio.run(go())


def test_a_vend_returns_the_handler_data_and_sends_appsyncs_event() -> None:
    handler = FakeHandler()
    response = _request(_app(handler), body={"query": VEND})
    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "vendCredentials": {
                "accessKeyId": CREDS["accessKeyId"],
                "scope": "S3_OWN_PREFIX",
                "region": "us-east-1",
            }
        }
    }
    (event,) = handler.events
    assert set(event) == {"arguments", "identity", "source", "info", "prev", "stash"}
    assert event["arguments"] == {"scope": "S3_OWN_PREFIX"}
    assert event["identity"]["sub"] == h.SUB
    assert event["identity"]["groups"] == ["analysts"]
    assert event["identity"]["sourceIp"] == ["127.0.0.1"]
    assert event["identity"]["issuer"] == h.ISSUER
    assert event["info"]["fieldName"] == "vendCredentials"
    assert event["info"]["parentTypeName"] == "Mutation"
    assert event["info"]["selectionSetList"] == ["accessKeyId", "scope", "region"]


def test_duration_seconds_is_absent_null_or_given_as_sent() -> None:
    handler = FakeHandler()
    app = _app(handler)
    _request(app, body={"query": VEND})
    _request(
        app,
        body={"query": "mutation { vendCredentials(scope: S3_OWN_PREFIX, durationSeconds: null) { scope } }"},
    )
    _request(
        app,
        body={
            "query": "mutation V($d: Int) { vendCredentials(scope: S3_OWN_PREFIX, durationSeconds: $d) { scope } }",
            "variables": {"d": 900},
        },
    )
    assert [e["arguments"] for e in handler.events] == [
        {"scope": "S3_OWN_PREFIX"},
        {"scope": "S3_OWN_PREFIX", "durationSeconds": None},
        {"scope": "S3_OWN_PREFIX", "durationSeconds": 900},
    ]
    assert handler.events[2]["info"]["variables"] == {"d": 900}


def test_an_error_envelope_becomes_an_appsync_error() -> None:
    handler = FakeHandler(envelope={"error": {"type": "ScopeForbidden", "message": "Not for you."}})
    response = _request(_app(handler), body={"query": VEND})
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert body["errors"] == [
        {
            "path": ["vendCredentials"],
            "data": None,
            "errorType": "ScopeForbidden",
            "errorInfo": None,
            "locations": [{"line": 1, "column": 12, "sourceName": None}],
            "message": "Not for you.",
        }
    ]


def test_a_crashing_handler_gives_internal_without_its_text() -> None:
    response = _request(_app(FakeHandler(raises=True)), body={"query": VEND})
    (error,) = response.json()["errors"]
    assert error["errorType"] == "Internal"
    assert "arn:" not in response.text
    assert "123456789012" not in response.text


def test_scopes_goes_through_the_handler() -> None:
    handler = FakeHandler(
        envelope={"data": [{"name": "S3_OWN_PREFIX", "description": "d", "maxDurationSeconds": 3600}]}
    )
    response = _request(_app(handler), body={"query": "{ scopes { name maxDurationSeconds } }"})
    assert response.json() == {"data": {"scopes": [{"name": "S3_OWN_PREFIX", "maxDurationSeconds": 3600}]}}
    assert handler.events[0]["info"]["parentTypeName"] == "Query"
    assert handler.events[0]["arguments"] == {}


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (None, "Valid authorization header not provided."),
        ("", "Valid authorization header not provided."),
        ("not-a-jwt", "Unable to parse JWT token."),
        ("Bearer " + h.sign(h.id_claims()), "Unable to parse JWT token."),
        (h.sign(h.id_claims(exp=1_000_000_000, iat=999_999_000)), "Token has expired."),
        (h.sign(h.id_claims(aud="someotherclient")), "Valid authorization header not provided."),
        (h.sign(h.id_claims(), key=h.OTHER_KEY), "Unable to parse JWT token."),
    ],
    ids=["missing", "empty", "garbage", "bearer prefix", "expired", "other client", "forged"],
)
def test_unauthorized_requests_get_401_and_never_reach_the_handler(token: str | None, message: str) -> None:
    handler = FakeHandler()
    response = _request(_app(handler), body={"query": VEND}, token=token)
    assert response.status_code == 401
    assert response.json() == {"errors": [{"errorType": "UnauthorizedException", "message": message}]}
    assert handler.events == []


def test_a_repeated_authorization_header_is_refused() -> None:
    handler = FakeHandler()
    token = h.sign(h.id_claims())
    app = _app(handler)

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await client.post(
                "/graphql",
                content=json.dumps({"query": VEND}).encode(),
                headers=[
                    ("authorization", token),
                    ("authorization", token),
                    ("content-type", "application/json"),
                ],
            )

    response = asyncio.run(go())
    assert response.status_code == 401
    assert handler.events == []


@pytest.mark.parametrize(
    ("content", "status", "error_type"),
    [
        (b"{not json", 400, "MalformedHttpRequestException"),
        (b"\xff\xfe", 400, "MalformedHttpRequestException"),
        (b"[[[[[[[[", 400, "MalformedHttpRequestException"),
        (json.dumps([{"query": VEND}, {"query": VEND}]).encode(), 400, "BadRequestException"),
        (b'"just a string"', 400, "BadRequestException"),
        (b'{"variables": {}}', 400, "BadRequestException"),
        (json.dumps({"query": VEND, "variables": [1]}).encode(), 400, "BadRequestException"),
        (b" " * (MAX_BODY_BYTES + 1), 413, "PayloadTooLargeException"),
    ],
    ids=[
        "malformed",
        "not utf-8",
        "unterminated",
        "batch",
        "string body",
        "no query",
        "variables list",
        "too large",
    ],
)
def test_bad_bodies_get_a_clear_error_and_never_reach_the_handler(
    content: bytes, status: int, error_type: str
) -> None:
    handler = FakeHandler()
    response = _request(_app(handler), content=content)
    assert response.status_code == status
    assert response.json()["errors"][0]["errorType"] == error_type
    assert handler.events == []


def test_an_unauthenticated_bad_body_is_401_not_400() -> None:
    response = _request(_app(FakeHandler()), content=b"{not json", token=None)
    assert response.status_code == 401


def test_a_query_deeper_than_the_limit_is_a_validation_error() -> None:
    inner = "x { " * MAX_QUERY_DEPTH + "y" + " }" * MAX_QUERY_DEPTH
    handler = FakeHandler()
    response = _request(
        _app(handler), body={"query": "{ scopes { name } } query Deep { scopes { " + inner + " } }"}
    )
    assert response.status_code == 200
    errors = response.json()["errors"]
    assert any("exceeds maximum operation depth" in e["message"] for e in errors)
    assert all(e["errorType"] == "ValidationError" for e in errors)
    assert handler.events == []


def test_too_many_aliases_are_refused() -> None:
    aliases = " ".join(f"a{i}: scopes {{ name }}" for i in range(MAX_ALIASES + 1))
    handler = FakeHandler()
    response = _request(_app(handler), body={"query": "{ " + aliases + " }"})
    assert response.json()["errors"][0]["errorType"] == "ValidationError"
    assert handler.events == []


def test_an_unknown_scope_is_refused_by_the_schema() -> None:
    handler = FakeHandler()
    response = _request(_app(handler), body={"query": "mutation { vendCredentials(scope: ROOT) { scope } }"})
    (error,) = response.json()["errors"]
    assert error["errorType"] == "ValidationError"
    assert handler.events == []


def test_subscriptions_are_not_served() -> None:
    response = _request(_app(FakeHandler()), body={"query": "subscription { x }"})
    assert response.json()["errors"][0]["errorType"] == "ValidationError"


def test_graphiql_is_served_to_browsers_and_get_is_otherwise_refused() -> None:
    app = _app(FakeHandler())
    page = _request(app, method="GET", token=None, headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    assert _request(app, method="GET", token=None, headers={"accept": "application/json"}).status_code == 405


def test_other_paths_and_methods_are_refused() -> None:
    app = _app(FakeHandler())
    assert _request(app, path="/", body={"query": VEND}).status_code == 404
    assert _request(app, method="PUT", body={"query": VEND}).status_code == 405


def test_cors_allows_exactly_the_configured_origin() -> None:
    app = _app(FakeHandler())
    allowed = _request(app, body={"query": VEND}, headers={"origin": ORIGIN})
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    other = _request(app, body={"query": VEND}, headers={"origin": "http://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = _request(app, method="OPTIONS", token=None, headers={"origin": ORIGIN})
    assert preflight.status_code == 204
    assert "authorization" in preflight.headers["access-control-allow-headers"]
    refused = _request(app, method="OPTIONS", token=None, headers={"origin": "http://evil.example"})
    assert refused.status_code == 403
    assert "access-control-allow-origin" not in refused.headers


def test_a_401_carries_cors_headers_so_the_browser_can_read_it() -> None:
    response = _request(_app(FakeHandler()), body={"query": VEND}, token=None, headers={"origin": ORIGIN})
    assert response.status_code == 401
    assert response.headers["access-control-allow-origin"] == ORIGIN
