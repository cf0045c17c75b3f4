"""AWS's policy evaluation logic for one request within one account, as a pure function. No I/O.

From the IAM policy evaluation logic reference ("Determining whether a request is allowed or denied within an
account"), in order:
1. an explicit Deny that applies, in any policy, decides: denied;
2. a resource-based policy that grants to the caller's own ARN (the role session, or an IAM user) allows, and
   implicit denies elsewhere do not limit it;
3. otherwise an identity-based policy must allow (a resource-based grant to the caller's role ARN, or to "*",
   counts as one); a grant to the caller's account only delegates to the identity-based policy;
4. then the permissions boundary, if there is one, must allow;
5. then the session policies, if any were passed, must allow (the inline and the managed session policies
   together: any one of them);
6. anything else is an implicit deny.
Organizations SCPs and RCPs, cross-account requests, ACLs and VPC endpoint policies are not modelled: a caller
must not pass them. What the evaluator cannot judge is "NotModelled" and denied, and the message names it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from vend_local.iam.document import Document, PolicyError, parse_policy
from vend_local.iam.model import Decision, Policy, Request, StatementRef
from vend_local.iam.statement import Judgement, judge, make_lookup
from vend_local.iam.tri import Tri, Unknown, all_of, any_of


@dataclass(frozen=True, slots=True)
class Prepared:
    """Parsed and validated policies, reusable for every request of the same session."""

    documents: tuple[Document, ...]


def prepare(policies: Sequence[Policy]) -> Prepared | Decision:
    """Parse every policy once; a malformed one makes every request NotModelled (IAM would refuse the policy)."""
    try:
        return Prepared(tuple(parse_policy(policy) for policy in policies))
    except PolicyError as exc:
        return Decision(False, "NotModelled", (), f"Not modelled: malformed policy: {exc}.")


def evaluate_policies(request: Request, policies: Sequence[Policy]) -> Decision:
    prepared = prepare(policies)
    return prepared if isinstance(prepared, Decision) else evaluate_prepared(request, prepared)


@dataclass
class _Column:
    """The Allow statements of one kind of policy that match the request (True) or might (Unknown)."""

    present: bool = False
    matched: list[StatementRef] = field(default_factory=list)
    unknown: list[tuple[StatementRef, Unknown]] = field(default_factory=list)

    @property
    def result(self) -> Tri:
        return any_of([*(True for _ in self.matched), *(u for _, u in self.unknown)])


@dataclass
class _Tally:
    identity: _Column = field(default_factory=_Column)
    session: _Column = field(default_factory=_Column)
    boundary: _Column = field(default_factory=_Column)
    direct: _Column = field(default_factory=_Column)
    denies: list[StatementRef] = field(default_factory=list)
    deny_unknown: list[tuple[StatementRef, Unknown]] = field(default_factory=list)


def evaluate_prepared(request: Request, prepared: Prepared) -> Decision:
    tally = _tally(request, prepared.documents)
    what = f"{request.action} on {request.resource}"
    if tally.denies:
        return Decision(
            False, "ExplicitDeny", tuple(tally.denies), f"Explicitly denied by {_refs(tally.denies)}."
        )

    base = tally.identity.result
    if tally.boundary.present:
        base = all_of((base, tally.boundary.result))
    if tally.session.present:
        base = all_of((base, tally.session.result))
    allowed = any_of((tally.direct.result, base))

    if allowed is True and not tally.deny_unknown:
        deciding = tuple(tally.direct.matched) if tally.direct.result is True else _base_refs(tally)
        return Decision(True, "Allow", deciding, f"Allowed: {_refs(deciding)} allow {what}.")
    if allowed is False:
        message = f"Implicitly denied: {_missing_allow(tally, what)}."
        if tally.deny_unknown:
            ref, unknown = tally.deny_unknown[0]
            message += f" (Deny {_ref(ref)} could not be judged: {unknown.reason}.)"
        return Decision(False, "ImplicitDeny", (), message)
    ref, unknown = (tally.deny_unknown or _unknown_allows(tally))[0]
    return Decision(False, "NotModelled", (), f"Not modelled: {_ref(ref)}: {unknown.reason}.")


def _tally(request: Request, documents: Iterable[Document]) -> _Tally:
    lookup = make_lookup(request)
    tally = _Tally()
    for document in documents:
        column = _column(tally, document.kind)
        if column is not None:
            column.present = True
        for statement in document.statements:
            verdict = judge(statement, request, lookup)
            if verdict.applies is False:
                continue
            ref = StatementRef(document.source, statement.index, statement.sid)
            if statement.effect == "Deny":
                _add(tally.denies, tally.deny_unknown, ref, verdict.applies)
                continue
            target = _allow_column(tally, document.kind, verdict)
            if target is not None:
                _add(target.matched, target.unknown, ref, verdict.applies)
    return tally


def _column(tally: _Tally, kind: str) -> _Column | None:
    return {"identity": tally.identity, "session": tally.session, "boundary": tally.boundary}.get(kind)


def _allow_column(tally: _Tally, kind: str, verdict: Judgement) -> _Column | None:
    if kind != "resource":
        return _column(tally, kind)
    if verdict.grant == "direct":
        return tally.direct
    if verdict.grant == "limited":
        return tally.identity
    return None  # delegated to the account: the identity-based policy must allow on its own


def _add(
    matched: list[StatementRef], unknown: list[tuple[StatementRef, Unknown]], ref: StatementRef, applies: Tri
) -> None:
    if applies is True:
        matched.append(ref)
    elif isinstance(applies, Unknown):
        unknown.append((ref, applies))


def _base_refs(tally: _Tally) -> tuple[StatementRef, ...]:
    refs = list(tally.identity.matched)
    if tally.boundary.present:
        refs += tally.boundary.matched
    if tally.session.present:
        refs += tally.session.matched
    return tuple(refs)


def _missing_allow(tally: _Tally, what: str) -> str:
    if tally.identity.result is False:
        return f"no identity-based policy statement allows {what}"
    allowed_by = f" ({_refs(tally.identity.matched)} would allow it)" if tally.identity.matched else ""
    if tally.boundary.present and tally.boundary.result is False:
        return f"the permissions boundary does not allow {what}{allowed_by}"
    return f"no session policy statement allows {what}{allowed_by}"


def _unknown_allows(tally: _Tally) -> list[tuple[StatementRef, Unknown]]:
    return [*tally.direct.unknown, *tally.identity.unknown, *tally.boundary.unknown, *tally.session.unknown]


def _ref(ref: StatementRef) -> str:
    label = ref.sid if ref.sid else f"#{ref.index}"
    return f"statement {label} of {ref.source!r}"


def _refs(refs: Sequence[StatementRef]) -> str:
    return " and ".join(_ref(r) for r in refs) if refs else "no statement"
