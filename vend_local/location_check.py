"""`vend catalog check`'s location proof: for every scope that declares a location, the IAM evaluator shows that
its statements grant each declared permission on the prefix and nothing outside it. Pure, no I/O.

Two synthetic callers, with different values for every per-caller variable (the sub and each claim), are vended
the scope through the Lambda's own ``plan_vend`` with the example deployment values, and each vended session is
judged as AWS would judge it: the session policy together with the vend role's identity policy (vend_local.access).
- Inside: the requests the Storage Browser makes for each declared permission (list: ListBucket with s3:prefix
  at the prefix or a folder under it; get, write, delete: Get/Put/DeleteObject on keys under it) must be
  allowed, judged as really sent (keys a request does not carry are absent).
- Undeclared: a permission of the vocabulary that the location does not declare but whose requests are allowed
  is a warning: the browser would hide what the credentials can do.
- Outside: every probed S3 action on every resource outside the location must be denied: each parent prefix up
  to the bucket root, the prefix as a key without its '/', prefixes that share its text (``users/<sub>x/``,
  ``users/<sub>-x/``), the other caller's prefix, the prefix in upper case, other buckets (one sharing the
  bucket's text); for the list actions, each of those as s3:prefix and no s3:prefix at all. The actions are S3's
  object, list and bucket-level actions plus every s3: action the scope's statements name.
  Outside requests are judged in an open world: a condition on a key the request decides (a header, s3:delimiter,
  the source IP, the time, TLS, ...) is taken as met in an Allow and as unmet in a Deny, so no grant can hide
  behind a request the probes did not think of. Only the keys the session fixes (principal, tags,
  SourceIdentity, issue time) and s3:prefix, which the probes enumerate, are judged as they are.
A scope with a location may allow only s3: actions: anything else lies outside every S3 location.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from resolvers.catalog_model import Catalog, RenderedLocation, Scope
from resolvers.decision import bind_values, plan_vend
from resolvers.errors import ConfigError, VendError
from resolvers.identity import Caller
from resolvers.location import render_location
from resolvers.settings import Settings
from vend_local import synthetic
from vend_local.access import SESSION_SOURCE, plan_session, session_policies
from vend_local.findings import Finding, error, warning
from vend_local.iam.closed_world import closed_request
from vend_local.iam.evaluation import Prepared, evaluate_prepared, prepare
from vend_local.iam.model import Decision, Policy
from vend_local.iam.session_context import SessionContext
from vend_local.worst_case import claim_values

# Two callers whose every per-caller value differs.
SUBS: Final = ("11111111-2222-4333-8444-555555555555", "22222222-3333-4444-8555-666666666666")
FILE: Final = "file.txt"
FOLDER: Final = "folder/"

# What the Storage Browser asks for each permission of its vocabulary (resolvers/location.py).
LIST_ACTION: Final = "s3:ListBucket"
OBJECT_ACTION: Final = {"get": "s3:GetObject", "write": "s3:PutObject", "delete": "s3:DeleteObject"}
# Probed outside the location: S3's object actions, its list actions and its bucket-level actions.
OBJECT_ACTIONS: Final = (
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:GetObjectVersion",
    "s3:DeleteObjectVersion",
    "s3:GetObjectAcl",
    "s3:PutObjectAcl",
    "s3:GetObjectTagging",
    "s3:PutObjectTagging",
    "s3:DeleteObjectTagging",
    "s3:GetObjectAttributes",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
    "s3:RestoreObject",
    "s3:PutObjectRetention",
    "s3:PutObjectLegalHold",
)
LIST_ACTIONS: Final = ("s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads")
BUCKET_ACTIONS: Final = (
    "s3:GetBucketLocation",
    "s3:GetBucketPolicy",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:GetBucketAcl",
    "s3:PutBucketAcl",
    "s3:GetBucketCORS",
    "s3:PutBucketCORS",
    "s3:PutBucketVersioning",
    "s3:PutBucketTagging",
    "s3:PutLifecycleConfiguration",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketOwnershipControls",
    "s3:PutEncryptionConfiguration",
    "s3:DeleteBucket",
)
# Keys whose value the session fixes, whatever a request says; s3:prefix, which the probes enumerate.
PINNED_KEYS: Final = frozenset(
    {
        "aws:principalarn",
        "aws:principalaccount",
        "aws:principaltype",
        "aws:principalisawsservice",
        "aws:tokenissuetime",
        "aws:sourceidentity",
        "aws:userid",
        "aws:username",
        "s3:prefix",
    }
)
PINNED_PREFIXES: Final = ("aws:principaltag/",)

Context = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Probe:
    action: str
    resource: str
    context: Context = field(default_factory=dict)
    # Why this request is outside the location, for the finding ("a parent prefix", ...); "" when inside.
    why: str = ""

    def describe(self) -> str:
        prefix = self.context.get("s3:prefix")
        if self.action in LIST_ACTIONS or self.action == LIST_ACTION:
            shown = "no s3:prefix" if prefix is None else f"s3:prefix {prefix[0]!r}"
            return f"{self.action} on {self.resource} with {shown}"
        return f"{self.action} on {self.resource}"


@dataclass(frozen=True, slots=True)
class _World:
    """What every vend of the check shares: the catalog, the example deployment and the moment."""

    catalog: Catalog
    settings: Settings
    deployment: Mapping[str, str]
    now: datetime


@dataclass(frozen=True, slots=True)
class _Session:
    """One vended session, ready to judge requests as sent (``exact``) and in the open world (``open``)."""

    location: RenderedLocation
    session: SessionContext
    exact: Prepared
    open: Prepared

    def judge(self, probe: Probe, *, open_world: bool) -> Decision:
        prepared = self.open if open_world else self.exact
        request = closed_request(probe.action, probe.resource, probe.context, self.session, prepared)
        return evaluate_prepared(request, prepared)


def location_findings(catalog: Catalog, catalog_path: Path, source: str, *, now: datetime) -> list[Finding]:
    """Errors (and warnings) for every scope whose location its statements do not grant exactly."""
    scopes = [s for s in catalog.scopes.values() if s.location is not None]
    if not scopes:
        return []
    deployment = synthetic.example_deployment()
    try:
        settings = synthetic.settings_for(catalog, catalog_path, deployment)
    except ConfigError as exc:
        return [error(source, f"locations cannot be checked: {p}") for p in exc.problems]
    world = _World(catalog, settings, deployment, now)
    callers = _callers(catalog)
    findings: list[Finding] = []
    for scope in scopes:
        findings += _scope_findings(world, scope, callers, source)
    return findings


def _callers(catalog: Catalog) -> tuple[Caller, ...]:
    """Two callers in every group, with different values for the sub and for each claim that allows two."""
    values = {name: claim_values(c.pattern, 2) for name, c in sorted(catalog.claims.items())}
    return tuple(
        synthetic.make_caller(
            sub=sub,
            username=f"location-check-{i}",
            groups=sorted(catalog.groups),
            claims={
                catalog.claims[name].claim: found[min(i, len(found) - 1)]
                for name, found in values.items()
                if found
            },
            token_use="id",  # noqa: S106 - a claim value, not a password
        )
        for i, sub in enumerate(SUBS)
    )


def _scope_findings(world: _World, scope: Scope, callers: Sequence[Caller], source: str) -> list[Finding]:
    where = f"scopes.{scope.name}.location"
    findings = [error(source, f"{where}: {problem}") for problem in _non_s3_allows(scope)]
    sessions: list[_Session] = []
    for caller in callers:
        session = _vend(world, scope, caller)
        if isinstance(session, str):
            return [*findings, error(source, f"{where}: cannot be proven: {session}")]
        sessions.append(session)
    for session, other in zip(sessions, reversed(sessions), strict=True):
        found = _session_findings(scope, session, other.location, where, source)
        if found:
            # The second caller would mostly repeat the first's findings with other values.
            return findings + found
    return findings


def _non_s3_allows(scope: Scope) -> list[str]:
    return [
        f"statements[{i}] allows {action}, which lies outside any S3 location; a scope with a location may "
        "allow only s3: actions"
        for i, statement in enumerate(scope.statements)
        if statement.effect == "Allow"
        for action in statement.actions
        if not action.lower().startswith("s3:")
    ]


def _vend(world: _World, scope: Scope, caller: Caller) -> _Session | str:
    """The caller's session for the scope, or why it cannot be judged."""
    if scope.location is None:
        return "the scope declares no location"
    try:
        plan = plan_vend(caller, scope.name, None, catalog=world.catalog, settings=world.settings)
        values = bind_values(caller, scope, world.catalog, world.settings.deployment)
        location = render_location(scope.location, values)
    except VendError as exc:
        return f"vending it for a synthetic caller is refused ({exc.code}: {exc.message})"
    policies = session_policies(plan, world.catalog, world.deployment, {})
    if isinstance(policies, Decision):
        return policies.message
    exact = prepare(policies)
    widened = prepare([Policy(p.source, p.kind, open_world(p.document)) for p in policies])
    if isinstance(exact, Decision) or isinstance(widened, Decision):
        return (exact if isinstance(exact, Decision) else widened).message  # type: ignore[union-attr]
    return _Session(location, plan_session(plan, world.deployment, world.now), exact, widened)


