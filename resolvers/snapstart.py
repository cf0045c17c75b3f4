"""Lambda SnapStart runtime hooks: what is warmed before the snapshot, and what is made new after each restore.
No I/O of its own: the STS adapter warms its session (without credentials or a connection), and the hooks are
registered with the runtime's ``snapshot_restore_py`` where the runtime has it (Python 3.12 and later).

With SnapStart, Lambda runs the init once per published version, snapshots the memory, and resumes every new
execution environment of that version from the same snapshot. So the snapshot may hold what is the same for
every container (imports, the validated catalog, the STS model, endpoint rules) and must not hold what is secret
or must differ per container (AWS: "Handling uniqueness with Lambda SnapStart"):

- credentials: none are looked up before the snapshot (the warm-up's client is unsigned), the STS client is
  created after restore, and the credential cache is emptied on both sides;
- connections: the warm-up opens none; a client made after restore has its own pool;
- random state: ``random`` is re-seeded from the OS after restore (botocore draws retry jitter from it; every
  secret we make, such as request ids, comes from ``os.urandom`` already).
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


class Resettable(Protocol):
    def reset(self) -> None: ...


class Clearable(Protocol):
    def clear(self) -> None: ...


@dataclass(frozen=True)
class SnapStartHooks:
    # Loads the STS model and endpoint rules into the client's session; resolves no credential (sts.warm_up).
    warm: Callable[[], None]
    # The STS issuer: its client (credentials, connections) is dropped and made again on the first vend.
    issuer: Resettable
    # The per-container credential cache, when it is on.
    cache: Clearable | None
    # Anything else that holds a client or state to make anew (the revocation store and its gate).
    others: tuple[Resettable, ...] = ()

    def before_snapshot(self) -> None:
        # Nothing has been vended during the init, so there is nothing to drop; dropping anyway keeps that true.
        self._forget_credentials()
        self.warm()

    def after_restore(self) -> None:
        # A restored container starts with the snapshot's random state, the same in every container: re-seed.
        random.seed()
        self._forget_credentials()

    def _forget_credentials(self) -> None:
        self.issuer.reset()
        if self.cache is not None:
            self.cache.clear()
        for other in self.others:
            other.reset()


def register(hooks: SnapStartHooks, load: Callable[[str], Any] = importlib.import_module) -> bool:
    """Register the hooks with the Lambda runtime's ``snapshot_restore_py``; False where there is none (local use,
    Python before 3.12). Registering is harmless without SnapStart: the runtime runs the hooks only around a
    snapshot (before-snapshot hooks in reverse order of registration, after-restore hooks in order).
    """
    try:
        # In Lambda's Python runtimes from 3.12 on; the PyPI package of the same name is what they ship.
        registry = load("snapshot_restore_py")
    except ImportError:
        return False
    registry.register_before_snapshot(hooks.before_snapshot)
    registry.register_after_restore(hooks.after_restore)
    return True
