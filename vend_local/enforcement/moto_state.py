"""Reads moto's in-process state for the enforcement: the sessions STS issued, a role's policies, tags and
trust policy, managed policies, a table's key schema, a bucket's CORS rules. In-process reads only, no network.

Import only after the embedded AWS has set MOTO_DISABLE_GLOBAL_CORS (importing it imports moto).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from moto.dynamodb.models import dynamodb_backends
from moto.iam.models import iam_backends
from moto.s3.models import s3_backends
from moto.s3.responses import S3Response
from moto.s3.utils import bucket_name_from_url, cors_matches_origin
from moto.sts.models import sts_backends

from vend_local.iam.dynamodb_requests import TableKeys
from vend_local.iam.model import PolicyKind

PARTITION = "aws"


@dataclass(frozen=True, slots=True)
class IssuedSession:
    """What moto.sts keeps of one AssumeRole."""

    role_arn: str
    session_name: str
    policy: str | None
    expiration: datetime
    secret_access_key: str
    session_token: str


class MissingPolicy(LookupError):
    """A policy a session depends on is not in IAM (any more): the session's requests cannot be judged."""


def account_of(arn: str) -> str:
    return arn.split(":")[4]


def issued_session(account: str, access_key_id: str) -> IssuedSession | None:
    found = sts_backends[account][PARTITION].get_assumed_role_from_access_key(access_key_id)
    if found is None:
        return None
    return IssuedSession(
        role_arn=found.role_arn,
        session_name=found.session_name,
        policy=found.policy or None,
        # moto keeps naive UTC datetimes.
        expiration=found.expiration.replace(tzinfo=UTC),
        secret_access_key=found.secret_access_key,
        session_token=found.session_token,
    )


def _role(account: str, role_arn: str) -> Any:
    try:
        return iam_backends[account][PARTITION].get_role_by_arn(role_arn)
    except Exception:  # noqa: BLE001 - moto's NotFoundException, or a malformed ARN
        return None


@dataclass(frozen=True, slots=True)
class PolicyText:
    """A policy as IAM stores it: parsed (and cached) by the enforcement, not here."""

    source: str
    kind: PolicyKind
    text: str


def _managed(account: str, arn: str) -> str:
    policy = iam_backends[account][PARTITION].managed_policies.get(arn)
    if policy is None:
        raise MissingPolicy(f"managed policy {arn} is not in IAM")
    return str(next(v for v in policy.versions if v.is_default).document)


@dataclass(frozen=True, slots=True)
class RoleFacts:
    role_id: str
    tags: tuple[tuple[str, str], ...]
    trust_policy_text: str
    # The role's inline and attached policies (kind identity) and its permissions boundary, if any.
    identity: tuple[PolicyText, ...]

    @property
    def trust_policy(self) -> Mapping[str, Any]:
        document: Mapping[str, Any] = json.loads(self.trust_policy_text)
        return document


def role_facts(account: str, role_arn: str) -> RoleFacts | None:
    """The role as IAM knows it (None if there is none); MissingPolicy if a policy it names is gone."""
    role = _role(account, role_arn)
    if role is None:
        return None
    raw_tags = role.tags or {}
    items = raw_tags.values() if isinstance(raw_tags, dict) else raw_tags
    tags = tuple((t["Key"], t["Value"]) for t in items)
    return RoleFacts(role.id, tags, role.assume_role_policy_document, _identity(account, role))


def _identity(account: str, role: Any) -> tuple[PolicyText, ...]:
    policies = [
        PolicyText(f"{role.name} inline policy {name}", "identity", document)
        for name, document in sorted(role.policies.items())
    ]
    policies += [PolicyText(arn, "identity", _managed(account, arn)) for arn in sorted(role.managed_policies)]
    if role.permissions_boundary_arn:
        arn = role.permissions_boundary_arn
        policies.append(PolicyText(f"permissions boundary {arn}", "boundary", _managed(account, arn)))
    return tuple(policies)


def session_policies(account: str, inline: str | None, policy_arns: tuple[str, ...]) -> list[PolicyText]:
    """The session policies passed to AssumeRole: the inline one and the managed ones (kind session)."""
    policies = [PolicyText("session policy", "session", inline)] if inline else []
    policies += [
        PolicyText(f"session policy {arn}", "session", _managed(account, arn)) for arn in policy_arns
    ]
    return policies


def table_keys(account: str, region: str, table: str) -> TableKeys | None:
    try:
        found = dynamodb_backends[account][region].get_table(table)
    except Exception:  # noqa: BLE001 - moto's ResourceNotFoundException
        return None

    def schema(items: list[dict[str, str]]) -> tuple[tuple[str, str], ...]:
        return tuple((k["AttributeName"], k["KeyType"]) for k in items)

    indexes = {index.name: schema(index.schema) for index in [*found.indexes, *found.global_indexes]}
    return TableKeys(schema(found.schema), indexes)


@functools.lru_cache(maxsize=64)
def virtual_host_bucket(host: str) -> str | None:
    """The bucket a virtual-hosted-style Host names (``bucket.s3.amazonaws.com``), decided as moto decides it."""
    request = SimpleNamespace(headers={"host": host}, url=f"http://{host}/")
    if not S3Response.subdomain_based_buckets(request):
        return None
    return bucket_name_from_url(f"http://{host}/")


def bucket_cors(account: str, bucket: str, origin: str, method: str) -> list[tuple[str, str]]:
    """The CORS headers S3 adds for ``origin`` by the bucket's rules (on errors too: a browser must read them)."""
    try:
        rules = s3_backends[account][PARTITION].get_bucket(bucket).cors
    except Exception:  # noqa: BLE001 - moto's MissingBucket
        return []
    for rule in rules:
        if cors_matches_origin(origin, rule.allowed_origins or []) and method in (rule.allowed_methods or []):
            return [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
    return []
