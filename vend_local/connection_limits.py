"""How a local server bounds its clients, as a uvicorn h11 protocol. Socket I/O through uvicorn's transports.

uvicorn alone arms no timer until a connection has answered a request, so a client that connects and sends
nothing, or sends its request head a byte at a time, holds a connection for ever; and its concurrency limit
counts those connections, answering everyone else with a plain-text 503. Here:

- every connection waiting for a request head (a new one, or one between requests) has HEAD_TIMEOUT_SECONDS to
  send all of it; sending bytes does not extend the deadline. When it passes, the connection is closed;
- idle keep-alive connections close after KEEP_ALIVE_SECONDS (uvicorn's own timer);
- a connection beyond MAX_OPEN_CONNECTIONS evicts the connection that has waited longest for a request head, so
  idle clients can never lock others out; only when none is waiting is the newcomer closed;
- requests in flight (not connections) are capped at MAX_REQUESTS_IN_FLIGHT; the refusal is a 503 in AppSync's
  JSON error shape, with Retry-After;
- a request whose target and headers add up to more than MAX_HEAD_BYTES gets a 400 in the same JSON shape, and
  so does anything h11 cannot parse as HTTP/1.1 (including an unfinished head past H11_BUFFER_BYTES), instead of
  uvicorn's plain text.

The request body has its own deadline in the application (vend_local.server.BODY_READ_TIMEOUT_SECONDS).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, Final

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from vend_local.appsync_errors import request_error

HEAD_TIMEOUT_SECONDS: Final = 5.0
KEEP_ALIVE_SECONDS: Final = 5
MAX_OPEN_CONNECTIONS: Final = 256
MAX_REQUESTS_IN_FLIGHT: Final = 64
# The request target plus every header name and value. A Cognito token is at most 16 KiB here
# (jwt_verify.MAX_TOKEN_CHARS); the rest of a browser's head fits beside it.
MAX_HEAD_BYTES: Final = 32 * 1024
# What h11 buffers of a head that has not ended yet: beyond it, h11 gives up on the connection (a 400 here).
H11_BUFFER_BYTES: Final = 2 * MAX_HEAD_BYTES
RETRY_AFTER_SECONDS: Final = 1

OVERLOADED_TYPE: Final = "ServiceUnavailableException"
OVERLOADED_MESSAGE: Final = "The local server has too many requests in progress. Retry shortly."
BAD_HTTP_TYPE: Final = "MalformedHttpRequestException"
BAD_HTTP_MESSAGE: Final = "The request is not valid HTTP/1.1, or its head is larger than the server accepts."
HEAD_TOO_LARGE_TYPE: Final = "BadRequestException"
HEAD_TOO_LARGE_MESSAGE: Final = f"The request target and headers are larger than {MAX_HEAD_BYTES} bytes."

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("vend.connections")


@dataclass(frozen=True)
class ClientLimits:
    head_timeout_seconds: float = HEAD_TIMEOUT_SECONDS
    max_open_connections: int = MAX_OPEN_CONNECTIONS
    max_requests_in_flight: int = MAX_REQUESTS_IN_FLIGHT


class Governor:
    """What the connections of one server share: the limits, and who has waited longest for a request head."""

    def __init__(self, limits: ClientLimits | None = None) -> None:
        self.limits = limits or ClientLimits()
        self.waiting: OrderedDict[BoundedH11Protocol, None] = OrderedDict()

    def make_room(self, newcomer: BoundedH11Protocol, open_connections: int) -> bool:
        """Close the connection that waited longest for a request head when there are too many open; False when
        there is none to close (every other connection has a request in progress)."""
        if open_connections <= self.limits.max_open_connections:
            return True
        for oldest in self.waiting:
            if oldest is not newcomer:
                log.info("connection closed: too many open, this one waited longest for a request")
                oldest.close_idle()
                return True
        return False


def _json_body(error_type: str, message: str) -> bytes:
    return json.dumps(request_error(error_type, message), separators=(",", ":")).encode()


def _bad_request() -> bytes:
    """A whole 400 response, written to the transport directly: h11 has given up on this connection."""
    body = _json_body(BAD_HTTP_TYPE, BAD_HTTP_MESSAGE)
    head = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: %d\r\n" % len(body)
    return head + b"connection: close\r\n\r\n" + body


def head_bytes(scope: Scope) -> int:
    """The size MAX_HEAD_BYTES bounds: the request target (path and query) plus every header name and value."""
    headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
    target = len(scope.get("raw_path", b"")) + len(scope.get("query_string", b""))
    return target + sum(len(name) + len(value) for name, value in headers)


async def _refuse(
    send: Send, status: int, error_type: str, message: str, *extra: tuple[bytes, bytes]
) -> None:
    body = _json_body(error_type, message)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


class BoundedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with the bounds in this module's docstring."""

    def __init__(self, *args: Any, governor: Governor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._governor = governor
        self._limits = governor.limits
        self._head_timer: asyncio.TimerHandle | None = None
        # The request cycle in progress when the wait for a head began: a new cycle means the head arrived.
        self._waiting_since_cycle: object | None = None
        self._inner_app = self.app
        self.app = self._admit

    # ---- the request-head deadline --------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_head()
        if not self._governor.make_room(self, len(self.connections)):
            log.warning("connection refused: every open connection has a request in progress")
            self.close_idle()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._head_timer is not None and self.cycle is not self._waiting_since_cycle:
            self._stop_waiting()

    def on_response_complete(self) -> None:
        answered = self.cycle
        super().on_response_complete()
        # No pipelined request started in super(): the client owes the next head, within the deadline.
        if not self.transport.is_closing() and self.cycle is answered:
            self._await_head()

    def close_idle(self) -> None:
        self._stop_waiting()
        if not self.transport.is_closing():
            self.transport.close()

    def _await_head(self) -> None:
        self._stop_waiting()
        self._waiting_since_cycle = self.cycle
        self._head_timer = self.loop.call_later(self._limits.head_timeout_seconds, self._head_overdue)
        self._governor.waiting[self] = None

    def _stop_waiting(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        self._governor.waiting.pop(self, None)

    def _head_overdue(self) -> None:
        self._head_timer = None
        log.info(
            "connection closed: no complete request head within %.0f s", self._limits.head_timeout_seconds
        )
        self.close_idle()

    # ---- refusals in AppSync's JSON shape ---------------------------------------------------------------------

    async def _admit(self, scope: Scope, receive: Receive, send: Send) -> None:
        if head_bytes(scope) > MAX_HEAD_BYTES:
            log.info("request refused: head over %d bytes", MAX_HEAD_BYTES)
            await _refuse(send, 400, HEAD_TOO_LARGE_TYPE, HEAD_TOO_LARGE_MESSAGE)
            return
        # self.tasks holds every request task of the server, this one included.
        if len(self.tasks) > self._limits.max_requests_in_flight:
            log.warning("request refused: %d requests in progress", len(self.tasks) - 1)
            await _refuse(
                send,
                503,
                OVERLOADED_TYPE,
                OVERLOADED_MESSAGE,
                (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
            )
            return
        await self._inner_app(scope, receive, send)

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a request h11 cannot parse (including a head over MAX_HEAD_BYTES), as JSON."""
        log.info("request refused: not valid HTTP (%s)", msg)
        if self.conn.our_state in {h11.IDLE, h11.SEND_RESPONSE}:
            self.transport.write(_bad_request())
        self.close_idle()
