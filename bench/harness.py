"""Shared benchmark plumbing: a local moto STS over HTTP, the handler environment, and median/ratio maths.

Does network I/O to 127.0.0.1 only.
"""

from __future__ import annotations

import json
import logging
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

import boto3
from moto.server import ThreadedMotoServer

from tests import support

REGION: Final = support.REGION
TRUST: Final = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{support.ACCOUNT}:role/vend-lambda"},
            "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
        }
    ],
}
# The revocation store the handler reads in the cold, warm and hit parts (bench.revocation seeds its own).
HANDLER_REVOCATION_TABLE: Final = "vend-bench-handler-revocations"
# moto accepts any credentials; these are never real ones.
FAKE_CREDENTIALS: Final = {
    "AWS_ACCESS_KEY_ID": "AKIABENCHMARKEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "bench-not-a-secret",
}


@dataclass(frozen=True)
class LocalSts:
    endpoint: str

    def environment(self, *, cache: bool, revocation: bool = True) -> dict[str, str]:
        """The handler's environment, pointed at this endpoint; with the revocation lookup on, as the stack
        deploys it (its store on the same endpoint)."""
        lookup = (
            {"VEND_REVOCATION_TABLE": HANDLER_REVOCATION_TABLE, "AWS_ENDPOINT_URL_DYNAMODB": self.endpoint}
            if revocation
            else {}
        )
        return {
            **support.ENV,
            **FAKE_CREDENTIALS,
            **lookup,
            "AWS_ENDPOINT_URL_STS": self.endpoint,
            "VEND_CACHE_ENABLED": "true" if cache else "false",
            # Logs and metrics stay on, as in Lambda; the parts send stdout to /dev/null.
            "POWERTOOLS_TRACE_DISABLED": "true",
        }

    def client(self) -> Any:
        return boto3.client(
            "sts",
            region_name=REGION,
            endpoint_url=self.endpoint,
            aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )


@contextmanager
def local_sts() -> Iterator[LocalSts]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one access-log line per STS call is noise here
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        iam = boto3.client(
            "iam",
            region_name=REGION,
            endpoint_url=endpoint,
            aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        for arn in support.ROLE_ARNS.values():
            iam.create_role(RoleName=arn.rsplit("/", 1)[1], AssumeRolePolicyDocument=json.dumps(TRUST))
        from vend_local.revocation.aws import create_store  # noqa: PLC0415 - the store as the stack makes it

        create_store(
            boto3.client(
                "dynamodb",
                region_name=REGION,
                endpoint_url=endpoint,
                aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            ),
            HANDLER_REVOCATION_TABLE,
        )
        yield LocalSts(endpoint)
    finally:
        server.stop()


def bare_assume_role_request() -> dict[str, Any]:
    """The baseline request: the same parameters the handler sends for the access-token fixture."""
    from resolvers.decision import plan_vend  # noqa: PLC0415 - keep the cold-start baseline free of our code
    from resolvers.sts import assume_role_request  # noqa: PLC0415

    caller = support.caller(groups=["analysts"])
    plan = plan_vend(caller, "REPORTS_READ", None, catalog=support.catalog(), settings=support.settings())
    return assume_role_request(plan)


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def interleaved(
    a: Callable[[], object], b: Callable[[], object], rounds: int, per_round: int
) -> tuple[float, float]:
    """Medians of a and b, alternating rounds so that machine noise hits both alike."""
    a_s, b_s, _ = paired(a, b, rounds, per_round)
    return a_s, b_s


def paired(
    a: Callable[[], object], b: Callable[[], object], rounds: int, per_round: int
) -> tuple[float, float, float]:
    """Medians of a and b, and the median of their per-round ratios a/b.

    Each round runs a and b back to back, in an order that flips every round; a ratio taken within a round sees
    the same machine load on both sides, so a burst from another process moves it far less than it moves either
    median (the machines these run on are shared).
    """
    a_medians, b_medians, ratios = [], [], []
    for round_no in range(rounds):
        if round_no % 2 == 0:
            a_m, b_m = median_seconds(a, per_round), median_seconds(b, per_round)
        else:
            b_m, a_m = median_seconds(b, per_round), median_seconds(a, per_round)
        a_medians.append(a_m)
        b_medians.append(b_m)
        ratios.append(a_m / b_m)
    return statistics.median(a_medians), statistics.median(b_medians), statistics.median(ratios)
