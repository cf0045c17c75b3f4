"""The running server's state file, which `vend token`, `vend smoke` and `vend revoke` read to find it. Reads and
writes one file (mode 0600) under a self-ignoring directory; holds endpoints, ids and the local-only demo passwords.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

DEFAULT_STATE_FILE: Final = Path(".vend-local") / "serve.json"


class StateError(Exception):
    """No usable state file: the message says what to run."""


@dataclass(frozen=True)
class DemoLogin:
    username: str
    sub: str
    groups: list[str]
    tenant: str | None
    password: str = field(repr=False)


@dataclass(frozen=True)
class ServerState:
    pid: int
    mode: str
    graphql_url: str
    host: str
    port: int
    region: str
    user_pool_id: str
    app_client_id: str
    issuer: str
    aws_endpoint: str | None
    # The {{bucket}} and {{table_arn}} the handler fills in, for clients such as the example page.
    bucket: str | None
    table_arn: str | None
    users: list[DemoLogin]
    # Where `vend revoke` writes (the embedded AWS only; None with --aws).
    revocation_table: str | None = None
    revocation_policy_arn: str | None = None

    def user(self, username: str) -> DemoLogin | None:
        return next((u for u in self.users if u.username == username), None)


def write_state(path: Path, state: ServerState) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    ignore = path.parent / ".gitignore"
    if not ignore.exists():
        # The directory ignores itself, so the demo state never lands in a commit.
        ignore.write_text("*\n", encoding="utf-8")
    data = asdict(state)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=2, sort_keys=True)


def read_state(path: Path) -> ServerState:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        users = [DemoLogin(**u) for u in data.pop("users")]
        return ServerState(users=users, **data)
    except FileNotFoundError:
        raise StateError(
            f"{path} not found: start the local server first (`make serve` or `vend serve`)."
        ) from None
    except (OSError, ValueError, TypeError, KeyError):
        raise StateError(f"{path} is not a state file written by `vend serve`; restart the server.") from None


def remove_state(path: Path, pid: int) -> None:
    """Remove the file if it is still this process's (another server may have taken the path since)."""
    try:
        if read_state(path).pid == pid:
            path.unlink()
    except (StateError, OSError):
        pass
