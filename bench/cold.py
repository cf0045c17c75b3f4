"""Cold start, measured from inside a fresh process: ours (import the handler, serve one vend), ours with
OpenTelemetry tracing on, or the baseline (import boto3 and powertools, make one bare AssumeRole and, when the
revocation lookup is on, one bare Query of the revocation partition: the same AWS work as ours). Only the
standard library is imported before the clock starts, so each side pays for exactly its own imports. Network I/O
to 127.0.0.1 only.

Tracing on ("traced") stands in for the ADOT layer by setting up the OpenTelemetry SDK's tracer provider (with an
in-memory exporter) inside the clock, as the layer's wrapper does before the handler is imported. The layer's own
auto-instrumentation and OTLP exporter are not installable here and are not in this figure (docs/deploy.md).

"restored" is the SnapStart path: the init and the before-snapshot hooks untimed, then the after-restore hooks and
the first vend timed, as a container resumed from the snapshot would run them.

Run as ``python -m bench.cold ours|traced|baseline|restored`` with the handler's environment set.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

EVENT = Path(__file__).resolve().parents[1] / "tests" / "events" / "cognito_access_token.json"


class Context:
    aws_request_id = "bench-cold"


def ours(*, traced: bool = False) -> dict[str, float]:
    event = json.loads(EVENT.read_text())
    started = time.perf_counter()
    if traced:
        _otel_provider()
    from resolvers import handler  # noqa: PLC0415 - the import is what is measured

    imported = time.perf_counter()
    result: dict[str, Any] = handler.lambda_handler(event, Context())
    done = time.perf_counter()
    assert "data" in result, result
    # bench.run stages the package as infra does (bytecode included) and puts it first on the path.
    expected = os.environ.get("BENCH_PACKAGE_DIR")
    assert expected is None or Path(handler.__file__).is_relative_to(expected), handler.__file__
    return {"import_s": imported - started, "first_call_s": done - imported}


def restored() -> dict[str, float]:
    """SnapStart as the Lambda runtime runs it: init, the before-snapshot hooks (reverse order of registration),
    then, in what would be a container restored from the snapshot, the after-restore hooks and the first vend.
    Only the part after the restore is what a caller waits for; the microVM's own restore is not measurable here.
    """
    import snapshot_restore_py  # type: ignore[import-untyped]  # noqa: PLC0415 - the runtime's hook registry

    event = json.loads(EVENT.read_text())
    from resolvers import handler  # noqa: PLC0415

    for fn, args, kwargs in reversed(snapshot_restore_py.get_before_snapshot()):
        fn(*args, **kwargs)
    assert handler.sts_issuer._client is None, "a client (and its credentials) would be in the snapshot"
    started = time.perf_counter()
    for fn, args, kwargs in snapshot_restore_py.get_after_restore():
        fn(*args, **kwargs)
    hooks_done = time.perf_counter()
    result: dict[str, Any] = handler.lambda_handler(event, Context())
    done = time.perf_counter()
    assert "data" in result, result
    return {"after_restore_hooks_s": hooks_done - started, "first_vend_after_restore_s": done - hooks_done}


def _otel_provider() -> None:
    """What the ADOT layer's wrapper does before the handler: a global SDK tracer provider with an exporter."""
    from opentelemetry import trace  # noqa: PLC0415 - the import is what is measured
    from opentelemetry.sdk.trace import TracerProvider  # noqa: PLC0415
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: PLC0415
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter  # noqa: PLC0415

    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(InMemorySpanExporter()))
    trace.set_tracer_provider(provider)


def baseline() -> dict[str, float]:
    request = json.loads(os.environ["BENCH_REQUEST"])
    started = time.perf_counter()
    # What a minimal powertools Lambda imports: boto3, Logger and Metrics (Tracer is X-Ray, which we left).
    import boto3  # noqa: PLC0415 - the import is what is measured
    from aws_lambda_powertools import Logger, Metrics  # noqa: PLC0415, F401

    imported = time.perf_counter()
    boto3.client("sts", region_name=os.environ["AWS_REGION"]).assume_role(**request)
    table = os.environ.get("VEND_REVOCATION_TABLE")
    if table:
        # The same AWS work as ours: the revocation lookup's one Query, made bare.
        boto3.client("dynamodb", region_name=os.environ["AWS_REGION"]).query(
            TableName=table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": "revocation"}},
            ConsistentRead=True,
        )
    done = time.perf_counter()
    return {"import_s": imported - started, "first_call_s": done - imported}


if __name__ == "__main__":
    out = sys.stdout
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115, PTH123 - the handler's log lines go nowhere
    parts = {"ours": ours, "traced": lambda: ours(traced=True), "baseline": baseline, "restored": restored}
    figures = parts[sys.argv[1]]()
    out.write(json.dumps(figures) + "\n")
