"""Hypothesis properties of the pure core: claim values never widen a grant, output is deterministic, and
the plaintext limit holds at the boundary.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resolvers import errors, limits
from resolvers.catalog import parse_catalog
from resolvers.catalog_model import Catalog
from resolvers.decision import plan_vend
from resolvers.identity import caller_from_identity
from tests import support
from tests.fuzzing import examples

# Characters that would change what an ARN or condition matches, or escape the JSON string.
DANGEROUS = re.compile(r"[*?${}/\\\"'.\s]|[^\x20-\x7e]")

adversarial_text = st.one_of(
    st.text(max_size=80),
    st.text(alphabet="*?${}/\\.\"'-_aZ09 \t\n\u00e9\u2603\U0001f600", max_size=40),
    st.sampled_from(
        ["*", "?", "${aws:username}", "../other", "acme/*", 'a"b', "a\\b", "", "a" * 65, "a" * 64]
    ),
)
claim_values = st.one_of(
    adversarial_text, st.lists(st.text(max_size=5)), st.integers(), st.none(), st.booleans()
)


def permissive_catalog() -> Catalog:
    """A careless catalog author: the claim's own pattern accepts anything. The base pattern must still hold."""
    return parse_catalog(
        {
            "claims": {"team": {"claim": "custom:team", "pattern": ".*", "description": "anything goes"}},
            "scopes": {
                "TEAM_FILES": {
                    "description": "Team files.",
                    "any_signed_in_user": True,
                    "role": "uploads",
                    "max_duration_seconds": 900,
                    "session_tags": {"team": "{{claim.team}}"},
                    "statements": [
                        {
                            "sid": "Team",
                            "effect": "Allow",
                            "actions": ["s3:GetObject"],
                            "resources": ["arn:aws:s3:::{{bucket}}/teams/{{claim.team}}/*"],
                            "conditions": {"StringEquals": {"s3:ExistingObjectTag/team": ["{{claim.team}}"]}},
                        }
                    ],
                }
            },
        },
        source="permissive",
        version="p",
    )


PERMISSIVE = permissive_catalog()
UPLOADS_ONLY = support.settings(VEND_ROLE_ARNS=json.dumps({"uploads": support.ROLE_ARNS["uploads"]}))


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=claim_values)
def test_a_claim_value_never_widens_the_resource(value: Any) -> None:
    caller = support.caller(groups=None, **{"custom:team": value})
    try:
        plan = plan_vend(caller, "TEAM_FILES", None, catalog=PERMISSIVE, settings=UPLOADS_ONLY)
    except errors.ClaimMissing:
        assert value is None
        return
    except errors.ClaimInvalid:
        return
    # Accepted: the value is a plain token, and it sits exactly where the template put it.
    assert isinstance(value, str)
    assert not DANGEROUS.search(value)
    assert 1 <= len(value) <= 64
    statement = json.loads(plan.policy)["Statement"][0]
    assert statement["Resource"] == [f"arn:aws:s3:::vend-example-uploads/teams/{value}/*"]
    assert statement["Condition"] == {"StringEquals": {"s3:ExistingObjectTag/team": [value]}}
    assert ("team", value) in plan.tags


@settings(max_examples=examples(200), deadline=None)
@given(value=claim_values)
def test_the_example_tenant_scope_accepts_only_its_pattern(value: Any) -> None:
    caller = support.caller(groups=None, **{"custom:tenant_id": value})
    try:
        plan = plan_vend(caller, "TENANT_FILES", None, catalog=support.catalog(), settings=support.settings())
    except errors.ClaimMissing:
        assert value is None
        return
    except errors.ClaimInvalid:
        assert not (isinstance(value, str) and re.fullmatch(r"[a-z0-9][a-z0-9-]{1,30}[a-z0-9]", value))
        return
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]{1,30}[a-z0-9]", value)
    resources = [r for s in json.loads(plan.policy)["Statement"] for r in s["Resource"]]
    assert all(
        r.startswith(("arn:aws:s3:::vend-example-uploads/tenants/" + value + "/", "arn:aws:s3:::vend-"))
        for r in resources
    )


@settings(max_examples=examples(200), deadline=None)
@given(sub=st.one_of(st.uuids().map(str), st.text(max_size=40)))
def test_only_a_uuid_sub_becomes_a_caller(sub: str) -> None:
    identity = support.identity(sub=sub)
    identity["sub"] = sub
    try:
        caller = caller_from_identity(
            identity, issuer=support.ISSUER, client_ids=frozenset({support.CLIENT_ID})
        )
    except errors.Unauthorized:
        assert not re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", sub)
        return
    assert caller.sub == sub
    assert not DANGEROUS.search(sub)


