"""How local ASGI apps are served: the listening socket, the uvicorn settings, the bounds on clients
(vend_local.connection_limits) and the access log, shared by `vend serve` and the benchmark floor so both pay the
same server costs. Does socket I/O.

The access log is this module's, not uvicorn's: one line per request with the client, the method, the path when
it is one the app serves (any other path is shown as "-", since a path can carry anything) and the status. Never
the query string: a token sent in a URL must not reach the log.
"""

from __future__ import annotations

import functools
import logging
import socket
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any, Final

from vend_local.connection_limits import (
    H11_BUFFER_BYTES,
    KEEP_ALIVE_SECONDS,
    App,
    BoundedH11Protocol,
    Governor,
    Receive,
    Scope,
    Send,
)

READY_PREFIX: Final = "Ready: "
access_log = logging.getLogger("vend.access")


class AccessLog:
    """ASGI middleware: one log line per HTTP request, without the query string."""

    def __init__(self, app: App, served_paths: Iterable[str]) -> None:
        self._app = app
        self._served = frozenset(served_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def send_and_note(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._app(scope, receive, send_and_note)
        finally:
            client = scope.get("client")
            path = scope["path"] if scope["path"] in self._served else "-"
            access_log.info(
                '%s "%s %s" %d %.1f ms',
                f"{client[0]}:{client[1]}" if client else "-",
                scope["method"],
                path,
                status,
                (time.perf_counter() - started) * 1000,
            )


def listening_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket. Raises OSError when the address cannot be bound.

    The protocol must be IPPROTO_TCP, not 0: asyncio turns Nagle's algorithm off (TCP_NODELAY) only for
    sockets that say they are TCP, and uvicorn writes headers and body separately, so with Nagle on every
    response waited ~40 ms for the client's delayed ACK.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def serve(
    app: Any,
    sock: socket.socket,
    ready_line: str,
    served_paths: Iterable[str],
    on_ready: Callable[[], None] | None = None,
) -> None:
    """Serve ``app`` on ``sock`` until stopped; print ``ready_line`` once connections are accepted, then call
    ``on_ready`` (work that may wait until then)."""
    import uvicorn  # noqa: PLC0415 - heavy, and only needed when serving

    config = uvicorn.Config(
        AccessLog(app, served_paths),
        # h11 with the bounds of connection_limits; no WebSocket upgrade (AppSync's real-time endpoint is elsewhere).
        http=functools.partial(BoundedH11Protocol, governor=Governor()),  # type: ignore[arg-type]
        ws="none",
        lifespan="on",
        # sourceIp is the peer's address: X-Forwarded-For from a local client is never believed.
        proxy_headers=False,
        server_header=False,
        date_header=True,
        # Requests in flight are capped by BoundedH11Protocol, whose refusal is JSON; uvicorn's would be text.
        limit_concurrency=None,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        h11_max_incomplete_event_size=H11_BUFFER_BYTES,
        # The access log is AccessLog's: uvicorn's would print query strings.
        access_log=False,
        log_level="info",
    )

    class ReadyServer(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                # Printed once uvicorn accepts connections: tests and scripts wait for this line.
                sys.stdout.write(ready_line)
                sys.stdout.flush()
                if on_ready is not None:
                    on_ready()

    try:
        ReadyServer(config).run(sockets=[sock])
    finally:
        sock.close()
