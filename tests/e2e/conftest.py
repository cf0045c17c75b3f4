"""Start `vend serve` as a subprocess, over real HTTP, once per test session; stop it with SIGINT.

One server per process is a property of the design (moto's state and the handler's settings are process-wide),
so each server is its own process: two in one run share nothing, which test_isolation proves.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pytest

from tests import support
from tests.secret_scan import find_leaks
from vend_local.asgi_serving import READY_PREFIX
from vend_local.cmd_serve import subprocess_command
from vend_local.local_state import ServerState, read_state

ROOT: Final = Path(__file__).resolve().parents[2]
CORS_ORIGIN: Final = "http://localhost:5173"
# Generous: the machine is shared. Waiting for a condition, never asserting on time.
READY_TIMEOUT_SECONDS: Final = 120.0
STOP_TIMEOUT_SECONDS: Final = 30.0


@dataclass
class RunningServer:
    process: subprocess.Popen[str]
    state_file: Path
    url: str = ""
    lines: list[str] = field(default_factory=list)
    ready: threading.Event = field(default_factory=threading.Event)
    changed: threading.Condition = field(default_factory=threading.Condition)
    # Every token and credential secret handed out by this server, for the log scan.
    secrets: set[str] = field(default_factory=set)
    reader: threading.Thread | None = None

    @property
    def state(self) -> ServerState:
        return read_state(self.state_file)

    def output(self) -> str:
        with self.changed:
            return "".join(self.lines)

    def wait_for_line(self, predicate: Any, *, start: int = 0, timeout: float = 60.0) -> str:
        """The first output line from index ``start`` that satisfies ``predicate``; fails if none comes."""
        with self.changed:
            found = self.changed.wait_for(
                lambda: any(predicate(line) for line in self.lines[start:]), timeout=timeout
            )
            assert found, "the server never printed the expected line:\n" + "".join(self.lines[-30:])
            return next(line for line in self.lines[start:] if predicate(line))

    def stop(self, sig: int = signal.SIGINT) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            pytest.fail("the server did not stop on " + signal.Signals(sig).name)
        finally:
            if self.reader is not None:
                self.reader.join(timeout=STOP_TIMEOUT_SECONDS)
            if self.process.stdout is not None:
                self.process.stdout.close()
            # The session-wide scan (tests/conftest.py) reads every server's output for every secret it issued.
            support.SCANNED_TEXTS.append(self.output())
            support.ISSUED_SECRETS.update(self.secrets)


def _pump(server: RunningServer) -> None:
    assert server.process.stdout is not None
    for line in server.process.stdout:
        with server.changed:
            server.lines.append(line)
            if line.startswith(READY_PREFIX):
                server.url = line[len(READY_PREFIX) :].strip()
                server.ready.set()
            server.changed.notify_all()
    with server.changed:
        server.changed.notify_all()
    server.ready.set()  # the process ended: wake the waiter, which then sees no URL


def start_server(workdir: Path, *extra: str, env: Mapping[str, str] | None = None) -> RunningServer:
    """`vend serve` on a free port with its own state file; returns once it printed its ready line.

    ``env`` adds variables after the caller's AWS_*/VEND_* are stripped (for example VEND_CACHE_ENABLED).
    """
    state_file = workdir / "serve.json"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "VEND_"))}, **(env or {})}
    env["PYTHONUNBUFFERED"] = "1"
    process = subprocess.Popen(  # noqa: S603 - our own console command, fixed arguments
        subprocess_command(state_file, *extra),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = RunningServer(process=process, state_file=state_file)
    server.reader = threading.Thread(target=_pump, args=(server,), daemon=True)
    server.reader.start()
    if not server.ready.wait(READY_TIMEOUT_SECONDS) or not server.url:
        if process.poll() is None:
            server.stop(signal.SIGKILL)
        pytest.fail("vend serve did not become ready:\n" + server.output()[-4000:])
    return server


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
