"""Local server load: requests/s, p50/p99 latency and server CPU per request of `vend serve` beside its floor
(bench.floor_app: strawberry answering a constant on the same uvicorn settings) at concurrency 1, 8 and 32;
then, in-process, the per-request cost of JWT verification and AppSync event building. Network I/O to
127.0.0.1 only (two server subprocesses and the embedded Cognito); writes bench/results/server_load.json.

    .venv/bin/python -m bench.server_load [--rounds 3] [--requests 300] [--seconds 4]

The vend runs are all alice asking for S3_OWN_PREFIX with the cache on: the first is an STS call, the rest
cache hits, which the server's own audit lines confirm. Runs of the two servers alternate within each round
(and the order flips every round) so that noise on a shared machine hits both; each figure is the median over
rounds. The load generator (httpx.AsyncClient) shares the machine's cores with the server under test, so
req/s is a property of this pair; server CPU per request, read from /proc, is the figure least bent by that.
No token or credential is printed or written.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import httpx

from bench.harness import interleaved
from vend_local.asgi_serving import READY_PREFIX
from vend_local.cmd_serve import subprocess_command

ROOT: Final = Path(__file__).resolve().parents[1]
RESULTS: Final = ROOT / "bench" / "results" / "server_load.json"
CONCURRENCY: Final = (1, 8, 32)
READY_TIMEOUT_SECONDS: Final = 180.0
STOP_TIMEOUT_SECONDS: Final = 30.0
# Each run ends at its request count or after this many seconds, whichever comes first: the whole benchmark
# stays within a few minutes on a shared 2-core machine, and a stuck server ends a run instead of hanging it.
RUN_SECONDS: Final = 4.0
HTTP_TIMEOUT_SECONDS: Final = 30.0
MICRO_ITERATIONS: Final = 2_000
MICRO_ROUNDS: Final = 5
# The brief for issue 6: JWT verification plus event building, per request.
AUTH_AND_EVENT_TARGET_US: Final = 1_000.0

USER: Final = "alice"
SCOPE: Final = "S3_OWN_PREFIX"
VEND_QUERY: Final = (
    "mutation Vend($scope: Scope!, $d: Int) { vendCredentials(scope: $scope, durationSeconds: $d) "
    "{ accessKeyId secretAccessKey sessionToken expiration refreshAfter scope region } }"
)
SCOPES_QUERY: Final = "query Scopes { scopes { name description maxDurationSeconds } }"
OPERATIONS: Final = {
    "vendCredentials": {"query": VEND_QUERY, "variables": {"scope": SCOPE}},
    "scopes": {"query": SCOPES_QUERY},
}
SERVERS: Final = ("vend serve", "floor")
_CLOCK_TICKS: Final = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    url: str = ""

    def cpu_seconds(self) -> float | None:
        """User plus system CPU of the server process so far, from /proc (None where there is no /proc)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        # Fields 14 and 15 of proc(5) (utime, stime); index 11 and 12 once pid and comm are cut off.
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


@dataclass(frozen=True)
class RunResult:
    requests: int
    warmup: int
    failures: int
    wall_s: float
    latencies_s: list[float] = field(repr=False)
    server_cpu_s: float | None
    client_cpu_s: float

    def figures(self) -> dict[str, float | None]:
        ordered = sorted(self.latencies_s)
        return {
            "requests": float(self.requests),
            "rps": self.requests / self.wall_s,
            "p50_ms": percentile(ordered, 50) * 1e3,
            "p99_ms": percentile(ordered, 99) * 1e3,
            # The CPU window holds the warm-up requests too, so they count in the denominator.
            "server_cpu_us_per_request": (
                None if self.server_cpu_s is None else self.server_cpu_s / (self.requests + self.warmup) * 1e6
            ),
            "client_cpu_share": self.client_cpu_s / self.wall_s,
        }


def percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of already sorted samples."""
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def start(name: str, command: list[str], workdir: Path) -> Server:
    log = workdir / f"{name.replace(' ', '_')}.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "VEND_"))}
    with log.open("wb") as out:
        # Output to a file, not a pipe: nobody in this process has to drain the server's per-request log lines.
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed modules
            command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
        )
    server = Server(name, process, log)
    started = time.monotonic()
    while time.monotonic() - started < READY_TIMEOUT_SECONDS and process.poll() is None:
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith(READY_PREFIX):
                server.url = line[len(READY_PREFIX) :].strip()
                return server
        time.sleep(0.1)
    stop(server)
    raise RuntimeError(f"{name} never printed its ready line; see the end of {log}")


def stop(server: Server) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGINT)
    try:
        server.process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=STOP_TIMEOUT_SECONDS)


@contextmanager
def servers(workdir: Path) -> Iterator[dict[str, Server]]:
    vend_cmd = subprocess_command(workdir / "serve.json")
    floor_cmd = [sys.executable, "-m", "bench.floor_app", "--port", "0"]
    started: dict[str, Server] = {}
    try:
        started["vend serve"] = start("vend serve", vend_cmd, workdir)
        started["floor"] = start("floor", floor_cmd, workdir)
        for server in started.values():
            if not server.url.startswith("http://127.0.0.1:"):
                raise RuntimeError(f"{server.name} is not on loopback: {server.url}")
        yield started
    finally:
        for server in started.values():
            stop(server)


def demo_tokens(state_file: Path, username: str) -> dict[str, str]:
    """A demo user's ID and access tokens from the server whose state file this is."""
    from vend_local.cmd_token import sign_in  # noqa: PLC0415 - boto3, only once the server runs
    from vend_local.local_state import read_state  # noqa: PLC0415

    state = read_state(state_file)
    login = state.user(username)
    assert login is not None, f"no demo user {username}"
    result = sign_in(
        username=username,
        password=login.password,
        client_id=state.app_client_id,
        region=state.region,
        endpoint_url=state.aws_endpoint,
    )
    return {"id": result["IdToken"], "access": result["AccessToken"]}


async def _drive(
    url: str, body: bytes, token: str, *, concurrency: int, count: int, seconds: float
) -> RunResult:
    headers = {"content-type": "application/json", "authorization": token}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    # httpcore writes the headers and the body in two sends: without TCP_NODELAY, Nagle holds the body until
    # the server's delayed ACK (40 ms on Linux), and every figure would measure that instead of the server.
    transport = httpx.AsyncHTTPTransport(
        limits=limits, socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
    )
    async with httpx.AsyncClient(transport=transport, timeout=HTTP_TIMEOUT_SECONDS) as client:

        async def one() -> bool:
            response = await client.post(url, content=body, headers=headers)
            # A byte search, not a JSON parse: the client's CPU is taken from the server under test.
            return response.status_code == 200 and b'"errors"' not in response.content

        # Warm: open every connection of the pool before the clock starts.
        await asyncio.gather(*(one() for _ in range(concurrency)))
        latencies: list[float] = []
        failures = 0
        issued = 0
        deadline = time.monotonic() + seconds

        async def worker() -> None:
            nonlocal issued, failures
            while issued < count and time.monotonic() < deadline:
                issued += 1
                sent = time.perf_counter()
                ok = await one()
                latencies.append(time.perf_counter() - sent)
                failures += not ok

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return RunResult(len(latencies), concurrency, failures, wall, latencies, None, 0.0)


def run_once(
    server: Server, body: bytes, token: str, *, concurrency: int, count: int, seconds: float = RUN_SECONDS
) -> RunResult:
    cpu_before, client_before = server.cpu_seconds(), time.process_time()
    result = asyncio.run(
        _drive(server.url, body, token, concurrency=concurrency, count=count, seconds=seconds)
    )
    cpu_after, client_after = server.cpu_seconds(), time.process_time()
    if result.failures:
        raise RuntimeError(f"{server.name}: {result.failures} of {result.requests} requests failed")
    server_cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    return RunResult(
        result.requests,
        result.warmup,
        0,
        result.wall_s,
        result.latencies_s,
        server_cpu,
        client_after - client_before,
    )


