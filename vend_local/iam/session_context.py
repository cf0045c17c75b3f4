"""The request context a role session brings to every request it signs, as AWS documents it. Pure, no I/O.

From the IAM global condition context keys reference, for an assumed-role session:
- ``aws:PrincipalArn`` is the role's ARN (not the session's), ``aws:PrincipalAccount`` its account,
  ``aws:PrincipalType`` is ``AssumedRole``, ``aws:userid`` is ``<role id>:<role session name>``;
- ``aws:username`` is not present for a role session;
- ``aws:PrincipalTag/<key>`` holds each session tag (session tags override the role's own tags);
- ``aws:SourceIdentity`` is the SourceIdentity set at AssumeRole; ``aws:TokenIssueTime`` when it was issued;
- ``aws:CurrentTime``/``aws:EpochTime`` the time of the request, ``aws:RequestedRegion`` its region,
  ``aws:SecureTransport`` whether it used TLS.
Per-request keys (``s3:prefix``, ``dynamodb:LeadingKeys``, ...) come from the request mapping, not from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

ISO_8601: Final = "%Y-%m-%dT%H:%M:%SZ"
# Keys a role session never has.
ABSENT_FOR_ROLE_SESSIONS: Final = frozenset({"aws:username"})


@dataclass(frozen=True, slots=True)
class SessionContext:
    principal: str  # the session's ARN, for Principal elements
    context: Mapping[str, tuple[str, ...]]
    known_absent: frozenset[str]
    # Keys AWS would set that we cannot know here (aws:userid without the role's unique id): never "absent".
    unknown: frozenset[str]


def role_session(
    *,
    role_arn: str,
    session_name: str,
    source_identity: str | None,
    tags: Iterable[tuple[str, str]],
    region: str,
    issued_at: datetime,
    now: datetime,
    role_id: str | None = None,
    secure_transport: bool = True,
) -> SessionContext:
    partition, account, role_name = _role_parts(role_arn)
    context: dict[str, tuple[str, ...]] = {
        "aws:PrincipalArn": (role_arn,),
        "aws:PrincipalAccount": (account,),
        "aws:PrincipalType": ("AssumedRole",),
        "aws:TokenIssueTime": (_iso(issued_at),),
        "aws:CurrentTime": (_iso(now),),
        "aws:EpochTime": (str(int(now.timestamp())),),
        "aws:RequestedRegion": (region,),
        "aws:SecureTransport": ("true" if secure_transport else "false",),
        "aws:PrincipalIsAWSService": ("false",),
        "aws:ViaAWSService": ("false",),
    }
    absent = set(ABSENT_FOR_ROLE_SESSIONS)
    if source_identity is not None:
        context["aws:SourceIdentity"] = (source_identity,)
    else:
        absent.add("aws:sourceidentity")
    for key, value in tags:
        context[f"aws:PrincipalTag/{key}"] = (value,)
    unknown: set[str] = set()
    if role_id is not None:
        context["aws:userid"] = (f"{role_id}:{session_name}",)
    else:
        unknown.add("aws:userid")
    return SessionContext(
        principal=f"arn:{partition}:sts::{account}:assumed-role/{role_name}/{session_name}",
        context=context,
        known_absent=frozenset(absent),
        unknown=frozenset(unknown),
    )


def _role_parts(role_arn: str) -> tuple[str, str, str]:
    """arn:<partition>:iam::<account>:role/<path/><name> -> (partition, account, name)."""
    parts = role_arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or not parts[5].startswith("role/"):
        raise ValueError(f"{role_arn!r} is not an IAM role ARN")
    return parts[1], parts[4], parts[5].rsplit("/", 1)[1]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(ISO_8601)
