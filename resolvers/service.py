"""The vend use case: identity -> decision -> credentials, as an envelope for the AppSync JS resolver.

Pure orchestration: AWS is reached only through the injected CredentialIssuer and RevocationGate, time through
``monotonic``. Every outcome is an envelope, ``{"data": ...}`` or ``{"error": {"type", "message"}}``, and every
vend decision is audited exactly once. A revoked caller is refused as soon as they are identified: before the
scope is planned, before the credential cache or STS is asked.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from resolvers.audit import AuditRecord
from resolvers.catalog_model import Catalog
from resolvers.credentials import CredentialIssuer, credentials_payload
from resolvers.decision import Availability, plan_vend, scope_availability
from resolvers.errors import INTERNAL_MESSAGE, Internal, VendError
from resolvers.identity import Caller, caller_from_identity
from resolvers.revocation import RevocationGate
from resolvers.settings import Settings
from resolvers.telemetry import Telemetry

Envelope = dict[str, Any]


def error_envelope(error: VendError) -> Envelope:
    return {"error": {"type": error.code, "message": error.message}}


def internal_envelope() -> Envelope:
    return error_envelope(Internal(INTERNAL_MESSAGE))


def scope_info(availability: Availability) -> dict[str, Any]:
    """One entry of the `scopes` answer (GraphQL type ScopeInfo)."""
    scope = availability.scope
    return {
        "name": scope.name,
        "description": scope.description,
        "maxDurationSeconds": scope.max_duration_seconds,
        "available": availability.available,
        "unavailableReason": availability.reason,
        "unavailableMessage": availability.message,
    }


@dataclass(frozen=True)
class VendService:
    catalog: Catalog
    settings: Settings
    issuer: CredentialIssuer
    telemetry: Telemetry
    monotonic: Callable[[], float] = field(default=time.perf_counter)
    # None: no revocation lookup (a deployment without a revocation store).
    revocations: RevocationGate | None = None

    def caller(self, identity: object) -> Caller:
        return caller_from_identity(
            identity, issuer=self.settings.issuer, client_ids=self.settings.client_ids
        )

    def refuse_if_revoked(self, caller: Caller) -> None:
        """``Revoked`` if an operator revoked the caller; a retryable error if that cannot be known now."""
        if self.revocations is not None:
            self.revocations.check(caller.sub)

    def scopes(self, identity: object) -> Envelope:
        # A revoked caller gets Revoked for the whole answer, as vendCredentials would answer every scope.
        try:
            caller = self.caller(identity)
            self.refuse_if_revoked(caller)
        except VendError as error:
            return error_envelope(error)
        except Exception:  # noqa: BLE001 - the contract is an envelope, never a raise; details go to the log
            self.telemetry.failure("scopes failed unexpectedly")
            return internal_envelope()
        return {"data": [scope_info(a) for a in scope_availability(caller, self.catalog)]}

    def vend(self, identity: object, arguments: Mapping[str, object], request_id: str) -> Envelope:
        record = AuditRecord(request_id=request_id, catalog_version=self.catalog.version)
        requested = arguments.get("scope")
        # Only a catalog name is logged as the scope: the argument itself is caller-controlled text.
        record.scope = requested if isinstance(requested, str) and requested in self.catalog.scopes else None
        try:
            caller = self.caller(identity)
            record.sub = caller.sub
            self.refuse_if_revoked(caller)
            plan = plan_vend(
                caller,
                requested,
                arguments.get("durationSeconds"),
                catalog=self.catalog,
                settings=self.settings,
            )
            record.session_name = plan.session_name
            record.duration_seconds = plan.duration_seconds
            record.policy_hash = plan.policy_hash
            record.plaintext_used = plan.plaintext_used
            started = self.monotonic()
            try:
                creds = self.issuer.issue(plan)
            finally:
                record.sts_latency_ms = round((self.monotonic() - started) * 1000, 3)
        except VendError as error:
            record.code, record.detail = error.code, error.detail
            self.telemetry.decision(record)
            return error_envelope(error)
        except Exception:  # noqa: BLE001 - the contract is an envelope, never a raise; details go to the log
            self.telemetry.failure("vend failed unexpectedly")
            self.telemetry.decision(record)
            return internal_envelope()
        record.decision, record.code = "granted", "Granted"
        record.cache_hit = creds.cache_hit
        if creds.cache_hit:
            record.sts_latency_ms = None  # STS was not called; keep the latency metric about STS only
        record.access_key_id = creds.access_key_id
        record.packed_policy_size = creds.packed_policy_size
        self.telemetry.decision(record)
        return {
            "data": credentials_payload(
                creds, scope=plan.scope, region=self.settings.region, duration_seconds=plan.duration_seconds
            )
        }
