"""Revocations as the resolver sees them, and the gate that refuses a revoked caller. Pure: the store is reached
only through an injected ``fetch``, time through injected clocks.

The store (a DynamoDB table the stack creates, written by `vend revoke`) holds, under one partition key, the
records this module reads; the audit trail lives under another partition the resolver may not read:

- ``sub#<sub>``: the caller is revoked. Every vend and `scopes` of theirs is refused with ``Revoked``.
- ``lifted#<sub>``: the caller's revocation was lifted at ``moment``. Credentials issued to them before it are
  denied by the role-level deny, so the credential cache must not serve them.
- ``issued-before``: every session issued before ``moment`` is denied by the role-level deny; the cache must not
  serve one either.

Each record may carry ``expiresAt`` (epoch seconds, the table's TTL attribute). DynamoDB deletes expired items
only eventually (typically within days), so a record whose ``expiresAt`` has passed is not in force here.

The gate keeps one snapshot of the whole partition per container for ``ttl_seconds``: a revocation takes effect
at the first vend after the snapshot ages out, so within ``ttl_seconds`` plus one bounded lookup. When the store
cannot be read, it fails closed: nobody is vended (``UpstreamUnavailable`` or ``Throttled``, both retryable, so
clients keep the credentials they hold) until a lookup succeeds; a failure is remembered for
``failure_backoff_seconds`` so an outage is not hammered by every request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Protocol

from resolvers.errors import Internal, Revoked, Throttled, UpstreamUnavailable, VendError

# The store's layout, shared with the operator CLI that writes it (vend_local/revocation/).
PARTITION_KEY: Final = "pk"
SORT_KEY: Final = "sk"
REVOCATIONS: Final = "revocation"  # the partition the resolver reads
AUDIT: Final = "audit"  # the audit trail: written by the CLI, never read by the resolver
SUB_PREFIX: Final = "sub#"
LIFTED_PREFIX: Final = "lifted#"
ISSUED_BEFORE: Final = "issued-before"
MOMENT: Final = "moment"  # epoch seconds: when revoked, when lifted, or the issued-before time
EXPIRES_AT: Final = "expiresAt"  # epoch seconds, the table's TTL attribute

FAILURE_BACKOFF_SECONDS: Final = 1.0

REVOKED_MESSAGE: Final = "Your access has been revoked. Contact your administrator."
UNAVAILABLE_MESSAGE: Final = "The credential service cannot check access right now. Retry shortly."
THROTTLED_MESSAGE: Final = "Too many credential requests right now. Retry in a few seconds."


@dataclass(frozen=True, slots=True)
class Entry:
    moment: datetime
    expires: datetime | None  # None: no expiry, in force until an operator removes it

    def in_force(self, now: datetime) -> bool:
        return self.expires is None or now < self.expires


@dataclass(frozen=True, slots=True)
class RevocationSet:
    revoked: Mapping[str, Entry] = field(default_factory=dict)
    lifted: Mapping[str, Entry] = field(default_factory=dict)
    issued_before: Entry | None = None

    def is_revoked(self, sub: str, now: datetime) -> bool:
        entry = self.revoked.get(sub)
        return entry is not None and entry.in_force(now)

    def not_before(self, sub: str, now: datetime) -> datetime | None:
        """The earliest issue time of credentials of ``sub`` that the role-level deny still admits."""
        moments = [
            e.moment for e in (self.issued_before, self.lifted.get(sub)) if e is not None and e.in_force(now)
        ]
        return max(moments, default=None)


class StoreFormatError(ValueError):
    """A record the resolver cannot read: which one and why (never a value that could be a secret)."""


def revocations_from_items(items: Iterable[Mapping[str, Any]]) -> RevocationSet:
    """Records of the revocation partition, in DynamoDB's attribute-value form, as a RevocationSet.

    Unknown record kinds are ignored (a newer CLI may write kinds this resolver does not know). A record of a
    known kind that cannot be read is an error: the gate fails closed rather than guess what it revoked.
    """
    revoked: dict[str, Entry] = {}
    lifted: dict[str, Entry] = {}
    issued_before: Entry | None = None
    for item in items:
        key = _string(item, SORT_KEY)
        if key.startswith(SUB_PREFIX):
            revoked[key.removeprefix(SUB_PREFIX)] = _entry(item, key)
        elif key.startswith(LIFTED_PREFIX):
            lifted[key.removeprefix(LIFTED_PREFIX)] = _entry(item, key)
        elif key == ISSUED_BEFORE:
            issued_before = _entry(item, key)
    return RevocationSet(revoked=revoked, lifted=lifted, issued_before=issued_before)


def _string(item: Mapping[str, Any], name: str) -> str:
    value = item.get(name)
    if not isinstance(value, Mapping) or not isinstance(value.get("S"), str):
        raise StoreFormatError(f"a record without a string {name!r}")
    text: str = value["S"]
    return text


def _epoch(item: Mapping[str, Any], name: str, key: str) -> datetime | None:
    value = item.get(name)
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(int(value["N"]), UTC)
    except (TypeError, KeyError, ValueError, OverflowError, OSError):
        raise StoreFormatError(f"record {key!r}: {name!r} is not epoch seconds") from None


def _entry(item: Mapping[str, Any], key: str) -> Entry:
    moment = _epoch(item, MOMENT, key)
    if moment is None:
        raise StoreFormatError(f"record {key!r} has no {MOMENT!r}")
    return Entry(moment=moment, expires=_epoch(item, EXPIRES_AT, key))


class RevocationGate(Protocol):
    """What the vend service and the credential cache ask: may this caller be served, and from which moment."""

    def check(self, sub: str) -> None:
        """Raise ``Revoked`` for a revoked caller, or a retryable error when that cannot be known now."""

    def not_before(self, sub: str) -> datetime | None:
        """Credentials of ``sub`` issued before this moment must not be served (None: any)."""


class RevocationCheck:
    """The per-container gate: one snapshot of the store, refreshed at most every ``ttl_seconds``."""

    def __init__(
        self,
        fetch: Callable[[], RevocationSet],
        *,
        ttl_seconds: float,
        clock: Callable[[], datetime],
        monotonic: Callable[[], float] = time.monotonic,
        failure_backoff_seconds: float = FAILURE_BACKOFF_SECONDS,
    ) -> None:
        self._fetch = fetch
        self._ttl = ttl_seconds
        self._clock = clock
        self._monotonic = monotonic
        self._backoff = failure_backoff_seconds
        self._lock = threading.Lock()
        self._snapshot: RevocationSet | None = None
        self._fetched_at = 0.0
        self._failure: VendError | None = None
        self._failed_at = 0.0

    def __repr__(self) -> str:
        return f"RevocationCheck(ttl_seconds={self._ttl}, fresh={self._snapshot is not None})"

    def reset(self) -> None:
        """Forget the snapshot and any remembered failure: the next request reads the store (SnapStart)."""
        with self._lock:
            self._snapshot, self._failure = None, None

    def check(self, sub: str) -> None:
        if self._current().is_revoked(sub, self._clock()):
            raise Revoked(REVOKED_MESSAGE, detail="revoked by an operator (vend revoke)")

    def not_before(self, sub: str) -> datetime | None:
        # Asked right after check() by the credential cache: the snapshot that check just used, not another
        # lookup (with a TTL of 0 every vend would read the store twice).
        with self._lock:
            snapshot = self._snapshot
        return (snapshot or self._current()).not_before(sub, self._clock())

    def _current(self) -> RevocationSet:
        with self._lock:
            started = self._monotonic()
            if self._snapshot is not None and started - self._fetched_at < self._ttl:
                return self._snapshot
            if self._failure is not None and started - self._failed_at < self._backoff:
                raise _again(self._failure)
            try:
                snapshot = self._fetch()
            except StoreFormatError as exc:
                self._failure, self._failed_at = Internal(UNAVAILABLE_MESSAGE, detail=str(exc)), started
                raise _again(self._failure) from None
            except VendError as exc:
                self._failure, self._failed_at = exc, started
                raise
            # Stale from the moment the lookup started, not ended: what it read is at least that new.
            self._snapshot, self._fetched_at, self._failure = snapshot, started, None
            return snapshot


def _again(error: VendError) -> VendError:
    """A fresh exception of the same kind: one instance raised again and again would grow its traceback."""
    return type(error)(error.message, detail=error.detail)


def store_unavailable(detail: str) -> UpstreamUnavailable:
    return UpstreamUnavailable(UNAVAILABLE_MESSAGE, detail=f"revocation store: {detail}")


def store_throttled(detail: str) -> Throttled:
    return Throttled(THROTTLED_MESSAGE, detail=f"revocation store: {detail}")
