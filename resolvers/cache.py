"""An in-memory, per-container credential cache in front of STS. No I/O of its own; time is injected.

Keyed by the catalog version and the whole VendPlan (sub, scope, effective duration, session policy and its
hash, managed ARNs, tags, role): two requests share credentials only when STS would be asked for exactly the
same session, so one caller can never receive another's. Never persisted, never logged (IssuedCredentials
hides its secrets from repr), bounded (LRU), and concurrent identical requests make a single STS call.

``not_before`` (the revocation gate's) names, per caller, the earliest issue time the role-level deny still admits
(`vend revoke --all-issued-before`, or a lifted revocation): older entries are dropped, never served.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime, timedelta
from typing import Final

from resolvers.credentials import CredentialIssuer, IssuedCredentials, refresh_margin_seconds
from resolvers.decision import VendPlan

# Reused credentials must still leave the client a useful stretch before refreshAfter.
MIN_USEFUL_SECONDS: Final = 60


CacheKey = tuple[str, VendPlan]


class CachingIssuer:
    def __init__(
        self,
        inner: CredentialIssuer,
        *,
        clock: Callable[[], datetime],
        catalog_version: str,
        min_remaining_seconds: int,
        max_entries: int,
        not_before: Callable[[str], datetime | None] | None = None,
    ) -> None:
        self._inner = inner
        self._not_before = not_before
        self._clock = clock
        self._version = catalog_version
        self._min_remaining = min_remaining_seconds
        self._max_entries = max_entries
        self._entries: OrderedDict[CacheKey, IssuedCredentials] = OrderedDict()
        self._in_flight: dict[CacheKey, Future[IssuedCredentials]] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"CachingIssuer(entries={len(self._entries)}, max_entries={self._max_entries})"

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Forget every cached credential (SnapStart: none may enter or outlive a snapshot)."""
        with self._lock:
            self._entries.clear()

    def issue(self, plan: VendPlan) -> IssuedCredentials:
        key: CacheKey = (self._version, plan)
        # Asked before the lock: the gate may read its store.
        cutoff = self._not_before(plan.source_identity) if self._not_before is not None else None
        with self._lock:
            cached = self._fresh(key, plan, cutoff)
            if cached is not None:
                return cached
            pending = self._in_flight.get(key)
            leader = pending is None
            if pending is None:
                pending = self._in_flight[key] = Future()
        if not leader:
            # Another thread is already asking STS for exactly this session: share its answer (or error).
            return dataclasses.replace(pending.result(), cache_hit=True)
        try:
            creds = self._inner.issue(plan)
        except BaseException as exc:
            with self._lock:
                del self._in_flight[key]
            pending.set_exception(exc)
            raise
        with self._lock:
            # Stored and released under one lock, so no request can slip between and call STS again. Stored as
            # every later request will get it: marked as a cache hit.
            self._entries[key] = dataclasses.replace(creds, cache_hit=True)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
            del self._in_flight[key]
        pending.set_result(creds)
        return creds

    def _fresh(self, key: CacheKey, plan: VendPlan, cutoff: datetime | None) -> IssuedCredentials | None:
        creds = self._entries.get(key)
        if creds is None:
            return None
        # STS sets Expiration to the issue time (aws:TokenIssueTime) plus DurationSeconds.
        if cutoff is not None and creds.expiration - timedelta(seconds=plan.duration_seconds) < cutoff:
            del self._entries[key]
            return None
        # Never hand out credentials the client would be told to refresh at once.
        needed = max(self._min_remaining, refresh_margin_seconds(plan.duration_seconds) + MIN_USEFUL_SECONDS)
        if creds.expiration - self._clock() < timedelta(seconds=needed):
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return creds
