"""Decide a vend: who may have which scope, for how long, under which session policy. Pure, no I/O.

``plan_vend`` is the single code path from (caller, request, catalog, settings) to the exact AssumeRole
parameters. The Lambda and the operator CLI both call it; nothing else renders a policy.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from resolvers import limits, variables
from resolvers.catalog import SCOPE_TAG, SUB_TAG
from resolvers.catalog_model import Catalog, Scope
from resolvers.errors import (
    ClaimInvalid,
    ClaimMissing,
    Internal,
    InvalidDuration,
    ScopeForbidden,
    ScopeNotFound,
)
from resolvers.identity import Caller
from resolvers.lint import TAG_VALUE_CHARS
from resolvers.policy import check_plaintext, policy_hash, render_policy, serialise
from resolvers.settings import Settings

# RoleSessionName and SourceIdentity: [\w+=,.@-], 2-64 characters.
STS_NAME: Final = re.compile(r"[\w+=,.@-]+")


@dataclass(frozen=True, slots=True)
class VendPlan:
    """The exact AssumeRole request for one caller and scope."""

    scope: str
    role_arn: str
    session_name: str
    source_identity: str
    policy: str
    policy_arns: tuple[str, ...]
    tags: tuple[tuple[str, str], ...]
    duration_seconds: int
    policy_hash: str
    plaintext_used: int


def find_scope(catalog: Catalog, name: object) -> Scope:
    scope = catalog.scopes.get(name) if isinstance(name, str) else None
    if scope is None:
        raise ScopeNotFound("No such scope. Query `scopes` for the ones you may request.")
    return scope


# Why a caller cannot get a scope now: stable codes for the `scopes` answer (the GraphQL enum
# ScopeUnavailableReason), each the refusal that vendCredentials would answer with.
NOT_IN_GROUP: Final = "NOT_IN_GROUP"
CLAIM_MISSING: Final = "CLAIM_MISSING"
CLAIM_INVALID: Final = "CLAIM_INVALID"
UNAVAILABLE_REASONS: Final = {
    ScopeForbidden.code: NOT_IN_GROUP,
    ClaimMissing.code: CLAIM_MISSING,
    ClaimInvalid.code: CLAIM_INVALID,
}


@dataclass(frozen=True, slots=True)
class Availability:
    """Whether a caller can get a scope now; if not, the reason code and the refusal's browser-safe message."""

    scope: Scope
    reason: str | None = None
    message: str | None = None

    @property
    def available(self) -> bool:
        return self.reason is None


def scope_availability(caller: Caller, catalog: Catalog) -> list[Availability]:
    """Every scope of the catalog, in catalog order, judged by the same checks ``plan_vend`` makes of who the
    caller is (groups, then claims). What the caller asks for (the duration) and what the deployment renders
    (the policy budget) are not judged here: those refusals depend on the request, not on the caller.
    """
    answer = []
    for scope in catalog.scopes.values():
        try:
            check_admitted(caller, scope)
            claim_values(caller, scope, catalog)
        except (ScopeForbidden, ClaimMissing, ClaimInvalid) as refusal:
            answer.append(Availability(scope, UNAVAILABLE_REASONS[refusal.code], refusal.message))
        else:
            answer.append(Availability(scope))
    return answer


def check_admitted(caller: Caller, scope: Scope) -> None:
    if not scope.admits(caller.groups):
        raise ScopeForbidden(f"You are not in a group that may request {scope.name}.")


def resolve_duration(requested: object, scope: Scope) -> int:
    """Validate against STS's own range, then clamp to the scope's maximum and the role-chaining hour."""
    ceiling = min(scope.max_duration_seconds, limits.DURATION_MAX_CHAINED)
    if requested is None:
        return ceiling
    if (
        not isinstance(requested, int)
        or isinstance(requested, bool)
        or not limits.DURATION_MIN <= requested <= limits.DURATION_MAX_STS
    ):
        raise InvalidDuration(
            f"durationSeconds must be a whole number from {limits.DURATION_MIN} to {limits.DURATION_MAX_STS}; "
            f"{scope.name} is granted for at most {ceiling} seconds."
        )
    return min(requested, ceiling)


def bind_values(
    caller: Caller, scope: Scope, catalog: Catalog, deployment: Mapping[str, str]
) -> dict[str, str]:
    """The value of every variable the scope uses. Claim values are matched, never escaped or trimmed."""
    values = {"sub": caller.sub}
    values |= {name: deployment[name] for name in scope.variables if name in variables.SETTINGS}
    values |= claim_values(caller, scope, catalog)
    return values


