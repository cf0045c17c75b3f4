"""Render an explanation for people: the decision first, then every AssumeRole parameter. Pure, no I/O."""

from __future__ import annotations

import json
from typing import Final

from resolvers import limits
from vend_local.access import Answer
from vend_local.explain import Explanation

# The pretty-printed policy follows this line to the end of the output, so it can be cut out and parsed.
POLICY_HEADING: Final = "Session policy (sent compact; pretty-printed here):"
_LABEL: Final = 20


def explain_text(explanation: Explanation) -> str:
    caller = explanation.caller
    groups = ", ".join(sorted(caller.groups)) or "none"
    lines = [
        f"Scope {explanation.scope} for sub {caller.sub} (groups: {groups}; {caller.token_use} token)",
        f"{'Catalog version:':<{_LABEL}}{explanation.catalog_version}",
    ]
    lines += [f"note: {note}" for note in explanation.notes]
    if explanation.refusal is not None:
        refusal = explanation.refusal
        lines += ["", f"REFUSED {refusal.code}: {refusal.message}"]
        if refusal.detail:
            lines.append(f"  detail (operator only): {refusal.detail}")
        return "\n".join(lines) + "\n"

    plan = explanation.plan
    if plan is None:  # an Explanation always holds a plan or a refusal
        raise ValueError("explanation has neither a plan nor a refusal")
    used, limit = plan.plaintext_used, limits.POLICY_PLAINTEXT_MAX
    lines += [
        "",
        "GRANTED: this caller may request this scope. AssumeRole would be called with:",
        f"{'RoleArn:':<{_LABEL}}{plan.role_arn}",
        f"{'RoleSessionName:':<{_LABEL}}{plan.session_name}",
        f"{'SourceIdentity:':<{_LABEL}}{plan.source_identity}",
        f"{'DurationSeconds:':<{_LABEL}}{plan.duration_seconds}",
        f"{'PolicyArns:':<{_LABEL}}{'none' if not plan.policy_arns else ''}",
        *(f"  {arn}" for arn in plan.policy_arns),
        "Tags:",
        *(f"  {key} = {value}" for key, value in plan.tags),
        (
            f"{'Plaintext budget:':<{_LABEL}}{used} of {limit} characters ({used * 100 // limit}%), "
            "inline policy and managed policy ARNs together"
        ),
    ]
    if explanation.access is not None:
        lines += ["", *access_lines(explanation.access)]
    lines += ["", POLICY_HEADING, json.dumps(json.loads(plan.policy), indent=2)]
    return "\n".join(lines) + "\n"


def access_lines(answer: Answer) -> list[str]:
    """The may-I answer: the question, the verdict and the statements that decided it."""
    question, decision = answer.question, answer.decision
    context = ", ".join(f"{key}={','.join(values)}" for key, values in question.context.items())
    verdict = "ALLOWED" if decision.allowed else "DENIED"
    lines = [
        f"May this session do {question.action} on {question.resource}"
        + (f" with {context}" if context else "")
        + "?",
        f"{verdict} ({decision.outcome}): {decision.message}",
    ]
    if decision.deciding:
        lines.append("Deciding statements:")
        lines += [f"  {ref.source}: statement {ref.sid or f'#{ref.index}'}" for ref in decision.deciding]
    return lines
