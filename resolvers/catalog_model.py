"""The scope catalog as frozen data: what a scope grants, to whom, through which vend role. Pure, no I/O."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from resolvers.templates import Template
from resolvers.token_claims import RESERVED

Effect = Literal["Allow", "Deny"]


@dataclass(frozen=True, slots=True)
class ClaimVariable:
    """``{{claim.<name>}}``: the value of ``claim`` in the caller's token, fully matching ``pattern``."""

    name: str
    claim: str
    pattern: re.Pattern[str]
    description: str


@dataclass(frozen=True, slots=True)
class Condition:
    operator: str
    key: str
    values: tuple[Template, ...]


@dataclass(frozen=True, slots=True)
class Statement:
    sid: str
    effect: Effect
    actions: tuple[str, ...]
    resources: tuple[Template, ...]
    conditions: tuple[Condition, ...]
    # Only ever non-empty with Deny: the lint refuses NotAction/NotResource in an Allow.
    not_actions: tuple[str, ...] = ()
    not_resources: tuple[Template, ...] = ()


@dataclass(frozen=True)  # no slots: cached_property needs an instance __dict__
class Scope:
    name: str
    description: str
    # Exactly one of these admits callers; there is no default grant.
    groups: frozenset[str]
    any_signed_in_user: bool
    role: str
    statements: tuple[Statement, ...]
    managed_policy_arns: tuple[Template, ...]
    session_tags: tuple[tuple[str, Template], ...]
    max_duration_seconds: int
    allow_wildcard_resource: bool

    def admits(self, groups: frozenset[str]) -> bool:
        return self.any_signed_in_user or not self.groups.isdisjoint(groups)

    def templates(self) -> tuple[Template, ...]:
        """Every template in the scope, for variable checks and for the ceiling of its vend role."""
        out: list[Template] = [*self.managed_policy_arns, *(t for _, t in self.session_tags)]
        for st in self.statements:
            out.extend(st.resources)
            out.extend(st.not_resources)
            for cond in st.conditions:
                out.extend(cond.values)
        return tuple(out)

    @functools.cached_property
    def variables(self) -> frozenset[str]:
        # Read on every vend; the scope is immutable, so compute once.
        return frozenset().union(*(t.variables for t in self.templates()))


@dataclass(frozen=True, slots=True)
class Catalog:
    # A digest of the file's bytes: part of the credential cache key and of every audit record.
    version: str
    claims: Mapping[str, ClaimVariable]
    scopes: Mapping[str, Scope]

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(s.role for s in self.scopes.values())

    @property
    def groups(self) -> frozenset[str]:
        return frozenset().union(*(s.groups for s in self.scopes.values()))

    @property
    def variables(self) -> frozenset[str]:
        return frozenset().union(*(s.variables for s in self.scopes.values()))

    @property
    def token_claims(self) -> tuple[str, ...]:
        """The declared claims a pre token generation trigger copies into access tokens: every one but those
        Cognito sets itself (resolvers/token_claims.py; deployed by infra, run by `vend serve`)."""
        return tuple(sorted({c.claim for c in self.claims.values()} - RESERVED))
