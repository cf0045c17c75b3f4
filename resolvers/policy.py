"""Render a scope's statements into a session policy and check it against AssumeRole's limits. Pure, no I/O.

The policy is built as data and serialised once: compact, keys sorted, so the same inputs always give the
same bytes (golden files and the credential cache key depend on it).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from resolvers import limits
from resolvers.catalog_model import Scope, Statement
from resolvers.errors import PolicyTooLarge

POLICY_VERSION: Final = "2012-10-17"
# AssumeRole's Policy accepts tab, LF, CR and U+0020-U+00FF only.
PLAINTEXT_CHARS: Final = re.compile(r"[\t\n\r\u0020-\u00ff]+")


def render_policy(scope: Scope, values: Mapping[str, str]) -> dict[str, Any]:
    return {"Version": POLICY_VERSION, "Statement": [_statement(st, values) for st in scope.statements]}


def _statement(st: Statement, values: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {"Sid": st.sid, "Effect": st.effect}
    if st.actions:
        out["Action"] = list(st.actions)
    if st.not_actions:
        out["NotAction"] = list(st.not_actions)
    if st.resources:
        out["Resource"] = [t.render(values) for t in st.resources]
    if st.not_resources:
        out["NotResource"] = [t.render(values) for t in st.not_resources]
    if st.conditions:
        condition: dict[str, dict[str, list[str]]] = {}
        for c in st.conditions:
            condition.setdefault(c.operator, {})[c.key] = [t.render(values) for t in c.values]
        out["Condition"] = condition
    return out


def serialise(document: Mapping[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"), sort_keys=True)


def plaintext_used(policy: str, policy_arns: Sequence[str]) -> int:
    """Characters counted against the 2048 budget: the inline policy and the managed ARNs together."""
    return len(policy) + sum(len(arn) for arn in policy_arns)


def check_plaintext(policy: str, policy_arns: Sequence[str], *, scope: str) -> int:
    """Refuse what AssumeRole would refuse, before calling it. Returns the characters used."""
    if len(policy_arns) > limits.MANAGED_POLICY_ARNS_MAX:
        raise PolicyTooLarge(
            f"Scope {scope} names too many managed policies.",
            detail=f"{len(policy_arns)} > {limits.MANAGED_POLICY_ARNS_MAX}",
        )
    if not policy or not PLAINTEXT_CHARS.fullmatch(policy):
        raise PolicyTooLarge(f"Scope {scope} rendered a policy STS cannot accept.", detail="character set")
    used = plaintext_used(policy, policy_arns)
    if used > limits.POLICY_PLAINTEXT_MAX:
        raise PolicyTooLarge(
            f"Scope {scope} rendered a policy over the {limits.POLICY_PLAINTEXT_MAX}-character limit.",
            detail=f"{used} characters",
        )
    return used


def policy_hash(policy: str, policy_arns: Sequence[str]) -> str:
    digest = hashlib.sha256(policy.encode())
    for arn in policy_arns:
        digest.update(b"\n" + arn.encode())
    return digest.hexdigest()[:16]
