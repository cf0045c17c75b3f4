"""How local ASGI apps are served: the listening socket and the uvicorn settings, shared by `vend serve` and
the benchmark floor so both pay the same server costs. Does socket I/O.
"""

from __future__ import annotations

import socket
import sys
from typing import Any, Final

# uvicorn refuses connections beyond this many at once (HTTP 503) rather than queueing without bound.
MAX_CONCURRENT_CONNECTIONS: Final = 64
READY_PREFIX: Final = "Ready: "


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


def serve(app: Any, sock: socket.socket, ready_line: str) -> None:
    """Serve ``app`` on ``sock`` until stopped; print ``ready_line`` once connections are accepted."""
    import uvicorn  # noqa: PLC0415 - heavy, and only needed when serving

    config = uvicorn.Config(
        app,
        lifespan="on",
        # sourceIp is the peer's address: X-Forwarded-For from a local client is never believed.
        proxy_headers=False,
        server_header=False,
        date_header=True,
        limit_concurrency=MAX_CONCURRENT_CONNECTIONS,
        timeout_keep_alive=5,
        log_level="info",
    )

    class ReadyServer(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                # Printed once uvicorn accepts connections: tests and scripts wait for this line.
                sys.stdout.write(ready_line)
                sys.stdout.flush()

    try:
        ReadyServer(config).run(sockets=[sock])
    finally:
        sock.close()