def load(running: dict[str, Server], token: str, rounds: int, count: int, seconds: float) -> dict[str, Any]:
    bodies = {op: json.dumps(payload).encode() for op, payload in OPERATIONS.items()}
    vends_sent = 0
    for server in running.values():  # the first vend (the STS call), strawberry's first execution
        for op, body in bodies.items():
            warm = run_once(server, body, token, concurrency=1, count=5)
            if op == "vendCredentials" and server.name == "vend serve":
                vends_sent += warm.requests + warm.warmup
    runs: dict[str, list[dict[str, float | None]]] = {}
    for round_no in range(rounds):
        order = SERVERS if round_no % 2 == 0 else SERVERS[::-1]
        for op, body in bodies.items():
            for concurrency in CONCURRENCY:
                for name in order:
                    result = run_once(
                        running[name], body, token, concurrency=concurrency, count=count, seconds=seconds
                    )
                    runs.setdefault(f"{op}|{concurrency}|{name}", []).append(result.figures())
                    if op == "vendCredentials" and name == "vend serve":
                        vends_sent += result.requests + result.warmup
                    print(
                        f"  round {round_no + 1}/{rounds}  {op:<15} c={concurrency:<2}  {name:<10}"
                        f"  {result.requests / result.wall_s:7.0f} req/s",
                        file=sys.stderr,
                    )
    medians: dict[str, dict[str, float | None]] = {}
    for key, figures in runs.items():
        medians[key] = {
            metric: (
                None
                if any(f[metric] is None for f in figures)
                else statistics.median(float(f[metric] or 0.0) for f in figures)
            )
            for metric in figures[0]
        }
    return {"runs": runs, "medians": medians, "vends_sent": vends_sent}


def audit_summary(log: Path) -> dict[str, int]:
    """What the server's own audit lines say about the vends: how many, and how many went to STS."""
    records = [
        json.loads(line)["audit"]
        for line in log.read_text(errors="replace").splitlines()
        if line.startswith("{") and '"vend decision"' in line
    ]
    return {
        "vends_audited": len(records),
        "granted": sum(1 for r in records if r.get("decision") == "granted"),
        "sts_calls": sum(1 for r in records if r.get("decision") == "granted" and not r.get("cache_hit")),
    }


def micro(state_file: Path, token: str) -> dict[str, float]:
    """Median microseconds of verifying the token (JWKS fetched once, then cached) and of building the event,
    the two per-request steps `vend serve` adds before the handler, done as vend_local/server.py does them.
    """
    from graphql import FieldNode, OperationDefinitionNode, parse  # noqa: PLC0415

    from vend_local.appsync_event import (  # noqa: PLC0415
        cognito_identity,
        lambda_payload,
        resolver_context,
        resolver_info,
    )
    from vend_local.embedded_aws import Deployment  # noqa: PLC0415
    from vend_local.jwt_verify import CognitoVerifier, jwks_client  # noqa: PLC0415
    from vend_local.local_state import read_state  # noqa: PLC0415

    state = read_state(state_file)
    deployment = Deployment(
        region=state.region,
        user_pool_id=state.user_pool_id,
        app_client_ids=(state.app_client_id,),
        role_arns={},
        bucket=None,
        table_arn=None,
        account_id=None,
        endpoint_url=state.aws_endpoint,
    )
    verifier = CognitoVerifier(
        issuer=deployment.issuer,
        client_ids=frozenset(deployment.app_client_ids),
        keys=jwks_client(deployment.jwks_url),
    )
    claims = verifier.verify(token)  # fetches and caches the JWKS (PyJWKClient, five minutes)
    login = state.user(USER)
    assert login is not None
    assert claims["sub"] == login.sub, "the verified token is not the signed-in user's"

    operation = parse(VEND_QUERY).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    field_node = operation.selection_set.selections[0]
    assert isinstance(field_node, FieldNode)
    # The headers as the server sees them from httpx: lower-case names, the JWT among them.
    headers = (
        ("host", state.graphql_url.split("/")[2]),
        ("accept", "*/*"),
        ("accept-encoding", "gzip, deflate"),
        ("connection", "keep-alive"),
        ("user-agent", f"python-httpx/{httpx.__version__}"),
        ("content-type", "application/json"),
        ("authorization", token),
        ("content-length", "250"),
    )
    variables = {"scope": SCOPE}

    def build_event() -> dict[str, Any]:
        ctx = resolver_context(
            arguments={"scope": SCOPE},
            identity=cognito_identity(claims, "127.0.0.1"),
            headers=headers,
            domain_name=None,
            info=resolver_info(
                field_name="vendCredentials",
                parent_type_name="Mutation",
                variables=variables,
                field_node=field_node,
                fragments={},
            ),
        )
        return lambda_payload(ctx)

    verify_s, event_s = interleaved(
        lambda: verifier.verify(token), build_event, rounds=MICRO_ROUNDS, per_round=MICRO_ITERATIONS
    )
    return {
        "jwt_verify_us": verify_s * 1e6,
        "event_build_us": event_s * 1e6,
        "jwt_verify_plus_event_us": (verify_s + event_s) * 1e6,
        "target_us": AUTH_AND_EVENT_TARGET_US,
    }


