"""The revocation lookup's cost (issue 18): a warm vend with the lookup on and off, on a cache miss and a cache
hit, in one process, interleaved; and one lookup alone. Network I/O to the local moto server of bench.harness.

Run by `make bench` (bench/run.py) as ``python -m bench.revocation measure`` with the handler's environment
pointed at that server. The store holds 50 revoked callers (none of them the bench's caller), so each lookup reads
a realistic partition. "On" is the deployed setting: one snapshot per container, refreshed after 10 s; "every
vend" (TTL 0) is the worst case, a DynamoDB Query on every request.
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

REVOCATION_TABLE: Final = "vend-bench-revocations"
REVOKED_CALLERS: Final = 50


@dataclass
class Context:
    aws_request_id: str = "bench"


def measure() -> dict[str, float]:
    import boto3  # noqa: PLC0415
    from aws_lambda_powertools import Logger, Metrics  # noqa: PLC0415

    from bench.harness import interleaved, median_seconds  # noqa: PLC0415
    from resolvers import revocation_store  # noqa: PLC0415
    from resolvers.cache import CachingIssuer  # noqa: PLC0415
    from resolvers.catalog import load_catalog  # noqa: PLC0415
    from resolvers.resolver import build_resolver, dispatch  # noqa: PLC0415
    from resolvers.revocation import RevocationCheck  # noqa: PLC0415
    from resolvers.service import VendService  # noqa: PLC0415
    from resolvers.settings import load_settings  # noqa: PLC0415
    from resolvers.sts import StsIssuer, make_client  # noqa: PLC0415
    from resolvers.telemetry import PowertoolsTelemetry  # noqa: PLC0415
    from tests import support  # noqa: PLC0415

    settings = load_settings(os.environ)
    catalog = load_catalog(settings.catalog_path)
    region = settings.region
    _seed_store(boto3.client("dynamodb", region_name=region))

    # The production logger and metrics, writing to a sink as cheap as CloudWatch's pipe.
    logger = Logger(service="bench-revocation", logger_handler=logging.StreamHandler(io.StringIO()))
    metrics = Metrics(namespace="Bench", service="bench-revocation")
    telemetry = PowertoolsTelemetry(logger, metrics)
    sts = StsIssuer(lambda: make_client(region))
    store = revocation_store.DynamoRevocationStore(
        lambda: revocation_store.make_client(region), REVOCATION_TABLE
    )

    def gate(ttl: int) -> RevocationCheck:
        return RevocationCheck(store.fetch, ttl_seconds=ttl, clock=lambda: datetime.now(UTC))

    snapshot, every = gate(10), gate(0)
    base = VendService(catalog=catalog, settings=settings, issuer=sts, telemetry=telemetry)
    event = support.load_event("cognito_access_token")
    identity, arguments = event["identity"], event["arguments"]

    def miss(service: VendService) -> Any:
        app = build_resolver(service)

        def call() -> None:
            assert "data" in dispatch(app, event, Context(), telemetry)
            metrics.clear_metrics()

        call()  # connections warm, snapshot filled
        return call

    miss_off, miss_on = miss(base), miss(dataclasses.replace(base, revocations=snapshot))
    miss_every = miss(dataclasses.replace(base, revocations=every))
    on_s, off_s = interleaved(miss_on, miss_off, rounds=21, per_round=20)
    every_s, off2_s = interleaved(miss_every, miss_off, rounds=21, per_round=20)

    def cache(not_before: Any) -> CachingIssuer:
        return CachingIssuer(
            sts,
            clock=lambda: datetime.now(UTC),
            catalog_version=catalog.version,
            min_remaining_seconds=settings.cache_min_remaining_seconds,
            max_entries=settings.cache_max_entries,
            not_before=not_before,
        )

    hit_off_service = dataclasses.replace(base, issuer=cache(None))
    hit_on_service = dataclasses.replace(base, issuer=cache(snapshot.not_before), revocations=snapshot)

    def hit(service: VendService) -> Any:
        def call() -> None:
            service.vend(identity, arguments, "bench")
            metrics.clear_metrics()

        call()  # fills the cache
        return call

    hit_on, hit_off = hit(hit_on_service), hit(hit_off_service)
    hit_on_s, hit_off_s = interleaved(hit_on, hit_off, rounds=11, per_round=500)
    lookup_s = min(median_seconds(store.fetch, 50) for _ in range(5))
    return {
        "miss_lookup_on_s": on_s,
        "miss_lookup_off_s": off_s,
        "miss_lookup_every_vend_s": every_s,
        "miss_lookup_off_again_s": off2_s,
        "hit_lookup_on_s": hit_on_s,
        "hit_lookup_off_s": hit_off_s,
        "one_lookup_s": lookup_s,
    }


def _seed_store(dynamodb: Any) -> None:
    from vend_local.revocation.aws import create_store  # noqa: PLC0415
    from vend_local.revocation.records import Revocation, item_of  # noqa: PLC0415

    create_store(dynamodb, REVOCATION_TABLE)
    now = datetime.now(UTC)
    for i in range(REVOKED_CALLERS):
        record = Revocation(f"{i:08d}-0000-4000-8000-000000000000", now, now.replace(year=now.year + 1))
        dynamodb.put_item(TableName=REVOCATION_TABLE, Item=item_of(record))


def rows(figures: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """The table rows of bench/run.py for these figures (keys prefixed ``revocation_``)."""

    def row(
        label: str, ours: str, base: str | None, scale: float, unit: str
    ) -> tuple[str, str, str, str, str]:
        a = figures[f"revocation_{ours}"] * scale
        if base is None:
            return (label, f"{a:.1f} {unit}", "", "", "")
        b = figures[f"revocation_{base}"] * scale
        return (label, f"{a:.1f} {unit}", f"{b:.1f} {unit}", f"{a / b:.3f}x", "")

    return [
        row(
            "warm vend, cache miss: revocation lookup on (10 s snapshot) vs off",
            "miss_lookup_on_s",
            "miss_lookup_off_s",
            1e3,
            "ms",
        ),
        row(
            "warm vend, cache miss: lookup on every vend (TTL 0) vs off",
            "miss_lookup_every_vend_s",
            "miss_lookup_off_again_s",
            1e3,
            "ms",
        ),
        row(
            "warm vend, cache hit: revocation lookup on vs off",
            "hit_lookup_on_s",
            "hit_lookup_off_s",
            1e6,
            "us",
        ),
        row(f"  one store lookup ({REVOKED_CALLERS} records, local moto)", "one_lookup_s", None, 1e3, "ms"),
    ]


PARTS: Final = {"measure": measure}

if __name__ == "__main__":
    original = sys.stdout
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115, PTH123 - the one JSON line stays clean; lives as the process
    result = PARTS[sys.argv[1]]()
    original.write(json.dumps(result) + "\n")
    original.flush()
