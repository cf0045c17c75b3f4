"""IAM's size limits on policy documents, checked at synth instead of at deploy. Pure, no I/O.

IAM quotas (vend_local/iam/quotas.py, shared with the catalog's ceilings and the revocation policy), counted
without whitespace:
- a role trust policy: 2,048 characters (the default; it can be raised to 4,096 by a quota request, which we do
  not assume);
- a role's inline policies: 10,240 characters in total (an ``AWS::IAM::Policy`` attached to the role is inline);
- a managed policy: 6,144 characters.
CloudFormation only learns of an overflow when IAM refuses the call, half way through a deploy (and a rollback).

Documents may hold CloudFormation intrinsics (a ``Fn::GetAtt`` of a role ARN, a ``Ref``): each is counted as
``TOKEN_WORST_CASE`` characters, the length of the longest value they stand for here (an IAM role ARN with a
64-character name is 95; a log group ARN with a generated name is about 110).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from vend_local.iam.quotas import INLINE_POLICIES_MAX, MANAGED_POLICY_MAX, TRUST_POLICY_MAX, policy_characters

TOKEN_WORST_CASE: Final = 128
_INTRINSICS: Final = frozenset({"Ref", "Fn::GetAtt", "Fn::Sub", "Fn::ImportValue", "Fn::Select", "Fn::If"})

Kind = Literal["trust", "inline", "managed"]


@dataclass(frozen=True, slots=True)
class IamDocument:
    owner: str  # the role or managed policy a human recognises, e.g. "role vend-dev-uploads"
    kind: Kind
    name: str  # "trust policy", the inline policy's name, or the managed policy's name
    document: Mapping[str, Any]


def policy_size(document: Any) -> int:
    """Characters IAM counts: the document's JSON without whitespace, intrinsics at their worst case."""
    return policy_characters(_worst_case(document))


def _worst_case(value: Any) -> Any:
    if isinstance(value, Mapping):
        if len(value) == 1 and next(iter(value)) in _INTRINSICS:
            return "x" * TOKEN_WORST_CASE
        if len(value) == 1 and "Fn::Join" in value:
            separator, parts = value["Fn::Join"]
            return str(separator).join(str(_worst_case(p)) for p in parts)
        return {k: _worst_case(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_worst_case(v) for v in value]
    return value


def size_problems(documents: Iterable[IamDocument]) -> list[str]:
    """Every document (and every role's inline total) over its limit, each with its size and the limit."""
    problems: list[str] = []
    inline_totals: dict[str, int] = {}
    for doc in documents:
        size = policy_size(doc.document)
        if doc.kind == "trust" and size > TRUST_POLICY_MAX:
            problems.append(
                f"{doc.owner}: its trust policy is {size} characters; IAM allows {TRUST_POLICY_MAX}"
            )
        elif doc.kind == "managed" and size > MANAGED_POLICY_MAX:
            problems.append(
                f"{doc.owner}: managed policy {doc.name!r} is {size} characters; IAM allows {MANAGED_POLICY_MAX}"
            )
        elif doc.kind == "inline":
            inline_totals[doc.owner] = inline_totals.get(doc.owner, 0) + size
    problems.extend(
        f"{owner}: its inline policies total {total} characters; IAM allows {INLINE_POLICIES_MAX}"
        for owner, total in sorted(inline_totals.items())
        if total > INLINE_POLICIES_MAX
    )
    return problems
