"""Cold start, measured from inside a fresh process: ours (import the handler, serve one vend) or the
baseline (import boto3 and powertools, make one bare AssumeRole). Only the standard library is imported
before the clock starts, so both sides pay for exactly their own imports. Network I/O to 127.0.0.1 only.

Run as ``python -m bench.cold ours|baseline`` with the handler's environment set.
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


def ours() -> dict[str, float]:
    event = json.loads(EVENT.read_text())
    started = time.perf_counter()
    from resolvers import handler  # noqa: PLC0415 - the import is what is measured

    imported = time.perf_counter()
    result: dict[str, Any] = handler.lambda_handler(event, Context())
    done = time.perf_counter()
    assert "data" in result, result
    return {"import_s": imported - started, "first_call_s": done - imported}


def baseline() -> dict[str, float]:
    request = json.loads(os.environ["BENCH_REQUEST"])
    started = time.perf_counter()
    # What a minimal powertools Lambda imports: boto3 and the Logger/Metrics/Tracer trio.
    import boto3  # noqa: PLC0415 - the import is what is measured
    from aws_lambda_powertools import Logger, Metrics, Tracer  # noqa: PLC0415, F401

    imported = time.perf_counter()
    boto3.client("sts", region_name=os.environ["AWS_REGION"]).assume_role(**request)
    done = time.perf_counter()
    return {"import_s": imported - started, "first_call_s": done - imported}


if __name__ == "__main__":
    out = sys.stdout
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115, PTH123 - the handler's log lines go nowhere
    figures = ours() if sys.argv[1] == "ours" else baseline()
    out.write(json.dumps(figures) + "\n")
