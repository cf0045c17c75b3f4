"""The session registry: what each AssumeRole served by the embedded AWS asked for, keyed by the access key id it
issued. In memory, thread-safe, no I/O.

moto.sts keeps a session's secret, token, expiration and inline session policy, but not its session tags,
SourceIdentity or managed session policies (PolicyArns); IAM needs all of them to authorise the session's
requests. The middleware records them here from the AssumeRole request and moto's answer.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

from vend_local.iam.sts_requests import AssumeRoleCall


@dataclass(frozen=True, slots=True)
class SessionRecord:
    access_key_id: str
    account: str
    role_arn: str
    session_name: str
    tags: tuple[tuple[str, str], ...]  # session tags, transitive ones from a chaining caller included
    transitive_tag_keys: tuple[str, ...]
    source_identity: str | None
    policy_arns: tuple[str, ...]
    policy: str | None  # the inline session policy, as moto keeps it
    issued_at: datetime
    expiration: datetime
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)


def chained(
    call: AssumeRoleCall, caller: SessionRecord | None
) -> tuple[tuple[tuple[str, str], ...], str | None]:
    """Tags and SourceIdentity of a new session; in role chaining the caller's transitive tags and its source
    identity carry over (IAM: a source identity, once set, stays for every chained session)."""
    if caller is None:
        return call.tags, call.source_identity
    carried = {k: v for k, v in caller.tags if k.lower() in {t.lower() for t in caller.transitive_tag_keys}}
    tags = {**dict(call.tags), **carried}
    return tuple(tags.items()), caller.source_identity or call.source_identity


class SessionRegistry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, SessionRecord] = {}

    def record(self, session: SessionRecord) -> None:
        with self._lock:
            self._sessions[session.access_key_id] = session

    def get(self, access_key_id: str) -> SessionRecord | None:
        return self._sessions.get(access_key_id)

    def clear(self) -> None:
        """moto was reset: the sessions it issued are gone."""
        with self._lock:
            self._sessions.clear()

    def __len__(self) -> int:
        return len(self._sessions)
