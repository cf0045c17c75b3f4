"""The trust policy of a vend role and its managed session-deny policy (revocation). Pure, no I/O.

Shared by the CDK app (infra/stack.py deploys it) and the embedded AWS (vend_local/embedded_aws.py seeds the same
documents), so local enforcement of AssumeRole judges the trust policy AWS will judge.

Every vend is one AssumeRole call from the resolver Lambda's role that sets SourceIdentity = the caller's sub
and the session tags vend:sub and vend:scope (resolvers/decision.py), plus the scope's catalog tags. IAM
authorises such a call as up to three actions against the trust policy: sts:AssumeRole, sts:SetSourceIdentity
(a source identity is set) and sts:TagSession (tags are passed).

Each action's statement conditions only on keys the Service Authorization Reference documents for that action,
so the policy means the same whether IAM puts every request key into each action's context or only that
action's own keys:
- sts:AssumeRole and sts:SetSourceIdentity: ``sts:SourceIdentity``;
- sts:TagSession: ``aws:RequestTag/*``, ``aws:TagKeys`` and ``sts:TransitiveTagKeys``.
A key an action does not document would be absent under the narrow reading, and a condition on an absent key
never matches (every vend refused), or, negated, always matches (a guard that guards nothing).

What IAM cannot express under both readings, and what holds it instead (SECURITY.md):
- that a session carries tags at all: an AssumeRole without tags is never evaluated as sts:TagSession, and
  ``aws:RequestTag`` is not an AssumeRole key. The resolver always tags; a session without vend:sub matches no
  policy that uses ``${aws:PrincipalTag/vend:sub}`` (IAM fails closed on a missing policy variable).
- that the vend:sub tag equals the source identity: the two keys are never documented for the same action. The
  resolver sets both from the one verified sub (tests/functional/test_sts_adapter.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Final

from resolvers.catalog import SCOPE_TAG, SUB_TAG
from resolvers.variables import SUB

POLICY_VERSION: Final = "2012-10-17"
# Every action the Lambda role needs on a vend role (its own identity policy names the same three).
TRUST_ACTIONS: Final = ("sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession")
SOURCE_IDENTITY_ACTIONS: Final = ("sts:AssumeRole", "sts:SetSourceIdentity")
TAG_ACTION: Final = "sts:TagSession"
# A Cognito sub is a UUID: 36 characters with dashes at fixed places. StringLike's '?' is one character.
UUID_SHAPE: Final = "????????-????-????-????-????????????"
# aws:TokenIssueTime is compared as a date; we accept only an unambiguous UTC timestamp.
ISSUED_BEFORE: Final = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def trust_policy(
    lambda_role_arn: str, scopes: Iterable[str], extra_tag_keys: Iterable[str]
) -> dict[str, Any]:
    """Admit only the resolver Lambda's role, and only for a vend-shaped request.

    - AssumeRole and SetSourceIdentity: a source identity shaped like a Cognito sub (StringLike on a missing
      key does not match, so it is also required).
    - TagSession: both vend tags present (``Null``: ForAllValues alone is true for a request with no tags),
      vend:scope one of this role's scopes, vend:sub shaped like a sub, no tag keys beyond the vend tags and
      the catalog's own, and no transitive tag keys at all (a vended session is never meant to chain on; its
      source identity survives chaining anyway).
    """
    tag_keys = sorted({SUB_TAG, SCOPE_TAG, *extra_tag_keys})
    principal = {"AWS": lambda_role_arn}
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "VendLambdaSourceIdentity",
                "Effect": "Allow",
                "Principal": principal,
                "Action": list(SOURCE_IDENTITY_ACTIONS),
                "Condition": {"StringLike": {"sts:SourceIdentity": UUID_SHAPE}},
            },
            {
                "Sid": "VendLambdaSessionTags",
                "Effect": "Allow",
                "Principal": principal,
                "Action": TAG_ACTION,
                "Condition": {
                    "Null": {
                        f"aws:RequestTag/{SUB_TAG}": "false",
                        f"aws:RequestTag/{SCOPE_TAG}": "false",
                        "sts:TransitiveTagKeys": "true",
                    },
                    "StringEquals": {f"aws:RequestTag/{SCOPE_TAG}": sorted(set(scopes))},
                    "StringLike": {f"aws:RequestTag/{SUB_TAG}": UUID_SHAPE},
                    "ForAllValues:StringEquals": {"aws:TagKeys": tag_keys},
                },
            },
        ],
    }


def session_deny_policy(issued_before: str | None, revoked_subs: Iterable[str]) -> dict[str, Any]:
    """The managed policy attached to every vend role: denies that apply to sessions already issued.

    STS credentials cannot be revoked one by one, but a role-level Deny applies to every request a session
    makes, whatever its session policy says. A managed policy (6,144 characters) holds about 150 subs where the
    trust policy (2,048) held 27, and one document serves every vend role.

    - ``RequireSourceIdentity`` (always): every vended session has a source identity (the trust policy demands
      one), so a vend-role session without it was not vended by us and may do nothing itself. It also keeps the
      document non-empty (IAM refuses a policy without statements) when nothing is revoked.
    - ``aws:TokenIssueTime`` before a moment: cuts every session issued before it.
    - ``aws:SourceIdentity`` one of the revoked subs: cuts those callers' sessions, the ones already issued and
      any issued later (the source identity is the sub, immutable for the session, even through role chaining).
    """
    statements: list[dict[str, Any]] = [require_source_identity()]
    if issued_before is not None:
        if not ISSUED_BEFORE.fullmatch(issued_before):
            raise ValueError(f"revoke_issued_before: {issued_before!r} must look like 2026-01-31T12:00:00Z")
        statements.append(
            {
                "Sid": "RevokeSessionsIssuedBefore",
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"DateLessThan": {"aws:TokenIssueTime": issued_before}},
            }
        )
    subs = checked_subs(revoked_subs)
    if subs:
        statements.append(
            {
                "Sid": "RevokeCallers",
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceIdentity": subs}},
            }
        )
    return {"Version": POLICY_VERSION, "Statement": statements}


def require_source_identity() -> dict[str, Any]:
    """Deny a vend-role session without a source identity: we never vend one (the trust policy demands it)."""
    return {
        "Sid": "RequireSourceIdentity",
        "Effect": "Deny",
        "Action": "*",
        "Resource": "*",
        # Requests AWS services make on the session's behalf (S3 calling KMS) may lack the key.
        "Condition": {
            "Null": {"aws:SourceIdentity": "true"},
            "BoolIfExists": {"aws:ViaAWSService": "false"},
        },
    }


def checked_subs(subs: Iterable[str]) -> list[str]:
    out = sorted(set(subs))
    bad = [s for s in out if not SUB.fullmatch(s)]
    if bad:
        raise ValueError(f"revoke_subs: {bad!r} are not Cognito subs (lowercase UUIDs)")
    return out
