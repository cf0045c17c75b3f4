"""`make bench`: cold start, warm vend (miss and hit), decision cost, the embedded AWS with and without IAM
enforcement, and asset size, each beside its baseline in the same run. Prints a table and writes
bench/results/bench.json. Network I/O to 127.0.0.1 only.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any, Final

from bench import abuse_load, revocation, server_load
from bench.harness import LocalSts, bare_assume_role_request, local_sts
from infra.package import stage_package

ROOT: Final = Path(__file__).resolve().parents[1]
RESULTS: Final = ROOT / "bench" / "results"
COLD_RUNS: Final = 9


def part(
    module: str, name: str, env: dict[str, str], *, package: Path | None = None
) -> tuple[dict[str, float], float]:
    """Run one part in a fresh interpreter; return its figures and the whole process's wall time.

    With ``package`` (a staged Lambda package), the handler is imported from there, as Lambda would. No part
    writes bytecode, so every run starts alike: the libraries' ``.pyc`` come from their install (as in the
    Lambda runtime and the Powertools layer), ours from the staged package or, without one, a compile.
    """
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("VEND_", "AWS_", "POWERTOOLS_"))}
    path = f"{package}{os.pathsep}{ROOT}" if package is not None else str(ROOT)
    extra = {"BENCH_PACKAGE_DIR": str(package)} if package is not None else {}
    started = time.perf_counter()
    out = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", module, name],
        env={**clean, **env, **extra, "PYTHONPATH": path, "PYTHONDONTWRITEBYTECODE": "1"},
        cwd=package or ROOT,  # `-m` puts the working directory first on the path
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    wall = time.perf_counter() - started
    if out.returncode != 0:
        raise RuntimeError(f"{module} {name} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1]), wall


def cold_start(sts: LocalSts, package: Path) -> dict[str, Any]:
    env = sts.environment(cache=True)
    baseline_env = {**env, "BENCH_REQUEST": json.dumps(bare_assume_role_request())}
    # Tracing on, as in Lambda with the ADOT layer (bench/cold.py says what that stands in for).
    traced_env = {**env, "VEND_TRACING": "otel", "AWS_LAMBDA_FUNCTION_NAME": "bench-cold"}
    traced_env["POWERTOOLS_TRACE_DISABLED"] = "false"
    ours: list[dict[str, float]] = []
    base: list[dict[str, float]] = []
    traced: list[dict[str, float]] = []
    restored: list[dict[str, float]] = []
    walls: list[tuple[float, float]] = []
    for _ in range(COLD_RUNS):  # interleaved, so noise hits all alike
        mine, mine_wall = part("bench.cold", "ours", env, package=package)
        theirs, their_wall = part("bench.cold", "baseline", baseline_env)
        traced.append(part("bench.cold", "traced", traced_env, package=package)[0])
        restored.append(part("bench.cold", "restored", env, package=package)[0])
        ours.append(mine)
        base.append(theirs)
        walls.append((mine_wall, their_wall))

    def med(rows: list[dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    ours_s = med(ours, "import_s") + med(ours, "first_call_s")
    base_s = med(base, "import_s") + med(base, "first_call_s")
    return {
        "cold_start_s": ours_s,
        "cold_baseline_s": base_s,
        "cold_start_ratio": ours_s / base_s,
        "cold_import_s": med(ours, "import_s"),
        "cold_baseline_import_s": med(base, "import_s"),
        "cold_first_vend_s": med(ours, "first_call_s"),
        "cold_start_traced_s": med(traced, "import_s") + med(traced, "first_call_s"),
        "cold_baseline_first_call_s": med(base, "first_call_s"),
        # SnapStart: what a container resumed from the snapshot still does before its first answer.
        "snapstart_after_restore_s": med(restored, "after_restore_hooks_s")
        + med(restored, "first_vend_after_restore_s"),
        "snapstart_after_restore_hooks_s": med(restored, "after_restore_hooks_s"),
        "process_wall_s": statistics.median(w[0] for w in walls),
        "process_wall_baseline_s": statistics.median(w[1] for w in walls),
    }


def asset_size() -> dict[str, int]:
    """The Lambda package as the CDK app ships it: resolvers/ with the catalog and the JS resolver."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted((ROOT / "resolvers").rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(ROOT))
    return {"asset_zip_bytes": len(buffer.getvalue())}


def _row(
    label: str,
    figures: dict[str, Any],
    ours: str,
    base: str | None,
    scale: float,
    *,
    target: str = "",
    ratio_key: str | None = None,
) -> tuple[str, str, str, str, str]:
    unit = "ms" if scale == 1e3 else "us"
    if base is None:
        return (label, f"{figures[ours] * scale:.1f} {unit}", "", "", target)
    ratio = figures[ratio_key] if ratio_key else figures[ours] / figures[base]
    return (
        label,
        f"{figures[ours] * scale:.1f} {unit}",
        f"{figures[base] * scale:.1f} {unit}",
        f"{ratio:.3f}x",
        target,
    )


