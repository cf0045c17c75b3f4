"""Threat: hostile clients take the local server down for everyone else (issue 16). A bounded loop of every abuse
in tests/security/hostile.py (idle and dribbling connections, stalled bodies, heads too large or not HTTP, forged
tokens, hostile JOSE headers, tokens in URLs, several operations, fragment fan-outs, the heaviest and the
quadratic documents, deep nesting, wrong variables, bad JSON, batches, oversized bodies) runs from several
threads at the same time as honest vends from others. Every honest vend succeeds; every hostile request gets a
refusal in AppSync's JSON shape (or is cut off); the server is still up afterwards. The honest vends' latency is
printed (pytest -s); `make bench` (bench/abuse_load.py) measures it beside a baseline. Loopback only."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Final

from tests.e2e.client import tokens
from tests.e2e.conftest import RunningServer
from tests.security import hostile, http_support

HOSTILE_CLIENTS: Final = 6
HOSTILE_ROUNDS: Final = 2
HONEST: Final = hostile.HONEST_CLIENTS
HONEST_MINIMUM: Final = 10
HONEST_MAXIMUM: Final = 400
DEADLINE_SECONDS: Final = 240.0
MIX: Final = hostile.Mix(HOSTILE_CLIENTS, HOSTILE_ROUNDS, HONEST_MINIMUM, HONEST_MAXIMUM, DEADLINE_SECONDS)


def test_honest_vends_all_succeed_while_hostile_clients_abuse_the_server(abuse_server: RunningServer) -> None:
    http_support.assert_loopback(abuse_server)
    target = hostile.Target(abuse_server.url, tokens(abuse_server, "bob")["access"])
    honest_tokens = {user: tokens(abuse_server, user)["id"] for user in {u for u, _ in HONEST}}
    vends, labels = hostile.honest_beside_hostile(abuse_server.url, honest_tokens, target, MIX)

    for vend in vends:
        abuse_server.secrets.update(vend.secrets)
    failures = Counter(v.status for v in vends if not v.granted)
    latencies = [v.seconds for v in vends]
    print(  # noqa: T201 - the figures the report quotes (pytest -s)
        f"\nabuse under load: {len(vends)} honest vends beside {len(labels)} hostile requests: "
        f"{len(vends) - sum(failures.values())} granted, p50 {hostile.percentile(latencies, 50) * 1e3:.0f} ms, "
        f"p99 {hostile.percentile(latencies, 99) * 1e3:.0f} ms"
    )
    for label, count in sorted(Counter(labels).items()):
        print(f"  {count:3d} x {label}")  # noqa: T201

    assert failures == Counter(), f"honest vends failed: {failures}"
    assert len(vends) >= HONEST_MINIMUM * len(HONEST)
    assert len(labels) == HOSTILE_CLIENTS * HOSTILE_ROUNDS * len(hostile.CATALOGUE)
    assert abuse_server.process.poll() is None, "the server died"
    # And once the abuse stops, the server serves as before.
    after = hostile.honest_vends(
        abuse_server.url,
        honest_tokens["alice"],
        "S3_OWN_PREFIX",
        until=threading.Event(),
        minimum=3,
        maximum=3,
    )
    abuse_server.secrets.update(s for v in after for s in v.secrets)
    assert all(v.granted for v in after)
