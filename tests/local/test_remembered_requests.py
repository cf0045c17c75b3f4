"""What LocalAppSync remembers between requests: a document text that passed preparation is not prepared again
(only its variables are checked, every time), and a token it accepted is not verified again while unexpired.
Whatever fails is never remembered. In-process over ASGI with a counting preparation and a counting verifier."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import httpx
import pytest

from resolvers.catalog import load_catalog
from tests.local import helpers as h
from vend_local.graphql_prepare import MAX_REMEMBERED_CHARS
from vend_local.jwt_verify import CognitoVerifier, StaticKeys
from vend_local.server import LocalAppSync, prepare_document

CREDS = h.CREDS
VEND = "mutation V($s: Scope!, $d: Int) { vendCredentials(scope: $s, durationSeconds: $d) { scope } }"


class Counting:
    def __init__(self) -> None:
        self.prepared: list[str] = []
        self.verified = 0
        self.events: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._verifier = CognitoVerifier(
            issuer=h.ISSUER, client_ids=frozenset({h.CLIENT_ID}), keys=StaticKeys(h.jwks())
        )

    def prepare(self, schema: Any, query: str, variables: Any, name: str | None) -> Any:
        with self._lock:
            self.prepared.append(query)
        return prepare_document(schema, query, variables, name)

    def verify(self, token: str | None) -> dict[str, Any]:
        with self._lock:
            self.verified += 1
        return self._verifier.verify(token)

    def invoke(self, event: dict[str, Any], context: Any) -> Any:
        self.events.append(event)
        return {"data": CREDS}


def send(counting: Counting, bodies: list[dict[str, Any]], tokens: list[str]) -> list[httpx.Response]:
    app = LocalAppSync(
        catalog=load_catalog(), verify=counting.verify, invoke=counting.invoke, prepare=counting.prepare
    )

    async def go() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:4000") as client:
            return [
                await client.post(
                    "/graphql",
                    content=json.dumps(body),
                    headers={"content-type": "application/json", "authorization": token},
                )
                for body, token in zip(bodies, tokens, strict=True)
            ]

    try:
        return asyncio.run(go())
    finally:
        app.close()


def test_a_document_is_prepared_once_and_its_variables_checked_every_time() -> None:
    counting = Counting()
    token = h.sign(h.id_claims())
    bodies = [
        {"query": VEND, "variables": {"s": "S3_OWN_PREFIX"}},
        {"query": VEND, "variables": {"s": "S3_OWN_PREFIX", "d": 900}},
        # Remembered text, bad variables: refused as before, and the handler never runs for it.
        {"query": VEND, "variables": {"s": "NOT_A_SCOPE"}},
        {"query": VEND, "variables": {"s": "S3_OWN_PREFIX", "d": "nine hundred"}},
    ]
    responses = send(counting, bodies, [token] * len(bodies))
    assert counting.prepared == [VEND]
    assert [r.status_code for r in responses] == [200, 200, 200, 200]
    assert [e["arguments"] for e in counting.events] == [
        {"scope": "S3_OWN_PREFIX"},
        {"scope": "S3_OWN_PREFIX", "durationSeconds": 900},
    ]
    for refused in responses[2:]:
        assert refused.json()["data"] is None
        assert [e["errorType"] for e in refused.json()["errors"]] == ["ValidationError"]


def test_a_document_that_fails_is_prepared_again_every_time() -> None:
    counting = Counting()
    token = h.sign(h.id_claims())
    bad = "query { scopes { noSuchField } }"
    responses = send(counting, [{"query": bad}] * 2, [token] * 2)
    assert counting.prepared == [bad, bad]
    assert all(r.json()["errors"][0]["errorType"] == "ValidationError" for r in responses)


@pytest.mark.parametrize(
    ("size", "remembered"),
    [(MAX_REMEMBERED_CHARS - 1, True), (MAX_REMEMBERED_CHARS, True), (MAX_REMEMBERED_CHARS + 1, False)],
)
def test_only_a_document_within_the_size_bound_is_remembered(size: int, remembered: bool) -> None:
    counting = Counting()
    token = h.sign(h.id_claims())
    query = "query { scopes { name } }".ljust(size)
    send(counting, [{"query": query}] * 2, [token] * 2)
    assert counting.prepared == [query] * (1 if remembered else 2)


def test_an_accepted_token_is_verified_once_and_a_refused_one_every_time() -> None:
    counting = Counting()
    good = h.sign(h.id_claims())
    forged = h.sign(h.id_claims(), key=h.OTHER_KEY)
    body = {"query": "query { scopes { name } }"}
    responses = send(counting, [body] * 4, [good, good, forged, forged])
    assert [r.status_code for r in responses] == [200, 200, 401, 401]
    assert counting.verified == 1 + 2


def test_an_expired_token_is_refused_even_after_the_same_client_was_served() -> None:
    counting = Counting()
    expired = h.sign(h.id_claims(exp=1, iat=0))
    body = {"query": "query { scopes { name } }"}
    responses = send(counting, [body] * 2, [expired, expired])
    assert [r.status_code for r in responses] == [401, 401]
    assert counting.verified == 2
