"""Threat: one client's document keeps the CPU busy and every other client waits (issue 16, point 6). Parsing,
limits and validation run on worker threads, never on the event loop, so other clients are served while a
document is being prepared. Shown in-process with a preparation step that blocks until released: if it ran on
the event loop, nothing else could be answered until then. No network: httpx's ASGI transport."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any, Final

import httpx

from resolvers.catalog import load_catalog
from tests.local import helpers as h
from vend_local.graphql_prepare import Prepared
from vend_local.jwt_verify import CognitoVerifier, StaticKeys
from vend_local.server import LocalAppSync, prepare_document

SLOW_MARKER: Final = "slowDocument"
# Only a stand-in for "longer than the other request needs"; the test never waits this long when it passes.
RELEASE_AFTER_SECONDS: Final = 20.0
SCOPES: Final = {"data": [{"name": "S3_OWN_PREFIX", "description": "d", "maxDurationSeconds": 900}]}


class BlockingPreparation:
    """prepare_document, except that a document containing SLOW_MARKER blocks until released."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.threads: set[str] = set()

    def __call__(self, schema: Any, query: str, variables: Any, name: str | None) -> Any:
        self.threads.add(threading.current_thread().name)
        if SLOW_MARKER in query:
            self.started.set()
            self.release.wait(RELEASE_AFTER_SECONDS)
        return prepare_document(schema, query, variables, name)


def test_other_clients_are_served_while_a_document_is_being_prepared() -> None:
    preparation = BlockingPreparation()
    verifier = CognitoVerifier(
        issuer=h.ISSUER, client_ids=frozenset({h.CLIENT_ID}), keys=StaticKeys(h.jwks())
    )
    app = LocalAppSync(
        catalog=load_catalog(),
        verify=verifier.verify,
        invoke=lambda event, context: SCOPES,
        prepare=preparation,
    )
    headers = {"content-type": "application/json", "authorization": h.sign(h.id_claims())}

    async def scenario() -> tuple[bool, httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:4000") as client:

            def post(query: str) -> Any:
                return client.post("/graphql", content=json.dumps({"query": query}), headers=headers)

            slow = asyncio.ensure_future(post(f"query {SLOW_MARKER} {{ scopes {{ name }} }}"))
            await asyncio.to_thread(preparation.started.wait, RELEASE_AFTER_SECONDS)
            fast = await post("query quick { scopes { name } }")
            # The slow document is still being prepared when the other client has its answer.
            slow_pending = not slow.done()
            preparation.release.set()
            return slow_pending, fast, await slow

    try:
        slow_pending, fast, slow = asyncio.run(scenario())
    finally:
        preparation.release.set()
        app.close()
    assert fast.status_code == 200, fast.text
    assert fast.json()["data"]["scopes"][0]["name"] == "S3_OWN_PREFIX"
    assert slow_pending, "the other client waited for the slow document"
    assert slow.status_code == 200, slow.text
    assert all(name.startswith("vend-graphql") for name in preparation.threads), preparation.threads
    assert isinstance(prepare_document(app.schema, "{ scopes { name } }", None, None), Prepared)
