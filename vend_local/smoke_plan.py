"""What `vend smoke` expects of a stack for one signed-in user, and how it judges what it saw. Pure, no I/O.

From the scope catalog and the user's own ID token (groups and claims), every catalog scope gets an expectation:
- the caller is in none of its groups: ``scopes`` must not list it and a vend must fail with ``ScopeForbidden``;
- it needs a claim the token lacks (or holds in a shape the catalog refuses): ``ClaimMissing`` (``ClaimInvalid``);
- otherwise it must be listed and vended, and then two AWS calls are made with the vended credentials: one the
  scope allows (on the caller's own resources) and one it must refuse (the same call on another caller's
  resources, or outside every granted prefix). A refusal is ``AccessDenied`` (S3) or ``AccessDeniedException``
  (DynamoDB); any other answer to either call is a failure, never a skip.

Probes are derived from the scope's statements, for the shapes the example catalog uses:
- ``s3:ListBucket`` with an ``s3:prefix`` condition: ListObjectsV2 under the caller's prefix / another's;
- ``dynamodb:GetItem`` with a ``dynamodb:LeadingKeys`` condition: GetItem of the caller's partition / another's.
A scope with neither cannot be probed, and its row fails with what to add.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from resolvers import variables
from resolvers.catalog_model import Catalog, Condition, Scope, Statement
from resolvers.templates import Template

# A caller who is not the smoke user: another sub, and for each claim another value that matches its pattern.
OTHER_SUB: Final = "00000000-0000-4000-8000-00000000beef"
OTHER_CLAIM_VALUES: Final = ("vend-smoke-other", "vendsmokeother", "zz-other-tenant-zz")
OUTSIDE_PREFIX: Final = "vend-smoke-outside-every-grant/"
DENIED_CODES: Final = frozenset({"AccessDenied", "AccessDeniedException"})
PROBE_HELP: Final = (
    "no probe can be derived for this scope; vend smoke knows s3:ListBucket with an s3:prefix condition and "
    "dynamodb:GetItem with a dynamodb:LeadingKeys condition"
)

Expected = Literal["granted", "ScopeForbidden", "ClaimMissing", "ClaimInvalid"]
Service = Literal["s3", "dynamodb"]


@dataclass(frozen=True, slots=True)
class Probe:
    """One AWS call with vended credentials: ListObjectsV2 (s3) or GetItem (dynamodb)."""

    service: Service
    target: str  # the bucket, or the table ARN
    value: str  # the prefix, or the partition key value
    label: str

    def describe(self) -> str:
        verb = "ListObjectsV2 prefix" if self.service == "s3" else "GetItem partition"
        return f"{verb} {self.label}"


@dataclass(frozen=True, slots=True)
class ScopeCheck:
    scope: str
    expected: Expected
    allowed: Probe | None = None
    denied: Probe | None = None


@dataclass(frozen=True, slots=True)
class Caller:
    """What the user's ID token says: sub, groups and claims (read from our own Cognito's answer)."""

    sub: str
    groups: frozenset[str]
    claims: Mapping[str, object]


def expected_outcome(catalog: Catalog, scope: Scope, caller: Caller) -> Expected:
    if not scope.admits(caller.groups):
        return "ScopeForbidden"
    for name in sorted(v for v in scope.variables if v.startswith(variables.CLAIM_PREFIX)):
        claim = catalog.claims[name.removeprefix(variables.CLAIM_PREFIX)]
        value = caller.claims.get(claim.claim)
        if value is None:
            return "ClaimMissing"
        if not (
            isinstance(value, str)
            and variables.CLAIM_BASE.fullmatch(value)
            and claim.pattern.fullmatch(value)
        ):
            return "ClaimInvalid"
    return "granted"


def plan(catalog: Catalog, caller: Caller, deployment: Mapping[str, str]) -> list[ScopeCheck]:
    """One check per catalog scope, in catalog order. ``deployment``: bucket, table_arn, account, region."""
    out = []
    for name, scope in catalog.scopes.items():
        expected = expected_outcome(catalog, scope, caller)
        if expected != "granted":
            out.append(ScopeCheck(name, expected))
            continue
        mine = _values(catalog, caller, deployment, other=False)
        theirs = _values(catalog, caller, deployment, other=True)
        allowed, denied = _probes(scope, mine, theirs)
        out.append(ScopeCheck(name, expected, allowed, denied))
    return out


def _values(
    catalog: Catalog, caller: Caller, deployment: Mapping[str, str], *, other: bool
) -> dict[str, str]:
    values = dict(deployment)
    values["sub"] = OTHER_SUB if other else caller.sub
    for name, claim in catalog.claims.items():
        own = caller.claims.get(claim.claim)
        if not other and isinstance(own, str):
            values[variables.CLAIM_PREFIX + name] = own
        elif other:
            values[variables.CLAIM_PREFIX + name] = next(
                (v for v in OTHER_CLAIM_VALUES if claim.pattern.fullmatch(v) and v != own),
                OTHER_CLAIM_VALUES[0],
            )
    return values


def _probes(
    scope: Scope, mine: Mapping[str, str], theirs: Mapping[str, str]
) -> tuple[Probe | None, Probe | None]:
    for statement in scope.statements:
        if statement.effect != "Allow":
            continue
        found = _s3_list(scope, statement, mine, theirs) or _dynamodb_get(statement, mine, theirs)
        if found is not None:
            return found
    return None, None


def _s3_list(
    scope: Scope, statement: Statement, mine: Mapping[str, str], theirs: Mapping[str, str]
) -> tuple[Probe, Probe] | None:
    if "s3:ListBucket" not in statement.actions or not statement.resources:
        return None
    prefixes = [c for c in statement.conditions if c.key == "s3:prefix" and c.operator in _PREFIX_OPERATORS]
    if not prefixes or not prefixes[0].values:
        return None
    bucket = statement.resources[0].render(mine).removeprefix("arn:aws:s3:::")
    template = prefixes[0].values[0]
    own = _literal_prefix(template, mine)
    if _per_caller(template):
        other = _literal_prefix(template, theirs)
        other_label = f"{other} (another caller's)"
    else:
        other, other_label = OUTSIDE_PREFIX, f"{OUTSIDE_PREFIX} (outside every grant)"
    granted = [_literal_prefix(t, mine) + "*" for c in _all_prefix_conditions(scope) for t in c.values]
    if any(fnmatch.fnmatchcase(other, g) for g in granted):
        return None
    return (
        Probe("s3", bucket, own, f"{own} (own)"),
        Probe("s3", bucket, other, other_label),
    )


def _dynamodb_get(
    statement: Statement, mine: Mapping[str, str], theirs: Mapping[str, str]
) -> tuple[Probe, Probe] | None:
    if "dynamodb:GetItem" not in statement.actions or not statement.resources:
        return None
    keys = [c for c in statement.conditions if c.key == "dynamodb:LeadingKeys" and c.values]
    if not keys or not _per_caller(keys[0].values[0]):
        return None
    table = statement.resources[0].render(mine)
    own, other = keys[0].values[0].render(mine), keys[0].values[0].render(theirs)
    return (
        Probe("dynamodb", table, own, f"{own} (own)"),
        Probe("dynamodb", table, other, f"{other} (another caller's)"),
    )


_PREFIX_OPERATORS: Final = frozenset({"StringLike", "StringEquals"})


def _all_prefix_conditions(scope: Scope) -> list[Condition]:
    return [
        c for st in scope.statements if st.effect == "Allow" for c in st.conditions if c.key == "s3:prefix"
    ]


def _literal_prefix(template: Template, values: Mapping[str, str]) -> str:
    """The prefix a ListObjectsV2 asks for: the rendered condition value up to its first wildcard."""
    rendered = template.render(values)
    cut = min((i for i in (rendered.find("*"), rendered.find("?")) if i >= 0), default=len(rendered))
    return rendered[:cut]


def _per_caller(template: Template) -> bool:
    return any(v == "sub" or v.startswith(variables.CLAIM_PREFIX) for v in template.variables)


# --- judging what was seen ---------------------------------------------------------------------------------------

Verdict = Literal["PASS", "FAIL"]


@dataclass(frozen=True, slots=True)
class Row:
    check: str
    scope: str
    expected: str
    observed: str
    verdict: Verdict


# What `scopes` must say of a scope, by the vend's expected outcome (the schema's UnavailableReason values).
AVAILABILITY: Final[Mapping[str, str]] = {
    "granted": "available",
    "ScopeForbidden": "NOT_IN_GROUP",
    "ClaimMissing": "CLAIM_MISSING",
    "ClaimInvalid": "CLAIM_INVALID",
}


def availability(entry: Mapping[str, object]) -> str:
    """One `scopes` entry as "available" or its reason code."""
    if entry.get("available") is True:
        return "available"
    return str(entry.get("unavailableReason"))


def judge_listing(checks: Sequence[ScopeCheck], listed: Mapping[str, str]) -> list[Row]:
    """``scopes`` must list every catalog scope, available exactly when the vend will be granted, and name the
    reason the vend will be refused otherwise. ``listed``: scope name -> ``availability(entry)``."""
    rows = []
    for check in checks:
        want = AVAILABILITY[check.expected]
        got = listed.get(check.scope, "not listed")
        rows.append(Row("listed by scopes", check.scope, want, got, "PASS" if want == got else "FAIL"))
    rows.extend(
        Row("listed by scopes", name, "not in the catalog", "listed", "FAIL")
        for name in listed
        if name not in {c.scope for c in checks}
    )
    return rows


def judge_vend(check: ScopeCheck, outcome: str) -> Row:
    """``outcome``: "granted" or the GraphQL errorType the vend answered with."""
    return Row(
        "vendCredentials",
        check.scope,
        check.expected,
        outcome,
        "PASS" if outcome == check.expected else "FAIL",
    )


def judge_call(check: ScopeCheck, probe: Probe | None, *, should_allow: bool, outcome: str | None) -> Row:
    """``outcome``: None when the call succeeded, else the AWS error code (or a transport error's name)."""
    name = "allowed call" if should_allow else "denied call"
    want = "allowed" if should_allow else "AccessDenied"
    if probe is None:
        return Row(name, check.scope, want, PROBE_HELP, "FAIL")
    if outcome is None:
        seen, ok = "allowed", should_allow
    elif outcome in DENIED_CODES:
        seen, ok = outcome, not should_allow
    else:
        seen, ok = f"error {outcome}", False
    return Row(name, check.scope, f"{want}: {probe.describe()}", seen, "PASS" if ok else "FAIL")
