"""The Python distribution as another team consumes it: build, check, install the wheel with only the `local`
extra into a fresh virtual environment, and use `vend` from there, outside this repository.

I/O: builds into a temporary directory (setuptools also refreshes the gitignored *.egg-info beside the sources),
creates a virtual environment there and installs into it with pip (from the package index or pip's cache, pinned
by requirements/dev.lock), and starts `vend serve` on a free loopback port.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pytest

from vend_local import __version__
from vend_local.asgi_serving import READY_PREFIX

REPO: Final = Path(__file__).resolve().parents[2]
DIST_INFO: Final = f"credential_vending-{__version__}.dist-info/"
# What the wheel must hold besides Python modules: the data the CLI and the Lambda package read.
REQUIRED: Final = (
    "resolvers/catalog.toml",
    "resolvers/appsync/vendResolver.js",
    "resolvers/handler.py",
    "vend_local/cli.py",
    f"{DIST_INFO}licenses/LICENSE",
    f"{DIST_INFO}entry_points.txt",
)
# Our own tooling: none of it may come with the `local` extra.
DEV_ONLY: Final = ("ruff", "mypy", "hypothesis", "pytest", "boto3-stubs", "twine", "build")
ONE_SCOPE_CATALOG: Final = """
[scopes.OWN_FILES]
description = "Objects under your own prefix."
any_signed_in_user = true
role = "files"
max_duration_seconds = 900

[[scopes.OWN_FILES.statements]]
sid = "Own"
effect = "Allow"
actions = ["s3:GetObject"]
resources = ["arn:aws:s3:::{{bucket}}/users/{{sub}}/*"]
"""
# Generous, because the machine is shared; waiting for a condition, never asserting on time.
INSTALL_TIMEOUT_SECONDS: Final = 900
READY_TIMEOUT_SECONDS: Final = 180

pytestmark = pytest.mark.timeout(1800)


@dataclass(frozen=True)
class Built:
    wheel: Path
    sdist: Path
    venv: Path
    outside: Path

    def bin(self, name: str) -> str:
        return str(self.venv / "bin" / name)


def _run(*command: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    # A clean environment for the consumer's tools: nothing of this test run's venv or PYTHONPATH leaks in.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(  # noqa: S603 - our own build and install tools with fixed arguments
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, (result.args, result.stdout[-3000:], result.stderr[-3000:])
    return result.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    work = tmp_path_factory.mktemp("packaging")
    dist = work / "dist"
    # --no-isolation: setuptools comes from the dev environment (pinned), so the build needs no download.
    _ok(_run(sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(REPO), cwd=work))
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    venv = work / "consumer-venv"
    _ok(_run(sys.executable, "-m", "venv", str(venv), cwd=work))
    outside = work / "elsewhere"
    outside.mkdir()
    built = Built(wheel=wheel, sdist=sdist, venv=venv, outside=outside)
    _install(built, "local")
    return built


def _install(built: Built, extra: str) -> None:
    """The wheel with ``extra`` into the consumer's environment, pinned as our CI pins it."""
    lock = str(REPO / "requirements" / "dev.lock")
    command = ("-m", "pip", "install", "--quiet", "-c", lock, f"{built.wheel}[{extra}]")
    _ok(_run(built.bin("python"), *command, cwd=built.outside, timeout=INSTALL_TIMEOUT_SECONDS))


def test_twine_accepts_the_wheel_and_the_sdist(built: Built) -> None:
    out = _ok(
        _run(sys.executable, "-m", "twine", "check", "--strict", str(built.wheel), str(built.sdist), cwd=REPO)
    )
    assert out.count("PASSED") == 2


def test_the_wheel_holds_the_packages_their_data_and_the_license_and_nothing_else(built: Built) -> None:
    names = zipfile.ZipFile(built.wheel).namelist()
    stray = [n for n in names if not n.startswith(("resolvers/", "vend_local/", DIST_INFO))]
    assert stray == []
    for required in REQUIRED:
        assert required in names
    assert not [
        n for n in names if "/tests/" in n or n.startswith(("tests/", "bench/", "infra/", "clients/"))
    ]
    metadata = zipfile.ZipFile(built.wheel).read(f"{DIST_INFO}METADATA").decode()
    assert "License-Expression: Apache-2.0" in metadata
    assert f"Version: {__version__}" in metadata
    for extra in ("local", "testing", "dev"):
        assert f"Provides-Extra: {extra}" in metadata


