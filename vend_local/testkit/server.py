"""`vend serve` as a child process for tests: on a free loopback port, with its own state file, seeded from a
given catalog, IAM enforced. Starts and stops a process and reads its output; nothing else.

A child process, not an in-process server: moto's state and the handler's settings are process-wide, and the
embedded AWS needs moto imported in a particular way. The tests' own process stays free to use moto, boto3 and
any environment it likes; one server serves the whole test session.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from vend_local.asgi_serving import READY_PREFIX
from vend_local.cmd_serve import subprocess_command
from vend_local.local_state import ServerState, read_state

READY_TIMEOUT_SECONDS: Final = 120.0
STOP_TIMEOUT_SECONDS: Final = 30.0


class ServerFailed(RuntimeError):
    """`vend serve` did not come up (the message ends with the tail of its output), or did not stop."""


@dataclass
class LocalVendServer:
    process: subprocess.Popen[str]
    state_file: Path
    url: str = ""
    _lines: list[str] = field(default_factory=list)
    _ready: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _reader: threading.Thread | None = None

    @classmethod
    def start(cls, workdir: Path, catalog: Path | None = None, *extra: str) -> LocalVendServer:
        """Start `vend serve` for ``catalog`` (the packaged example by default); return once it is ready."""
        state_file = workdir / "serve.json"
        args = [*(("--catalog", str(catalog)) if catalog is not None else ()), *extra]
        # Nothing of the caller's AWS or vend settings may leak into the embedded world.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "VEND_"))}
        env["PYTHONUNBUFFERED"] = "1"
        process = subprocess.Popen(  # noqa: S603 - this interpreter and our own module, fixed arguments
            subprocess_command(state_file, *args),
            cwd=workdir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        server = cls(process=process, state_file=state_file)
        server._reader = threading.Thread(target=server._pump, name="vend-serve-output", daemon=True)
        server._reader.start()
        if not server._ready.wait(READY_TIMEOUT_SECONDS) or not server.url:
            if process.poll() is None:
                process.kill()
            raise ServerFailed("vend serve did not become ready:\n" + server.output()[-3000:])
        return server

    @property
    def state(self) -> ServerState:
        return read_state(self.state_file)

    def output(self) -> str:
        with self._lock:
            return "".join(self._lines)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            raise ServerFailed("vend serve did not stop on SIGINT and was killed") from None
        finally:
            if self._reader is not None:
                self._reader.join(timeout=STOP_TIMEOUT_SECONDS)
            if self.process.stdout is not None:
                self.process.stdout.close()

    def _pump(self) -> None:
        for line in self.process.stdout or ():
            with self._lock:
                self._lines.append(line)
            if line.startswith(READY_PREFIX):
                self.url = line[len(READY_PREFIX) :].strip()
                self._ready.set()
        self._ready.set()  # the process ended: wake the waiter, which then sees no URL
