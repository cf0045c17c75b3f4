"""May this vended session do ACTION on RESOURCE? The plan from ``plan_vend`` judged by the IAM evaluator against
the session policy and the vend role's identity policy as infra deploys it. Pure, no I/O.

The policies are exactly what AWS would hold for the session:
- identity: the vend role's inline ceiling (``vend_local.iam.ceiling``, what infra/stack.py attaches), plus the
  managed policies attached to the role (a scope's managed policy ARNs must be attached to its role);
- session: the inline session policy of the plan and its managed session policies (``PolicyArns``).
The request context is the session's (tags, SourceIdentity, times, region; ``vend_local.iam.session_context``)
plus what the question adds; every other key the policies name is absent (``closed_world``).
A managed policy whose document is not given cannot be judged: NotModelled.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from resolvers.catalog_model import Catalog
from resolvers.decision import VendPlan
from vend_local.iam.ceiling import CeilingError, role_ceiling
from vend_local.iam.closed_world import closed_request
from vend_local.iam.evaluation import evaluate_prepared, prepare
from vend_local.iam.model import Decision, Policy, Request
from vend_local.iam.session_context import role_session

SESSION_SOURCE = "session policy"


@dataclass(frozen=True, slots=True)
class Question:
    action: str
    resource: str
    context: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Answer:
    question: Question
    decision: Decision
    # The request as judged (None when the policies could not even be assembled).
    request: Request | None


def identity_source(role: str) -> str:
    return f"vend role {role!r} identity policy (infra ceiling)"


def session_policies(
    plan: VendPlan,
    catalog: Catalog,
    deployment: Mapping[str, str],
    managed: Mapping[str, Mapping[str, Any]],
) -> list[Policy] | Decision:
    """The policies AWS would evaluate for requests signed by this session, or why they cannot be assembled."""
    role = catalog.scopes[plan.scope].role
    try:
        ceiling = role_ceiling(catalog, role, deployment)
    except CeilingError as exc:
        return Decision(False, "NotModelled", (), f"Not modelled: the vend role's identity policy: {exc}.")
    policies = [
        Policy(identity_source(role), "identity", ceiling),
        Policy(SESSION_SOURCE, "session", json.loads(plan.policy)),
    ]
    for arn in plan.policy_arns:
        document = managed.get(arn)
        if document is None:
            return Decision(
                False,
                "NotModelled",
                (),
                f"Not modelled: managed policy {arn} is passed as a session policy and attached to the role, but "
                "its document is not known here (give it under [managed_policies] in the cases file)",
            )
        policies += [Policy(arn, "identity", document), Policy(arn, "session", document)]
    return policies


def ask(
    plan: VendPlan,
    question: Question,
    *,
    catalog: Catalog,
    deployment: Mapping[str, str],
    now: datetime,
    managed: Mapping[str, Mapping[str, Any]] | None = None,
) -> Answer:
    policies = session_policies(plan, catalog, deployment, managed or {})
    if isinstance(policies, Decision):
        return Answer(question, policies, None)
    prepared = prepare(policies)
    if isinstance(prepared, Decision):
        return Answer(question, prepared, None)
    session = role_session(
        role_arn=plan.role_arn,
        session_name=plan.session_name,
        source_identity=plan.source_identity,
        tags=plan.tags,
        region=deployment["region"],
        issued_at=now,
        now=now,
    )
    request = closed_request(question.action, question.resource, question.context, session, prepared)
    return Answer(question, evaluate_prepared(request, prepared), request)
