"""Run the catalog's test cases: vend each caller through the real ``plan_vend`` and judge every expected request
with the IAM evaluator. Pure, no I/O: the clock and every input are passed in.

A case passes when every expectation holds: "allow" needs an Allow; "deny" needs an explicit or implicit deny
that the evaluator could judge (NotModelled never passes, whichever verdict was expected). A case with
``refused = "<code>"`` passes when ``plan_vend`` refuses the caller with exactly that code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from resolvers.catalog_model import Catalog
from resolvers.decision import plan_vend
from resolvers.errors import VendError
from resolvers.settings import Settings
from vend_local.access import Answer, ask
from vend_local.catalog_cases import Case, Cases, Expectation


@dataclass(frozen=True, slots=True)
class Result:
    case: Case
    expectation: Expectation | None  # None: a result about the vend itself
    passed: bool
    verdict: str  # "Allow", "ExplicitDeny", "ImplicitDeny", "NotModelled", "granted" or "refused <code>"
    why: str  # the decision's message, or the refusal's
    answer: Answer | None = None


def run(cases: Cases, *, catalog: Catalog, settings: Settings, now: datetime) -> list[Result]:
    results: list[Result] = []
    for case in cases.cases:
        results.extend(_run_case(case, cases, catalog, settings, now))
    return results


def _run_case(case: Case, cases: Cases, catalog: Catalog, settings: Settings, now: datetime) -> list[Result]:
    try:
        plan = plan_vend(case.caller, case.scope, None, catalog=catalog, settings=settings)
    except VendError as exc:
        verdict = f"refused {exc.code}"
        why = f"{exc.code}: {exc.message}" + (f" ({exc.detail})" if exc.detail else "")
        if case.refused is not None:
            return [Result(case, None, exc.code == case.refused, verdict, why)]
        return [Result(case, None, False, verdict, f"the vend itself was refused, {why}")]
    if case.refused is not None:
        return [Result(case, None, False, "granted", f"expected the vend to be refused with {case.refused}")]
    results = []
    for expectation in case.expectations:
        answer = ask(
            plan,
            expectation.question,
            catalog=catalog,
            deployment=cases.deployment,
            now=now,
            managed=cases.managed,
        )
        decision = answer.decision
        passed = (
            decision.allowed
            if expectation.verdict == "allow"
            else (not decision.allowed and decision.outcome != "NotModelled")
        )
        results.append(Result(case, expectation, passed, decision.outcome, decision.message, answer))
    return results


def failure_lines(result: Result) -> list[str]:
    """What a failing result prints: the case, the expectation, the verdict and the deciding statements."""
    case = result.case
    lines = [f"FAIL cases[{case.index}] {case.name!r} ({case.scope} as {case.caller_name})"]
    expectation = result.expectation
    if expectation is None:
        expected = f"refused {case.refused}" if case.refused else "the vend to be granted"
        lines.append(f"  expected: {expected}")
    else:
        question = expectation.question
        context = ", ".join(f"{k}={list(v)}" for k, v in question.context.items())
        lines.append(
            f"  expected: {expectation.verdict} {question.action} on {question.resource}"
            + (f" with {context}" if context else "")
        )
    lines.append(f"  verdict:  {result.verdict}")
    deciding = result.answer.decision.deciding if result.answer is not None else ()
    if deciding:
        lines.append(
            "  deciding: " + "; ".join(f"{r.source} statement {r.sid or f'#{r.index}'}" for r in deciding)
        )
    lines.append(f"  why:      {result.why}")
    return lines


def summary(results: Sequence[Result]) -> tuple[int, int, int]:
    """(cases, expectations checked, failures)."""
    return len({r.case.index for r in results}), len(results), sum(not r.passed for r in results)
