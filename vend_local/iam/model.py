"""The evaluator's interface: a request, the policies that judge it, and the decision. Pure, no I/O.

Shared with the enforcement in the embedded AWS (see IAM-INTERFACE.md of issue 13): extend, never change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

PolicyKind = Literal["identity", "session", "boundary", "resource"]
Outcome = Literal["Allow", "ExplicitDeny", "ImplicitDeny", "NotModelled"]


@dataclass(frozen=True, slots=True)
class Request:
    """One IAM authorisation question: may the principal do `action` on `resource` in this `context`?"""

    action: str  # "s3:PutObject" (service prefix and name as IAM spells them)
    resource: str  # "arn:aws:s3:::bucket/users/<sub>/a.txt"
    # condition key -> values; a multi-valued key (dynamodb:LeadingKeys) has several; keys compare
    # case-insensitively, as in IAM. Includes aws:PrincipalTag/*, aws:SourceIdentity, aws:TokenIssueTime,
    # aws:CurrentTime, aws:RequestedRegion, aws:PrincipalArn, aws:userid, s3:prefix, ... as the request has.
    context: Mapping[str, tuple[str, ...]]
    # keys the request mapping KNOWS this request lacks (lower case), so Null / ...IfExists / ForAllValues can
    # judge them. A key that a matching statement's condition names and that is neither in context nor in
    # known_absent is not modelled: NotModelled, denied.
    known_absent: frozenset[str] = frozenset()
    # Extension (IAM-INTERFACE-CHANGES.md): the ARN AWS authenticated, for matching the Principal element of
    # resource-based and trust policies. For a role session: arn:aws:sts::<account>:assumed-role/<role>/<session>
    # (aws:PrincipalArn in the context is then the role's ARN). None when no resource-based policy is judged.
    principal: str | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    # what a human reads in a verdict: "session policy", "vend-uploads inline ceiling",
    # "arn:aws:iam::123456789012:policy/x" -- never shown to a browser by the server
    source: str
    kind: PolicyKind
    document: Mapping[str, Any]  # the parsed JSON policy document


@dataclass(frozen=True, slots=True)
class StatementRef:
    source: str  # Policy.source
    index: int  # position in the document's Statement list (0-based)
    sid: str | None


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    outcome: Outcome
    # the statements that determined the outcome (the Deny that matched, or the Allows that satisfied each
    # required policy kind); empty for an implicit deny
    deciding: tuple[StatementRef, ...]
    message: str  # one sentence for an operator: what decided, or exactly what is not modelled


def evaluate(request: Request, policies: Sequence[Policy]) -> Decision:
    """AWS's documented evaluation for a role session: an explicit Deny in any policy wins; otherwise the
    identity policies must allow (any one of them), the session policies must allow if any are given (the inline
    policy and the managed session policies together: any one of them), and the permissions boundary must allow if
    one is given. A resource policy may allow on its own only where AWS says it can (document what is modelled).
    Anything the evaluator cannot judge -- an operator or condition key it does not model, a malformed document --
    is Outcome "NotModelled", allowed=False, and the message names it. Never an allow by default."""
    from vend_local.iam.evaluation import evaluate_policies  # noqa: PLC0415 - it imports these types

    return evaluate_policies(request, policies)
