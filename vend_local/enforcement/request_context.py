"""The condition context of a request made with a role session's credentials in the embedded AWS. Pure, no I/O.

The session's own keys (aws:PrincipalArn, aws:userid, aws:PrincipalTag/*, aws:SourceIdentity, the times, the
region) are vend_local.iam.session_context's. What the HTTP request adds is here: aws:SourceIp, aws:UserAgent,
aws:Referer, aws:SecureTransport (false: the embedded AWS speaks plain HTTP), and the keys a request to it never
has (no VPC endpoint, no organization, not called through another service). Keys that neither this module nor
the request mapping can state (aws:MultiFactorAuthPresent, aws:ResourceTag/*, ...) are left out of both the
context and ``known_absent``, so a policy that names them is judged NotModelled and denied.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final

from vend_local.iam.http_request import absent
from vend_local.iam.model import Request
from vend_local.iam.session_context import role_session

# Never present here: no VPC endpoint, no organization, not called through another AWS service.
NEVER_PRESENT: Final = absent(
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
# Tag keys a policy can name without the request carrying them: absent unless someone set them.
TAG_PREFIXES: Final = ("aws:principaltag/", "aws:requesttag/")


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
    def session_arn(self) -> str:
        return (
            f"arn:aws:sts::{self.account}:assumed-role/{self.role_arn.rpartition('/')[2]}/{self.session_name}"
        )


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """What the HTTP request itself tells: when, where to, from where, and with which client."""

    now: datetime
    region: str  # the region the request was signed for
    source_ip: str | None = None
    user_agent: str | None = None
    referer: str | None = None


@dataclass(frozen=True, slots=True)
class GlobalContext:
    principal: str  # the session's ARN
    context: dict[str, tuple[str, ...]]
    known_absent: frozenset[str]


def global_context(session: SessionFacts, request: RequestFacts) -> GlobalContext:
    base = role_session(
        role_arn=session.role_arn,
        session_name=session.session_name,
        source_identity=session.source_identity,
        tags=session.tags,
        region=request.region,
        issued_at=session.issued_at,
        now=request.now,
        role_id=session.role_id,
        secure_transport=False,
    )
    context = dict(base.context)
    missing = set(base.known_absent) | NEVER_PRESENT
    for key, value in (
        ("aws:SourceIp", request.source_ip),
        ("aws:UserAgent", request.user_agent),
        ("aws:Referer", request.referer),
    ):
        if value is None:
            missing.add(key.lower())
        else:
            context[key] = (value,)
    return GlobalContext(base.principal, context, frozenset(missing))


def complete(request: Request, session: GlobalContext, named_keys: frozenset[str]) -> Request:
    """``request`` with the session's context and principal added; tag keys the policies name and nobody set
    are absent.

    The request's own keys win over the session's. aws:RequestTag/* and aws:TagKeys are absent unless the
    request mapping set them (only a tagging call, such as AssumeRole with tags, carries request tags).
    """
    merged = {**session.context, **request.context}
    present = {k.lower() for k in merged}
    tags = {k for k in named_keys if k.startswith(TAG_PREFIXES)}
    gone = (session.known_absent | request.known_absent | tags | {"aws:tagkeys"}) - present
    return replace(request, context=merged, known_absent=frozenset(gone), principal=session.principal)
