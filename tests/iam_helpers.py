"""Builders for the IAM evaluator's tests: policies and requests written out in full, no evaluator logic. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from vend_local.iam.model import Decision, Policy, PolicyKind, Request, evaluate

ACCOUNT: Final = "111122223333"
ROLE_ARN: Final = f"arn:aws:iam::{ACCOUNT}:role/examplerole"
SESSION_ARN: Final = f"arn:aws:sts::{ACCOUNT}:assumed-role/examplerole/examplesession"
USER_ARN: Final = f"arn:aws:iam::{ACCOUNT}:user/exampleuser"


def doc(*statements: Mapping[str, Any], version: str | None = "2012-10-17") -> dict[str, Any]:
    out: dict[str, Any] = {"Statement": list(statements)}
    if version is not None:
        out["Version"] = version
    return out


def allow(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def policy(kind: PolicyKind, *statements: Mapping[str, Any], source: str | None = None) -> Policy:
    return Policy(source or f"{kind} policy", kind, doc(*statements))


def request(
    action: str,
    resource: str,
    context: Mapping[str, str | tuple[str, ...]] | None = None,
    *,
    absent: Iterable[str] = (),
    principal: str | None = None,
) -> Request:
    values = {k: (v,) if isinstance(v, str) else v for k, v in (context or {}).items()}
    return Request(action, resource, values, frozenset(a.lower() for a in absent), principal)


def role_session_request(action: str, resource: str, **context: str | tuple[str, ...]) -> Request:
    """A request signed by SESSION_ARN, a session of ROLE_ARN."""
    base: dict[str, str | tuple[str, ...]] = {"aws:PrincipalArn": ROLE_ARN, "aws:PrincipalAccount": ACCOUNT}
    return request(action, resource, {**base, **context}, principal=SESSION_ARN)


def judge(req: Request, *policies: Policy) -> Decision:
    return evaluate(req, list(policies))