def open_world(document: Mapping[str, Any]) -> dict[str, Any]:
    """``document`` with every condition on a key the request decides taken as met in an Allow (the condition
    is dropped) and as unmet in a Deny (the statement is dropped)."""
    out = copy.deepcopy(dict(document))
    statements = out.get("Statement", [])
    kept = []
    for statement in statements if isinstance(statements, list) else [statements]:
        condition = statement.get("Condition", {})
        requested = {
            (operator, key) for operator, keys in condition.items() for key in keys if not _pinned(key)
        }
        if not requested:
            kept.append(statement)
        elif statement.get("Effect") == "Allow":
            for operator, key in requested:
                del condition[operator][key]
                if not condition[operator]:
                    del condition[operator]
            if not condition:
                del statement["Condition"]
            kept.append(statement)
    out["Statement"] = kept
    return out


def _pinned(key: str) -> bool:
    lowered = key.lower()
    return lowered in PINNED_KEYS or lowered.startswith(PINNED_PREFIXES)


def _session_findings(
    scope: Scope, session: _Session, other: RenderedLocation, where: str, source: str
) -> list[Finding]:
    location = session.location
    findings: list[Finding] = []
    for permission, probes in inside_probes(location).items():
        allowed = [p for p in probes if session.judge(p, open_world=False).allowed]
        refused = [p for p in probes if p not in allowed]
        if permission in location.permissions and refused:
            # One request per permission is enough to say what to change.
            decision = session.judge(refused[0], open_world=False)
            findings.append(
                error(
                    source,
                    f"{where}: declares {permission!r}, but {refused[0].describe()} is {decision.outcome} "
                    f"({decision.message}); grant it in the statements, or remove {permission!r}",
                )
            )
        elif permission not in location.permissions and allowed:
            findings.append(
                warning(
                    source,
                    f"{where}: the statements also grant {permission!r} ({allowed[0].describe()}), which "
                    "permissions does not list, so a file browser would hide it; list it, or narrow the statements",
                )
            )
    for probe in outside_probes(location, other, _named_actions(scope)):
        decision = session.judge(probe, open_world=True)
        if decision.outcome == "NotModelled":
            findings.append(
                error(source, f"{where}: cannot prove that {probe.describe()} is denied: {decision.message}")
            )
        elif decision.allowed:
            findings.append(
                error(
                    source,
                    f"{where}: the statements allow {probe.describe()}, {probe.why}, outside "
                    f"{location.bucket}/{location.prefix}, through {_statements(decision)}; narrow them to the "
                    "location",
                )
            )
    return findings


