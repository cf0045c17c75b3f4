"""Tracing is OpenTelemetry, on only where asked for inside Lambda, and its spans never carry a payload."""

from __future__ import annotations

import subprocess
import sys

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from resolvers.errors import ConfigError
from resolvers.tracing import tracing_decorators, tracing_enabled

IN_LAMBDA = {"AWS_LAMBDA_FUNCTION_NAME": "vend"}
TRACED = {**IN_LAMBDA, "VEND_TRACING": "otel"}
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@pytest.mark.parametrize(
    ("env", "enabled"),
    [
        ({}, False),
        (IN_LAMBDA, False),  # off unless the stack asked for it (with the ADOT layer)
        ({"VEND_TRACING": "otel"}, False),  # outside Lambda
        (TRACED, True),
        ({**TRACED, "POWERTOOLS_TRACE_DISABLED": "true"}, False),
        ({**TRACED, "POWERTOOLS_TRACE_DISABLED": "1"}, False),
        ({**TRACED, "POWERTOOLS_TRACE_DISABLED": "false"}, True),
        ({**TRACED, "AWS_SAM_LOCAL": "true"}, False),
        ({**IN_LAMBDA, "VEND_TRACING": "off"}, False),
    ],
)
def test_tracing_is_on_only_when_asked_for_inside_lambda(env: dict[str, str], enabled: bool) -> None:
    assert tracing_enabled(env) is enabled


@pytest.mark.parametrize("value", ["xray", "OTEL", "", "true"])
def test_an_unknown_tracing_mode_fails_the_cold_start_naming_the_setting(value: str) -> None:
    with pytest.raises(ConfigError, match="VEND_TRACING"):
        tracing_enabled({**IN_LAMBDA, "VEND_TRACING": value})


def test_off_means_the_function_itself_and_no_opentelemetry_or_xray_import() -> None:
    code = (
        "import sys; from resolvers.tracing import tracing_decorators; "
        "h, m = tracing_decorators({'AWS_LAMBDA_FUNCTION_NAME': 'f'}, 'svc'); f = lambda: 1; "
        "assert h(f) is f and m(f) is f; "
        "print(sorted(n for n in sys.modules if n.split('.')[0] in ('opentelemetry', 'aws_xray_sdk')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)  # noqa: S603
    assert out.stdout.strip() == "[]"


def _traced() -> tuple[InMemorySpanExporter, TracerProvider]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter, provider


def test_on_opens_a_span_per_call_that_records_no_argument_or_result() -> None:
    # GIVEN tracing on WHEN a traced method returns credentials THEN its span holds only its name
    exporter, provider = _traced()
    handler_decorator, method_decorator = tracing_decorators(TRACED, "svc", tracer_provider=provider)

    def issue(secret: str) -> dict[str, str]:
        return {"secretAccessKey": secret}

    def handler(event: object, context: object) -> str:
        return SECRET

    assert method_decorator(issue)(SECRET) == {"secretAccessKey": SECRET}
    assert handler_decorator(handler)({"authorization": SECRET}, None) == SECRET
    spans = exporter.get_finished_spans()
    assert [s.name for s in spans] == [issue.__qualname__, handler.__qualname__]
    for span in spans:
        assert dict(span.attributes or {}) == {}
        assert list(span.events) == []
        assert span.status.status_code is StatusCode.UNSET


def test_a_failure_is_recorded_by_type_only_never_by_message() -> None:
    exporter, provider = _traced()
    _, method_decorator = tracing_decorators(TRACED, "svc", tracer_provider=provider)

    @method_decorator
    def fail() -> None:
        raise RuntimeError(f"AccessDenied on arn:aws:iam::123456789012:role/x {SECRET}")

    with pytest.raises(RuntimeError):
        fail()
    (span,) = exporter.get_finished_spans()
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == "RuntimeError"
    assert list(span.events) == []
    assert SECRET not in repr(span.to_json())
    assert "123456789012" not in span.to_json()
