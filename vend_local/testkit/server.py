"""`vend serve` as a child process for tests: on a free loopback port, with its own state file, seeded from a
given catalog, IAM enforced. Starts and stops a process and reads its output; nothing else.

A child process, not an in-process server: moto's state and the handler's settings are process-wide, and the
embedded AWS needs moto imported in a particular way. The tests' own process stays free to use moto, boto3 and
any environment it likes; one server serves the whole test session. This repository's e2e suite runs its
servers with the same class.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Self

from vend_local.asgi_serving import READY_PREFIX
from vend_local.cmd_serve import subprocess_command
from vend_local.local_state import ServerState, read_state

READY_TIMEOUT_SECONDS: Final = 120.0
STOP_TIMEOUT_SECONDS: Final = 30.0


class ServerFailed(AssertionError):
    """`vend serve` did not come up (the message ends with the tail of its output), or did not stop."""


@dataclass
class LocalVendServer:
    process: subprocess.Popen[str]
    state_file: Path
    url: str = ""
    lines: list[str] = field(default_factory=list)  # read under ``changed``
    changed: threading.Condition = field(default_factory=threading.Condition)
    ready: threading.Event = field(default_factory=threading.Event)
    reader: threading.Thread | None = None

    @classmethod
    def start(
        cls,
        workdir: Path,
        *args: str,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        timeout: float = READY_TIMEOUT_SECONDS,
    ) -> Self:
        """`vend serve ARGS` with its state file in ``workdir``; returns once it printed its ready line.

        ``env`` adds variables after the caller's AWS_*/VEND_* are stripped: nothing of the test process's own
        AWS settings may leak into the embedded world.
        """
        state_file = workdir / "serve.json"
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "VEND_"))}
        environment |= {**(env or {}), "PYTHONUNBUFFERED": "1"}
        process = subprocess.Popen(  # noqa: S603 - this interpreter and our own module, fixed arguments
            subprocess_command(state_file, *args),
            cwd=cwd or workdir,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        server = cls(process=process, state_file=state_file)
        server.reader = threading.Thread(target=server._pump, name="vend-serve-output", daemon=True)
        server.reader.start()
        if not server.ready.wait(timeout) or not server.url:
            if process.poll() is None:
                process.kill()
            raise ServerFailed("vend serve did not become ready:\n" + server.output()[-4000:])
        return server

    @property
    def state(self) -> ServerState:
        return read_state(self.state_file)

    def output(self) -> str:
        with self.changed:
            return "".join(self.lines)

    def wait_for_line(
        self, predicate: Callable[[str], bool], *, start: int = 0, timeout: float = 60.0
    ) -> str:
        """The first output line from index ``start`` that satisfies ``predicate``; fails if none comes."""
        with self.changed:
            found = self.changed.wait_for(
                lambda: any(predicate(line) for line in self.lines[start:]), timeout
            )
            if not found:
                raise ServerFailed(
                    "the server never printed the expected line:\n" + "".join(self.lines[-30:])
                )
            return next(line for line in self.lines[start:] if predicate(line))

    def stop(self, sig: int = signal.SIGINT) -> int:
        """Signal the server and wait for it; its exit code. Killed, and ServerFailed, if it does not stop."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            raise ServerFailed(
                f"vend serve did not stop on {signal.Signals(sig).name} and was killed"
            ) from None
        finally:
            if self.reader is not None:
                self.reader.join(timeout=STOP_TIMEOUT_SECONDS)
            if self.process.stdout is not None:
                self.process.stdout.close()

    def _pump(self) -> None:
        for line in self.process.stdout or ():
            with self.changed:
                self.lines.append(line)
                if line.startswith(READY_PREFIX):
                    self.url = line[len(READY_PREFIX) :].strip()
                    self.ready.set()
                self.changed.notify_all()
        with self.changed:
            self.changed.notify_all()
        self.ready.set()  # the process ended: wake the waiter, which then sees no URL
