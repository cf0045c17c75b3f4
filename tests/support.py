"""Shared test data and injected fakes: one caller, one deployment, a fake STS issuer. No I/O."""

from __future__ import annotations

import copy
import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from resolvers.audit import AuditRecord
from resolvers.catalog import load_catalog
from resolvers.catalog_model import Catalog
from resolvers.credentials import IssuedCredentials
from resolvers.decision import VendPlan
from resolvers.identity import Caller, caller_from_identity
from resolvers.revocation import RevocationSet
from resolvers.service import VendService
from resolvers.settings import Settings, load_settings

EVENTS: Final = Path(__file__).with_name("events")
GOLDEN: Final = Path(__file__).with_name("golden")

SUB: Final = "11111111-2222-4333-8444-555555555555"
OTHER_SUB: Final = "99999999-8888-4777-8666-555555555555"
REGION: Final = "eu-west-1"
ACCOUNT: Final = "123456789012"
POOL_ID: Final = "eu-west-1_Example1"
ISSUER: Final = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}"
CLIENT_ID: Final = "exampleclientid0123456789a"
BUCKET: Final = "vend-example-uploads"
TABLE_ARN: Final = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/vend-example-items"
ROLE_ARNS: Final = {
    "uploads": f"arn:aws:iam::{ACCOUNT}:role/vend-uploads",
    "data": f"arn:aws:iam::{ACCOUNT}:role/vend-data",
}

ENV: Final = {
    "AWS_REGION": REGION,
    "VEND_USER_POOL_ISSUER": ISSUER,
    "VEND_APP_CLIENT_IDS": CLIENT_ID,
    "VEND_ROLE_ARNS": json.dumps(ROLE_ARNS),
    "VEND_BUCKET": BUCKET,
    "VEND_TABLE_ARN": TABLE_ARN,
    "VEND_ACCOUNT_ID": ACCOUNT,
}

# Every secret the suite hands out; the log scan in conftest fails the run if one reaches a log line.
ISSUED_SECRETS: set[str] = set()
# Other text the session scan reads: local servers' whole output and every HTTP error body tests receive.
SCANNED_TEXTS: list[str] = []


def settings(**overrides: str) -> Settings:
    return load_settings({**ENV, **overrides})


def catalog() -> Catalog:
    return load_catalog()


def load_event(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    return event


def identity(**claims: Any) -> dict[str, Any]:
    """A Cognito access-token identity from the example pool; ``claims`` override token claims."""
    event = load_event("cognito_access_token")
    ident: dict[str, Any] = copy.deepcopy(event["identity"])
    ident["claims"].update(claims)
    ident["groups"] = ident["claims"].get("cognito:groups")
    return ident


def caller(groups: list[str] | None = None, **claims: Any) -> Caller:
    return caller_with_claims(groups, claims)


def caller_with_claims(groups: list[str] | None, claims: Mapping[str, Any]) -> Caller:
    """As ``caller``, for claim names that are not Python identifiers or that collide with ``groups``."""
    ident = identity(**claims)
    ident["groups"] = groups
    ident["sub"] = ident["claims"]["sub"]
    return caller_from_identity(ident, issuer=ISSUER, client_ids=frozenset({CLIENT_ID}))


def fake_credentials(now: datetime, duration: int) -> IssuedCredentials:
    creds = IssuedCredentials(
        access_key_id="ASIA" + secrets.token_hex(8).upper(),
        secret_access_key=secrets.token_urlsafe(30),
        session_token="FwoG" + secrets.token_urlsafe(120),
        expiration=now + timedelta(seconds=duration),
        packed_policy_size=7,
    )
    ISSUED_SECRETS.update({creds.secret_access_key, creds.session_token})
    return creds


@dataclass
class FakeIssuer:
    """Stands in for STS: records each plan and issues credentials that expire after the plan's duration."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 29, 12, 0, tzinfo=UTC))
    plans: list[VendPlan] = field(default_factory=list)
    error: Exception | None = None

    def issue(self, plan: VendPlan) -> IssuedCredentials:
        self.plans.append(plan)
        if self.error is not None:
            raise self.error
        return fake_credentials(self.now, plan.duration_seconds)


@dataclass
class FakeRevocationStore:
    """Stands in for the revocation store: what ``fetch`` answers next (or raises), and how often it was asked."""

    answer: RevocationSet = field(default_factory=RevocationSet)
    error: Exception | None = None
    calls: int = 0

    def fetch(self) -> RevocationSet:
        self.calls += 1
        if self.error is not None:
            raise self.error
        return self.answer


class LogLines(logging.Handler):
    """Keeps the LogRecords a logger emits, extras included, for assertions on audit lines."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class RecordingTelemetry:
    records: list[AuditRecord] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def decision(self, record: AuditRecord) -> None:
        self.records.append(record)

    def failure(self, message: str) -> None:
        self.failures.append(message)


def service(issuer: FakeIssuer | None = None) -> tuple[VendService, FakeIssuer, RecordingTelemetry]:
    issuer = issuer or FakeIssuer()
    telemetry = RecordingTelemetry()
    return (
        VendService(catalog=catalog(), settings=settings(), issuer=issuer, telemetry=telemetry),
        issuer,
        telemetry,
    )
