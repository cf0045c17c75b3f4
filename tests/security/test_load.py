"""Threat: under concurrency (many users, many scopes, the per-container credential cache on) one caller
receives another caller's credentials, or requests fail. Bounded in count and time, loopback only."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Final

import httpx
import pytest

from tests.e2e.client import aws_client
from tests.e2e.conftest import RunningServer, assert_clean_stop, start_server
from tests.security import http_support
from tests.security.http_support import User

CLIENTS: Final = 32
REQUESTS_PER_CLIENT: Final = 6
USERS: Final = 8
SAMPLE_EVERY: Final = 24  # get_caller_identity on every 24th response: 8 of 192
# Generous bounds: they only stop a hang from passing as a slow success.
LOAD_DEADLINE_SECONDS: Final = 120.0

# (groups, tenant) per user: plain users, analysts, tenant members, both.
PROFILES: Final = [((), None), (("analysts",), None), ((), "acme"), (("analysts",), "globex")]


def allowed_scopes(user: User) -> list[str]:
    scopes = ["S3_OWN_PREFIX", "DYNAMODB_OWN_ITEMS"]
    if "analysts" in user.groups:
        scopes.append("REPORTS_READ")
    if user.tenant:
        scopes.append("TENANT_FILES")
    return scopes


@dataclass(frozen=True)
class Result:
    user: User
    scope: str
    status: int
    body: dict[str, Any]


@dataclass(frozen=True)
class Target:
    server: RunningServer
    users: list[User]
    cache: bool


def make_users(server: RunningServer) -> list[User]:
    return [
        http_support.create_user(server, f"sec-load-{i}", *PROFILES[i % len(PROFILES)]) for i in range(USERS)
    ]


@pytest.fixture(scope="module", params=["cache-on", "cache-off"])
def target(
    request: pytest.FixtureRequest, abuse_server: RunningServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    if request.param == "cache-on":
        yield Target(abuse_server, make_users(abuse_server), cache=True)
        return
    # With the cache off every vend reaches STS: the mix-up must not happen there either.
    server = start_server(tmp_path_factory.mktemp("load-nocache"), env={"VEND_CACHE_ENABLED": "false"})
    try:
        yield Target(server, make_users(server), cache=False)
    finally:
        assert_clean_stop(server)


def run_client(server: RunningServer, index: int, users: list[User]) -> list[Result]:
    user = users[index % len(users)]
    scopes = allowed_scopes(user)
    out = []
    with httpx.Client() as client:
        for n in range(REQUESTS_PER_CLIENT):
            scope = scopes[(index + n) % len(scopes)]
            # Two durations: repeats hit the credential cache, the rest go to STS.
            duration = 900 if n % 2 else None
            response = http_support.vend(client, server, user.id_token, scope, duration)
            out.append(Result(user, scope, response.status_code, response.json()))
    return out


def audit_records(server: RunningServer) -> list[dict[str, Any]]:
    return [json.loads(line)["audit"] for line in server.output().splitlines() if '"vend decision"' in line]


def test_concurrent_users_never_receive_each_others_credentials(target: Target) -> None:
    abuse_server, load_users = target.server, target.users
    http_support.assert_loopback(abuse_server)
    audits_before = len(audit_records(abuse_server))

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        futures = [pool.submit(run_client, abuse_server, i, load_users) for i in range(CLIENTS)]
        done, not_done = wait(futures, timeout=LOAD_DEADLINE_SECONDS)
    elapsed = time.monotonic() - started
    assert not not_done, f"{len(not_done)} clients still running after {LOAD_DEADLINE_SECONDS} s"
    results = [r for f in done for r in f.result()]
    print(  # noqa: T201 - the figures the report quotes (pytest -s)
        f"\nload: {CLIENTS} clients x {REQUESTS_PER_CLIENT} requests = {len(results)} vends "
        f"in {elapsed:.1f} s ({len(results) / elapsed:.0f}/s), {USERS} users"
    )

    # Zero errors.
    assert len(results) == CLIENTS * REQUESTS_PER_CLIENT
    failures = [(r.status, r.body.get("errors")) for r in results if r.status != 200 or r.body.get("errors")]
    assert failures == []

    # Every credential is its own caller's, for the scope asked: one (sub, scope) per access key.
    owners: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for r in results:
        creds = r.body["data"]["vendCredentials"]
        assert creds["scope"] == r.scope
        owners[creds["accessKeyId"]].add((r.user.sub, r.scope))
    shared = {key: who for key, who in owners.items() if len(who) > 1}
    assert shared == {}, "one access key went to more than one caller or scope"

    # The server's own audit agrees: each key was recorded for that same caller, session and scope.
    audits = audit_records(abuse_server)[audits_before:]
    assert len(audits) == len(results)
    for record in audits:
        assert record["decision"] == "granted"
        (expected,) = owners[record["access_key_id"]]
        assert (record["sub"], record["scope"]) == expected
        assert record["session_name"] == f"{expected[0]}.{expected[1]}"
    hits = sum(1 for a in audits if a.get("cache_hit"))
    print(f"load: {hits} cache hits, {len(owners)} distinct access keys")  # noqa: T201
    if target.cache:
        assert 0 < hits < len(results), "the credential cache was not exercised both ways"
    else:
        assert hits == 0
        assert len(owners) == len(results), "with the cache off, every vend is its own STS session"

    # A sample is checked by AWS itself: the session the credentials belong to names the caller.
    for r in results[::SAMPLE_EVERY]:
        creds = r.body["data"]["vendCredentials"]
        identity = aws_client(abuse_server, "sts", creds).get_caller_identity()
        session = f"{r.user.sub}.{r.scope}"
        assert identity["Arn"].endswith(f"/{session}"), identity["Arn"]
        assert identity["UserId"].endswith(f":{session}")

    # And the server is still up.
    assert abuse_server.process.poll() is None
