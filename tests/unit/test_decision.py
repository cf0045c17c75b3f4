"""The decision table: scope lookup, group admission, duration, claims and the exact STS parameters."""

from __future__ import annotations

import json

import pytest

from resolvers import errors
from resolvers.decision import VendPlan, plan_vend, resolve_duration, scope_availability
from tests import support


def plan(
    scope: object = "S3_OWN_PREFIX",
    duration: object = None,
    groups: list[str] | None = None,
    claims: dict[str, object] | None = None,
) -> VendPlan:
    return plan_vend(
        support.caller(groups=groups, **(claims or {})),
        scope,
        duration,
        catalog=support.catalog(),
        settings=support.settings(),
    )


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        (None, 3600),  # absent: the scope's maximum, capped by role chaining
        (900, 900),  # STS minimum
        (901, 901),
        (3599, 3599),
        (3600, 3600),  # role-chaining cap
        (3601, 3600),  # clamped, not refused: STS would accept it unchained
        (43_200, 3600),  # STS maximum, clamped
    ],
)
def test_duration_is_clamped_to_scope_and_chaining(requested: int | None, expected: int) -> None:
    assert plan(duration=requested).duration_seconds == expected


@pytest.mark.parametrize("requested", [-1, 0, 899, 43_201, 2**31 - 1, True, "900", 900.0])
def test_duration_outside_sts_range_or_not_an_int_is_refused(requested: object) -> None:
    with pytest.raises(errors.InvalidDuration, match="900 to 43200"):
        plan(duration=requested)


def test_scope_maximum_below_an_hour_wins() -> None:
    scope = support.catalog().scopes["REPORTS_READ"]  # max 900
    assert resolve_duration(None, scope) == 900
    assert resolve_duration(3600, scope) == 900


@pytest.mark.parametrize("scope", ["NOPE", "s3_own_prefix", "", None, 7, ["S3_OWN_PREFIX"]])
def test_unknown_scope_is_refused(scope: object) -> None:
    with pytest.raises(errors.ScopeNotFound):
        plan(scope=scope)


def test_group_scope_is_refused_outside_the_group() -> None:
    with pytest.raises(errors.ScopeForbidden, match="REPORTS_READ"):
        plan(scope="REPORTS_READ", groups=["users"])
    with pytest.raises(errors.ScopeForbidden):
        plan(scope="REPORTS_READ", groups=None)
    assert plan(scope="REPORTS_READ", groups=["users", "analysts"]).scope == "REPORTS_READ"


def test_group_names_compare_exactly() -> None:
    for near_miss in ["Analysts", "analysts ", "analyst", "analysts*"]:
        with pytest.raises(errors.ScopeForbidden):
            plan(scope="REPORTS_READ", groups=[near_miss])


def availability(groups: list[str] | None = None, **claims: object) -> dict[str, str | None]:
    caller = support.caller_with_claims(groups, claims)
    return {a.scope.name: a.reason for a in scope_availability(caller, support.catalog())}


@pytest.mark.parametrize(
    ("groups", "claims", "expected"),
    [
        (
            None,
            {},
            {
                "S3_OWN_PREFIX": None,
                "DYNAMODB_OWN_ITEMS": None,
                "REPORTS_READ": "NOT_IN_GROUP",
                "TENANT_FILES": "CLAIM_MISSING",
            },
        ),
        (
            ["analysts"],
            {"custom:tenant_id": "acme"},
            {"S3_OWN_PREFIX": None, "DYNAMODB_OWN_ITEMS": None, "REPORTS_READ": None, "TENANT_FILES": None},
        ),
        (
            ["Analysts"],
            {"custom:tenant_id": None},
            {"REPORTS_READ": "NOT_IN_GROUP", "TENANT_FILES": "CLAIM_MISSING"},
        ),
        ([], {"custom:tenant_id": "ACME"}, {"REPORTS_READ": "NOT_IN_GROUP", "TENANT_FILES": "CLAIM_INVALID"}),
        (
            ["analysts"],
            {"custom:tenant_id": "acme*"},
            {"REPORTS_READ": None, "TENANT_FILES": "CLAIM_INVALID"},
        ),
    ],
)
def test_every_scope_is_listed_with_why_it_is_unavailable(
    groups: list[str] | None, claims: dict[str, object], expected: dict[str, str | None]
) -> None:
    got = availability(groups, **claims)
    # Every scope of the catalog, in catalog order, whatever the caller
    assert list(got) == ["S3_OWN_PREFIX", "DYNAMODB_OWN_ITEMS", "REPORTS_READ", "TENANT_FILES"]
    assert {name: got[name] for name in expected} == expected


