"""What one caller would receive for one scope, through ``plan_vend`` and nothing else. Pure, no I/O.

The explanation is plain data; ``as_dict`` is the ``--json`` shape and ``explain_text`` renders it for people.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from resolvers import limits
from resolvers.catalog_model import Catalog
from resolvers.decision import VendPlan, plan_vend
from resolvers.errors import VendError
from resolvers.identity import Caller
from resolvers.settings import Settings
from vend_local.access import Answer, Question, ask

# Bumped when the --json shape changes incompatibly.
JSON_FORMAT: Final = 1


@dataclass(frozen=True, slots=True)
class Refusal:
    code: str
    message: str
    # Operator-only context from the error; never a secret.
    detail: str


@dataclass(frozen=True, slots=True)
class Explanation:
    scope: str
    caller: Caller
    catalog_version: str
    plan: VendPlan | None
    refusal: Refusal | None
    # Things the operator should know that the Lambda would not say (dropped groups, unknown scope names).
    notes: tuple[str, ...] = ()
    # The answer to "may this session do ACTION on RESOURCE?", when asked and the vend is granted.
    access: Answer | None = None


def explain(
    caller: Caller,
    scope: str,
    duration: int | None,
    *,
    catalog: Catalog,
    settings: Settings,
    notes: tuple[str, ...] = (),
    question: Question | None = None,
    now: datetime | None = None,
) -> Explanation:
    try:
        plan = plan_vend(caller, scope, duration, catalog=catalog, settings=settings)
    except VendError as exc:
        refusal = Refusal(code=exc.code, message=exc.message, detail=exc.detail)
        return Explanation(scope, caller, catalog.version, None, refusal, notes)
    access = None
    if question is not None:
        if now is None:
            raise ValueError("a question needs the time it is asked at")
        access = ask(plan, question, catalog=catalog, deployment=settings.deployment, now=now)
    return Explanation(scope, caller, catalog.version, plan, None, notes, access)


def as_dict(explanation: Explanation) -> dict[str, Any]:
    caller = explanation.caller
    out: dict[str, Any] = {
        "format": JSON_FORMAT,
        "scope": explanation.scope,
        "allowed": explanation.plan is not None,
        "catalog_version": explanation.catalog_version,
        "caller": {
            "sub": caller.sub,
            "username": caller.username,
            "groups": sorted(caller.groups),
            "token_use": caller.token_use,
        },
        "notes": list(explanation.notes),
    }
    if explanation.refusal is not None:
        refusal = explanation.refusal
        out["refusal"] = {"code": refusal.code, "message": refusal.message, "detail": refusal.detail}
    plan = explanation.plan
    if plan is not None:
        out["assume_role"] = {
            "RoleArn": plan.role_arn,
            "RoleSessionName": plan.session_name,
            "SourceIdentity": plan.source_identity,
            "DurationSeconds": plan.duration_seconds,
            # The exact string sent as Policy, and the same document parsed for reading.
            "Policy": plan.policy,
            "PolicyArns": [{"arn": arn} for arn in plan.policy_arns],
            "Tags": [{"Key": k, "Value": v} for k, v in plan.tags],
        }
        out["policy"] = json.loads(plan.policy)
        out["plaintext"] = {"used": plan.plaintext_used, "limit": limits.POLICY_PLAINTEXT_MAX}
        out["policy_hash"] = plan.policy_hash
    if explanation.access is not None:
        out["access"] = access_dict(explanation.access)
    return out


def access_dict(answer: Answer) -> dict[str, Any]:
    decision = answer.decision
    return {
        "action": answer.question.action,
        "resource": answer.question.resource,
        "context": {key: list(values) for key, values in answer.question.context.items()},
        "allowed": decision.allowed,
        "outcome": decision.outcome,
        "deciding": [{"source": r.source, "index": r.index, "sid": r.sid} for r in decision.deciding],
        "message": decision.message,
    }


def operator_notes(scope: str, given_groups: list[str], caller: Caller, catalog: Catalog) -> tuple[str, ...]:
    """What the operator should know that the Lambda's browser-safe refusal would not say."""
    notes = [
        f"group {g!r} is not a valid group name here, so the Lambda drops it"
        for g in sorted(set(given_groups) - caller.groups)
    ]
    notes += [
        f"group {g!r} is not named by any scope in the catalog (a typo?)"
        for g in sorted(caller.groups - catalog.groups)
    ]
    if scope not in catalog.scopes:
        notes.append(f"scopes in this catalog: {', '.join(catalog.scopes)}")
    return tuple(notes)
