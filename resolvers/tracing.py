"""OpenTelemetry spans for the Lambda, or nothing at all when tracing is off. No I/O of its own.

AWS put the X-Ray SDKs (and so powertools' Tracer, which is built on them) into maintenance on 2026-02-25, with end
of support on 2027-02-25, and recommends OpenTelemetry. In Lambda the ADOT layer provides the OpenTelemetry SDK,
its exporter and the runtime instrumentation (its wrapper starts them before this module is imported); this
module only opens spans through the OpenTelemetry API.

Rules kept from the X-Ray days:
- a span records its name (the function's qualified name) and, on failure, the exception's type: never an
  argument, a return value (credentials) or an exception message (AWS error text may carry ARNs);
- when tracing is off, nothing is imported: the OpenTelemetry API is not even looked for.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

from resolvers.errors import ConfigError

F = TypeVar("F", bound=Callable[..., Any])
Decorator = Callable[[F], F]

TRACING_ENV: Final = "VEND_TRACING"
TRACING_OTEL: Final = "otel"
TRACING_OFF: Final = "off"
_TRUE = frozenset({"true", "1", "yes", "on"})


def tracing_enabled(env: Mapping[str, str]) -> bool:
    """On only when asked for (VEND_TRACING=otel, which the stack sets with the ADOT layer) and inside Lambda.

    POWERTOOLS_TRACE_DISABLED still turns it off, as do SAM local and anything outside Lambda. An unknown value
    fails the cold start rather than silently tracing or not.
    """
    mode = env.get(TRACING_ENV, TRACING_OFF)
    if mode not in (TRACING_OFF, TRACING_OTEL):
        raise ConfigError(
            "environment", [f"{TRACING_ENV}: must be {TRACING_OFF} or {TRACING_OTEL}, not {mode!r}"]
        )
    if mode == TRACING_OFF or env.get("POWERTOOLS_TRACE_DISABLED", "").lower() in _TRUE:
        return False
    return "AWS_LAMBDA_FUNCTION_NAME" in env and "AWS_SAM_LOCAL" not in env


def _untraced(fn: F) -> F:
    return fn


def tracing_decorators(
    env: Mapping[str, str], service: str, tracer_provider: Any = None
) -> tuple[Decorator[Any], Decorator[Any]]:
    """(for the handler, for a method): span-opening decorators, or no-ops when tracing is off.

    ``tracer_provider`` is for tests; in Lambda the ADOT layer has set the global provider.
    """
    if not tracing_enabled(env):
        return _untraced, _untraced
    from opentelemetry import trace  # noqa: PLC0415 - from the ADOT layer; only when tracing

    tracer = trace.get_tracer(service, tracer_provider=tracer_provider)

    def spanned(fn: F) -> F:
        name = fn.__qualname__

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            # record_exception=False: the exception event would carry the message and the stack.
            with tracer.start_as_current_span(
                name, record_exception=False, set_status_on_exception=False
            ) as span:
                try:
                    return fn(*args, **kwargs)
                except BaseException as exc:
                    span.set_status(trace.Status(trace.StatusCode.ERROR, type(exc).__name__))
                    raise

        return wrapper  # type: ignore[return-value]

    return spanned, spanned
