"""`vend serve` under abuse: honest vends alone, then the same honest vends while hostile clients run every abuse of
tests/security/hostile.py, in alternating rounds. Reports whether every honest vend still succeeds, and their
p50/p99 latency beside the baseline of the same run. Network I/O to 127.0.0.1 only (one server subprocess and its
embedded Cognito); writes bench/results/abuse_load.json.

    .venv/bin/python -m bench.abuse_load [--rounds 2]

The honest clients are four keep-alive connections vending for a plain user, an analyst and a tenant member (the
credential cache on, as by default). Hostile clients use a signed-in user's token where an attacker would have
one. The load generators share the machine's cores with the server, so the latencies belong to this pair; the
ratio is the figure to read. No token or credential is printed or written.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, Final

from bench.server_load import Server, demo_tokens, start, stop
from tests.security import hostile
from vend_local.cmd_serve import subprocess_command

ROOT: Final = Path(__file__).resolve().parents[1]
RESULTS: Final = ROOT / "bench" / "results" / "abuse_load.json"
HONEST: Final = hostile.HONEST_CLIENTS
BASELINE_VENDS_PER_CLIENT: Final = 60
HOSTILE_CLIENTS: Final = 6
HOSTILE_ROUNDS: Final = 1
HONEST_MINIMUM: Final = 10
HONEST_MAXIMUM: Final = 2_000
DEADLINE_SECONDS: Final = 600.0


def _run(server: Server, ids: dict[str, str], target: hostile.Target | None) -> dict[str, Any]:
    """One run: honest clients alone (target None) or beside the hostile clients."""
    mix = hostile.Mix(
        HOSTILE_CLIENTS,
        HOSTILE_ROUNDS,
        BASELINE_VENDS_PER_CLIENT if target is None else HONEST_MINIMUM,
        HONEST_MAXIMUM,
        DEADLINE_SECONDS,
    )
    vends, labels = hostile.honest_beside_hostile(server.url, ids, target, mix)
    latencies = [v.seconds for v in vends]
    return {
        "honest_vends": len(vends),
        "honest_granted": sum(v.granted for v in vends),
        "honest_failures": dict(Counter(str(v.status) for v in vends if not v.granted)),
        "p50_ms": hostile.percentile(latencies, 50) * 1e3,
        "p99_ms": hostile.percentile(latencies, 99) * 1e3,
        "hostile_requests": len(labels),
        "hostile_outcomes": dict(Counter(label.split(": ", 1)[1] for label in labels)),
    }


def measure(rounds: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        state_file = workdir / "serve.json"
        server = start("vend serve", subprocess_command(state_file), workdir)
        try:
            ids = {user: demo_tokens(state_file, user)["id"] for user in {u for u, _ in HONEST}}
            target = hostile.Target(server.url, demo_tokens(state_file, "bob")["access"])
            _run(server, ids, None)  # warm: the first vends go to STS, strawberry's first execution
            runs: dict[str, list[dict[str, Any]]] = {"baseline": [], "under abuse": []}
            for round_no in range(rounds):
                for name in ("baseline", "under abuse") if round_no % 2 == 0 else ("under abuse", "baseline"):
                    result = _run(server, ids, target if name == "under abuse" else None)
                    runs[name].append(result)
                    print(
                        f"  round {round_no + 1}/{rounds}  {name:<12} {result['honest_granted']}/"
                        f"{result['honest_vends']} granted, p99 {result['p99_ms']:.0f} ms",
                        file=sys.stderr,
                    )
            alive = server.process.poll() is None
        finally:
            stop(server)
    return {
        "config": {
            "rounds": rounds,
            "honest_clients": [f"{user}:{scope}" for user, scope in HONEST],
            "baseline_vends_per_client": BASELINE_VENDS_PER_CLIENT,
            "hostile_clients": HOSTILE_CLIENTS,
            "hostile_rounds_per_run": HOSTILE_ROUNDS,
            "abuses": [abuse.__name__ for abuse in hostile.CATALOGUE],
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
        },
        "runs": runs,
        "server_alive_after": alive,
    }


def summary(result: dict[str, Any]) -> dict[str, Any]:
    def med(name: str, key: str) -> float:
        return statistics.median(float(r[key]) for r in result["runs"][name])

    baseline, abused = result["runs"]["baseline"], result["runs"]["under abuse"]
    return {
        "honest_vends_under_abuse": sum(r["honest_vends"] for r in abused),
        "honest_granted_under_abuse": sum(r["honest_granted"] for r in abused),
        "honest_vends_baseline": sum(r["honest_vends"] for r in baseline),
        "honest_granted_baseline": sum(r["honest_granted"] for r in baseline),
        "hostile_requests": sum(r["hostile_requests"] for r in abused),
        "p50_ms_baseline": med("baseline", "p50_ms"),
        "p50_ms_under_abuse": med("under abuse", "p50_ms"),
        "p99_ms_baseline": med("baseline", "p99_ms"),
        "p99_ms_under_abuse": med("under abuse", "p99_ms"),
        "p99_ratio": med("under abuse", "p99_ms") / med("baseline", "p99_ms"),
    }


def report(result: dict[str, Any]) -> None:
    s = result["summary"]
    print(
        f"\nvend serve under abuse: {len(result['config']['abuses'])} kinds of abuse from "
        f"{result['config']['hostile_clients']} clients beside {len(HONEST)} honest vending clients; medians of "
        f"{result['config']['rounds']} alternating rounds; 127.0.0.1"
    )
    rows = [
        ("honest vends granted", f"{s['honest_granted_under_abuse']}/{s['honest_vends_under_abuse']}",
         f"{s['honest_granted_baseline']}/{s['honest_vends_baseline']}", ""),
        ("honest vend p50", f"{s['p50_ms_under_abuse']:.1f} ms", f"{s['p50_ms_baseline']:.1f} ms",
         f"{s['p50_ms_under_abuse'] / s['p50_ms_baseline']:.2f}x"),
        ("honest vend p99", f"{s['p99_ms_under_abuse']:.1f} ms", f"{s['p99_ms_baseline']:.1f} ms",
         f"{s['p99_ratio']:.2f}x"),
        ("hostile requests", str(s["hostile_requests"]), "", ""),
        ("server still up", "yes" if result["server_alive_after"] else "NO", "", ""),
    ]  # fmt: skip
    header = ("figure", "under abuse", "honest only", "ratio")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    for row in [header, *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    result = measure(args.rounds)
    result["summary"] = summary(result)
    report(result)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten: {RESULTS.relative_to(ROOT)}")
    granted = result["summary"]["honest_granted_under_abuse"] == result["summary"]["honest_vends_under_abuse"]
    return 0 if granted and result["server_alive_after"] else 1


if __name__ == "__main__":
    sys.exit(main())
