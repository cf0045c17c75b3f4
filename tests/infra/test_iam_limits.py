"""IAM's size limits (infra/iam_limits.py): how a document is counted, and each limit at -1, at, and +1."""

from __future__ import annotations

from typing import Any

import pytest

from infra.iam_limits import (
    TOKEN_WORST_CASE,
    IamDocument,
    Kind,
    policy_size,
    size_problems,
)
from vend_local.iam.quotas import INLINE_POLICIES_MAX, MANAGED_POLICY_MAX, TRUST_POLICY_MAX

# {"Sid":""} is 9 characters: a document of exactly n characters is one statement whose Sid has n - 9.
FRAME = len('{"Sid":""}')


def document_of(size: int) -> dict[str, Any]:
    return {"Sid": "x" * (size - FRAME)}


def test_whitespace_is_not_counted_and_intrinsics_count_at_their_worst_case() -> None:
    assert policy_size({"Sid": "a b"}) == len('{"Sid":"ab"}')
    assert policy_size({"Sid": {"Ref": "Role"}}) == FRAME + TOKEN_WORST_CASE
    joined = {"Fn::Join": ["", ["arn:", {"Fn::GetAtt": ["Role", "Arn"]}]]}
    assert policy_size({"Sid": joined}) == FRAME + len("arn:") + TOKEN_WORST_CASE


@pytest.mark.parametrize(
    ("kind", "limit"),
    [("trust", TRUST_POLICY_MAX), ("managed", MANAGED_POLICY_MAX), ("inline", INLINE_POLICIES_MAX)],
)
@pytest.mark.parametrize("delta", [-1, 0, 1])
def test_each_limit_at_minus_one_at_and_plus_one(kind: Kind, limit: int, delta: int) -> None:
    document = document_of(limit + delta)
    assert policy_size(document) == limit + delta
    problems = size_problems([IamDocument("role r", kind, "p", document)])
    assert (problems != []) is (delta > 0)
    if problems:
        assert f"{limit + delta} characters; IAM allows {limit}" in problems[0]


def test_inline_policies_of_one_role_count_together() -> None:
    half = document_of(INLINE_POLICIES_MAX // 2)
    at_limit = [IamDocument("role r", "inline", n, half) for n in ("a", "b")]
    assert size_problems(at_limit) == []
    over = [*at_limit, IamDocument("role r", "inline", "c", document_of(FRAME + 1))]
    assert size_problems(over) == [
        f"role r: its inline policies total {INLINE_POLICIES_MAX + FRAME + 1} characters; IAM allows {INLINE_POLICIES_MAX}"
    ]
    # Another role's inline policies are its own budget.
    assert size_problems([*at_limit, IamDocument("role s", "inline", "c", half)]) == []
