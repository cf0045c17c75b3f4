"""Verdicts for the enforcement: one IAM question judged against a session's policies by the local evaluator,
answered as the tail of AWS's access-denied sentence. Pure (an in-memory cache of parsed policies), no I/O.

A session's policies are parsed and validated once (``prepare``) and reused for every request that carries the
same texts; a changed policy in moto's IAM is a new key. On a denial the sentence names the policy type as IAM
does: the type of the Deny that matched, or the first type, in IAM's evaluation order (identity-based,
permissions boundary, session), that allows nothing for the request. An evaluator fault denies; it never
allows and never answers 500.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import replace
from typing import Final

from vend_local.enforcement import aws_errors
from vend_local.enforcement.moto_state import PolicyText
from vend_local.iam.closed_world import named_keys
from vend_local.iam.evaluation import Prepared, evaluate_prepared, prepare
from vend_local.iam.model import Decision, Policy, Request

logger = logging.getLogger("vend_local.enforcement")

# IAM's names for policy kinds in its access-denied messages, in the order it reports a missing allow.
POLICY_TYPES: Final = {
    "identity": "identity-based",
    "boundary": "permissions boundary",
    "session": "session",
    "resource": "resource-based",
}
CACHE_MAX_ENTRIES: Final = 256


class Judge:
    def __init__(self, max_entries: int = CACHE_MAX_ENTRIES) -> None:
        self._lock = threading.Lock()
        self._cache: dict[tuple[PolicyText, ...], tuple[Prepared | Decision, frozenset[str]]] = {}
        self._max = max_entries

    def prepared(self, texts: Sequence[PolicyText]) -> Prepared | Decision:
        return self._entry(texts)[0]

    def keys_named(self, texts: Sequence[PolicyText]) -> frozenset[str]:
        """Every condition and policy-variable key the policies name, lower case."""
        return self._entry(texts)[1]

    def _entry(self, texts: Sequence[PolicyText]) -> tuple[Prepared | Decision, frozenset[str]]:
        key = tuple(texts)
        found = self._cache.get(key)
        if found is not None:
            return found
        prepared = _prepare(texts)
        made = (prepared, named_keys(prepared) if isinstance(prepared, Prepared) else frozenset[str]())
        with self._lock:
            if len(self._cache) >= self._max:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = made
        return made

    def because(self, request: Request, texts: Sequence[PolicyText]) -> str | None:
        """None when IAM allows ``request``; otherwise the "because ..." tail of AWS's access-denied message."""
        decision = self._decide(request, texts)
        if decision.allowed:
            return None
        if decision.outcome == "NotModelled":
            return f"because the embedded AWS cannot judge it: {decision.message}"
        if decision.outcome == "ExplicitDeny" and decision.deciding:
            kinds = {t.source: t.kind for t in texts}
            return aws_errors.explicit(POLICY_TYPES[kinds.get(decision.deciding[0].source, "identity")])
        # An implicit deny: the first policy type, in IAM's order, that allows nothing for this request.
        for kind in ("identity", "boundary", "session"):
            subset = [replace(t, kind="identity") for t in texts if t.kind == kind]
            if (subset or kind == "identity") and not self._decide(request, subset).allowed:
                return aws_errors.implicit(POLICY_TYPES[kind], request.action)
        return aws_errors.implicit(POLICY_TYPES["identity"], request.action)

    def trust_because(self, request: Request, trust: Sequence[PolicyText]) -> str | None:
        """The same for a role's trust policy, reduced to the statements naming the caller (vend_local.
        enforcement.trust) and judged like an identity-based policy."""
        decision = self._decide(request, trust)
        if decision.allowed:
            return None
        if decision.outcome == "NotModelled":
            return f"because the embedded AWS cannot judge its trust policy: {decision.message}"
        if decision.outcome == "ExplicitDeny":
            return aws_errors.explicit(POLICY_TYPES["resource"])
        return aws_errors.implicit(POLICY_TYPES["resource"], request.action)

    def _decide(self, request: Request, texts: Sequence[PolicyText]) -> Decision:
        prepared = self.prepared(texts)
        if isinstance(prepared, Decision):
            return prepared
        try:
            return evaluate_prepared(request, prepared)
        except Exception as exc:
            # Fail closed: an evaluator fault denies, and says so.
            logger.exception("enforcement: the evaluator failed")
            return Decision(False, "NotModelled", (), f"the evaluator failed ({type(exc).__name__})")


def _prepare(texts: Sequence[PolicyText]) -> Prepared | Decision:
    try:
        policies = [Policy(t.source, t.kind, json.loads(t.text)) for t in texts]
    except ValueError:
        return Decision(False, "NotModelled", (), "Not modelled: a policy is not JSON.")
    return prepare(policies)
