"""Each example scope renders exactly its hand-written golden policy for the fixed caller."""

from __future__ import annotations

import json

import pytest

from resolvers.decision import plan_vend
from tests import support

SCOPES = ["S3_OWN_PREFIX", "DYNAMODB_OWN_ITEMS", "REPORTS_READ", "TENANT_FILES"]


def test_every_example_scope_has_a_golden_file() -> None:
    assert sorted(p.stem for p in support.GOLDEN.glob("*.json")) == sorted(SCOPES)
    assert sorted(support.catalog().scopes) == sorted(SCOPES)


@pytest.mark.parametrize("scope", SCOPES)
def test_rendered_policy_equals_golden(scope: str) -> None:
    # GIVEN the fixed caller (an analyst of tenant acme) and deployment
    caller = support.caller(groups=["analysts"], **{"custom:tenant_id": "acme"})
    golden = json.loads((support.GOLDEN / f"{scope}.json").read_text())
    # WHEN the scope is planned
    plan = plan_vend(caller, scope, None, catalog=support.catalog(), settings=support.settings())
    # THEN the session policy is the golden one, serialised compactly with sorted keys
    assert json.loads(plan.policy) == golden
    assert " " not in plan.policy
    assert plan.policy == json.dumps(golden, separators=(",", ":"), sort_keys=True)
