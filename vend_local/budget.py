"""The plaintext-budget check: render every scope for the worst-case caller and flag those near 2048.
Pure, no I/O.

Rule: a scope warns when its worst-case render uses at least 90% of AssumeRole's 2048 plaintext characters,
that is ``used * 100 >= 2048 * 90`` (used >= 1844, since 90% is 1843.2), and is an error when AssumeRole
would refuse it (used > 2048, or any other refusal of the worst-case caller).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from resolvers import limits, variables
from resolvers.catalog_model import Catalog
from resolvers.decision import plan_vend
from resolvers.errors import VendError
from vend_local.findings import Finding, error, warning
from vend_local.worst_case import WorstCase

WARN_PERCENT: Final = 90


def warn_threshold(limit: int = limits.POLICY_PLAINTEXT_MAX) -> int:
    """The first character count that warns: 90% of ``limit``, rounded up to a whole character."""
    return -(-limit * WARN_PERCENT // 100)


@dataclass(frozen=True, slots=True)
class Usage:
    scope: str
    used: int


def check_budget(catalog: Catalog, worst: WorstCase, *, source: str) -> tuple[list[Usage], list[Finding]]:
    """Per-scope usage for the worst-case caller, and the findings about it."""
    limit = limits.POLICY_PLAINTEXT_MAX
    threshold = warn_threshold(limit)
    usages: list[Usage] = []
    findings: list[Finding] = []
    for scope in catalog.scopes.values():
        where = f"scopes.{scope.name}"
        unmeasured = sorted(
            name
            for name in scope.variables
            if name.startswith(variables.CLAIM_PREFIX)
            and name.removeprefix(variables.CLAIM_PREFIX) not in worst.claim_values
        )
        if unmeasured:
            # The claim's own finding says why; rendering would only report it missing.
            findings.append(
                error(source, f"{where}: not measured, no value found for {', '.join(unmeasured)}")
            )
            continue
        try:
            plan = plan_vend(worst.caller, scope.name, None, catalog=catalog, settings=worst.settings)
        except VendError as exc:
            detail = f" ({exc.detail})" if exc.detail else ""
            findings.append(
                error(
                    source,
                    f"{where}: AssumeRole would refuse the worst-case caller: {exc.code}: {exc.message}{detail}; "
                    "shorten the statements (fewer, merged actions and resources) or narrow the claim patterns",
                )
            )
            continue
        usages.append(Usage(scope.name, plan.plaintext_used))
        if plan.plaintext_used >= threshold:
            findings.append(
                warning(
                    source,
                    f"{where}: the worst-case caller uses {plan.plaintext_used} of {limit} plaintext characters "
                    f"(warning from {threshold}, {WARN_PERCENT}%); longer claim values or resource names could "
                    "push it over, so shorten the statements or narrow the claim patterns",
                )
            )
    return usages, findings
