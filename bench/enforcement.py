"""The cost of IAM enforcement in the embedded AWS: the same S3 request with vended credentials against an
enforcing embedded AWS and against one without enforcement, in the same process, interleaved. Network I/O to
127.0.0.1 only.

    .venv/bin/python -m bench.enforcement [s3]

Both servers serve the same moto state (moto's state is per process): the enforcing one is seeded and issues
the session through the real plan_vend and STS adapter; the other answers the very same signed requests, which
it forwards to moto unchecked. Prints one JSON object (the last line) with the medians and their ratios.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from typing import Any


def s3() -> dict[str, float]:
    # Before anything imports moto: the embedded AWS refuses a moto imported with its global CORS on.
    os.environ["MOTO_DISABLE_GLOBAL_CORS"] = "true"
    import logging  # noqa: PLC0415

    import boto3  # noqa: PLC0415

    from bench.harness import median_seconds  # noqa: PLC0415
    from resolvers.catalog import DEFAULT_PATH, load_catalog  # noqa: PLC0415
    from resolvers.decision import plan_vend  # noqa: PLC0415
    from resolvers.settings import load_settings  # noqa: PLC0415
    from resolvers.sts import StsIssuer  # noqa: PLC0415
    from vend_local.embedded_aws import EmbeddedAws, handler_environment  # noqa: PLC0415
    from vend_local.synthetic import make_caller  # noqa: PLC0415

    logging.getLogger("vend_local.enforcement").setLevel(logging.WARNING)
    catalog = load_catalog(DEFAULT_PATH)
    enforcing = EmbeddedAws(enforce=True)
    plain = EmbeddedAws(enforce=False)
    enforcing.start()
    plain.start()
    try:
        deployment = enforcing.seed(catalog)
        # The bucket is seeded in the background; only the seeded server's gate waits for it.
        assert enforcing.gate.wait(60), "the embedded AWS could not seed its bucket"
        alice = next(u for u in deployment.users if u.username == "alice")
        caller = make_caller(sub=alice.sub, username="alice", groups=[], claims={}, token_use="id")  # noqa: S106
        settings = load_settings(handler_environment(deployment, str(DEFAULT_PATH)))
        plan = plan_vend(caller, "S3_OWN_PREFIX", None, catalog=catalog, settings=settings)
        lam = deployment.lambda_credentials
        assert lam is not None
        issued = StsIssuer(
            lambda: enforcing.client(
                "sts",
                access_key_id=lam.access_key_id,
                secret_access_key=lam.secret_access_key,
                session_token=lam.session_token,
            )
        ).issue(plan)
        session = boto3.session.Session(
            aws_access_key_id=issued.access_key_id,
            aws_secret_access_key=issued.secret_access_key,
            aws_session_token=issued.session_token,
            region_name=deployment.region,
        )
        with_enforcement: Any = session.client("s3", endpoint_url=enforcing.endpoint_url)
        without: Any = session.client("s3", endpoint_url=plain.endpoint_url)
        bucket = deployment.bucket
        # Each server reads and writes its own key, so neither pays for the other's overwrites.
        keys = {
            id(with_enforcement): f"users/{alice.sub}/bench-on.txt",
            id(without): f"users/{alice.sub}/bench-off.txt",
        }
        body = b"x" * 1024

        def get(client: Any) -> None:
            client.get_object(Bucket=bucket, Key=keys[id(client)])["Body"].read()

        def put(client: Any) -> None:
            client.put_object(Bucket=bucket, Key=keys[id(client)], Body=body)

        for warm in (with_enforcement, without):
            put(warm)
            get(warm)
        get_on, get_off = flipped(lambda: get(with_enforcement), lambda: get(without), median_seconds)
        put_on, put_off = flipped(lambda: put(with_enforcement), lambda: put(without), median_seconds)
        own_get, own_put = (
            own_time(enforcing, lambda: get(with_enforcement)),
            own_time(enforcing, lambda: put(with_enforcement)),
        )
    finally:
        enforcing.stop()
        plain.stop()
    return {
        "get_enforced_s": get_on,
        "get_unenforced_s": get_off,
        "get_ratio": get_on / get_off,
        "put_enforced_s": put_on,
        "put_unenforced_s": put_off,
        "put_ratio": put_on / put_off,
        "get_enforcement_own_s": own_get,
        "put_enforcement_own_s": own_put,
    }


def own_time(aws: Any, call: Any, requests: int = 400) -> float:
    """The median time a request spends in the enforcement itself: around it, minus moto's share inside it.

    Measured by wrapping the middleware and the moto app it forwards to (private attributes, benchmark only).
    """
    enforcement = aws.enforcement
    # gate -> CORS -> enforcement -> moto: the CORS layer is the one that calls the enforcement.
    outer_owner, inner = aws.gate._app, enforcement._app
    spans: list[float] = []
    inside: list[float] = []

    def timed_inner(environ: Any, start_response: Any) -> Any:
        started = time.perf_counter()
        try:
            return list(inner(environ, start_response))
        finally:
            inside.append(time.perf_counter() - started)

    def timed_outer(environ: Any, start_response: Any) -> Any:
        started = time.perf_counter()
        try:
            return list(enforcement(environ, start_response))
        finally:
            spans.append(time.perf_counter() - started)

    enforcement._app, outer_owner._app = timed_inner, timed_outer
    try:
        for _ in range(requests):
            call()
    finally:
        enforcement._app, outer_owner._app = inner, enforcement
    return statistics.median(s - i for s, i in zip(spans, inside, strict=True))


ROUNDS = 15
PER_ROUND = 40


def flipped(a: Any, b: Any, median_seconds: Any) -> tuple[float, float]:
    """Medians of a and b over rounds that alternate them, flipping the order every round (no order bias)."""
    a_medians: list[float] = []
    b_medians: list[float] = []
    for round_ in range(ROUNDS):
        pair = ((a, a_medians), (b, b_medians))
        for fn, medians in pair if round_ % 2 == 0 else reversed(pair):
            medians.append(median_seconds(fn, PER_ROUND))
    return statistics.median(a_medians), statistics.median(b_medians)


PARTS = {"s3": s3}

if __name__ == "__main__":
    sys.stdout.write(json.dumps(PARTS[sys.argv[1] if len(sys.argv) > 1 else "s3"]()) + "\n")
