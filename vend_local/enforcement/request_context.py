"""The global (aws:*) condition context of a request made with a role session's credentials. Pure, no I/O.

Sources: the IAM User Guide's "AWS global condition context keys", for a role session: aws:PrincipalArn is the
role's ARN (not the session's), aws:userid is ``<role id>:<session name>``, aws:username is absent, and
aws:PrincipalTag/* holds the role's tags overridden by the session's tags. Keys are included only where this
module can state them exactly; keys it knows the request lacks go to ``known_absent``. Others (for example
aws:MultiFactorAuthPresent, aws:ResourceTag/*) are left out of both, so a policy that names them is judged
NotModelled and denied.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Final

from vend_local.iam.http_request import absent
from vend_local.iam.model import Request

# Never present here: no VPC endpoint, no organization, not called through another AWS service.
ALWAYS_ABSENT: Final = absent(
    "aws:username",
    "aws:CalledVia",
    "aws:CalledViaFirst",
    "aws:CalledViaLast",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:VpcSourceIp",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalServiceName",
    "aws:PrincipalServiceNamesList",
    "aws:FederatedProvider",
)
# Prefixes of tag keys whose absence is known for every tag the policies name and the session lacks.
PRINCIPAL_TAG: Final = "aws:principaltag/"
REQUEST_TAG: Final = "aws:requesttag/"


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """What IAM knows of a role session when it authorises one of its requests."""

    account: str
    role_arn: str  # arn:aws:iam::<account>:role/<path><name>
    role_id: str  # AROA...
    session_name: str
    tags: tuple[tuple[str, str], ...]  # the role's tags, then the session's (a session tag wins)
    source_identity: str | None
    issued_at: datetime

    @property
    def role_name(self) -> str:
        return self.role_arn.rpartition("/")[2]

    @property
    def session_arn(self) -> str:
        return f"arn:aws:sts::{self.account}:assumed-role/{self.role_name}/{self.session_name}"


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """What the HTTP request itself tells: when, where to, from where, and with which client."""

    now: datetime
    region: str  # the region the request was signed for
    source_ip: str | None = None
    user_agent: str | None = None
    referer: str | None = None


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def global_context(
    session: SessionFacts, request: RequestFacts
) -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    context: dict[str, tuple[str, ...]] = {
        "aws:PrincipalArn": (session.role_arn,),
        "aws:PrincipalAccount": (session.account,),
        "aws:PrincipalType": ("AssumedRole",),
        "aws:userid": (f"{session.role_id}:{session.session_name}",),
        "aws:TokenIssueTime": (iso(session.issued_at),),
        "aws:CurrentTime": (iso(request.now),),
        "aws:EpochTime": (str(int(request.now.timestamp())),),
        "aws:RequestedRegion": (request.region,),
        # The embedded AWS speaks plain HTTP.
        "aws:SecureTransport": ("false",),
        "aws:ViaAWSService": ("false",),
        "aws:PrincipalIsAWSService": ("false",),
    }
    missing = set(ALWAYS_ABSENT)
    for key, value in (
        ("aws:SourceIdentity", session.source_identity),
        ("aws:SourceIp", request.source_ip),
        ("aws:UserAgent", request.user_agent),
        ("aws:Referer", request.referer),
    ):
        if value is None:
            missing.add(key.lower())
        else:
            context[key] = (value,)
    for key, value in dict(session.tags).items():
        context[f"aws:PrincipalTag/{key}"] = (value,)
    return context, frozenset(missing)


def condition_keys(documents: Iterable[Mapping[str, Any]]) -> frozenset[str]:
    """Every condition key the documents' statements name, lower case."""
    keys: set[str] = set()
    for document in documents:
        statements = document.get("Statement", [])
        for statement in statements if isinstance(statements, list) else [statements]:
            condition = statement.get("Condition") if isinstance(statement, dict) else None
            if not isinstance(condition, dict):
                continue
            for block in condition.values():
                if isinstance(block, dict):
                    keys.update(str(k).lower() for k in block)
    return frozenset(keys)


def complete(
    request: Request,
    context: Mapping[str, tuple[str, ...]],
    known_absent: frozenset[str],
    named_keys: frozenset[str],
) -> Request:
    """``request`` with the global context added; tag keys the policies name and nobody set are absent.

    The request's own keys win over the global ones. aws:RequestTag/* and aws:TagKeys are absent unless the
    request mapping set them (only a tagging call carries request tags).
    """
    merged = {**context, **request.context}
    present = {k.lower() for k in merged}
    tags = {k for k in named_keys if k.startswith((PRINCIPAL_TAG, REQUEST_TAG))}
    gone = (known_absent | request.known_absent | tags | {"aws:tagkeys"}) - present
    return replace(request, context=merged, known_absent=frozenset(gone))
