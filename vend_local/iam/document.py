"""Parse and validate an IAM policy document into frozen statements, refusing what IAM would refuse. Pure.

The grammar, from AWS's IAM JSON policy reference: top-level ``Version``, ``Id``, ``Statement`` (one object or a
list); a statement has ``Sid``, ``Effect`` (Allow or Deny), exactly one of ``Action``/``NotAction``, one of
``Resource``/``NotResource`` (required in identity, session and boundary policies; a role trust policy has
none), ``Principal``/``NotPrincipal`` in resource-based policies only (and required there), and ``Condition``.
Without ``"Version": "2012-10-17"`` a policy is read as 2008-10-17, where ``${...}`` is literal text.
Resource ARNs: ``*``, or ``arn:`` with at least six colon-delimited segments, no wildcard in the service segment
and policy variables only in the resource part (after the fifth colon).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from vend_local.iam import patterns
from vend_local.iam.conditions import Clause, ConditionError, parse_block
from vend_local.iam.model import Policy, PolicyKind
from vend_local.iam.patterns import Chunk
from vend_local.iam.policy_variables import Text, VariableSyntaxError, parse_text

VERSION_VARIABLES: Final = "2012-10-17"
VERSIONS: Final = frozenset({VERSION_VARIABLES, "2008-10-17"})
DOCUMENT_KEYS: Final = frozenset({"Version", "Id", "Statement"})
STATEMENT_KEYS: Final = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)
PRINCIPAL_TYPES: Final = frozenset({"AWS", "Service", "Federated", "CanonicalUser"})
_ACTION: Final = re.compile(r"\*|[A-Za-z0-9*?-]+:[A-Za-z0-9*?_.-]*")
_ACCOUNT: Final = re.compile(r"\d{12}")
_ROOT: Final = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):root")

Effect = Literal["Allow", "Deny"]


class PolicyError(ValueError):
    """A document IAM would refuse as malformed; the message names the policy, statement and element."""


@dataclass(frozen=True, slots=True)
class Principals:
    """A Principal element: ``anyone`` for "*" (or {"AWS": "*"}), else the named principals by type."""

    anyone: bool
    accounts: frozenset[str]  # account ids, written bare or as arn:<partition>:iam::<id>:root
    aws: frozenset[str]  # the other AWS principal ARNs (users, roles, role sessions)
    service: frozenset[str]
    federated: frozenset[str]
    canonical_user: frozenset[str]


@dataclass(frozen=True, slots=True)
class Statement:
    index: int
    sid: str | None
    effect: Effect
    actions: tuple[tuple[Chunk, ...], ...]
    not_action: bool
    # None: the statement names no resource (a role trust policy), so it applies to the resource it is attached to.
    resources: tuple[Text, ...] | None
    not_resource: bool
    principals: Principals | None
    not_principal: bool
    conditions: tuple[Clause, ...]

    @property
    def label(self) -> str:
        return self.sid if self.sid else f"#{self.index}"


@dataclass(frozen=True, slots=True)
class Document:
    source: str
    kind: PolicyKind
    statements: tuple[Statement, ...]


def parse_policy(policy: Policy) -> Document:
    where = f"{policy.kind} policy {policy.source!r}"
    doc = policy.document
    if not isinstance(doc, Mapping):
        raise PolicyError(f"{where}: the document is not a JSON object")
    unknown = sorted(set(doc) - DOCUMENT_KEYS)
    if unknown:
        raise PolicyError(f"{where}: unknown element(s) {', '.join(map(repr, unknown))}")
    version = doc.get("Version", "2008-10-17")
    if not isinstance(version, str) or version not in VERSIONS:
        raise PolicyError(f"{where}: Version {version!r} is not 2012-10-17 or 2008-10-17")
    if "Id" in doc and not isinstance(doc["Id"], str):
        raise PolicyError(f"{where}: Id must be a string")
    raw = doc.get("Statement")
    items = [raw] if isinstance(raw, Mapping) else raw
    if not isinstance(items, list) or not items:
        raise PolicyError(f"{where}: Statement must be an object or a non-empty list of objects")
    statements = tuple(
        _statement(item, i, policy.kind, f"{where} statement {i}", variables=version == VERSION_VARIABLES)
        for i, item in enumerate(items)
    )
    return Document(policy.source, policy.kind, statements)


def _statement(raw: Any, index: int, kind: PolicyKind, where: str, *, variables: bool) -> Statement:
    if not isinstance(raw, Mapping):
        raise PolicyError(f"{where}: a statement must be a JSON object")
    unknown = sorted(set(raw) - STATEMENT_KEYS)
    if unknown:
        raise PolicyError(f"{where}: unknown element(s) {', '.join(map(repr, unknown))}")
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyError(f"{where}: Sid must be a string")
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyError(f"{where}: Effect must be Allow or Deny, not {effect!r}")
    action_key = _exactly_one(raw, "Action", "NotAction", where, required=True) or "Action"
    names = _strings(raw[action_key], action_key, where)
    for name in names:
        if not _ACTION.fullmatch(name):
            raise PolicyError(f"{where}: {name!r} is not an action such as 's3:GetObject'")
    actions = tuple(patterns.plain(name) for name in names)
    resource_key = _exactly_one(raw, "Resource", "NotResource", where, required=kind != "resource")
    resources = (
        None
        if resource_key is None
        else tuple(
            _resource(r, where, variables=variables) for r in _strings(raw[resource_key], resource_key, where)
        )
    )
    principals: Principals | None = None
    principal_key = _exactly_one(raw, "Principal", "NotPrincipal", where, required=kind == "resource")
    if principal_key is not None:
        if kind != "resource":
            raise PolicyError(
                f"{where}: {principal_key} belongs in resource-based policies only, not in a {kind} policy"
            )
        principals = _principals(raw[principal_key], f"{where} {principal_key}")
    conditions: tuple[Clause, ...] = ()
    if "Condition" in raw:
        try:
            conditions = parse_block(raw["Condition"], variables=variables)
        except ConditionError as exc:
            raise PolicyError(f"{where}: Condition {exc}") from None
    return Statement(
        index=index,
        sid=sid or None,
        effect="Allow" if effect == "Allow" else "Deny",
        actions=actions,
        not_action=action_key == "NotAction",
        resources=resources,
        not_resource=resource_key == "NotResource",
        principals=principals,
        not_principal=principal_key == "NotPrincipal",
        conditions=conditions,
    )


def _exactly_one(raw: Mapping[str, Any], key: str, negated: str, where: str, *, required: bool) -> str | None:
    present = [k for k in (key, negated) if k in raw]
    if len(present) > 1:
        raise PolicyError(f"{where}: give {key} or {negated}, not both")
    if not present and required:
        raise PolicyError(f"{where}: {key} or {negated} is required")
    return present[0] if present else None


def _strings(value: Any, key: str, where: str) -> Sequence[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(v, str) for v in items):
        raise PolicyError(f"{where}: {key} must be a string or a non-empty list of strings")
    return items


def _resource(source: str, where: str, *, variables: bool) -> Text:
    if source == "*":
        return parse_text(source, variables=False)
    segments = source.split(":", patterns.ARN_PREFIX_COLONS)
    if not source.startswith("arn:") or len(segments) <= patterns.ARN_PREFIX_COLONS:
        raise PolicyError(
            f"{where}: resource {source!r} is neither '*' nor an ARN (arn:partition:service:...)"
        )
    if "*" in segments[2] or "?" in segments[2]:
        raise PolicyError(
            f"{where}: resource {source!r} has a wildcard in the service segment, which IAM refuses"
        )
    try:
        text = parse_text(source, variables=variables)
    except VariableSyntaxError as exc:
        raise PolicyError(f"{where}: {exc}") from None
    if text.variables and source.index("${") < len(":".join(segments[:-1])):
        raise PolicyError(
            f"{where}: resource {source!r} uses a policy variable before the resource part of the ARN"
        )
    return text


def _principals(value: Any, where: str) -> Principals:
    if value == "*":
        return Principals(True, frozenset(), frozenset(), frozenset(), frozenset(), frozenset())
    if not isinstance(value, Mapping) or not value:
        raise PolicyError(f'{where}: must be "*" or an object such as {{"AWS": [...]}}')
    unknown = sorted(set(value) - PRINCIPAL_TYPES)
    if unknown:
        raise PolicyError(f"{where}: unknown principal type(s) {', '.join(map(repr, unknown))}")
    named = {kind: frozenset(_strings(value[kind], kind, where)) for kind in value}
    aws = named.get("AWS", frozenset())
    if "*" in aws and len(aws) > 1:
        raise PolicyError(f'{where}: "*" cannot be listed with other AWS principals')
    roots = {a: m.group(1) for a in aws if (m := _ROOT.fullmatch(a))}
    return Principals(
        anyone="*" in aws,
        accounts=frozenset(a for a in aws if _ACCOUNT.fullmatch(a)) | frozenset(roots.values()),
        aws=frozenset(a for a in aws if a != "*" and a not in roots and not _ACCOUNT.fullmatch(a)),
        service=named.get("Service", frozenset()),
        federated=named.get("Federated", frozenset()),
        canonical_user=named.get("CanonicalUser", frozenset()),
    )
