"""Issued credentials and the payload clients receive. Pure, no I/O.

The payload's field names are the AWS SDK for JavaScript v3 credential identity's (accessKeyId,
secretAccessKey, sessionToken, expiration), so a client passes them on as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Final, Protocol

if TYPE_CHECKING:
    from resolvers.decision import VendPlan

# Ask clients to refresh well before expiry: a fifth of the lifetime, and never less than five minutes.
REFRESH_MARGIN_MIN_SECONDS: Final = 300
REFRESH_MARGIN_FRACTION: Final = 5


@dataclass(frozen=True, slots=True)
class IssuedCredentials:
    access_key_id: str
    # Never in a repr, so never in a log line, a traceback or an assertion message.
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)
    expiration: datetime
    packed_policy_size: int | None
    # True when served from the per-container cache instead of a fresh AssumeRole.
    cache_hit: bool = False


class CredentialIssuer(Protocol):
    """Whatever turns a VendPlan into credentials: the STS adapter, or the cache in front of it."""

    def issue(self, plan: VendPlan) -> IssuedCredentials: ...


def aws_datetime(moment: datetime) -> str:
    """AppSync's AWSDateTime: ISO-8601 in UTC with a 'Z' designator."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def refresh_margin_seconds(duration_seconds: int) -> int:
    return max(REFRESH_MARGIN_MIN_SECONDS, duration_seconds // REFRESH_MARGIN_FRACTION)


def refresh_after(expiration: datetime, duration_seconds: int) -> datetime:
    return expiration - timedelta(seconds=refresh_margin_seconds(duration_seconds))


def credentials_payload(
    creds: IssuedCredentials, *, scope: str, region: str, duration_seconds: int
) -> dict[str, str]:
    return {
        "accessKeyId": creds.access_key_id,
        "secretAccessKey": creds.secret_access_key,
        "sessionToken": creds.session_token,
        "expiration": aws_datetime(creds.expiration),
        "refreshAfter": aws_datetime(refresh_after(creds.expiration, duration_seconds)),
        "scope": scope,
        "region": region,
    }
