"""Shared adversarial plumbing: AppSync events through the real resolver to envelopes, and what to check
on every refusal. Pure, no I/O (the HTTP stubs live in ``sts_stub``)."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any, Final

from resolvers.errors import ERROR_CODES
from resolvers.resolver import build_resolver, dispatch
from resolvers.service import Envelope, VendService
from tests import support

# Text that must never reach a browser: ARNs, the account id, the role names, AWS's own phrasing.
NEVER_IN_A_MESSAGE: Final = (
    "arn:",
    support.ACCOUNT,
    "vend-uploads",
    "vend-data",
    "amazonaws.com",
    "not authorized",
    "User:",
    "eyJ",
)

ID_TOKEN: Final = "cognito_id_token"
ACCESS_TOKEN: Final = "cognito_access_token"


@dataclass
class Context:
    aws_request_id: str = "req-security"


@dataclass
class Outcome:
    envelope: Envelope
    issuer: support.FakeIssuer
    telemetry: support.RecordingTelemetry


def event(fixture: str = ACCESS_TOKEN, **arguments: Any) -> dict[str, Any]:
    """A fixture event whose arguments are replaced by ``arguments`` (when any are given)."""
    ev = copy.deepcopy(support.load_event(fixture))
    if arguments:
        ev["arguments"] = dict(arguments)
    return ev


def run(ev: object, issuer: support.FakeIssuer | None = None, svc: VendService | None = None) -> Outcome:
    """One AppSync event through build_resolver + dispatch, the Lambda's own path, with a fake STS."""
    if svc is None:
        svc, issuer, telemetry = support.service(issuer)
    else:
        assert isinstance(svc.issuer, support.FakeIssuer)
        assert isinstance(svc.telemetry, support.RecordingTelemetry)
        issuer, telemetry = svc.issuer, svc.telemetry
    envelope = dispatch(build_resolver(svc), ev, Context(), telemetry)
    return Outcome(envelope, issuer, telemetry)


def assert_refused(outcome: Outcome, code: str) -> None:
    """Refused with ``code``, a browser-safe message, nothing sent to STS, and one audit record."""
    envelope = outcome.envelope
    assert set(envelope) == {"error"}, envelope
    assert set(envelope["error"]) == {"type", "message"}
    assert envelope["error"]["type"] == code
    assert code in ERROR_CODES
    assert_browser_safe(envelope["error"]["message"])
    assert outcome.issuer.plans == [], "a refused request reached STS"


def assert_audited(outcome: Outcome, code: str) -> None:
    (record,) = outcome.telemetry.records
    assert (record.decision, record.code) == ("refused", code)
    assert record.access_key_id is None


def assert_browser_safe(message: object) -> None:
    assert isinstance(message, str)
    assert message
    for forbidden in NEVER_IN_A_MESSAGE:
        assert forbidden not in message, f"{forbidden!r} in a client-visible message"


def assert_granted(outcome: Outcome, scope: str) -> dict[str, Any]:
    envelope = outcome.envelope
    assert set(envelope) == {"data"}, envelope
    data: dict[str, Any] = envelope["data"]
    assert data["scope"] == scope
    (plan,) = outcome.issuer.plans
    assert plan.scope == scope
    (record,) = outcome.telemetry.records
    assert (record.decision, record.code) == ("granted", "Granted")
    return data


def policy_of(outcome: Outcome) -> dict[str, Any]:
    (plan,) = outcome.issuer.plans
    document: dict[str, Any] = json.loads(plan.policy)
    return document


def resources_of(document: dict[str, Any]) -> list[str]:
    return [r for st in document["Statement"] for r in st.get("Resource", [])]
