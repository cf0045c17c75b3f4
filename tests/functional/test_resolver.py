"""AppSync events through the resolver to envelopes, with an injected fake STS: outcomes, payload, audit."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from resolvers.credentials import refresh_after
from resolvers.errors import ERROR_CODES, INTERNAL_MESSAGE, Throttled
from resolvers.resolver import build_resolver, dispatch
from resolvers.service import Envelope
from tests import support


@dataclass
class Context:
    aws_request_id: str = "req-0001"


def run(
    event: object, issuer: support.FakeIssuer | None = None
) -> tuple[Envelope, support.RecordingTelemetry]:
    service, _, telemetry = support.service(issuer)
    return dispatch(build_resolver(service), event, Context(), telemetry), telemetry


def vend_event(fixture: str = "cognito_access_token", **arguments: Any) -> dict[str, Any]:
    event = support.load_event(fixture)
    event["arguments"].update(arguments)
    return event


@pytest.mark.parametrize(
    ("fixture", "scope", "outcome"),
    [
        ("cognito_id_token", "TENANT_FILES", "granted"),
        ("cognito_id_token", "S3_OWN_PREFIX", "granted"),
        ("cognito_access_token", "REPORTS_READ", "granted"),
        ("cognito_access_token", "TENANT_FILES", "ClaimMissing"),  # access tokens carry no custom:*
        ("cognito_groups_null", "REPORTS_READ", "ScopeForbidden"),
        ("cognito_groups_null", "S3_OWN_PREFIX", "granted"),
        ("api_key", "S3_OWN_PREFIX", "Unauthorized"),
        ("iam", "S3_OWN_PREFIX", "Unauthorized"),
        ("oidc", "S3_OWN_PREFIX", "Unauthorized"),
        ("foreign_issuer", "S3_OWN_PREFIX", "Unauthorized"),
        ("lambda_authorizer", "S3_OWN_PREFIX", "Unauthorized"),
    ],
)
def test_fixture_outcomes(fixture: str, scope: str, outcome: str) -> None:
    envelope, telemetry = run(vend_event(fixture, scope=scope))
    (record,) = telemetry.records
    if outcome == "granted":
        assert set(envelope) == {"data"}
        assert envelope["data"]["scope"] == scope
        assert (record.decision, record.code) == ("granted", "Granted")
    else:
        assert envelope["error"]["type"] == outcome
        assert (record.decision, record.code) == ("refused", outcome)


def test_granted_payload_has_the_sdk_field_names_and_utc_times() -> None:
    issuer = support.FakeIssuer()
    envelope, telemetry = run(vend_event(scope="S3_OWN_PREFIX", durationSeconds=900), issuer)
    data = envelope["data"]
    assert set(data) == {
        "accessKeyId",
        "secretAccessKey",
        "sessionToken",
        "expiration",
        "refreshAfter",
        "scope",
        "region",
    }
    assert data["accessKeyId"].startswith("ASIA")
    assert data["expiration"] == "2026-11-29T12:15:00Z"  # the fake STS's now + 900 s
    assert data["refreshAfter"] == "2026-11-29T12:10:00Z"  # at least five minutes before expiry
    assert data["region"] == "eu-west-1"
    (plan,) = issuer.plans
    assert plan.duration_seconds == 900
    (record,) = telemetry.records
    assert record.access_key_id == data["accessKeyId"]
    assert record.session_name == f"{support.SUB}.S3_OWN_PREFIX"
    assert record.packed_policy_size == 7
    assert record.policy_hash == plan.policy_hash
    assert record.sts_latency_ms is not None


@pytest.mark.parametrize(("duration", "margin"), [(900, 300), (1500, 300), (1501, 300), (3600, 720)])
def test_refresh_after_comes_comfortably_before_expiry(duration: int, margin: int) -> None:
    expiration = datetime(2026, 1, 1, 1, 0, tzinfo=UTC)
    assert (expiration - refresh_after(expiration, duration)).total_seconds() == margin


def test_audit_record_never_holds_the_secret_or_token() -> None:
    envelope, telemetry = run(vend_event(scope="S3_OWN_PREFIX"))
    fields = str(telemetry.records[0].fields())
    assert envelope["data"]["secretAccessKey"] not in fields
    assert envelope["data"]["sessionToken"] not in fields


def test_sts_errors_become_typed_envelopes_and_are_audited() -> None:
    issuer = support.FakeIssuer(error=Throttled("Too many.", detail="sts error code Throttling"))
    envelope, telemetry = run(vend_event(scope="S3_OWN_PREFIX"), issuer)
    assert envelope == {"error": {"type": "Throttled", "message": "Too many."}}
    assert telemetry.records[0].detail == "sts error code Throttling"


def test_unexpected_exception_becomes_internal_with_details_only_in_the_log() -> None:
    issuer = support.FakeIssuer(error=RuntimeError("arn:aws:iam::123456789012:role/secret-detail"))
    envelope, telemetry = run(vend_event(scope="S3_OWN_PREFIX"), issuer)
    assert envelope == {"error": {"type": "Internal", "message": INTERNAL_MESSAGE}}
    assert telemetry.failures == ["vend failed unexpectedly"]
    assert telemetry.records[0].code == "Internal"


def test_scopes_query_lists_every_scope_with_whether_the_caller_can_get_it() -> None:
    event = vend_event("cognito_groups_null")
    event["info"] = {"parentTypeName": "Query", "fieldName": "scopes", "variables": {}}
    event["arguments"] = {}
    envelope, telemetry = run(event)
    assert [(s["name"], s["available"], s["unavailableReason"]) for s in envelope["data"]] == [
        ("S3_OWN_PREFIX", True, None),
        ("DYNAMODB_OWN_ITEMS", True, None),
        ("REPORTS_READ", False, "NOT_IN_GROUP"),
        ("TENANT_FILES", False, "CLAIM_MISSING"),
    ]
    assert envelope["data"][0] == {
        "name": "S3_OWN_PREFIX",
        "description": support.catalog().scopes["S3_OWN_PREFIX"].description,
        "maxDurationSeconds": 3600,
        "available": True,
        "unavailableReason": None,
        "unavailableMessage": None,
    }
    assert (
        envelope["data"][2]["unavailableMessage"] == "You are not in a group that may request REPORTS_READ."
    )
    # Listing is not a vend decision: nothing is audited
    assert telemetry.records == []


def test_scopes_query_refuses_a_foreign_identity() -> None:
    event = vend_event("foreign_issuer")
    event["info"] = {"parentTypeName": "Query", "fieldName": "scopes"}
    event["arguments"] = {}
    assert run(event)[0]["error"]["type"] == "Unauthorized"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda e: None,
        lambda e: [e, e],  # a batch: we never configure batching
        lambda e: {**e, "info": None},
        lambda e: {**e, "info": {"parentTypeName": "Mutation", "fieldName": "deleteEverything"}},
        lambda e: {**e, "arguments": None},
        lambda e: "event",
    ],
)
def test_malformed_events_get_invalid_request(mutate: Any) -> None:
    envelope, telemetry = run(mutate(vend_event()))
    assert envelope["error"]["type"] == "InvalidRequest"
    assert telemetry.failures == []


def test_every_error_type_is_a_stable_code() -> None:
    assert set(ERROR_CODES) == {
        "Unauthorized",
        "Revoked",
        "ScopeNotFound",
        "ScopeForbidden",
        "InvalidDuration",
        "InvalidRequest",
        "ClaimMissing",
        "ClaimInvalid",
        "PolicyTooLarge",
        "Throttled",
        "UpstreamUnavailable",
        "Internal",
    }


def test_identity_comes_from_the_event_never_from_arguments() -> None:
    event = vend_event("cognito_groups_null", scope="REPORTS_READ")
    event["arguments"]["groups"] = ["analysts"]
    event["arguments"]["identity"] = copy.deepcopy(support.load_event("cognito_access_token")["identity"])
    envelope, _ = run(event)
    assert envelope["error"]["type"] == "ScopeForbidden"