def claim_values(caller: Caller, scope: Scope, catalog: Catalog) -> dict[str, str]:
    """``claim.<name>`` -> the caller's validated value, for every claim variable the scope uses."""
    values = {}
    for name in sorted(scope.variables):
        if name.startswith(variables.CLAIM_PREFIX):
            declared = catalog.claims[name.removeprefix(variables.CLAIM_PREFIX)]
            values[name] = _claim_value(caller, declared.claim, declared.pattern, scope.name)
    return values


def _claim_value(caller: Caller, claim: str, pattern: re.Pattern[str], scope: str) -> str:
    value = caller.claims.get(claim)
    if value is None:
        # Both token types carry it when the user has the attribute: the ID token natively, the access token
        # through the pool's pre token generation trigger (resolvers/token_claims.py). Absent from either, the
        # user lacks it, or it was set after the token was issued.
        raise ClaimMissing(
            f"Scope {scope} needs the {claim} claim, which your token does not carry. "
            "Ask an administrator to set it; it reaches your token at your next sign-in."
        )
    if not (isinstance(value, str) and variables.CLAIM_BASE.fullmatch(value) and pattern.fullmatch(value)):
        raise ClaimInvalid(
            f"Your {claim} claim has a value that scope {scope} does not accept.",
            detail=f"claim {claim} value type {type(value).__name__}, length {len(str(value))}",
        )
    return value


def plan_vend(
    caller: Caller, scope_name: object, requested_duration: object, *, catalog: Catalog, settings: Settings
) -> VendPlan:
    scope = find_scope(catalog, scope_name)
    check_admitted(caller, scope)
    duration = resolve_duration(requested_duration, scope)
    values = bind_values(caller, scope, catalog, settings.deployment)

    policy, arns, used, digest, tags = _render(scope, tuple(sorted(values.items())))
    session_name = f"{caller.sub}.{scope.name}"
    _check_sts_parameters(session_name, caller.sub, tags)
    return VendPlan(
        scope=scope.name,
        role_arn=settings.role_arns[scope.role],
        session_name=session_name,
        source_identity=caller.sub,
        policy=policy,
        policy_arns=arns,
        tags=tags,
        duration_seconds=duration,
        policy_hash=digest,
        plaintext_used=used,
    )


Rendered = tuple[str, tuple[str, ...], int, str, tuple[tuple[str, str], ...]]


@functools.lru_cache(maxsize=4096)
def _render(scope: Scope, values: tuple[tuple[str, str], ...]) -> Rendered:
    """Policy, managed ARNs, budget used, policy hash and tags: pure in (scope, values), so memoised.

    Keyed by the Scope object itself (frozen, compared by value), never by id(): a memo hit can only
    return what rendering these exact templates with these exact values gives.
    """
    bound = dict(values)
    policy = serialise(render_policy(scope, bound))
    arns = tuple(t.render(bound) for t in scope.managed_policy_arns)
    used = check_plaintext(policy, arns, scope=scope.name)
    tags = (
        (SUB_TAG, bound["sub"]),
        (SCOPE_TAG, scope.name),
        *((k, t.render(bound)) for k, t in scope.session_tags),
    )
    return policy, arns, used, policy_hash(policy, arns), tags


def _check_sts_parameters(session_name: str, source_identity: str, tags: tuple[tuple[str, str], ...]) -> None:
    """botocore checks only minimum lengths; enforce STS's maxima and patterns ourselves (fail closed)."""
    problems = []
    if not (
        limits.SESSION_NAME_MIN <= len(session_name) <= limits.SESSION_NAME_MAX
        and STS_NAME.fullmatch(session_name)
    ):
        problems.append("RoleSessionName")
    if not (
        limits.SOURCE_IDENTITY_MIN <= len(source_identity) <= limits.SOURCE_IDENTITY_MAX
        and STS_NAME.fullmatch(source_identity)
        and not source_identity.startswith("aws:")
    ):
        problems.append("SourceIdentity")
    if len(tags) > limits.SESSION_TAGS_MAX or any(
        not (
            1 <= len(k) <= limits.TAG_KEY_MAX
            and len(v) <= limits.TAG_VALUE_MAX
            and TAG_VALUE_CHARS.fullmatch(v)
        )
        for k, v in tags
    ):
        problems.append("Tags")
    if problems:
        # Unreachable with a validated catalog and identity; refusing beats a half-checked AssumeRole.
        raise Internal("The credential service could not build a valid request.", detail=", ".join(problems))
