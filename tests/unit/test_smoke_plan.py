"""vend smoke's expectations and verdicts (vend_local/smoke_plan.py): table-driven, no AWS."""

from __future__ import annotations

import pytest

from resolvers.catalog import load_catalog
from vend_local.smoke_plan import (
    OTHER_SUB,
    OUTSIDE_PREFIX,
    PROBE_HELP,
    Caller,
    Probe,
    ScopeCheck,
    availability,
    judge_call,
    judge_listing,
    judge_vend,
    plan,
)

SUB = "11111111-2222-4333-8444-555555555555"
DEPLOYMENT = {
    "bucket": "uploads",
    "table_arn": "arn:aws:dynamodb:eu-west-1:123456789012:table/items",
    "region": "eu-west-1",
    "account": "123456789012",
}


def checks_for(groups: frozenset[str] = frozenset(), **claims: object) -> dict[str, ScopeCheck]:
    caller = Caller(sub=SUB, groups=groups, claims=claims)
    return {c.scope: c for c in plan(load_catalog(), caller, DEPLOYMENT)}


def test_expectations_follow_groups_and_claims() -> None:
    assert {s: c.expected for s, c in checks_for().items()} == {
        "S3_OWN_PREFIX": "granted",
        "DYNAMODB_OWN_ITEMS": "granted",
        "REPORTS_READ": "ScopeForbidden",
        "TENANT_FILES": "ClaimMissing",
    }
    tenant = checks_for(frozenset({"analysts"}), **{"custom:tenant_id": "acme"})
    assert tenant["REPORTS_READ"].expected == "granted"
    assert tenant["TENANT_FILES"].expected == "granted"
    hostile: tuple[object, ...] = ("ACME", "a*", "${aws:username}", "ab", 7)
    for value in hostile:
        assert (
            checks_for(frozenset(), **{"custom:tenant_id": value})["TENANT_FILES"].expected == "ClaimInvalid"
        )


def test_probes_are_the_callers_own_resources_and_another_callers() -> None:
    checks = checks_for(frozenset({"analysts"}), **{"custom:tenant_id": "acme"})
    s3 = checks["S3_OWN_PREFIX"]
    assert s3.allowed == Probe("s3", "uploads", f"users/{SUB}/", f"users/{SUB}/ (own)")
    assert s3.denied == Probe(
        "s3", "uploads", f"users/{OTHER_SUB}/", f"users/{OTHER_SUB}/ (another caller's)"
    )
    items = checks["DYNAMODB_OWN_ITEMS"]
    assert (items.allowed, items.denied) == (
        Probe("dynamodb", DEPLOYMENT["table_arn"], SUB, f"{SUB} (own)"),
        Probe("dynamodb", DEPLOYMENT["table_arn"], OTHER_SUB, f"{OTHER_SUB} (another caller's)"),
    )
    # No per-caller value: the denied call is outside every prefix the scope grants.
    reports = checks["REPORTS_READ"]
    assert reports.allowed is not None
    assert reports.allowed.value == "reports/"
    assert reports.denied == Probe("s3", "uploads", OUTSIDE_PREFIX, f"{OUTSIDE_PREFIX} (outside every grant)")
    tenant = checks["TENANT_FILES"]
    assert tenant.allowed is not None
    assert tenant.denied is not None
    assert tenant.allowed.value == "tenants/acme/"
    assert tenant.denied.value.startswith("tenants/")
    assert tenant.denied.value != "tenants/acme/"


CHECK = ScopeCheck(
    "S3_OWN_PREFIX", "granted", Probe("s3", "b", "users/me/", "own"), Probe("s3", "b", "users/x/", "x")
)


@pytest.mark.parametrize(
    ("should_allow", "outcome", "verdict"),
    [
        (True, None, "PASS"),
        (True, "AccessDenied", "FAIL"),  # the scope cannot do what it is for
        (False, "AccessDenied", "PASS"),
        (False, "AccessDeniedException", "PASS"),
        (False, None, "FAIL"),  # a denied call succeeded: the scope is wider than the catalog says
        (False, "NoSuchBucket", "FAIL"),  # a misconfigured stack is never a pass
        (True, "EndpointConnectionError", "FAIL"),
    ],
)
def test_each_call_outcome_is_judged(should_allow: bool, outcome: str | None, verdict: str) -> None:
    probe = CHECK.allowed if should_allow else CHECK.denied
    assert judge_call(CHECK, probe, should_allow=should_allow, outcome=outcome).verdict == verdict


def test_a_scope_without_a_probe_fails_instead_of_being_skipped() -> None:
    row = judge_call(ScopeCheck("CUSTOM", "granted"), None, should_allow=False, outcome=None)
    assert (row.verdict, row.observed) == ("FAIL", PROBE_HELP)


@pytest.mark.parametrize(
    ("expected", "outcome", "verdict"),
    [
        ("granted", "granted", "PASS"),
        ("granted", "ScopeForbidden", "FAIL"),
        ("ScopeForbidden", "granted", "FAIL"),  # a widened scope: vended to someone outside its groups
        ("ScopeForbidden", "ScopeForbidden", "PASS"),
        ("ClaimMissing", "Unauthorized", "FAIL"),
    ],
)
def test_each_vend_outcome_is_judged(expected: str, outcome: str, verdict: str) -> None:
    check = ScopeCheck("S", expected)  # type: ignore[arg-type]
    assert judge_vend(check, outcome).verdict == verdict


ALICE_LISTING = {
    "S3_OWN_PREFIX": "available",
    "DYNAMODB_OWN_ITEMS": "available",
    "TENANT_FILES": "CLAIM_MISSING",
    "REPORTS_READ": "NOT_IN_GROUP",
}


def test_the_listing_must_say_exactly_what_the_vend_will_answer() -> None:
    checks = list(checks_for().values())
    ok = judge_listing(checks, ALICE_LISTING)
    assert {r.verdict for r in ok} == {"PASS"}
    widened = judge_listing(checks, {**ALICE_LISTING, "REPORTS_READ": "available"})
    assert [(r.scope, r.verdict) for r in widened if r.verdict == "FAIL"] == [("REPORTS_READ", "FAIL")]
    missing = judge_listing(checks, {k: v for k, v in ALICE_LISTING.items() if k != "REPORTS_READ"})
    assert [(r.scope, r.observed) for r in missing if r.verdict == "FAIL"] == [("REPORTS_READ", "not listed")]
    unknown = judge_listing(checks, {**ALICE_LISTING, "ADMIN": "available"})
    assert [(r.scope, r.expected) for r in unknown if r.verdict == "FAIL"] == [
        ("ADMIN", "not in the catalog")
    ]


@pytest.mark.parametrize(
    ("entry", "seen"),
    [
        ({"name": "S", "available": True, "unavailableReason": None}, "available"),
        ({"name": "S", "available": False, "unavailableReason": "CLAIM_MISSING"}, "CLAIM_MISSING"),
        ({"name": "S", "available": "yes"}, "None"),
    ],
)
def test_an_entry_reads_as_available_or_its_reason(entry: dict[str, object], seen: str) -> None:
    assert availability(entry) == seen
