"""The audit record: one per vend decision, granted or refused. Pure, no I/O.

It names who asked for what and what they got, never a secret: no secret key, session token or JWT.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Final, Literal

Decision = Literal["granted", "refused"]


@dataclass(slots=True)
class AuditRecord:
    request_id: str
    catalog_version: str
    decision: Decision = "refused"
    code: str = "Internal"
    sub: str | None = None
    scope: str | None = None
    session_name: str | None = None
    duration_seconds: int | None = None
    policy_hash: str | None = None
    plaintext_used: int | None = None
    packed_policy_size: int | None = None
    access_key_id: str | None = None
    sts_latency_ms: float | None = None
    cache_hit: bool = False
    detail: str = ""

    def fields(self) -> dict[str, Any]:
        # Flat values only, so no deep copy (dataclasses.asdict) on the hot path.
        values = ((name, getattr(self, name)) for name in _FIELD_NAMES)
        return {k: v for k, v in values if v is not None and v != ""}


_FIELD_NAMES: Final = tuple(f.name for f in fields(AuditRecord))
