"""Start-up-to-ready of `vend serve` beside a baseline measured in the same run: a bare moto ThreadedMotoServer
started in a fresh interpreter. Both are subprocesses timed from spawn to their ready line, so both pay for
interpreter start and imports. Prints a table and writes JSON to bench/results/serve_startup.json.

    .venv/bin/python -m bench.serve_startup [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Final

from vend_local.cmd_serve import subprocess_command

ROOT: Final = Path(__file__).resolve().parents[1]
RESULTS: Final = ROOT / "bench" / "results" / "serve_startup.json"
READY_TIMEOUT_SECONDS: Final = 180.0

BASELINE: Final = """
from moto.server import ThreadedMotoServer
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
print("Ready: moto", flush=True)
import sys
sys.stdin.read()
server.stop()
"""


def _time_to_ready(command: list[str]) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "VEND_"))}
    env["PYTHONUNBUFFERED"] = "1"
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - fixed commands of this repository
        command,
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("Ready: "):
                return time.perf_counter() - started
            if time.perf_counter() - started > READY_TIMEOUT_SECONDS:
                break
        raise RuntimeError(f"{command[2:4]} never printed its ready line")
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    baseline_cmd = [sys.executable, "-c", BASELINE]
    with tempfile.TemporaryDirectory() as tmp:
        serve_cmd = subprocess_command(Path(tmp) / "serve.json")
        baseline: list[float] = []
        serve: list[float] = []
        # Interleaved, so that load on the machine affects both alike.
        for _ in range(args.runs):
            baseline.append(_time_to_ready(baseline_cmd))
            serve.append(_time_to_ready(serve_cmd))

    result = {
        "runs": args.runs,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "baseline_moto_seconds": [round(x, 3) for x in baseline],
        "vend_serve_seconds": [round(x, 3) for x in serve],
        "baseline_median_seconds": round(statistics.median(baseline), 3),
        "vend_serve_median_seconds": round(statistics.median(serve), 3),
        "ratio_of_medians": round(statistics.median(serve) / statistics.median(baseline), 2),
    }
    print(f"{'':28}{'median s':>10}{'min s':>8}{'max s':>8}")
    print(
        f"{'bare ThreadedMotoServer':28}{statistics.median(baseline):>10.3f}{min(baseline):>8.3f}{max(baseline):>8.3f}"
    )
    print(
        f"{'vend serve (to Ready:)':28}{statistics.median(serve):>10.3f}{min(serve):>8.3f}{max(serve):>8.3f}"
    )
    print(f"ratio of medians: {result['ratio_of_medians']}x over {args.runs} interleaved runs")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
