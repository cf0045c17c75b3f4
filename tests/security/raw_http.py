"""Raw sockets against the local server, for what an HTTP client library will not do: connect and say nothing,
dribble a request head, stop half-way through a body, send a head too large or not HTTP at all. Loopback only.
Does socket I/O."""

from __future__ import annotations

import json
import socket
import time
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

CONNECT_TIMEOUT_SECONDS: Final = 10.0


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    assert parts.hostname in {"127.0.0.1", "::1"}, parts.hostname
    assert parts.port is not None
    return parts.hostname, parts.port


def connect(url: str) -> socket.socket:
    sock = socket.create_connection(address(url), timeout=CONNECT_TIMEOUT_SECONDS)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def request_head(method: str, target: str, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def read_response(sock: socket.socket, timeout: float = 30.0) -> RawResponse:
    """One response: the head, then Content-Length bytes of body."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a response head: {data[:200]!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return RawResponse(int(status_line.split()[1]), headers, body[:length])


def closed_by_peer_within(sock: socket.socket, seconds: float) -> bool:
    """Whether the server closes the connection within ``seconds`` (reading and discarding anything it sends)."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            if not sock.recv(65536):
                return True
        except TimeoutError:
            return False
        except ConnectionResetError:
            return True
    return False


def exchange(url: str, raw: bytes, timeout: float = 30.0) -> RawResponse:
    """Send ``raw`` on a fresh connection to the server at ``url`` and read one response."""
    with connect(url) as sock:
        sock.sendall(raw)
        return read_response(sock, timeout)
