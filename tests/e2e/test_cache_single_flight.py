"""Concurrent vends over real HTTP against `vend serve`: identical requests share one STS call, different users
never share credentials. Does I/O: HTTP to the session's server on 127.0.0.1 and its embedded AWS.

The server's own audit lines (one per decision, captured from its stdout by the e2e harness) are the witness:
``cache_hit: false`` marks the one request that went to STS.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

import httpx

from tests.e2e.client import aws_client, tokens, vend
from tests.e2e.conftest import RunningServer

SCOPE: Final = "S3_OWN_PREFIX"
# Durations no other test asks for: the cache key holds the effective duration, so each test below starts from
# a cache entry that does not exist yet, whatever ran before it in the session (the GIVEN steps check this).
SINGLE_FLIGHT_DURATION: Final = 3_317
TWO_USERS_DURATION: Final = 3_313
CONCURRENT: Final = 8
AUDIT_WAIT_SECONDS: Final = 60.0


def audits_of(lines: list[str], session: str, duration: int) -> list[dict[str, Any]]:
    """The audit records among ``lines`` for this session name and duration."""
    records = [
        json.loads(line)["audit"] for line in lines if line.startswith("{") and '"vend decision"' in line
    ]
    return [r for r in records if (r.get("session_name"), r.get("duration_seconds")) == (session, duration)]


def line_count(server: RunningServer) -> int:
    with server.changed:
        return len(server.lines)


def wait_for_audits(
    server: RunningServer, start: int, session: str, duration: int, count: int = 0
) -> list[dict[str, Any]]:
    """The audit records of this session and duration from output line ``start``, once ``count`` have arrived:
    the harness reads the server's output on its own thread, so a line can trail the response it belongs to.
    """
    with server.changed:
        server.changed.wait_for(
            lambda: len(audits_of(server.lines[start:], session, duration)) >= count,
            timeout=AUDIT_WAIT_SECONDS,
        )
        return audits_of(server.lines[start:], session, duration)


def vend_together(server: RunningServer, requests: list[tuple[str, int]]) -> list[httpx.Response]:
    """Send every (token, duration) vend at once: a barrier releases all threads together."""
    barrier = threading.Barrier(len(requests))

    def one(token: str, duration: int) -> httpx.Response:
        barrier.wait(timeout=AUDIT_WAIT_SECONDS)
        return vend(server, token, SCOPE, duration)

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        futures = [pool.submit(one, token, duration) for token, duration in requests]
        return [f.result() for f in futures]


def credentials_of(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    creds: dict[str, Any] = body["data"]["vendCredentials"]
    return creds


def sub_of(server: RunningServer, username: str) -> str:
    login = server.state.user(username)
    assert login is not None
    return login.sub


def test_concurrent_identical_vends_make_a_single_sts_call(server: RunningServer) -> None:
    # GIVEN alice, and a session (her sub, the scope, a duration) this server has not vended yet
    token = tokens(server, "alice")["id"]
    session = f"{sub_of(server, 'alice')}.{SCOPE}"
    assert wait_for_audits(server, 0, session, SINGLE_FLIGHT_DURATION) == []
    start = line_count(server)

    # WHEN she sends the same vend 8 times at once
    responses = vend_together(server, [(token, SINGLE_FLIGHT_DURATION)] * CONCURRENT)

    # THEN all 8 succeed with the same credentials
    keys = {credentials_of(r)["accessKeyId"] for r in responses}
    assert len(keys) == 1, keys
    (key,) = keys
    # AND the server's audit shows exactly one STS call (a cache miss) and 7 cache hits, all for that key
    records = wait_for_audits(server, start, session, SINGLE_FLIGHT_DURATION, CONCURRENT)
    assert len(records) == CONCURRENT
    assert sorted(bool(r.get("cache_hit")) for r in records) == [False] + [True] * (CONCURRENT - 1)
    assert {(r["decision"], r["access_key_id"]) for r in records} == {("granted", key)}


def test_concurrent_vends_of_two_users_get_each_their_own_credentials(server: RunningServer) -> None:
    # GIVEN alice and bob, both allowed the same scope, neither vended yet at this duration
    alice, bob = tokens(server, "alice")["id"], tokens(server, "bob")["id"]
    sessions = {name: f"{sub_of(server, name)}.{SCOPE}" for name in ("alice", "bob")}
    for session in sessions.values():
        assert wait_for_audits(server, 0, session, TWO_USERS_DURATION) == []
    start = line_count(server)

    # WHEN they ask for the same scope and duration at the same moment, interleaved, 4 times each
    order = ["alice", "bob"] * (CONCURRENT // 2)
    token_of = {"alice": alice, "bob": bob}
    responses = vend_together(server, [(token_of[name], TWO_USERS_DURATION) for name in order])

    # THEN each user's responses carry one key of their own, and the two keys differ
    keys: dict[str, set[str]] = {"alice": set(), "bob": set()}
    creds_of: dict[str, dict[str, Any]] = {}
    for name, response in zip(order, responses, strict=True):
        creds = credentials_of(response)
        keys[name].add(creds["accessKeyId"])
        creds_of[name] = creds
    assert len(keys["alice"]) == 1, keys
    assert len(keys["bob"]) == 1, keys
    assert keys["alice"].isdisjoint(keys["bob"])

    for name, session in sessions.items():
        # AND the audit records each user's own sub and session with their own key, one STS call each
        records = wait_for_audits(server, start, session, TWO_USERS_DURATION, CONCURRENT // 2)
        assert len(records) == CONCURRENT // 2
        assert {(r["sub"], r["access_key_id"]) for r in records} == {(sub_of(server, name), *keys[name])}
        assert sorted(bool(r.get("cache_hit")) for r in records) == [False] + [True] * (CONCURRENT // 2 - 1)
        # AND AWS itself names the caller's own session for the credentials they got
        identity = aws_client(server, "sts", creds_of[name]).get_caller_identity()
        assert identity["Arn"].endswith(f"/{session}"), identity["Arn"]