def _fmt(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _ratio(ours: float | None, base: float | None) -> str:
    return "-" if ours is None or not base else f"{ours / base:.2f}x"


def table(result: dict[str, Any]) -> list[tuple[str, ...]]:
    metrics: list[tuple[str, str, int]] = [
        ("req/s", "rps", 0),
        ("p50 ms", "p50_ms", 2),
        ("p99 ms", "p99_ms", 2),
        ("server CPU us/req", "server_cpu_us_per_request", 0),
    ]
    rows: list[tuple[str, ...]] = []
    medians = result["load"]["medians"]
    for op in OPERATIONS:
        for concurrency in CONCURRENCY:
            ours, floor = medians[f"{op}|{concurrency}|vend serve"], medians[f"{op}|{concurrency}|floor"]
            for n, (label, key, digits) in enumerate(metrics):
                rows.append(
                    (
                        op if n == 0 and concurrency == CONCURRENCY[0] else "",
                        str(concurrency) if n == 0 else "",
                        label,
                        _fmt(ours[key], digits),
                        _fmt(floor[key], digits),
                        _ratio(ours[key], floor[key]),
                    )
                )
    return rows


def _print_rows(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def report(result: dict[str, Any]) -> None:
    config = result["config"]
    print(
        f"\nvend serve under load beside its floor (strawberry constant, same uvicorn settings): medians of "
        f"{config['rounds']} interleaved rounds; a run is {config['requests_per_run']} requests or "
        f"{config['seconds_per_run_max']:g} s, whichever comes first; 127.0.0.1"
    )
    _print_rows(("operation", "conc", "figure", "vend serve", "floor", "ratio"), table(result))
    audit = result["audit"]
    print(
        f"vend serve audit: {audit['vends_audited']} of {result['load']['vends_sent']} vends sent, "
        f"{audit['granted']} granted, {audit['sts_calls']} STS call(s) (cache misses), the rest cache hits"
    )
    shares = [float(f["client_cpu_share"]) for figures in result["load"]["runs"].values() for f in figures]
    print(
        f"load generator (httpx.AsyncClient, in this process): median {statistics.median(shares):.0%} of a core"
        f" during runs; {config['cpus']} CPUs on this machine"
    )
    m = result["micro"]
    print("\nper request, in-process (medians of medians)")
    _print_rows(
        ("step", "median", "target"),
        [
            ("JWT verification (RS256, JWKS cached)", f"{m['jwt_verify_us']:.1f} us", ""),
            ("AppSync event building", f"{m['event_build_us']:.1f} us", ""),
            (
                "together",
                f"{m['jwt_verify_plus_event_us']:.1f} us",
                f"<= {m['target_us']:.0f} us"
                + (" (met)" if m["jwt_verify_plus_event_us"] <= m["target_us"] else " (MISSED)"),
            ),
        ],
    )


def measure(rounds: int, count: int, seconds: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, servers(Path(tmp)) as running:
        state_file = Path(tmp) / "serve.json"
        token = demo_tokens(state_file, USER)["id"]
        figures = load(running, token, rounds, count, seconds)
        # After the load, with both servers idle: the in-process timings do not compete with them.
        micro_figures = micro(state_file, token)
        audit = audit_summary(running["vend serve"].log)
    return {
        "config": {
            "rounds": rounds,
            "requests_per_run": count,
            "seconds_per_run_max": seconds,
            "concurrency": list(CONCURRENCY),
            "user": USER,
            "scope": SCOPE,
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
        },
        "load": figures,
        "audit": audit,
        "micro": micro_figures,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=300, help="timed requests per run (at most)")
    parser.add_argument("--seconds", type=float, default=RUN_SECONDS, help="time per run (at most)")
    args = parser.parse_args(argv)
    result = measure(args.rounds, args.requests, args.seconds)
    report(result)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten: {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
