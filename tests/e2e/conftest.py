"""Start `vend serve` as a subprocess, over real HTTP, once per test session; stop it with SIGINT.

One server per process is a property of the design (moto's state and the handler's settings are process-wide),
so each server is its own process: two in one run share nothing, which test_isolation proves.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import pytest

from tests import support
from tests.secret_scan import find_leaks
from vend_local.testkit.server import LocalVendServer, ServerFailed

ROOT: Final = Path(__file__).resolve().parents[2]
CORS_ORIGIN: Final = "http://localhost:5173"
# Generous: the machine is shared. Waiting for a condition, never asserting on time.
READY_TIMEOUT_SECONDS: Final = 120.0


@dataclass
class RunningServer(LocalVendServer):
    """The test kit's `vend serve` child process, with what the log scan needs."""

    # Every token and credential secret handed out by this server, for the log scan.
    secrets: set[str] = field(default_factory=set)

    def stop(self, sig: int = signal.SIGINT) -> int:
        try:
            return super().stop(sig)
        except ServerFailed as exc:
            pytest.fail(str(exc))
        finally:
            # The session-wide scan (tests/conftest.py) reads every server's output for every secret it issued.
            support.SCANNED_TEXTS.append(self.output())
            support.ISSUED_SECRETS.update(self.secrets)


def start_server(workdir: Path, *extra: str, env: Mapping[str, str] | None = None) -> RunningServer:
    """`vend serve` on a free port with its own state file; returns once it printed its ready line.

    ``env`` adds variables after the caller's AWS_*/VEND_* are stripped (for example VEND_CACHE_ENABLED).
    """
    try:
        return RunningServer.start(workdir, *extra, env=env, cwd=ROOT, timeout=READY_TIMEOUT_SECONDS)
    except ServerFailed as exc:
        pytest.fail(str(exc))


def assert_clean_stop(server: RunningServer, sig: int = signal.SIGINT) -> None:
    code = server.stop(sig)
    assert code == 0, server.output()[-2000:]
    assert "vend serve: stopped." in server.output()
    assert not server.state_file.exists(), "the state file outlived the server"
    leaks = find_leaks(server.output().splitlines(), server.secrets)
    assert not leaks, leaks


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("serve"), "--cors-origin", CORS_ORIGIN)
    yield running
    assert_clean_stop(running)
