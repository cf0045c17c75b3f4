"""Threat: clients that connect and wait, dribble their request head, stall half-way through a body, or send
what is not HTTP, to hold the server's connections and lock everyone else out (issue 16, point 3). Idle and slow
clients are cut off by deadlines, idle connections never count against requests in flight, and every refusal
the server does answer is JSON in AppSync's error shape. Loopback only."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import httpx
import pytest

from tests.e2e.client import tokens
from tests.e2e.conftest import RunningServer
from tests.security import http_support, raw_http
from vend_local.connection_limits import (
    HEAD_TIMEOUT_SECONDS,
    MAX_HEAD_BYTES,
    MAX_OPEN_CONNECTIONS,
    MAX_REQUESTS_IN_FLIGHT,
)

# Waiting for a deadline: generous, so only a missing deadline fails (a hang, never a slow machine).
DEADLINE_WAIT_SECONDS = 4 * HEAD_TIMEOUT_SECONDS


@pytest.fixture(scope="module")
def token(abuse_server: RunningServer) -> str:
    return tokens(abuse_server, "alice")["id"]


def assert_vend_served(server: RunningServer, token: str) -> None:
    with httpx.Client() as client:
        response = http_support.vend(client, server, token, "S3_OWN_PREFIX")
    assert response.status_code == 200, response.text
    assert response.json()["data"]["vendCredentials"]["scope"] == "S3_OWN_PREFIX"


def assert_vended(server: RunningServer, response: raw_http.RawResponse) -> None:
    assert response.status == 200, response.body
    data = response.json()["data"]["vendCredentials"]
    server.secrets.update({data["secretAccessKey"], data["sessionToken"]})


def assert_appsync_json(response: raw_http.RawResponse, status: int, error_type: str) -> None:
    assert response.status == status, response.body
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    http_support.ERROR_BODIES.append(response.body.decode())
    (error,) = body["errors"]
    assert error["errorType"] == error_type
    assert isinstance(error["message"], str)
    assert error["message"]


@contextmanager
def idle_connections(server: RunningServer, count: int) -> Iterator[list[socket.socket]]:
    with ExitStack() as stack:
        yield [stack.enter_context(raw_http.connect(server.url)) for _ in range(count)]


def test_idle_connections_do_not_lock_other_clients_out(abuse_server: RunningServer, token: str) -> None:
    # More idle connections than requests may be in flight: before, 64 of them filled uvicorn's limit and every
    # further request got a plain-text 503.
    with idle_connections(abuse_server, MAX_REQUESTS_IN_FLIGHT + 16):
        assert_vend_served(abuse_server, token)


def test_beyond_the_connection_cap_the_longest_idle_connection_is_closed(
    abuse_server: RunningServer, token: str
) -> None:
    with idle_connections(abuse_server, MAX_OPEN_CONNECTIONS + 8) as idle:
        assert_vend_served(abuse_server, token)
        # The first ones opened waited longest for a request head: they made room.
        assert raw_http.closed_by_peer_within(idle[0], DEADLINE_WAIT_SECONDS)


def test_a_connection_that_never_sends_a_request_is_closed(abuse_server: RunningServer) -> None:
    with raw_http.connect(abuse_server.url) as sock:
        assert raw_http.closed_by_peer_within(sock, DEADLINE_WAIT_SECONDS)


def test_a_request_head_sent_a_byte_at_a_time_is_cut_off_at_the_deadline(
    abuse_server: RunningServer, token: str
) -> None:
    head = raw_http.request_head("POST", "/graphql", {"content-type": "application/json", "x-pad": "a" * 200})
    with raw_http.connect(abuse_server.url) as sock:
        started = time.monotonic()
        closed = False
        for byte in head[:-4]:  # never the blank line that ends the head
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                closed = True
                break
            if raw_http.closed_by_peer_within(sock, 0.1):
                closed = True
                break
            if time.monotonic() - started > DEADLINE_WAIT_SECONDS:
                break
        assert closed, "the server kept a dribbling client for longer than its head deadline"
        # Meanwhile everybody else was served.
        assert_vend_served(abuse_server, token)


@pytest.mark.parametrize(
    ("held", "served"),
    [(MAX_REQUESTS_IN_FLIGHT - 2, True), (MAX_REQUESTS_IN_FLIGHT - 1, True), (MAX_REQUESTS_IN_FLIGHT, False)],
    ids=["limit-1", "limit", "limit+1"],
)
def test_requests_in_flight_are_capped_with_a_json_refusal(
    abuse_server: RunningServer, token: str, held: int, served: bool
) -> None:
    """``held`` requests wait for a body that never comes; the probe is request number held + 1."""
    head = raw_http.request_head(
        "POST", "/graphql", {"content-type": "application/json", "content-length": "100"}
    )
    with idle_connections(abuse_server, held) as waiting:
        for sock in waiting:
            sock.sendall(head + b"{")
        time.sleep(1.0)  # let the server take every head in (they are on loopback)
        body = http_support.VEND_BODY
        probe = raw_http.request_head(
            "POST",
            "/graphql",
            {"content-type": "application/json", "authorization": token, "content-length": str(len(body))},
        )
        response = raw_http.exchange(abuse_server.url, probe + body)
    if served:
        assert_vended(abuse_server, response)
    else:
        assert_appsync_json(response, 503, "ServiceUnavailableException")
        assert response.headers["retry-after"] == "1"
    # Once the stalled clients are gone, the server serves as before.
    assert_vend_served(abuse_server, token)


@pytest.mark.parametrize(
    ("size", "served"),
    [(MAX_HEAD_BYTES - 1, True), (MAX_HEAD_BYTES, True), (MAX_HEAD_BYTES + 1, False)],
    ids=["limit-1", "limit", "limit+1"],
)
def test_the_request_head_size_is_capped_with_a_json_refusal(
    abuse_server: RunningServer, token: str, size: int, served: bool
) -> None:
    body = http_support.VEND_BODY
    headers = {"content-type": "application/json", "authorization": token, "content-length": str(len(body))}
    target = "/graphql"
    # What the limit counts: the target plus every header name and value (host included); x-pad fills the rest.
    used = (
        len(target) + len("host127.0.0.1") + sum(len(k) + len(v) for k, v in headers.items()) + len("x-pad")
    )
    headers["x-pad"] = "p" * (size - used)
    response = raw_http.exchange(abuse_server.url, raw_http.request_head("POST", target, headers) + body)
    if served:
        assert_vended(abuse_server, response)
    else:
        assert_appsync_json(response, 400, "BadRequestException")


@pytest.mark.parametrize(
    "raw",
    [
        b"NOT HTTP AT ALL\r\n\r\n",
        b"POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-length: -5\r\n\r\n",
        b"POST /graphql HTTP/1.1\r\nhost: x\r\nbad header line\r\n\r\n",
        # An unfinished head beyond what h11 will buffer.
        b"POST /graphql HTTP/1.1\r\nhost: x\r\nx-pad: " + b"p" * (3 * MAX_HEAD_BYTES),
    ],
    ids=["not-http", "negative-length", "bad-header", "endless-head"],
)
def test_what_is_not_http_gets_a_json_400(abuse_server: RunningServer, token: str, raw: bytes) -> None:
    assert_appsync_json(raw_http.exchange(abuse_server.url, raw), 400, "MalformedHttpRequestException")
    assert_vend_served(abuse_server, token)