def test_the_sdist_carries_the_license_and_changelog_for_rebuilding(built: Built) -> None:
    with tarfile.open(built.sdist) as sdist:
        names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    assert {"LICENSE", "README.md", "pyproject.toml", "resolvers/catalog.toml"} <= names


def test_the_local_extra_brings_nothing_of_our_own_tooling(built: Built) -> None:
    listed = _ok(_run(built.bin("python"), "-m", "pip", "list", "--format=freeze", cwd=built.outside))
    installed = {line.split("==")[0].lower() for line in listed.splitlines()}
    assert {"moto", "strawberry-graphql", "uvicorn", "pyjwt", "credential-vending"} <= installed
    assert installed.isdisjoint(DEV_ONLY)


def test_vend_version_from_the_wheel(built: Built) -> None:
    assert _ok(_run(built.bin("vend"), "--version", cwd=built.outside)).strip() == f"vend {__version__}"


def test_vend_catalog_check_on_a_catalog_outside_the_repository(built: Built) -> None:
    catalog = built.outside / "catalog.toml"
    catalog.write_text(ONE_SCOPE_CATALOG, encoding="utf-8")
    # A consumer's flow: generate the schema for their catalog, then gate on both.
    _ok(
        _run(
            built.bin("vend"),
            "schema",
            "--catalog",
            str(catalog),
            "--output",
            "schema.graphql",
            cwd=built.outside,
        )
    )
    assert "OWN_FILES" in (built.outside / "schema.graphql").read_text(encoding="utf-8")
    ok = _run(built.bin("vend"), "catalog", "check", str(catalog), cwd=built.outside)
    assert (ok.returncode, ok.stderr) == (0, "")
    assert ok.stdout.startswith(f"{catalog}: 1 scope(s), 0 error(s)")

    catalog.write_text(ONE_SCOPE_CATALOG.replace('"s3:GetObject"', '"iam:PassRole"'), encoding="utf-8")
    refused = _run(built.bin("vend"), "catalog", "check", str(catalog), cwd=built.outside)
    assert refused.returncode == 1
    assert "iam:PassRole" in refused.stdout


@pytest.fixture
def serving(built: Built) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(  # noqa: S603 - the installed console script with fixed arguments
        [built.bin("vend"), "serve", "--port", "0", "--state-file", str(built.outside / "serve.json")],
        cwd=built.outside,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def test_vend_serve_from_the_wheel_gets_to_ready(serving: subprocess.Popen[str]) -> None:
    assert serving.stdout is not None
    seen: list[str] = []
    # readline blocks; the module timeout bounds a server that never gets ready.
    for line in serving.stdout:
        seen.append(line)
        if line.startswith(READY_PREFIX):
            break
    assert seen, "vend serve printed nothing"
    assert seen[-1].startswith(READY_PREFIX), "".join(seen[-30:])
    assert seen[-1].strip().endswith("/graphql")


# Last in this module on purpose: it adds the `testing` extra to the consumer's environment, which the
# nothing-of-our-tooling check above must not see.
def test_the_testing_extra_runs_a_downstream_team_s_kit_tests_outside_the_repository(built: Built) -> None:
    _install(built, "testing")
    project = built.outside / "team-project"
    shutil.copytree(
        REPO / "examples" / "downstream_kit", project / "tests", ignore=shutil.ignore_patterns("__pycache__")
    )
    # The team's own pytest run: the kit's fixtures come from the installed package's pytest11 entry point.
    result = _run(built.bin("pytest"), "-q", "-p", "no:cacheprovider", "tests", cwd=project, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert " passed" in result.stdout
    assert "failed" not in result.stdout
