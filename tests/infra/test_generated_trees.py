"""`make test`'s checks ignore the trees a synth leaves behind: infra/cdk.out (assets are copies of resolvers/) and
infra/build (the staged Lambda package). Before, `mypy infra` walked into them and failed on the copies.

I/O: copies the repository (without git, virtual environments and node_modules) to a temporary directory, runs
the CDK app there as `cdk synth` does, adds a decoy test to each generated tree, then runs every check of
`make test` (ruff format and lint, both mypy configurations, both pytest collections) in that copy. The main
environment's tools come from VEND_DEV_BIN, which `make infra-test` sets.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from synth_support import CONTEXT

# Leaves the examples' own caches in place: a warm mypy cache keeps this test at seconds, not a minute.
NOT_COPIED = (".git", ".venv", ".venv-infra", "node_modules", "cdk.out", "build", "dist", "test-output")
DECOY = "def test_decoy_from_a_generated_tree() -> None:\n    raise AssertionError('collected a generated tree')\n"


def _dev_bin() -> Path:
    value = os.environ.get("VEND_DEV_BIN")
    assert value, "VEND_DEV_BIN is not set: run this through `make infra-test`, which sets it"
    return Path(value)


def _run(command: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own tools, fixed arguments
        command, cwd=cwd, env={**os.environ, **env}, capture_output=True, text=True, timeout=240, check=False
    )


@pytest.fixture(scope="module")
def synthesised_copy(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("generated") / "repo"
    shutil.copytree(repo_root, copy, ignore=shutil.ignore_patterns(*NOT_COPIED), symlinks=True)
    synth = _run(
        [sys.executable, "app.py"],
        copy / "infra",
        CDK_OUTDIR=str(copy / "infra" / "cdk.out"),
        CDK_CONTEXT_JSON=json.dumps(CONTEXT),
    )
    assert synth.returncode == 0, synth.stderr[-3000:]
    # A generated tree could hold tests too (a bundled dependency's): none may ever be collected.
    for tree in _generated_trees(copy):
        (tree / "test_decoy.py").write_text(DECOY, encoding="utf-8")
    return copy


def _generated_trees(copy: Path) -> list[Path]:
    infra = copy / "infra"
    assets = [p for p in (infra / "cdk.out").glob("asset.*") if (p / "resolvers" / "handler.py").is_file()]
    staged = infra / "build" / "lambda"
    return [*assets, staged] if (staged / "resolvers" / "handler.py").is_file() else assets


def test_the_synth_leaves_the_trees_the_checks_must_ignore(synthesised_copy: Path) -> None:
    # Otherwise the checks below would pass vacuously.
    trees = _generated_trees(synthesised_copy)
    assert any(t.parent.name == "cdk.out" for t in trees), "the synth staged no Lambda asset in cdk.out"
    assert any(t.parent.name == "build" for t in trees), "the app staged no package in infra/build"


@pytest.mark.parametrize(
    "check",
    [
        ["ruff", "format", "--check", "."],
        ["ruff", "check", "."],
        ["mypy"],
        ["pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "."],
    ],
    ids=["ruff-format", "ruff-check", "mypy", "pytest-collect"],
)
def test_the_main_checks_pass_beside_the_generated_trees(synthesised_copy: Path, check: list[str]) -> None:
    result = _run([str(_dev_bin() / check[0]), *check[1:]], synthesised_copy)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "cdk.out" not in result.stdout
    assert "infra/build" not in result.stdout


def test_the_infra_checks_pass_beside_the_generated_trees(synthesised_copy: Path) -> None:
    mypy = _run(
        [sys.executable, "-m", "mypy", "--config-file", "infra/mypy.ini", "infra", "tests/infra"],
        synthesised_copy,
    )
    assert mypy.returncode == 0, mypy.stdout[-3000:]
    collect = _run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            "tests/infra/pytest.ini",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "infra",
            "tests/infra",
        ],
        synthesised_copy,
    )
    assert collect.returncode == 0, collect.stdout[-3000:]
    assert "decoy" not in collect.stdout
