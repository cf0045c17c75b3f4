"""A role trust policy, reduced to the statements that apply to one calling role session. Pure, no I/O.

IAM evaluates a trust policy like a resource policy: a statement applies when its Principal names the caller.
For a role session the caller is matched by the role's ARN, the session's ARN, its account (the account id or
``arn:aws:iam::<account>:root``) or ``*``; Service and Federated principals never match a session. The
statements that apply are returned without their Principal (and with the implicit resource, the role, as
``*``), for the evaluator to judge Action and Condition as in an identity-based policy.
NotPrincipal is not modelled: a trust policy that uses it cannot be judged, and the AssumeRole is denied.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vend_local.enforcement.request_context import SessionFacts


class TrustNotModelled(ValueError):
    """The trust policy uses something this reduction does not judge; the message names it."""


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def names_caller(principal: Any, caller: SessionFacts) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    accepted = {
        "*",
        caller.account,
        f"arn:aws:iam::{caller.account}:root",
        caller.role_arn,
        caller.session_arn,
    }
    return any(value in accepted for value in _as_list(principal.get("AWS", [])))


def applicable(trust: Mapping[str, Any], caller: SessionFacts) -> dict[str, Any]:
    """The trust policy's statements whose Principal names ``caller``, without the Principal element."""
    statements = []
    for statement in _as_list(trust.get("Statement", [])):
        if not isinstance(statement, dict):
            raise TrustNotModelled("a trust policy statement that is not an object")
        if "NotPrincipal" in statement:
            raise TrustNotModelled("NotPrincipal in a trust policy")
        if names_caller(statement.get("Principal"), caller):
            # A trust policy's statements have no Resource: the role itself is the resource.
            statements.append({**{k: v for k, v in statement.items() if k != "Principal"}, "Resource": "*"})
    return {"Version": trust.get("Version", "2012-10-17"), "Statement": statements}
