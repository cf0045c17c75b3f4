"""Tracing is on only where powertools would trace, and never captures responses (they hold credentials)."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

from resolvers.tracing import tracing_decorators, tracing_enabled

IN_LAMBDA = {"AWS_LAMBDA_FUNCTION_NAME": "vend"}


@pytest.mark.parametrize(
    ("env", "enabled"),
    [
        ({}, False),
        (IN_LAMBDA, True),
        ({**IN_LAMBDA, "POWERTOOLS_TRACE_DISABLED": "true"}, False),
        ({**IN_LAMBDA, "POWERTOOLS_TRACE_DISABLED": "1"}, False),
        ({**IN_LAMBDA, "POWERTOOLS_TRACE_DISABLED": "false"}, True),
        ({**IN_LAMBDA, "AWS_SAM_LOCAL": "true"}, False),
    ],
)
def test_tracing_follows_powertools_rules(env: dict[str, str], enabled: bool) -> None:
    assert tracing_enabled(env) is enabled


def test_off_means_the_function_itself_and_no_xray_import() -> None:
    code = (
        "import sys; from resolvers.tracing import tracing_decorators; "
        "h, m = tracing_decorators({}, 'svc'); f = lambda: 1; "
        "assert h(f) is f and m(f) is f; print('aws_xray_sdk' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)  # noqa: S603
    assert out.stdout.strip() == "False"


def test_on_wraps_with_response_capture_off() -> None:
    handler_decorator, method_decorator = tracing_decorators(IN_LAMBDA, "svc")

    def method() -> str:
        return "credentials"

    def handler(event: object, context: object) -> str:
        return "credentials"

    for wrapped, original in ((method_decorator(method), method), (handler_decorator(handler), handler)):
        assert wrapped is not original
        # powertools keeps the flag in the wrapper's closure; True would put credentials into X-Ray.
        assert inspect.getclosurevars(wrapped).nonlocals["capture_response"] is False
