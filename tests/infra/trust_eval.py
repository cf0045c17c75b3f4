"""A small, independent evaluator for trust policies, for the readings of how IAM builds each action's context.

Only what our trust policies use: Allow/Deny statements with an AWS principal, and the operators StringEquals,
StringLike, Null and ForAllValues:StringEquals (values compared case-sensitively, keys case-insensitively).
Anything else raises, so a policy change the evaluator cannot judge fails the tests instead of passing them.
Pure, no I/O.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Reading = Literal["whole request", "documented keys only"]
READINGS: tuple[Reading, ...] = ("whole request", "documented keys only")

# The Service Authorization Reference's condition keys per STS action (shared/reference/aws-facts.md).
DOCUMENTED_KEYS: Mapping[str, frozenset[str]] = {
    "sts:AssumeRole": frozenset({"sts:sourceidentity"}),
    "sts:SetSourceIdentity": frozenset({"sts:sourceidentity"}),
    "sts:TagSession": frozenset({"aws:requesttag/*", "aws:tagkeys", "sts:transitivetagkeys"}),
}


def documented(action: str, key: str) -> bool:
    key = key.lower()
    allowed = DOCUMENTED_KEYS[action]
    return key in allowed or (key.startswith("aws:requesttag/") and "aws:requesttag/*" in allowed)


@dataclass(frozen=True)
class AssumeRequest:
    """One AssumeRole call as our resolver makes it (or as an attacker might shape it)."""

    principal: str
    source_identity: str | None
    tags: Mapping[str, str] = field(default_factory=dict)
    transitive_tag_keys: Sequence[str] = ()

    def actions(self) -> list[str]:
        """The actions IAM authorises for this call: TagSession and SetSourceIdentity only when used."""
        out = ["sts:AssumeRole"]
        if self.source_identity is not None:
            out.append("sts:SetSourceIdentity")
        if self.tags:
            out.append("sts:TagSession")
        return out

    def context(self) -> dict[str, tuple[str, ...]]:
        ctx: dict[str, tuple[str, ...]] = {}
        if self.source_identity is not None:
            ctx["sts:sourceidentity"] = (self.source_identity,)
        for key, value in self.tags.items():
            ctx[f"aws:requesttag/{key.lower()}"] = (value,)
        if self.tags:
            ctx["aws:tagkeys"] = tuple(self.tags)
        if self.transitive_tag_keys:
            ctx["sts:transitivetagkeys"] = tuple(self.transitive_tag_keys)
        return ctx


def allowed(policy: Mapping[str, Any], request: AssumeRequest, reading: Reading) -> bool:
    """Whether every action of the request is allowed (and none denied) under ``reading``."""
    return all(_action_allowed(policy, request, action, reading) for action in request.actions())


def _action_allowed(policy: Mapping[str, Any], request: AssumeRequest, action: str, reading: Reading) -> bool:
    context = request.context()
    if reading == "documented keys only":
        context = {k: v for k, v in context.items() if documented(action, k)}
    verdicts = [
        st["Effect"]
        for st in policy["Statement"]
        if _as_list(st["Principal"]["AWS"]) == [request.principal]
        and action in _as_list(st["Action"])
        and _conditions_hold(st.get("Condition", {}), context)
    ]
    return "Deny" not in verdicts and "Allow" in verdicts


def _conditions_hold(
    conditions: Mapping[str, Mapping[str, Any]], context: Mapping[str, tuple[str, ...]]
) -> bool:
    for operator, block in conditions.items():
        for key, expected in block.items():
            values = context.get(key.lower())
            wanted = [str(v) for v in _as_list(expected)]
            if not _holds(operator, values, wanted):
                return False
    return True


def _holds(operator: str, values: tuple[str, ...] | None, wanted: list[str]) -> bool:
    if operator == "Null":
        return (values is None) == (wanted == ["true"])
    if operator == "ForAllValues:StringEquals":
        return values is None or all(v in wanted for v in values)
    if values is None:
        return False
    if operator == "StringEquals":
        return any(v in wanted for v in values)
    if operator == "StringLike":
        return any(fnmatch.fnmatchcase(v, w) for v in values for w in wanted)
    raise AssertionError(f"the test evaluator does not model {operator}")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
