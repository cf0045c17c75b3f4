"""The trust policy of a vend role and the revocation statements of its identity policy. Pure, no I/O.

Every vend is one AssumeRole call from the resolver Lambda's role that sets SourceIdentity = the caller's sub
and the session tags vend:sub and vend:scope (resolvers/decision.py), plus the scope's catalog tags. Passing
tags and a source identity makes IAM also evaluate sts:TagSession and sts:SetSourceIdentity against the trust
policy with the same request context, so one statement names all three actions and carries every condition.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Final

from resolvers.catalog import SCOPE_TAG, SUB_TAG
from resolvers.variables import SUB

TRUST_ACTIONS: Final = ("sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession")
# A Cognito sub is a UUID: 36 characters with dashes at fixed places. StringLike's '?' is one character.
UUID_SHAPE: Final = "????????-????-????-????-????????????"
# aws:TokenIssueTime is compared as a date; we accept only an unambiguous UTC timestamp.
ISSUED_BEFORE: Final = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def trust_policy(
    lambda_role_arn: str,
    scopes: Iterable[str],
    extra_tag_keys: Iterable[str],
    revoked_subs: Iterable[str] = (),
) -> dict[str, Any]:
    """Admit only the resolver Lambda's role, and only for a vend-shaped request.

    - ``Null ... false``: a source identity and both vend tags must be present. ForAllValues below is true for
      a request with no tags at all, so presence has to be required separately.
    - ``StringEquals aws:RequestTag/vend:scope``: only the scopes this role serves.
    - ``StringLike``: the source identity and the vend:sub tag have the shape of a Cognito sub.
    - ``ForAllValues:StringEquals aws:TagKeys``: no tag keys beyond the vend tags and the catalog's own.
    """
    tag_keys = sorted({SUB_TAG, SCOPE_TAG, *extra_tag_keys})
    principal = {"AWS": lambda_role_arn}
    statements: list[dict[str, Any]] = [
        {
            "Sid": "VendLambdaOnly",
            "Effect": "Allow",
            "Principal": principal,
            "Action": list(TRUST_ACTIONS),
            "Condition": {
                "Null": {
                    "sts:SourceIdentity": "false",
                    f"aws:RequestTag/{SUB_TAG}": "false",
                    f"aws:RequestTag/{SCOPE_TAG}": "false",
                },
                "StringEquals": {f"aws:RequestTag/{SCOPE_TAG}": sorted(set(scopes))},
                "StringLike": {"sts:SourceIdentity": UUID_SHAPE, f"aws:RequestTag/{SUB_TAG}": UUID_SHAPE},
                "ForAllValues:StringEquals": {"aws:TagKeys": tag_keys},
            },
        }
    ]
    subs = checked_subs(revoked_subs)
    if subs:
        # No new session for a revoked caller; their existing sessions are refused by revoke_statements().
        statements.append(
            {
                "Sid": "RevokedCallers",
                "Effect": "Deny",
                "Principal": principal,
                "Action": list(TRUST_ACTIONS),
                "Condition": {"StringEquals": {"sts:SourceIdentity": subs}},
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def revoke_statements(issued_before: str | None, revoked_subs: Iterable[str]) -> list[dict[str, Any]]:
    """Deny statements for the vend role's identity policy: STS credentials cannot be revoked one by one.

    A role-level Deny applies to sessions already issued, whatever their session policy says:
    ``aws:TokenIssueTime`` cuts every session issued before a moment; ``aws:SourceIdentity`` (set to the sub at
    vend time and immutable for the session, even through role chaining) cuts one caller's sessions.
    """
    out: list[dict[str, Any]] = []
    if issued_before is not None:
        if not ISSUED_BEFORE.fullmatch(issued_before):
            raise ValueError(f"revoke_issued_before: {issued_before!r} must look like 2026-01-31T12:00:00Z")
        out.append(
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
        out.append(
            {
                "Sid": "RevokeCallers",
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceIdentity": subs}},
            }
        )
    return out


def checked_subs(subs: Iterable[str]) -> list[str]:
    out = sorted(set(subs))
    bad = [s for s in out if not SUB.fullmatch(s)]
    if bad:
        raise ValueError(f"revoke_subs: {bad!r} are not Cognito subs (lowercase UUIDs)")
    return out
