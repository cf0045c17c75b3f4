"""The decision table: scope lookup, group admission, duration, claims and the exact STS parameters."""

from __future__ import annotations

import json

import pytest

from resolvers import errors
from resolvers.decision import VendPlan, plan_vend, resolve_duration, visible_scopes
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


def test_visible_scopes_follow_groups() -> None:
    def names(groups: list[str] | None) -> list[str]:
        return [s.name for s in visible_scopes(support.caller(groups=groups), support.catalog())]

    assert names(None) == ["S3_OWN_PREFIX", "DYNAMODB_OWN_ITEMS", "TENANT_FILES"]
    assert names(["analysts"]) == ["S3_OWN_PREFIX", "DYNAMODB_OWN_ITEMS", "REPORTS_READ", "TENANT_FILES"]


def test_tenant_scope_needs_the_claim_and_says_which_token_has_it() -> None:
    with pytest.raises(errors.ClaimMissing, match=r"custom:tenant_id.*ID token"):
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
