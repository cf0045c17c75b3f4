"""SeedGate: while the embedded AWS seeds its bucket and table in the background, only the seeding's own requests
reach moto; every other request waits for the seeding and then goes through, or is refused if it failed. A
recording WSGI app stands in for moto; threads stand in for clients."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from vend_local.embedded_aws import BOOTSTRAP_KEY_ID, SEEDING_KEY_ID, SeedGate

WAIT = 10.0


class Recorder:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self.seen.append(environ["PATH_INFO"])
        start_response("200 OK", [])
        return [b"ok"]


def environ(path: str, key: str | None) -> dict[str, Any]:
    env: dict[str, Any] = {"PATH_INFO": path, "REQUEST_METHOD": "GET"}
    if key is not None:
        env["HTTP_AUTHORIZATION"] = (
            f"AWS4-HMAC-SHA256 Credential={key}/20261203/us-east-1/s3/aws4_request, "
            "SignedHeaders=host, Signature=00"
        )
    return env


def call(gate: SeedGate, env: dict[str, Any], out: list[str]) -> None:
    statuses: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
        statuses.append(status)
        return lambda data: None

    body = b"".join(gate(env, start_response))
    out.append(f"{statuses[0]} {env['PATH_INFO']} {body.decode()}")


def test_an_open_gate_lets_everything_through() -> None:
    app, out = Recorder(), list[str]()
    gate = SeedGate(app, wait_seconds=WAIT)
    call(gate, environ("/any", BOOTSTRAP_KEY_ID), out)
    call(gate, environ("/unsigned", None), out)
    assert app.seen == ["/any", "/unsigned"]


def test_while_closed_only_the_seeding_passes_and_the_rest_waits_for_it() -> None:
    app, out = Recorder(), list[str]()
    gate = SeedGate(app, wait_seconds=WAIT)
    gate.close()
    waiting = [
        threading.Thread(target=call, args=(gate, environ(path, key), out))
        for path, key in (
            ("/client", BOOTSTRAP_KEY_ID),
            ("/browser", None),
            ("/session", "ASIAVENDEDSESSION000"),
        )
    ]
    for thread in waiting:
        thread.start()
    call(gate, environ("/seeding", SEEDING_KEY_ID), out)
    # Nothing but the seeding has reached moto while the gate is closed.
    assert app.seen == ["/seeding"]
    assert all(thread.is_alive() for thread in waiting)
    gate.opened()
    for thread in waiting:
        thread.join(WAIT)
    assert sorted(app.seen) == ["/browser", "/client", "/seeding", "/session"]
    assert all(line.startswith("200 OK") for line in out)


def test_a_failed_seeding_refuses_the_waiting_requests_and_the_later_ones() -> None:
    app, out = Recorder(), list[str]()
    gate = SeedGate(app, wait_seconds=WAIT)
    gate.close()
    waiting = threading.Thread(target=call, args=(gate, environ("/client", BOOTSTRAP_KEY_ID), out))
    waiting.start()
    gate.opened(failed=True)
    waiting.join(WAIT)
    call(gate, environ("/later", None), out)
    assert app.seen == []
    assert [line.split(" ", 3)[:3] for line in out] == [
        ["503", "Service", "Unavailable"],
        ["503", "Service", "Unavailable"],
    ]
    assert gate.wait(0) is False


def test_a_request_that_waits_too_long_is_refused_not_hung() -> None:
    app, out = Recorder(), list[str]()
    gate = SeedGate(app, wait_seconds=0.05)
    gate.close()
    call(gate, environ("/client", BOOTSTRAP_KEY_ID), out)
    assert app.seen == []
    assert out[0].startswith("503")
