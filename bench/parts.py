"""Warm benchmark parts, each in a fresh process (the handler reads its settings once, at import).

Run as ``python -m bench.parts PART`` with the handler's environment set; prints one JSON object on the
original stdout while the handler's own log and metric lines go to /dev/null, as cheap as CloudWatch's pipe.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from dataclasses import dataclass
from typing import Any

from bench.harness import bare_assume_role_request, median_seconds, paired
from tests import support


@dataclass
class Context:
    aws_request_id: str = "bench"


def _quiet_stdout() -> Any:
    original = sys.stdout
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115, PTH123 - lives as long as the process
    return original


def warm() -> dict[str, float]:
    from resolvers import handler  # noqa: PLC0415
    from resolvers.decision import plan_vend  # noqa: PLC0415
    from resolvers.identity import caller_from_identity  # noqa: PLC0415
    from resolvers.sts import make_client  # noqa: PLC0415

    event = support.load_event("cognito_access_token")
    request = bare_assume_role_request()
    client = make_client(support.REGION)

    def vend() -> None:
        assert "data" in handler.lambda_handler(event, Context())

    def bare() -> None:
        client.assume_role(**request)

    vend()  # connections and caches warm
    bare()
    vend_s, bare_s, ratio = paired(vend, bare, rounds=21, per_round=20)

    settings, catalog = handler.settings, handler.catalog

    def decide() -> None:
        caller = caller_from_identity(
            event["identity"], issuer=settings.issuer, client_ids=settings.client_ids
        )
        plan_vend(caller, "REPORTS_READ", None, catalog=catalog, settings=settings)

    decision_s = min(median_seconds(decide, 2000) for _ in range(5))
    return {
        "vend_miss_s": vend_s,
        "bare_assume_role_s": bare_s,
        "miss_ratio": ratio,
        "decision_s": decision_s,
    }


def hit() -> dict[str, float]:
    from resolvers import handler  # noqa: PLC0415

    event = support.load_event("cognito_access_token")
    identity, arguments = event["identity"], event["arguments"]
    assert "data" in handler.lambda_handler(event, Context())  # fills the cache

    def through_handler() -> None:
        handler.lambda_handler(event, Context())

    def through_service() -> None:
        handler.service.vend(identity, arguments, "bench")
        # Outside the handler nothing flushes the metric set, and an ever-growing set is not what Lambda runs.
        handler.metrics.clear_metrics()

    # The same service with the audit record kept in memory: what the vend itself costs, without the log line.
    quiet = dataclasses.replace(handler.service, telemetry=support.RecordingTelemetry())

    def without_log_line() -> None:
        quiet.vend(identity, arguments, "bench")

    handler_s = min(median_seconds(through_handler, 2000) for _ in range(5))
    service_s = min(median_seconds(through_service, 2000) for _ in range(5))
    core_s = min(median_seconds(without_log_line, 2000) for _ in range(5))
    return {"hit_handler_s": handler_s, "hit_service_s": service_s, "hit_core_s": core_s}


PARTS = {"warm": warm, "hit": hit}

if __name__ == "__main__":
    out = _quiet_stdout()
    out.write(json.dumps(PARTS[sys.argv[1]]()) + "\n")
    out.flush()