def _statements(decision: Decision) -> str:
    """The deciding statements of the catalog's own session policy (the role's ceiling only repeats them)."""
    refs = [r for r in decision.deciding if r.source == SESSION_SOURCE] or list(decision.deciding)
    return "; ".join(f"{ref.source} statement {ref.sid or f'#{ref.index}'}" for ref in refs)


def _named_actions(scope: Scope) -> tuple[str, ...]:
    """The literal s3: actions the scope's statements name (wildcards are covered by the probed actions)."""
    named = {
        action
        for statement in scope.statements
        for action in statement.actions
        if action.lower().startswith("s3:") and "*" not in action and "?" not in action
    }
    return tuple(sorted(named))


def inside_probes(location: RenderedLocation) -> dict[str, list[Probe]]:
    """Per permission of the vocabulary, the requests the Storage Browser makes for it at the location."""
    bucket_arn = f"arn:aws:s3:::{location.bucket}"
    prefix = location.prefix
    objects = [f"{bucket_arn}/{prefix}{FILE}", f"{bucket_arn}/{prefix}{FOLDER}{FILE}"]
    probes = {
        "list": [
            Probe(LIST_ACTION, bucket_arn, {"s3:prefix": (prefix,), "s3:delimiter": ("/",)}),
            Probe(LIST_ACTION, bucket_arn, {"s3:prefix": (prefix + FOLDER,), "s3:delimiter": ("/",)}),
            # Searching subfolders lists without a delimiter.
            Probe(LIST_ACTION, bucket_arn, {"s3:prefix": (prefix,)}),
        ]
    }
    for permission, action in OBJECT_ACTION.items():
        probes[permission] = [Probe(action, resource) for resource in objects]
    return probes


