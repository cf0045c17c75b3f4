"""Remember tokens that passed verification, so a client's next request with the same token skips the RS256 check
and the hand-off to a worker thread. Pure, no I/O: verification is injected, and so is the clock.

Only a successful verification is remembered, keyed by the exact token text: a forged, expired, foreign or
malformed token is verified in full every time, exactly as before. An entry is used only while a full verification
at this moment would still accept the token: every check but the expiry is a property of the token's text and
the pool's keys, and the expiry (``exp`` plus the verifier's leeway) is checked again on every use. An entry also
ends after ``max_age_seconds`` (the JWKS client's own cache time, five minutes), so a key the pool withdraws stops
being trusted no later than a fresh verification would notice. Bounded: the least recently used entry goes first.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Final

# How many distinct tokens are remembered: a local server has a handful of users, each with an ID and an access
# token; the bound keeps memory small whatever clients send (tokens are at most MAX_TOKEN_CHARS each).
MAX_ENTRIES: Final = 256
# PyJWKClient's cache lifespan in vend_local.jwt_verify: no longer than a fresh verification would trust a key.
MAX_AGE_SECONDS: Final = 300.0

Verify = Callable[[str | None], dict[str, Any]]


class VerifiedTokens:
    def __init__(
        self,
        verify: Verify,
        *,
        leeway_seconds: float,
        clock: Callable[[], float] = time.time,
        max_entries: int = MAX_ENTRIES,
        max_age_seconds: float = MAX_AGE_SECONDS,
    ) -> None:
        self._verify = verify
        self._leeway = leeway_seconds
        self._clock = clock
        self._max_entries = max_entries
        self._max_age = max_age_seconds
        # token -> (claims, usable until)
        self._entries: OrderedDict[str, tuple[dict[str, Any], float]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, token: str | None) -> dict[str, Any] | None:
        """The claims of a token verified before and still acceptable now, or None (then call ``verify``)."""
        if not token:
            return None
        with self._lock:
            entry = self._entries.get(token)
            if entry is None:
                return None
            claims, until = entry
            if self._clock() >= until:
                del self._entries[token]
                return None
            self._entries.move_to_end(token)
        # A copy: a caller may not change what the next request gets.
        return dict(claims)

    def verify(self, token: str | None) -> dict[str, Any]:
        """Verify in full (raises as the injected verifier does); remember the token if it is accepted."""
        verified_at = self._clock()
        claims = self._verify(token)
        if token:
            exp = claims.get("exp")
            # The verifier required a numeric exp; anything else is simply not remembered.
            if isinstance(exp, int | float) and not isinstance(exp, bool):
                until = min(float(exp) + self._leeway, verified_at + self._max_age)
                with self._lock:
                    self._entries[token] = (dict(claims), until)
                    self._entries.move_to_end(token)
                    while len(self._entries) > self._max_entries:
                        self._entries.popitem(last=False)
        return claims