def main() -> None:
    with local_sts() as sts, tempfile.TemporaryDirectory() as tmp:
        # The Lambda package as infra stages it, with bytecode from this interpreter (infra uses the Lambda's).
        package = stage_package(ROOT, Path(tmp) / "lambda", python=sys.executable)
        figures: dict[str, Any] = {}
        figures.update(cold_start(sts, package))
        warm, _ = part("bench.parts", "warm", sts.environment(cache=False), package=package)
        hit, _ = part("bench.parts", "hit", sts.environment(cache=True), package=package)
        # The revocation lookup on and off (its store on the same local moto).
        lookup_env = {**sts.environment(cache=False), "AWS_ENDPOINT_URL_DYNAMODB": sts.endpoint}
        lookup_env["VEND_REVOCATION_TABLE"] = revocation.REVOCATION_TABLE
        lookup, _ = part("bench.revocation", "measure", lookup_env, package=package)
    # Its own embedded AWS (two, with and without enforcement) in a fresh process.
    enforcement, _ = part("bench.enforcement", "s3", {})
    figures.update(
        {
            "warm_miss_s": warm["vend_miss_s"],
            "bare_assume_role_s": warm["bare_assume_role_s"],
            # The median of per-round ratios (bench.harness.paired), not the ratio of the two medians.
            "warm_miss_ratio": warm["miss_ratio"],
            "decision_s": warm["decision_s"],
            "cache_hit_s": hit["hit_service_s"],
            "cache_hit_handler_s": hit["hit_handler_s"],
            "cache_hit_core_s": hit["hit_core_s"],
        }
    )
    figures.update({f"enforcement_{k}": v for k, v in enforcement.items()})
    figures.update({f"revocation_{k}": v for k, v in lookup.items()})
    figures.update(asset_size())
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bench.json").write_text(json.dumps(figures, indent=2) + "\n")
    ms, us = 1e3, 1e6
    rows = [
        _row(
            "cold start: import + first vend",
            figures,
            "cold_start_s",
            "cold_baseline_s",
            ms,
            target="<= 1.15x",
        ),
        _row("  of which import", figures, "cold_import_s", "cold_baseline_import_s", ms),
        _row(
            "  of which first vend / first call",
            figures,
            "cold_first_vend_s",
            "cold_baseline_first_call_s",
            ms,
        ),
        _row("  whole process incl. interpreter", figures, "process_wall_s", "process_wall_baseline_s", ms),
        _row(
            "SnapStart: after-restore hooks + first vend (vs cold start)",
            figures,
            "snapstart_after_restore_s",
            "cold_start_s",
            ms,
        ),
        _row("  of which the after-restore hooks", figures, "snapstart_after_restore_hooks_s", None, us),
        _row(
            "cold start, OpenTelemetry tracing on (vs off)",
            figures,
            "cold_start_traced_s",
            "cold_start_s",
            ms,
        ),
        _row(
            "warm vend, cache miss (median)",
            figures,
            "warm_miss_s",
            "bare_assume_role_s",
            ms,
            target="<= 1.05x",
            ratio_key="warm_miss_ratio",
        ),
        _row("pure decision: identity + catalog + policy", figures, "decision_s", None, us),
        _row(
            "warm vend, cache hit (service + audit log line)",
            figures,
            "cache_hit_s",
            None,
            us,
            target="<= 100 us",
        ),
        _row("warm vend, cache hit (whole lambda_handler)", figures, "cache_hit_handler_s", None, us),
        _row(
            "warm vend, cache hit (service, audit kept in memory)",
            figures,
            "cache_hit_core_s",
            None,
            us,
            target="<= 100 us",
        ),
        _row(
            "embedded S3 GetObject, IAM enforced vs not",
            figures,
            "enforcement_get_enforced_s",
            "enforcement_get_unenforced_s",
            ms,
            target="<= 1.3x",
        ),
        _row(
            "embedded S3 PutObject (1 KiB), IAM enforced vs not",
            figures,
            "enforcement_put_enforced_s",
            "enforcement_put_unenforced_s",
            ms,
            target="<= 1.3x",
        ),
        _row(
            "  of which the enforcement itself, GetObject",
            figures,
            "enforcement_get_enforcement_own_s",
            None,
            us,
        ),
        _row(
            "  of which the enforcement itself, PutObject",
            figures,
            "enforcement_put_enforcement_own_s",
            None,
            us,
        ),
        *revocation.rows(figures),
        ("Lambda asset (zip of resolvers/)", f"{figures['asset_zip_bytes'] / 1024:.1f} KiB", "", "", ""),
    ]
    header = ("figure", "ours", "baseline", "ratio", "target")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(5)]
    for row in [header, *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    print(f"\nwritten: {RESULTS / 'bench.json'}")
    # Second table: `vend serve` under load beside its floor (bench/results/server_load.json); third: honest vends
    # beside hostile clients (bench/results/abuse_load.json).
    if "--no-server" not in sys.argv:
        server_load.main([])
        abuse_load.main([])


if __name__ == "__main__":
    main()
