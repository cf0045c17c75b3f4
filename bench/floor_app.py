"""The floor for bench.server_load: strawberry's own ASGI GraphQL endpoint over the same schema, answering a
constant, on uvicorn with `vend serve`'s settings. Does network I/O: it listens on 127.0.0.1.

    .venv/bin/python -m bench.floor_app [--port 0]

What it leaves out is exactly what `vend serve` adds per request: the JWT check, the document limits and the
hand-off of parsing and validation to a worker thread, the AppSync event, the handler on its worker thread and
the audit line. What it keeps is the rest: uvicorn with the same config (the bounded h11 protocol, the access
log), strawberry parsing, validating and executing the same SDL, a JSON body of the same shape. Prints "Ready: <url>" once uvicorn accepts connections, like `vend serve`.
"""

from __future__ import annotations

import argparse
import sys
from types import SimpleNamespace
from typing import Any, Final

from strawberry.asgi import GraphQL

from resolvers.catalog import DEFAULT_PATH, load_catalog
from resolvers.catalog_model import Catalog
from vend_local.asgi_serving import READY_PREFIX, listening_socket, serve
from vend_local.schema import build_schema

HOST: Final = "127.0.0.1"
PATH: Final = "/graphql"
# Fake values of a real response's length (moto's session tokens are a few hundred characters), so both
# servers serialise and send bodies of about the same size. None of this is a credential.
CREDENTIALS: Final = SimpleNamespace(
    access_key_id="ASIAFLOOREXAMPLE0000",
    secret_access_key="floor-not-a-secret-" + "x" * 21,
    session_token="floor-not-a-token-" + "x" * 340,
    expiration="2030-01-01T00:00:00Z",
    refresh_after="2030-01-01T00:00:00Z",
    scope="S3_OWN_PREFIX",
    region="us-east-1",
)
# The scopes a signed-in user in no group sees (the load runs as alice), as the catalog describes them.
VISIBLE_SCOPES: Final = ("S3_OWN_PREFIX", "DYNAMODB_OWN_ITEMS")


def _vend(**_arguments: Any) -> Any:
    return CREDENTIALS


def _scopes_constant(catalog: Catalog) -> list[SimpleNamespace]:
    return [
        SimpleNamespace(
            name=name,
            description=catalog.scopes[name].description,
            max_duration_seconds=catalog.scopes[name].max_duration_seconds,
        )
        for name in VISIBLE_SCOPES
    ]


class FloorApp:
    """strawberry.asgi.GraphQL plus the lifespan protocol, which uvicorn's ``lifespan="on"`` (as in
    `vend serve`) requires and strawberry's app does not speak.
    """

    def __init__(self) -> None:
        catalog = load_catalog(DEFAULT_PATH)
        scopes = _scopes_constant(catalog)

        def _scopes() -> Any:
            return scopes

        schema = build_schema(catalog, vend_resolver=_vend, scopes_resolver=_scopes)
        self._graphql = GraphQL(schema, graphql_ide=None, allow_queries_via_get=False)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        await self._graphql(scope, receive, send)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    # Bound and served exactly as `vend serve` is, so the ASGI server costs the same on both sides.
    sock = listening_socket(HOST, args.port)
    host, port = sock.getsockname()[:2]
    serve(FloorApp(), sock, f"{READY_PREFIX}http://{host}:{port}{PATH}\n", served_paths=(PATH,))
    return 0


if __name__ == "__main__":
    sys.exit(main())
