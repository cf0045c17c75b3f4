"""Threat: a signed-in user asks for a scope that does not exist, or for a lifetime longer than the scope (or
role chaining) allows. Unknown scopes are refused; durations are validated, then clamped, never extended."""

from __future__ import annotations

from typing import Any

import pytest

from tests.security import harness


@pytest.mark.parametrize(
    "scope",
    [
        "ADMIN",
        "s3_own_prefix",  # enum values are case-sensitive
        "S3_OWN_PREFIX ",
        "S3_OWN_PREFIX\x00",
        "*",
        "",
        "__proto__",
        "REPORTS_READ,S3_OWN_PREFIX",
        ["S3_OWN_PREFIX"],
        {"name": "S3_OWN_PREFIX"},
        1,
        None,
        True,
    ],
    ids=repr,
)
def test_unknown_scope_is_refused_and_not_logged_as_a_scope(scope: Any) -> None:
    outcome = harness.run(harness.event(scope=scope))
    harness.assert_refused(outcome, "ScopeNotFound")
    harness.assert_audited(outcome, "ScopeNotFound")
    # The audit names catalog scopes only: caller-controlled text never lands in the log as a scope.
    assert outcome.telemetry.records[0].scope is None


def test_missing_scope_argument_is_refused() -> None:
    ev = harness.event()
    ev["arguments"] = {}
    harness.assert_refused(harness.run(ev), "ScopeNotFound")


@pytest.mark.parametrize(
    ("duration", "granted"),
    [
        (None, 3600),  # no request: the scope's maximum, itself capped at the role-chaining hour
        (899, None),
        (900, 900),
        (901, 901),
        (3599, 3599),
        (3600, 3600),
        (3601, 3600),  # valid for STS, clamped to the chaining hour
        (43_200, 3600),
        (43_201, None),
        (-1, None),
        (-900, None),
        (0, None),
        (10**30, None),
        (2**63, None),
        (900.0, None),
        ("900", None),
        (True, None),
        ([900], None),
    ],
    ids=repr,
)
def test_duration_is_validated_then_clamped_never_extended(duration: Any, granted: int | None) -> None:
    outcome = harness.run(harness.event(scope="S3_OWN_PREFIX", durationSeconds=duration))
    if granted is None:
        harness.assert_refused(outcome, "InvalidDuration")
        harness.assert_audited(outcome, "InvalidDuration")
        return
    harness.assert_granted(outcome, "S3_OWN_PREFIX")
    assert outcome.issuer.plans[0].duration_seconds == granted


@pytest.mark.parametrize(
    ("duration", "granted"), [(None, 900), (899, None), (900, 900), (901, 900), (3601, 900)]
)
def test_short_scope_maximum_wins_over_the_request(duration: int | None, granted: int | None) -> None:
    # REPORTS_READ's catalog maximum is 900 s.
    outcome = harness.run(harness.event(scope="REPORTS_READ", durationSeconds=duration))
    if granted is None:
        harness.assert_refused(outcome, "InvalidDuration")
        return
    harness.assert_granted(outcome, "REPORTS_READ")
    assert outcome.issuer.plans[0].duration_seconds == granted


def test_unknown_arguments_cannot_steer_the_sts_request() -> None:
    outcome = harness.run(
        harness.event(
            scope="S3_OWN_PREFIX",
            roleArn="arn:aws:iam::123456789012:role/admin",
            policy='{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
            sessionName="admin",
            sourceIdentity="admin",
        )
    )
    harness.assert_granted(outcome, "S3_OWN_PREFIX")
    (plan,) = outcome.issuer.plans
    assert plan.role_arn == "arn:aws:iam::123456789012:role/vend-uploads"
    assert plan.session_name.endswith(".S3_OWN_PREFIX")
    assert "admin" not in plan.policy
    assert '"*"' not in plan.policy
