"""X-Ray tracing for the Lambda, or nothing at all when tracing is off. No I/O of its own.

powertools' Tracer imports the X-Ray SDK (over 100 ms of cold start here) even when it is disabled, so when
tracing cannot be on we never build one. When it is on, responses are never captured: they hold credentials.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
Decorator = Callable[[F], F]

_TRUE = frozenset({"true", "1", "yes", "on"})


def tracing_enabled(env: Mapping[str, str]) -> bool:
    """powertools' own rule: off when disabled by POWERTOOLS_TRACE_DISABLED, outside Lambda, or in SAM local."""
    if env.get("POWERTOOLS_TRACE_DISABLED", "").lower() in _TRUE:
        return False
    return "AWS_LAMBDA_FUNCTION_NAME" in env and "AWS_SAM_LOCAL" not in env


def _untraced(fn: F) -> F:
    return fn


def tracing_decorators(env: Mapping[str, str], service: str) -> tuple[Decorator[Any], Decorator[Any]]:
    """(for the handler, for a method): powertools Tracer decorators with response capture off, or no-ops."""
    if not tracing_enabled(env):
        return _untraced, _untraced
    from aws_lambda_powertools import Tracer  # noqa: PLC0415 - imports the X-Ray SDK; only when tracing

    tracer = Tracer(service=service)
    return (
        tracer.capture_lambda_handler(capture_response=False),
        tracer.capture_method(capture_response=False),
    )
