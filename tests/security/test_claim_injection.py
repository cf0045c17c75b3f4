"""Threat: a user who can influence a claim value (a writable attribute, an odd username) smuggles IAM syntax
into the rendered session policy to widen its resources. Every hostile value is refused before STS."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from resolvers.catalog import DEFAULT_PATH, parse_catalog
from resolvers.service import VendService
from tests import support
from tests.security import harness

TENANT_REFUSED = "Your custom:tenant_id claim has a value that scope TENANT_FILES does not accept."

HOSTILE_VALUES: list[Any] = [
    # IAM wildcards
    "*",
    "?",
    "acme*",
    "ac?e",
    # IAM policy variables
    "${aws:username}",
    "${aws:PrincipalTag/tenant}",
    "acme${*}",
    # path tricks
    "acme/other",
    "..",
    "../acme",
    "acme/../../users",
    # quotes and backslashes (JSON and string escapes)
    '"acme',
    'acme","arn:aws:s3:::*',
    "acme\\",
    "\\u002a",
    "acme'",
    # non-Latin-1, Latin-1 non-ASCII, control characters
    "租户",
    "açme",
    "acme\u2028",
    "acme\x00",
    "acme\n",
    "\t",
    "acme\x7f",
    # empty and very long
    "",
    "a" * 33,
    "a" * 100_000,
    # not a string at all
    ["acme"],
    ["acme", "other"],
    {"tenant": "acme"},
    7,
    True,
    3.5,
]


def tenant_event(value: Any) -> dict[str, Any]:
    ev = harness.event(harness.ID_TOKEN, scope="TENANT_FILES")
    ev["identity"]["claims"]["custom:tenant_id"] = value
    return ev


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=repr)
def test_hostile_claim_value_cannot_reach_a_policy(value: Any) -> None:
    outcome = harness.run(tenant_event(value))
    harness.assert_refused(outcome, "ClaimInvalid")
    harness.assert_audited(outcome, "ClaimInvalid")
    # The value is not echoed back: the message is fixed text.
    assert outcome.envelope["error"]["message"] == TENANT_REFUSED


def test_missing_claim_is_refused_and_says_how_to_get_it() -> None:
    ev = tenant_event(None)
    del ev["identity"]["claims"]["custom:tenant_id"]
    outcome = harness.run(ev)
    harness.assert_refused(outcome, "ClaimMissing")
    assert "administrator" in outcome.envelope["error"]["message"]


def test_null_claim_is_treated_as_missing() -> None:
    harness.assert_refused(harness.run(tenant_event(None)), "ClaimMissing")


@pytest.mark.parametrize(
    ("value", "granted"),
    [
        ("ab", False),  # pattern minimum 3 - 1
        ("abc", True),  # minimum
        ("a" * 32, True),  # maximum
        ("a" * 33, False),  # maximum + 1
    ],
)
def test_claim_length_bounds_of_the_tenant_pattern(value: str, granted: bool) -> None:
    outcome = harness.run(tenant_event(value))
    if not granted:
        harness.assert_refused(outcome, "ClaimInvalid")
        return
    harness.assert_granted(outcome, "TENANT_FILES")
    assert harness.resources_of(harness.policy_of(outcome)) == [
        "arn:aws:s3:::vend-example-uploads",
        f"arn:aws:s3:::vend-example-uploads/tenants/{value}/*",
    ]


def permissive_catalog_service() -> VendService:
    """An operator wrote `pattern = ".*"`: the built-in base pattern must still hold the line."""
    data = tomllib.loads(DEFAULT_PATH.read_text())
    data["claims"]["tenant"]["pattern"] = ".*"
    catalog = parse_catalog(data, source="permissive", version="permissive")
    return VendService(
        catalog=catalog,
        settings=support.settings(),
        issuer=support.FakeIssuer(),
        telemetry=support.RecordingTelemetry(),
    )


@pytest.mark.parametrize(
    "value", ["*", "${aws:username}", "acme/../x", '"', "\\", "租户", "acme\n", "", "a" * 65], ids=repr
)
def test_permissive_catalog_pattern_still_refuses_iam_syntax(value: str) -> None:
    outcome = harness.run(tenant_event(value), svc=permissive_catalog_service())
    harness.assert_refused(outcome, "ClaimInvalid")


@pytest.mark.parametrize(("length", "granted"), [(63, True), (64, True), (65, False)])
def test_permissive_catalog_pattern_is_capped_at_64_characters(length: int, granted: bool) -> None:
    outcome = harness.run(tenant_event("a" * length), svc=permissive_catalog_service())
    if granted:
        harness.assert_granted(outcome, "TENANT_FILES")
    else:
        harness.assert_refused(outcome, "ClaimInvalid")


@pytest.mark.parametrize(
    "sub",
    [
        "*",
        "11111111-2222-4333-8444-55555555555*",
        "11111111-2222-4333-8444-55555555555?",
        "11111111-2222-4333-8444-555555555555/../99999999-8888-4777-8666-555555555555",
        "${aws:userid}",
        "11111111-2222-4333-8444-5555555555AA",  # Cognito subs are lower case
        "",
        ["11111111-2222-4333-8444-555555555555"],
    ],
    ids=repr,
)
def test_sub_that_is_not_a_uuid_is_refused(sub: Any) -> None:
    ev = harness.event(scope="S3_OWN_PREFIX")
    ev["identity"]["sub"] = sub
    ev["identity"]["claims"]["sub"] = sub
    outcome = harness.run(ev)
    harness.assert_refused(outcome, "Unauthorized")
    harness.assert_audited(outcome, "Unauthorized")


def test_sub_in_identity_must_equal_the_tokens_sub() -> None:
    ev = harness.event(scope="S3_OWN_PREFIX")
    ev["identity"]["sub"] = support.OTHER_SUB  # the token still says support.SUB
    harness.assert_refused(harness.run(ev), "Unauthorized")


@pytest.mark.parametrize(
    "username", ["*", "${aws:username}", "../admin", 'a"b\\c', "租户", ["alice"]], ids=repr
)
def test_username_never_reaches_the_policy(username: Any) -> None:
    ev = harness.event(scope="S3_OWN_PREFIX")
    ev["identity"]["username"] = username
    ev["identity"]["claims"]["username"] = username
    outcome = harness.run(ev)
    harness.assert_granted(outcome, "S3_OWN_PREFIX")
    (plan,) = outcome.issuer.plans
    assert harness.resources_of(harness.policy_of(outcome)) == [
        "arn:aws:s3:::vend-example-uploads",
        f"arn:aws:s3:::vend-example-uploads/users/{support.SUB}/*",
    ]
    assert plan.session_name == f"{support.SUB}.S3_OWN_PREFIX"
    assert plan.source_identity == support.SUB
