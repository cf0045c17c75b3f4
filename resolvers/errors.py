"""The one error hierarchy: stable codes and messages safe to show in a browser. Pure, no I/O.

A message here reaches the client verbatim, so it never carries an ARN, an account id, a token or AWS error
text. Details for operators go to the log through ``detail``, which is never sent to the client.
"""

from __future__ import annotations

from typing import ClassVar


class VendError(Exception):
    """A refusal with a stable code. ``str(error)`` is the browser-safe message."""

    code: ClassVar[str] = "Internal"

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        # Operator-only context (never returned to the client, never contains secrets).
        self.detail = detail


class Unauthorized(VendError):
    code = "Unauthorized"


class Revoked(VendError):
    """An operator revoked this caller (`vend revoke`): refused before any STS call, cache hits included."""

    code = "Revoked"


class ScopeNotFound(VendError):
    code = "ScopeNotFound"


class ScopeForbidden(VendError):
    code = "ScopeForbidden"


class InvalidDuration(VendError):
    code = "InvalidDuration"


class InvalidRequest(VendError):
    code = "InvalidRequest"


class ClaimMissing(VendError):
    code = "ClaimMissing"


class ClaimInvalid(VendError):
    code = "ClaimInvalid"


class PolicyTooLarge(VendError):
    code = "PolicyTooLarge"


class Throttled(VendError):
    code = "Throttled"


class UpstreamUnavailable(VendError):
    code = "UpstreamUnavailable"


class Internal(VendError):
    code = "Internal"


INTERNAL_MESSAGE = "The credential service failed unexpectedly. Try again later."

ERROR_CODES: tuple[str, ...] = tuple(
    cls.code
    for cls in (
        Unauthorized,
        Revoked,
        ScopeNotFound,
        ScopeForbidden,
        InvalidDuration,
        InvalidRequest,
        ClaimMissing,
        ClaimInvalid,
        PolicyTooLarge,
        Throttled,
        UpstreamUnavailable,
        Internal,
    )
)


class ConfigError(Exception):
    """A bad catalog or setting, found at cold start or by the catalog check. Lists every problem at once."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem(s):\n{lines}")
