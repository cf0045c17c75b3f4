"""The identity policy of a vend role: the ceiling of every scope the role serves. Pure, no I/O.

The CDK app (infra/stack.py) deploys exactly this document, and `vend catalog test` judges requests against it,
so it lives in the installed distribution; it imports only resolvers' catalog model, never moto or boto3.

A session policy only narrows the role's identity policy, so the role must allow at least what each of its
scopes can render for any caller, and should allow no more. The ceiling is the union of the scopes' Allow
statements with the deployment variables ({{bucket}}, {{table_arn}}, {{account}}, {{region}}) filled in and
the per-caller variables ({{sub}}, {{claim.*}}) widened, because their values are only known at vend time.

Widening rules, per place a per-caller variable appears:
- resources: the variable becomes ``*`` (``users/{{sub}}/*`` -> ``users/*/*``); the result must still be an ARN.
- a condition under StringLike/ArnLike: the variable becomes ``*``; the key must still be present, as before.
- a condition under StringEquals/ArnEquals: ``*`` would only match a literal star there, so the operator becomes
  its Like counterpart (same ForAllValues:/ForAnyValue: prefix and IfExists suffix) and the variable ``*``.
- any other operator (negations, IgnoreCase, Numeric, Date, Bool, IpAddress, Null): the condition is dropped.
  Dropping only widens an Allow, so the result is still a ceiling; the session policy keeps the exact condition.
Deny statements are left out: the session policy carries them on every vend, and a widened Deny could refuse
what a scope means to grant. Collisions (a widened condition landing on an operator and key already used in the
same statement) are refused rather than merged, because merging would OR two conditions the catalog ANDs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Final

from resolvers import variables
from resolvers.catalog_model import Catalog, Condition, Scope, Statement
from resolvers.templates import Template, Var
from vend_local.iam.quotas import INLINE_POLICIES_MAX

POLICY_VERSION: Final = "2012-10-17"
WIDENED: Final = "*"
# IAM: a role takes 10 managed policies by default (the quota can be raised; we keep to the default).
MANAGED_POLICIES_MAX: Final = 10

_WIDEN_TO_LIKE: Final = {
    "StringLike": "StringLike",
    "StringEquals": "StringLike",
    "ArnLike": "ArnLike",
    "ArnEquals": "ArnLike",
}


class CeilingError(ValueError):
    """The catalog cannot be turned into a vend role policy; the message names the scope and what to change."""


def is_per_caller(name: str) -> bool:
    return name == "sub" or name.startswith(variables.CLAIM_PREFIX)


def role_scopes(catalog: Catalog, role: str) -> tuple[Scope, ...]:
    scopes = tuple(s for name, s in sorted(catalog.scopes.items()) if s.role == role)
    if not scopes:
        raise CeilingError(f"role {role!r}: no scope in the catalog uses it")
    return scopes


def widen(template: Template, deployment: Mapping[str, str], where: str) -> str:
    """Fill deployment variables and widen per-caller ones to ``*``."""
    out: list[str] = []
    for part in template.parts:
        if isinstance(part, str):
            out.append(part)
        elif is_per_caller(part.name):
            out.append(WIDENED)
        elif part.name in deployment:
            out.append(deployment[part.name])
        else:
            raise CeilingError(f"{where}: {template.source!r} needs a value for {{{{{part.name}}}}}")
    return "".join(out)


def _split_operator(operator: str) -> tuple[str, str, str]:
    prefix = next((p for p in ("ForAllValues:", "ForAnyValue:") if operator.startswith(p)), "")
    base = operator.removeprefix(prefix)
    suffix = "IfExists" if base.endswith("IfExists") else ""
    return prefix, base.removesuffix(suffix), suffix


def _has_per_caller(templates: Iterable[Template]) -> bool:
    return any(isinstance(p, Var) and is_per_caller(p.name) for t in templates for p in t.parts)


def widen_condition(
    condition: Condition, deployment: Mapping[str, str], where: str
) -> tuple[str, list[str]] | None:
    """The (operator, values) the ceiling uses for ``condition``, or None when the condition is dropped."""
    values = sorted({widen(t, deployment, where) for t in condition.values})
    if not _has_per_caller(condition.values):
        return condition.operator, values
    prefix, base, suffix = _split_operator(condition.operator)
    like = _WIDEN_TO_LIKE.get(base)
    if like is None:
        return None
    return f"{prefix}{like}{suffix}", values


def widen_statement(scope: Scope, statement: Statement, deployment: Mapping[str, str]) -> dict[str, Any]:
    where = f"scopes.{scope.name}.{statement.sid}"
    resources: set[str] = set()
    for template in statement.resources:
        resource = widen(template, deployment, where)
        # A bare "*" is only ever the catalog's own, opted-in choice, never the product of widening.
        if not resource.startswith("arn:") and not (template.source == "*" and scope.allow_wildcard_resource):
            raise CeilingError(
                f"{where}: resource {template.source!r} would widen to {resource!r}, not an ARN"
            )
        resources.add(resource)
    out: dict[str, Any] = {
        "Sid": _sid(scope.name, statement.sid),
        "Effect": "Allow",
        "Action": sorted(set(statement.actions)),
        "Resource": sorted(resources),
    }
    condition: dict[str, dict[str, list[str]]] = {}
    for cond in statement.conditions:
        widened = widen_condition(cond, deployment, where)
        if widened is None:
            continue
        operator, values = widened
        block = condition.setdefault(operator, {})
        if cond.key in block:
            raise CeilingError(
                f"{where}: two conditions on {cond.key!r} meet under {operator} once widened; "
                "split the statement so each key has one operator"
            )
        block[cond.key] = values
    if condition:
        out["Condition"] = condition
    return out


def role_ceiling(catalog: Catalog, role: str, deployment: Mapping[str, str]) -> dict[str, Any]:
    """The identity policy document for vend role ``role``: deterministic, sorted, deduplicated."""
    statements: dict[str, dict[str, Any]] = {}
    for scope in role_scopes(catalog, role):
        for st in scope.statements:
            if st.effect != "Allow":
                continue
            widened = widen_statement(scope, st, deployment)
            # The same grant from two scopes appears once, under the first scope's Sid.
            body = json.dumps({k: v for k, v in widened.items() if k != "Sid"}, sort_keys=True)
            statements.setdefault(body, widened)
    document = {"Version": POLICY_VERSION, "Statement": sorted(statements.values(), key=lambda s: s["Sid"])}
    size = len(json.dumps(document, separators=(",", ":")))
    if size > INLINE_POLICIES_MAX:
        raise CeilingError(
            f"role {role!r}: its ceiling is {size} characters; IAM allows {INLINE_POLICIES_MAX}"
        )
    return document


def role_managed_policies(catalog: Catalog, role: str, deployment: Mapping[str, str]) -> list[str]:
    """Managed policies a scope passes as PolicyArns only work if the role itself has them attached."""
    arns: set[str] = set()
    for scope in role_scopes(catalog, role):
        for template in scope.managed_policy_arns:
            where = f"scopes.{scope.name}.managed_policy_arns"
            if _has_per_caller([template]):
                raise CeilingError(f"{where}: {template.source!r} depends on the caller; name the policy")
            arns.add(widen(template, deployment, where))
    if len(arns) > MANAGED_POLICIES_MAX:
        raise CeilingError(
            f"role {role!r}: {len(arns)} managed policies; a role takes {MANAGED_POLICIES_MAX}"
        )
    return sorted(arns)


def role_session_tag_keys(catalog: Catalog, role: str) -> list[str]:
    """The catalog's own session tag keys for the scopes this role serves (the reserved vend:* keys excluded)."""
    return sorted({key for scope in role_scopes(catalog, role) for key, _ in scope.session_tags})


def _sid(scope: str, sid: str) -> str:
    # IAM Sids are [A-Za-z0-9] and unique per policy: prefix the catalog Sid with the scope in CamelCase.
    return "".join(word.capitalize() for word in scope.split("_")) + sid