def test_an_unavailable_scope_carries_the_refusal_message_vend_would_give() -> None:
    caller = support.caller_with_claims(None, {"custom:tenant_id": "acme*"})
    by_name = {a.scope.name: a for a in scope_availability(caller, support.catalog())}
    assert by_name["S3_OWN_PREFIX"].available
    assert by_name["S3_OWN_PREFIX"].message is None
    for name, code in (("REPORTS_READ", errors.ScopeForbidden), ("TENANT_FILES", errors.ClaimInvalid)):
        with pytest.raises(code) as refused:
            plan(scope=name, claims={"custom:tenant_id": "acme*"})
        assert not by_name[name].available
        assert by_name[name].message == refused.value.message
        # The message never echoes the claim's value
        assert "acme*" not in (by_name[name].message or "")


def test_tenant_scope_needs_the_claim_and_says_how_to_get_it() -> None:
    with pytest.raises(errors.ClaimMissing, match=r"custom:tenant_id claim.*administrator.*next sign-in"):
        plan(scope="TENANT_FILES")


@pytest.mark.parametrize(
    "value",
    [
        "ACME",
        "a",
        "ac",
        "acme*",
        "acme/../other",
        "ac?e",
        "${aws:username}",
        "acme\n",
        " acme",
        "acmé",
        ["acme"],
        7,
        "",
    ],
)
def test_tenant_claim_outside_its_pattern_is_refused(value: object) -> None:
    with pytest.raises(errors.ClaimInvalid):
        plan(scope="TENANT_FILES", claims={"custom:tenant_id": value})


def test_claim_length_limit_is_the_catalog_pattern() -> None:
    # The example pattern allows 3-32 characters.
    assert plan(scope="TENANT_FILES", claims={"custom:tenant_id": "a" * 32}).scope == "TENANT_FILES"
    with pytest.raises(errors.ClaimInvalid):
        plan(scope="TENANT_FILES", claims={"custom:tenant_id": "a" * 33})
    assert plan(scope="TENANT_FILES", claims={"custom:tenant_id": "a" * 3}).scope == "TENANT_FILES"


def test_plan_carries_attributable_sts_parameters() -> None:
    p = plan(scope="TENANT_FILES", claims={"custom:tenant_id": "acme"})
    assert p.role_arn == "arn:aws:iam::123456789012:role/vend-uploads"
    assert p.session_name == f"{support.SUB}.TENANT_FILES"
    assert p.source_identity == support.SUB
    assert p.tags == (("vend:sub", support.SUB), ("vend:scope", "TENANT_FILES"), ("tenant", "acme"))
    assert p.duration_seconds == 1800
    assert p.policy_arns == ()
    assert p.plaintext_used == len(p.policy)
    assert json.loads(p.policy)["Version"] == "2012-10-17"


def test_each_role_comes_from_the_scope() -> None:
    assert plan(scope="DYNAMODB_OWN_ITEMS").role_arn == "arn:aws:iam::123456789012:role/vend-data"


def test_plan_is_deterministic() -> None:
    assert plan() == plan()
    assert plan().policy_hash != plan(scope="DYNAMODB_OWN_ITEMS").policy_hash
