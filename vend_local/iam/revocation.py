"""The IAM documents of revocation: the operator-owned deny policy on every vend role, and the minimal policy of
whoever runs `vend revoke`. Pure, no I/O; shared by the CLI (vend_local/revocation), the embedded AWS and the CDK
app (infra/stack.py creates both policies).

The deny policy (``vend-<stage>-revocations``) cuts sessions already issued, which STS cannot revoke one by one:

- ``RequireSourceIdentity`` (always): as in the stack-owned session denies (vend_local/iam/trust.py). It also keeps
  the document non-empty, which IAM requires, when nothing is revoked.
- per revoked caller: Deny every action to sessions whose ``aws:SourceIdentity`` (the caller's sub, immutable for
  the session) is theirs. Needed only while a session issued before the resolver saw the revocation can live:
  ``LIVE_WINDOW`` after the revocation. Each such statement expires by itself (``aws:CurrentTime``), so a
  revocation's role-level half never outlives its purpose even if nobody rewrites the policy, and the document
  holds only the last hour's revocations (its size limit is 6,144 characters).
- per lifted revocation (`vend unrevoke` within that window): Deny the caller's sessions issued before the lift
  (``aws:TokenIssueTime``), so credentials taken while they were revoked stay dead; new ones work.
- an issued-before time (`vend revoke --all-issued-before`): Deny every session issued before it.

Statements are grouped by their time bounds (expiries rounded up to ``ROUNDING``) to keep the document small.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from resolvers.revocation import AUDIT, REVOCATIONS
from resolvers.settings import REVOCATION_TTL_MAX
from vend_local.iam.quotas import MAX_POLICY_VERSIONS
from vend_local.iam.trust import POLICY_VERSION, require_source_identity

# The longest vended session: the Lambda's AssumeRole is role chaining, capped at one hour (MaxSessionDuration).
MAX_SESSION_SECONDS: Final = 3_600
# AppSync gives up on a resolver after 30 s: a vend that passed the revocation check ends within it.
RESOLVER_LIMIT_SECONDS: Final = 30
# Slack for the clocks of the operator's machine, IAM and STS.
CLOCK_SKEW_SECONDS: Final = 300
# How long after a revocation a session issued before the resolver refused the caller can still be alive: the
# resolver's snapshot may be REVOCATION_TTL_MAX old, its vend may take RESOLVER_LIMIT, the session lives an hour.
LIVE_WINDOW: Final = timedelta(
    seconds=MAX_SESSION_SECONDS + REVOCATION_TTL_MAX + RESOLVER_LIMIT_SECONDS + CLOCK_SKEW_SECONDS
)
ROUNDING: Final = timedelta(minutes=10)
ISO: Final = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True, slots=True)
class Deny:
    """One rule of the deny policy: sessions of ``subs`` (None: every session), issued before ``issued_before``
    (None: whenever), denied until ``until``."""

    subs: tuple[str, ...] | None
    issued_before: datetime | None
    until: datetime


def round_up(moment: datetime) -> datetime:
    """The next ROUNDING boundary at or after ``moment`` (UTC): revocations close in time share a statement."""
    step = ROUNDING.total_seconds()
    return datetime.fromtimestamp(math.ceil(moment.timestamp() / step) * step, UTC)


def deny_policy(rules: Iterable[Deny], now: datetime) -> dict[str, Any]:
    """The document, with every rule still in force at ``now``; sorted, so the same rules give the same text."""
    groups: dict[tuple[bool, datetime | None, datetime], set[str]] = {}
    for rule in rules:
        if rule.until <= now:
            continue
        key = (rule.subs is None, rule.issued_before, rule.until)
        groups.setdefault(key, set()).update(rule.subs or ())
    statements = [require_source_identity()]
    for (everyone, issued_before, until), subs in sorted(groups.items(), key=_group_order):
        condition: dict[str, Any] = {"DateLessThan": {"aws:CurrentTime": until.strftime(ISO)}}
        if issued_before is not None:
            condition["DateLessThan"]["aws:TokenIssueTime"] = issued_before.strftime(ISO)
        if not everyone:
            condition["StringEquals"] = {"aws:SourceIdentity": sorted(subs)}
        statements.append(
            {
                "Sid": _sid(everyone=everyone, issued_before=issued_before, until=until),
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": condition,
            }
        )
    return {"Version": POLICY_VERSION, "Statement": statements}


def _group_order(group: tuple[tuple[bool, datetime | None, datetime], set[str]]) -> tuple[Any, ...]:
    (everyone, issued_before, until), _ = group
    return (everyone, until, issued_before or until)


def _sid(*, everyone: bool, issued_before: datetime | None, until: datetime) -> str:
    # A Sid is letters and digits only.
    if everyone:
        return f"IssuedBefore{issued_before:%Y%m%d%H%M%S}"
    if issued_before is not None:
        return f"LiftedAt{issued_before:%Y%m%d%H%M%S}"
    return f"RevokedUntil{until:%Y%m%d%H%M}"


def initial_deny_policy() -> dict[str, Any]:
    """What the stack creates the policy with, once: nothing revoked."""
    return {"Version": POLICY_VERSION, "Statement": [require_source_identity()]}


def only_denies(document: Any) -> bool:
    """True for a document of Deny statements only: an Allow in this policy would widen every vend role."""
    statements = document.get("Statement") if isinstance(document, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    return isinstance(statements, list) and all(
        isinstance(s, dict) and s.get("Effect") == "Deny" for s in statements
    )


def versions_to_delete(versions: Iterable[tuple[str, bool, datetime]]) -> list[str]:
    """The policy versions to delete so that one more fits IAM's five: the oldest that are not the default.

    ``versions`` are (version id, is the default, created). IAM refuses CreatePolicyVersion with five stored
    (LimitExceeded) and refuses to delete the default version.
    """
    ordered = sorted(versions, key=lambda v: v[2])
    excess = len(ordered) - (MAX_POLICY_VERSIONS - 1)
    return [vid for vid, default, _ in ordered if not default][: max(excess, 0)]


def resolver_read_statement(table_arn: str) -> dict[str, Any]:
    """The resolver Lambda's one permission on the store: Query the revocation partition (resolvers/
    revocation_store.py), nothing else; the audit trail and every write stay out of its reach."""
    return {
        "Sid": "ReadRevocations",
        "Effect": "Allow",
        "Action": "dynamodb:Query",
        "Resource": table_arn,
        "Condition": _partition(REVOCATIONS),
    }


def _partition(name: str) -> dict[str, Any]:
    # A Query or a write always names its partition key; the Null guard says so rather than trust it (an
    # ForAllValues condition is true for a request without the key).
    return {
        "Null": {"dynamodb:LeadingKeys": "false"},
        "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [name]},
    }


OPERATOR_STORE_ACTIONS: Final = ("dynamodb:Query", "dynamodb:PutItem", "dynamodb:DeleteItem")
OPERATOR_POLICY_ACTIONS: Final = (
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:ListPolicyVersions",
    "iam:CreatePolicyVersion",
    "iam:DeletePolicyVersion",
)
OPERATOR_COGNITO_ACTIONS: Final = (
    "cognito-idp:ListUsers",
    "cognito-idp:AdminUserGlobalSignOut",
    "cognito-idp:AdminDisableUser",
    "cognito-idp:AdminEnableUser",
)


def operator_policy(
    *, table_arn: str, deny_policy_arn: str, user_pool_arn: str, stack_arn: str | None = None
) -> dict[str, Any]:
    """The least that `vend revoke`, `vend unrevoke` and `--list` need (sts:GetCallerIdentity needs nothing).

    The store: read and write the revocation partition, and only add to the audit partition (its items are never
    read, changed or deleted by the CLI). The deny policy: its versions only. Cognito: find a user by sub, sign
    them out, disable and enable them. With ``stack_arn``: read that stack's outputs (``--stack``).
    """
    statements: list[dict[str, Any]] = [
        {
            "Sid": "RevocationRecords",
            "Effect": "Allow",
            "Action": list(OPERATOR_STORE_ACTIONS),
            "Resource": table_arn,
            "Condition": _partition(REVOCATIONS),
        },
        {
            "Sid": "AuditRecords",
            "Effect": "Allow",
            "Action": "dynamodb:PutItem",
            "Resource": table_arn,
            "Condition": _partition(AUDIT),
        },
        {
            "Sid": "DenyPolicyVersions",
            "Effect": "Allow",
            "Action": list(OPERATOR_POLICY_ACTIONS),
            "Resource": deny_policy_arn,
        },
        {
            "Sid": "SignOutAndDisable",
            "Effect": "Allow",
            "Action": list(OPERATOR_COGNITO_ACTIONS),
            "Resource": user_pool_arn,
        },
    ]
    if stack_arn is not None:
        statements.append(
            {
                "Sid": "StackOutputs",
                "Effect": "Allow",
                "Action": "cloudformation:DescribeStacks",
                "Resource": stack_arn,
            }
        )
    return {"Version": POLICY_VERSION, "Statement": statements}
