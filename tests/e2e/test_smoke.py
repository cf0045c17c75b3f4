"""`vend smoke` against `vend serve`, as CI proves a stack: the real CLI in a subprocess, over HTTP.

It passes for every demo user on a correct stack, and fails, naming the row, when a scope is widened or a denied
call succeeds. The passing runs depend on the embedded AWS enforcing IAM (the denied calls are real calls that
must come back AccessDenied); the `--no-enforce` run shows what happens without it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, RunningServer, assert_clean_stop, start_server

PASS_LINE = re.compile(r"^(\d+) passed, (\d+) failed$", re.MULTILINE)
# A scope that lists and reads every user's prefix: what a catalog slip (or a bad merge) could ship.
WIDENED = (
    'conditions.StringLike."s3:prefix" = ["users/{{sub}}/", "users/{{sub}}/*"]',
    'conditions.StringLike."s3:prefix" = ["users/", "users/*"]',
)


def vend_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "vend_local.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def smoke(server: RunningServer, user: str) -> subprocess.CompletedProcess[str]:
    return vend_cli("smoke", "--user", user, "--state-file", str(server.state_file))


def rows(output: str) -> dict[tuple[str, str], str]:
    """(check, scope) -> result, from the printed table."""
    out = {}
    for line in output.splitlines():
        parts = re.split(r"\s{2,}", line.strip())
        if len(parts) == 5 and parts[4] in ("PASS", "FAIL"):
            out[(parts[0], parts[1])] = parts[4]
    return out


def assert_no_secret(result: subprocess.CompletedProcess[str]) -> None:
    text = result.stdout + result.stderr
    assert not re.search(r"\bASIA[A-Z0-9]{16}\b", text), "an access key id was printed"
    assert "eyJ" not in text, "a JWT was printed"
    assert "password" not in text.lower() or "VEND_SMOKE_PASSWORD" in text


@pytest.mark.parametrize(
    ("user", "granted"),
    [
        ("alice", {"S3_OWN_PREFIX", "DYNAMODB_OWN_ITEMS"}),
        ("bob", {"S3_OWN_PREFIX", "DYNAMODB_OWN_ITEMS", "REPORTS_READ"}),
        ("carol", {"S3_OWN_PREFIX", "DYNAMODB_OWN_ITEMS", "TENANT_FILES"}),
    ],
)
def test_smoke_passes_against_vend_serve_for_every_demo_user(
    server: RunningServer, user: str, granted: set[str]
) -> None:
    # Depends on local IAM enforcement: each "denied call" row is a real call the embedded AWS must refuse.
    result = smoke(server, user)
    assert result.returncode == 0, result.stdout + result.stderr
    table = rows(result.stdout)
    for scope in granted:
        for check in ("vendCredentials", "allowed call", "denied call"):
            assert table[(check, scope)] == "PASS"
    refused = {"S3_OWN_PREFIX", "DYNAMODB_OWN_ITEMS", "REPORTS_READ", "TENANT_FILES"} - granted
    for scope in refused:
        assert (
            table[("vendCredentials", scope)] == "PASS"
        )  # the expected refusal, ScopeForbidden or ClaimMissing
        assert ("denied call", scope) not in table
    match = PASS_LINE.search(result.stdout)
    assert match is not None
    assert match.group(2) == "0"
    assert int(match.group(1)) == len(table)
    assert_no_secret(result)


def test_a_refused_scope_is_checked_by_its_error_type(server: RunningServer) -> None:
    result = smoke(server, "alice")
    assert re.search(
        r"vendCredentials\s+REPORTS_READ\s+ScopeForbidden\s+ScopeForbidden\s+PASS", result.stdout
    )
    assert re.search(r"vendCredentials\s+TENANT_FILES\s+ClaimMissing\s+ClaimMissing\s+PASS", result.stdout)


@pytest.fixture(scope="module")
def unenforced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(Path(tmp_path_factory.mktemp("smoke-no-enforce")), "--no-enforce")
    yield running
    assert_clean_stop(running)


def test_smoke_fails_when_a_denied_call_succeeds(unenforced: RunningServer) -> None:
    result = smoke(unenforced, "alice")
    assert result.returncode == 1, result.stdout
    table = rows(result.stdout)
    assert table[("denied call", "S3_OWN_PREFIX")] == "FAIL"
    assert table[("denied call", "DYNAMODB_OWN_ITEMS")] == "FAIL"
    assert table[("allowed call", "S3_OWN_PREFIX")] == "PASS"
    assert re.search(r"denied call\s+S3_OWN_PREFIX\s+AccessDenied: .*\s+allowed\s+FAIL", result.stdout)
    assert_no_secret(result)


@pytest.fixture(scope="module")
def widened(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    workdir = Path(tmp_path_factory.mktemp("smoke-widened"))
    source = (ROOT / "resolvers" / "catalog.toml").read_text(encoding="utf-8")
    assert WIDENED[0] in source
    catalog = workdir / "catalog.toml"
    catalog.write_text(source.replace(WIDENED[0], WIDENED[1]), encoding="utf-8")
    running = start_server(workdir, "--catalog", str(catalog))
    yield running
    assert_clean_stop(running)


def test_smoke_fails_when_a_scope_is_widened(widened: RunningServer) -> None:
    # The stack now lets S3_OWN_PREFIX list every user's prefix; the smoke test holds it to the reviewed catalog.
    result = smoke(widened, "alice")
    assert result.returncode == 1, result.stdout
    table = rows(result.stdout)
    assert table[("denied call", "S3_OWN_PREFIX")] == "FAIL"
    assert table[("denied call", "DYNAMODB_OWN_ITEMS")] == "PASS"


def test_smoke_refuses_to_start_without_what_it_needs(server: RunningServer, tmp_path: Path) -> None:
    unknown = smoke(server, "mallory")
    assert unknown.returncode == 2
    assert "'mallory' is not a demo user" in unknown.stderr
    no_server = vend_cli("smoke", "--user", "alice", "--state-file", str(tmp_path / "none.json"))
    assert no_server.returncode == 2
    assert "start the local server first" in no_server.stderr
    no_region = vend_cli("smoke", "--user", "alice", "--stack", "CredentialVending-prod")
    assert no_region.returncode == 2
    assert "--region is required" in no_region.stderr
