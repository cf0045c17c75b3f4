"""A catalogue of hostile requests against the local server, one function per abuse, each bounded in time and
checking that whatever the server answers is a refusal in AppSync's JSON shape (never a 500, never text); and the
honest vends that run beside them. Used by tests/security/test_abuse_under_load.py and bench/abuse_load.py. Does
socket and HTTP I/O to a loopback server only."""

from __future__ import annotations

import base64
import json
import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any, Final

import httpx
import jwt
from moto.utilities.utils import load_resource

from tests.security import raw_http

# How long the holding abuses keep their connections: long enough to overlap honest vends, far below any deadline.
HOLD_SECONDS: Final = 0.5
IDLE_CONNECTIONS: Final = 32
HTTP_TIMEOUT_SECONDS: Final = 30.0
VEND: Final = "mutation V($scope: Scope!) { vendCredentials(scope: $scope) { accessKeyId scope } }"


@dataclass(frozen=True)
class Target:
    url: str
    # A valid token of a signed-in (hostile) user: an attacker may well have an account.
    token: str


Abuse = Callable[[Target], str]


def _claims(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return claims


def _refusal(response: httpx.Response | raw_http.RawResponse, *statuses: int) -> str:
    """The response is one of ``statuses``, JSON, with AppSync's errors list; returns a label for the tally."""
    status = response.status_code if isinstance(response, httpx.Response) else response.status
    body = response.content if isinstance(response, httpx.Response) else response.body
    content_type = response.headers.get("content-type", "")
    if status not in statuses or not content_type.startswith("application/json"):
        raise AssertionError(f"unexpected answer {status} {content_type}: {body[:200]!r}")
    errors = json.loads(body)["errors"]
    if not errors or not all(isinstance(e.get("errorType"), str) and e.get("message") for e in errors):
        raise AssertionError(f"not AppSync's error shape: {body[:200]!r}")
    return f"{status} {errors[0]['errorType']}"


def _post(target: Target, body: Any, *, token: str | None = None, raw: bytes | None = None) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if token is not None:
        headers["authorization"] = token
    content = raw if raw is not None else json.dumps(body).encode()
    return httpx.post(target.url, content=content, headers=headers, timeout=HTTP_TIMEOUT_SECONDS)


def idle_connections(target: Target) -> str:
    with ExitStack() as stack:
        for _ in range(IDLE_CONNECTIONS):
            stack.enter_context(raw_http.connect(target.url))
        time.sleep(HOLD_SECONDS)
    return "idle connections held"


def dribbled_head(target: Target) -> str:
    with raw_http.connect(target.url) as sock:
        for byte in b"POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\nx-slow: ":
            sock.sendall(bytes([byte]))
        time.sleep(HOLD_SECONDS)
    return "head dribbled"


def stalled_body(target: Target) -> str:
    head = raw_http.request_head(
        "POST",
        "/graphql",
        {"content-type": "application/json", "content-length": "1000", "authorization": "x"},
    )
    with raw_http.connect(target.url) as sock:
        sock.sendall(head + b'{"query": ')
        time.sleep(HOLD_SECONDS)
    return "body stalled"


def oversized_head(target: Target) -> str:
    head = raw_http.request_head("POST", "/graphql", {"x-pad": "p" * 40_000, "content-length": "0"})
    return _refusal(raw_http.exchange(target.url, head), 400)


def not_http(target: Target) -> str:
    return _refusal(raw_http.exchange(target.url, b"\x16\x03\x01 not http\r\n\r\n"), 400)


def forged_with_motos_key(target: Target) -> str:
    key = jwt.PyJWK(load_resource("cognitoidp/resources/jwks-private.json"), algorithm="RS256")
    forged = jwt.encode(_claims(target.token), key.key, algorithm="RS256", headers={"kid": "dummy"})
    return _refusal(
        _post(target, {"query": VEND, "variables": {"scope": "S3_OWN_PREFIX"}}, token=forged), 401
    )


def critical_header(target: Target) -> str:
    head, payload, signature = target.token.split(".")
    header = {
        **json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4))),
        "crit": ["exp"],
        "kid": 7,
    }
    hostile = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()
    return _refusal(
        _post(target, {"query": "{ scopes { name } }"}, token=f"{hostile}.{payload}.{signature}"), 401
    )


def token_in_the_url(target: Target) -> str:
    response = httpx.get(target.url, params={"access_token": target.token}, timeout=HTTP_TIMEOUT_SECONDS)
    return _refusal(response, 400)


def several_operations(target: Target) -> str:
    query = f"{VEND} query Q {{ scopes {{ name }} }}"
    return _refusal(
        _post(target, {"query": query, "variables": {"scope": "S3_OWN_PREFIX"}}, token=target.token), 200
    )