def outside_probes(location: RenderedLocation, other: RenderedLocation, named: Iterable[str]) -> list[Probe]:
    """Requests outside ``location`` that must all be denied; ``other`` is another caller's location."""
    bucket, prefix = location.bucket, location.prefix
    bare = prefix[:-1]
    segments = prefix.split("/")[:-1]
    parents = ["/".join(segments[:i]) + "/" if i else "" for i in range(len(segments))]
    # (s3:prefix or key prefix, why it is outside)
    places: list[tuple[str, str]] = [
        *((p, "a parent prefix" if p else "the bucket root") for p in parents),
        (bare + "x/", "a prefix that shares the location's text"),
        (bare + "-x/", "a prefix that shares the location's text"),
    ]
    if other.prefix != prefix:
        places.append((other.prefix, "another caller's prefix"))
    if prefix.upper() != prefix:
        places.append((prefix.upper(), "the prefix in another letter case"))
    named = tuple(named)
    object_actions = sorted(
        set(OBJECT_ACTIONS) | (set(named) - set(LIST_ACTIONS) - set(BUCKET_ACTIONS) - {"s3:ListAllMyBuckets"})
    )
    bucket_arn = f"arn:aws:s3:::{bucket}"
    other_buckets = [f"{bucket}x", f"x{bucket}"]
    probes: list[Probe] = []
    keys = [(f"{p}{FILE}", why) for p, why in places] + [(bare, "the prefix as a key, without its '/'")]
    for key, why in keys:
        probes += [Probe(a, f"{bucket_arn}/{key}", why=why) for a in object_actions]
    for other_bucket in other_buckets:
        probes += [
            Probe(a, f"arn:aws:s3:::{other_bucket}/{prefix}{FILE}", why="another bucket")
            for a in object_actions
        ]
        probes += [
            Probe(a, f"arn:aws:s3:::{other_bucket}", {"s3:prefix": (prefix,)}, why="another bucket")
            for a in LIST_ACTIONS
        ]
        probes.append(Probe("s3:CreateBucket", f"arn:aws:s3:::{other_bucket}", why="another bucket"))
    for list_action in LIST_ACTIONS:
        probes.append(Probe(list_action, bucket_arn, why="a listing of the whole bucket"))
        probes += [Probe(list_action, bucket_arn, {"s3:prefix": (p,)}, why=why) for p, why in places]
        probes.append(
            Probe(list_action, bucket_arn, {"s3:prefix": (bare,)}, why="the prefix without its '/'")
        )
    bucket_actions = sorted(set(BUCKET_ACTIONS) | (set(named) - set(OBJECT_ACTIONS) - set(LIST_ACTIONS)))
    probes += [Probe(a, bucket_arn, why="the bucket itself") for a in bucket_actions]
    probes.append(Probe("s3:ListAllMyBuckets", "*", why="the account's bucket list"))
    return probes
