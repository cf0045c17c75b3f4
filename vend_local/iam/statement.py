"""Judge one statement against one request: does it apply, and (for a resource-based policy) to whom did it
grant? Pure, no I/O.

A statement applies when its action, resource, principal (resource-based policies) and every condition match.
A policy variable that cannot be resolved makes the whole statement not apply ("any attempt to match it fails
and causes the statement to be invalid", IAM policy variables reference), whichever element it is in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from vend_local.iam import patterns
from vend_local.iam.conditions import evaluate_block
from vend_local.iam.document import Principals, Statement
from vend_local.iam.model import Request
from vend_local.iam.policy_variables import ABSENT, Absent, Lookup, Unresolved, resolve
from vend_local.iam.tri import Tri, Unknown, all_of, any_of, negate

# How a resource-based policy's Principal named the caller, which decides what else must allow (IAM policy
# evaluation logic, "Resource-based policies" within one account):
# - "direct": the session (or user) ARN itself: not limited by implicit denies elsewhere;
# - "limited": the role ARN, or "*": limited by an implicit deny in the permissions boundary or session policy;
# - "delegated": the account: grants nothing by itself, the identity-based policy must allow.
Grant = Literal["direct", "limited", "delegated"]

_NOT_IN_CONTEXT: Final = Unknown("")


@dataclass(frozen=True, slots=True)
class Judgement:
    applies: Tri
    grant: Grant | None = None


def make_lookup(request: Request) -> Lookup:
    context = {key.lower(): values for key, values in request.context.items()}
    absent = frozenset(key.lower() for key in request.known_absent)

    def lookup(key: str) -> tuple[str, ...] | Absent | Unknown:
        values = context.get(key)
        if values is not None:
            return values if values else ABSENT
        return ABSENT if key in absent else _NOT_IN_CONTEXT

    return lookup


def judge(statement: Statement, request: Request, lookup: Lookup) -> Judgement:
    action = any(patterns.matches(chunks, "action", request.action) for chunks in statement.actions)
    if action == statement.not_action:
        return Judgement(False)
    resource = _resource(statement, request, lookup)
    if resource is False:
        return Judgement(False)
    principal: Tri = True
    grant: Grant | None = None
    if statement.principals is not None:
        named = _principal(statement.principals, statement.not_principal, request, lookup)
        if isinstance(named, str):
            principal, grant = True, named
        else:
            # Unknown whom it names: count it where it would matter most, so the doubt is never dropped.
            principal, grant = named, "direct" if isinstance(named, Unknown) else None
    conditions = evaluate_block(statement.conditions, lookup)
    return Judgement(all_of((resource, principal, conditions)), grant)


def _resource(statement: Statement, request: Request, lookup: Lookup) -> Tri:
    if statement.resources is None:
        return True
    results: list[Tri] = []
    for text in statement.resources:
        chunks = resolve(text, lookup, wildcards=True)
        if isinstance(chunks, Unresolved):
            return False
        results.append(
            chunks if isinstance(chunks, Unknown) else patterns.matches(chunks, "resource", request.resource)
        )
    matched = any_of(results)
    return negate(matched) if statement.not_resource else matched


def _principal(principals: Principals, not_principal: bool, request: Request, lookup: Lookup) -> Tri | Grant:
    """For Principal: the grant kind, or False; for NotPrincipal: whether the statement applies."""
    identities = _identities(request, lookup)
    if isinstance(identities, Unknown):
        return identities
    caller, role, account = identities
    if not_principal:
        # AWS compares each of the caller's identities (session, role, account): the statement applies unless
        # every one of them is listed (NotPrincipal reference: list the session, the role and the account).
        listed = [
            caller is None or caller in principals.aws or caller in principals.service,
            role is None or role in principals.aws,
            account is None or account in principals.accounts,
        ]
        return not principals.anyone and not all(listed)
    if caller is not None and (caller in principals.aws or caller in principals.service):
        return "direct"
    if (role is not None and role in principals.aws) or principals.anyone:
        return "limited"
    if account is not None and account in principals.accounts:
        return "delegated"
    return False


def _identities(request: Request, lookup: Lookup) -> tuple[str | None, str | None, str | None] | Unknown:
    """The caller's own ARN, its role's ARN (for a role session) and its account id."""
    role = _single(lookup("aws:principalarn"))
    caller = request.principal
    if caller is None and role is None:
        return Unknown("a resource-based policy names principals, but the request names no principal")
    if caller == role:
        role = None  # an IAM user: its own ARN is the direct principal
    account = _single(lookup("aws:principalaccount"))
    if account is None:
        segments = (caller or role or "").split(":")
        account = segments[4] if len(segments) > patterns.ARN_PREFIX_COLONS and segments[4] else None
    return caller, role, account


def _single(found: tuple[str, ...] | Absent | Unknown) -> str | None:
    return found[0] if isinstance(found, tuple) and len(found) == 1 else None