def fragment_fan_out(target: Target) -> str:
    levels = 26
    fragments = " ".join(f"fragment F{i} on ScopeInfo {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels))
    query = f"{{ scopes {{ ...F0 }} }} {fragments} fragment F{levels} on ScopeInfo {{ name }}"
    response = _post(target, {"query": query}, token=target.token)
    if response.status_code != 200 or not response.json().get("data"):
        raise AssertionError(f"fan-out not served: {response.status_code} {response.text[:200]}")
    return "fan-out served"


def heaviest_valid_document(target: Target) -> str:
    # 64 same-named fields, 128 selections: the most validation work the limits let through.
    response = _post(target, {"query": "{ " + "scopes { name } " * 64 + "}"}, token=target.token)
    if response.status_code != 200 or not response.json().get("data"):
        raise AssertionError(f"heavy document not served: {response.status_code} {response.text[:200]}")
    return "heavy document served"


def quadratic_document(target: Target) -> str:
    return _refusal(_post(target, {"query": "{ " + "scopes { name } " * 490 + "}"}, token=target.token), 200)


def deep_nesting(target: Target) -> str:
    return _refusal(_post(target, {"query": "{ " + "a { " * 900 + "b" + " }" * 901}, token=target.token), 200)


def wrong_variables(target: Target) -> str:
    return _refusal(
        _post(target, {"query": VEND, "variables": {"scope": [1, {"x": None}]}}, token=target.token), 200
    )


def malformed_json(target: Target) -> str:
    return _refusal(_post(target, None, token=target.token, raw=b'{"query": '), 400)


def batch(target: Target) -> str:
    return _refusal(_post(target, [{"query": "{ scopes { name } }"}] * 20, token=target.token), 400)


def oversized_body(target: Target) -> str:
    return _refusal(_post(target, None, token=target.token, raw=b" " * (64 * 1024 + 1)), 413)


CATALOGUE: Final[tuple[Abuse, ...]] = (
    idle_connections,
    dribbled_head,
    stalled_body,
    oversized_head,
    not_http,
    forged_with_motos_key,
    critical_header,
    token_in_the_url,
    several_operations,
    fragment_fan_out,
    heaviest_valid_document,
    quadratic_document,
    deep_nesting,
    wrong_variables,
    malformed_json,
    batch,
    oversized_body,
)


def run_rounds(target: Target, rounds: int, offset: int) -> list[str]:
    """Every abuse of the catalogue ``rounds`` times, starting at ``offset``: one label per abuse, in order."""
    labels = []
    for n in range(rounds * len(CATALOGUE)):
        abuse = CATALOGUE[(offset + n) % len(CATALOGUE)]
        labels.append(f"{abuse.__name__}: {abuse(target)}")
    return labels


@dataclass(frozen=True)
class Vend:
    """One honest vend: its status, whether credentials came back, its latency, and the secrets (for the scans)."""

    status: int
    granted: bool
    seconds: float
    secrets: tuple[str, ...] = ()


# (user, scope) of each honest client: a plain user, an analyst, a tenant member, the plain user again.
HONEST_CLIENTS: Final = (
    ("alice", "S3_OWN_PREFIX"),
    ("bob", "REPORTS_READ"),
    ("carol", "TENANT_FILES"),
    ("alice", "DYNAMODB_OWN_ITEMS"),
)
HONEST_QUERY: Final = (
    "mutation V($scope: Scope!) { vendCredentials(scope: $scope) "
    "{ accessKeyId secretAccessKey sessionToken expiration scope } }"
)


def honest_vends(
    url: str, token: str, scope: str, *, until: threading.Event, minimum: int, maximum: int
) -> list[Vend]:
    """Vends on one keep-alive connection, as a front end would: at least ``minimum``, then until ``until`` is set,
    at most ``maximum``."""
    body = json.dumps({"query": HONEST_QUERY, "variables": {"scope": scope}}).encode()
    headers = {"content-type": "application/json", "authorization": token}
    out: list[Vend] = []
    with httpx.Client(timeout=HTTP_TIMEOUT_SECONDS) as client:
        while len(out) < maximum and (len(out) < minimum or not until.is_set()):
            started = time.perf_counter()
            response = client.post(url, content=body, headers=headers)
            seconds = time.perf_counter() - started
            data = (
                (response.json().get("data") or {}).get("vendCredentials")
                if response.status_code == 200
                else None
            )
            secrets = (data["secretAccessKey"], data["sessionToken"]) if data else ()
            out.append(
                Vend(response.status_code, data is not None and data.get("scope") == scope, seconds, secrets)
            )
    return out


def percentile(samples: Sequence[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


@dataclass(frozen=True)
class Mix:
    """How many of each: honest clients vend at least ``minimum`` times each, then until the hostile clients are done
    (or ``maximum``); without hostile clients, exactly ``minimum`` times each (a baseline)."""

    hostile_clients: int
    hostile_rounds: int
    minimum: int
    maximum: int
    deadline_seconds: float


def honest_beside_hostile(
    url: str, honest_tokens: Mapping[str, str], target: Target | None, mix: Mix
) -> tuple[list[Vend], list[str]]:
    """HONEST_CLIENTS vending while ``mix.hostile_clients`` run the catalogue (none when ``target`` is None, a
    baseline). Returns every honest vend and every hostile label."""
    hostile_done = threading.Event()
    if target is None:
        hostile_done.set()
    with ThreadPoolExecutor(max_workers=mix.hostile_clients + len(HONEST_CLIENTS)) as pool:
        honest = [
            pool.submit(
                honest_vends,
                url,
                honest_tokens[user],
                scope,
                until=hostile_done,
                minimum=mix.minimum,
                maximum=mix.maximum if target is not None else mix.minimum,
            )
            for user, scope in HONEST_CLIENTS
        ]
        labels: list[str] = []
        if target is not None:
            abusers = [
                pool.submit(run_rounds, target, mix.hostile_rounds, offset * 3)
                for offset in range(mix.hostile_clients)
            ]
            try:
                labels = [label for f in abusers for label in f.result(timeout=mix.deadline_seconds)]
            finally:
                hostile_done.set()
        vends = [v for f in honest for v in f.result(timeout=mix.deadline_seconds)]
    return vends, labels