@settings(max_examples=examples(100), deadline=None)
@given(
    scope=st.sampled_from(["S3_OWN_PREFIX", "DYNAMODB_OWN_ITEMS", "REPORTS_READ"]),
    extra_claims=st.dictionaries(st.text(min_size=1, max_size=10), st.text(max_size=10), max_size=5),
)
def test_output_is_deterministic(scope: str, extra_claims: dict[str, str]) -> None:
    # Unrelated claims, in any order, change nothing.
    base = plan_vend(
        support.caller(groups=["analysts"]),
        scope,
        None,
        catalog=support.catalog(),
        settings=support.settings(),
    )
    noisy_claims = {
        k: v for k, v in extra_claims.items() if k not in ("sub", "iss", "token_use", "client_id")
    }
    # Any claim name, "groups" included: passed as a mapping, never as keyword arguments.
    noisy = support.caller_with_claims(["analysts"], dict(reversed(list(noisy_claims.items()))))
    again = plan_vend(noisy, scope, None, catalog=support.catalog(), settings=support.settings())
    assert again == base


def catalog_with_resources(count: int, length: int) -> Catalog:
    resources = [f"arn:aws:s3:::{{{{bucket}}}}/p{i:03d}/" + "x" * length for i in range(count)]
    statement = {"sid": "Big", "effect": "Allow", "actions": ["s3:GetObject"], "resources": resources}
    scope = {
        "description": "Sized.",
        "any_signed_in_user": True,
        "role": "uploads",
        "max_duration_seconds": 900,
        "statements": [statement],
    }
    return parse_catalog({"scopes": {"SIZED": scope}}, source="sized", version="s")


@settings(max_examples=examples(150), deadline=None)
@given(count=st.integers(1, 40), length=st.integers(0, 120))
def test_the_plaintext_limit_holds_at_the_boundary(count: int, length: int) -> None:
    catalog = catalog_with_resources(count, length)
    # Independent size: the compact JSON of the policy, computed here from the template, not by the engine.
    resource = "arn:aws:s3:::vend-example-uploads/p000/" + "x" * length
    head = '{"Statement":[{"Action":["s3:GetObject"],"Effect":"Allow","Resource":['
    tail = '],"Sid":"Big"}],"Version":"2012-10-17"}'
    expected = len(head) + count * (len(resource) + 2) + (count - 1) + len(tail)
    try:
        plan = plan_vend(support.caller(), "SIZED", None, catalog=catalog, settings=UPLOADS_ONLY)
    except errors.PolicyTooLarge:
        assert expected > limits.POLICY_PLAINTEXT_MAX
        return
    assert len(plan.policy) == expected <= limits.POLICY_PLAINTEXT_MAX


@pytest.mark.parametrize("delta", [-1, 0, 1])
def test_plaintext_boundary_exactly(delta: int) -> None:
    # 20 resources; pick the padding so the policy lands at 2048 + delta characters.
    head = '{"Statement":[{"Action":["s3:GetObject"],"Effect":"Allow","Resource":['
    tail = '],"Sid":"Big"}],"Version":"2012-10-17"}'
    fixed = len(head) + len(tail) + 19 + 20 * (len("arn:aws:s3:::vend-example-uploads/p000/") + 2)
    room = limits.POLICY_PLAINTEXT_MAX + delta - fixed
    per, rest = divmod(room, 20)
    catalog = parse_catalog(
        {
            "scopes": {
                "SIZED": {
                    "description": "Sized.",
                    "any_signed_in_user": True,
                    "role": "uploads",
                    "max_duration_seconds": 900,
                    "statements": [
                        {
                            "sid": "Big",
                            "effect": "Allow",
                            "actions": ["s3:GetObject"],
                            "resources": [
                                f"arn:aws:s3:::{{{{bucket}}}}/p{i:03d}/"
                                + "x" * (per + (1 if i < rest else 0))
                                for i in range(20)
                            ],
                        }
                    ],
                }
            }
        },
        source="sized",
        version="s",
    )
    if delta <= 0:
        plan = plan_vend(support.caller(), "SIZED", None, catalog=catalog, settings=UPLOADS_ONLY)
        assert len(plan.policy) == limits.POLICY_PLAINTEXT_MAX + delta
    else:
        with pytest.raises(errors.PolicyTooLarge):
            plan_vend(support.caller(), "SIZED", None, catalog=catalog, settings=UPLOADS_ONLY)
