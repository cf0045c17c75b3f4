"""The capacity model of docs/capacity.md: monthly active users and their habits in, request rates, Lambda
concurrency, STS calls and the cost per million vends out. Pure arithmetic over frozen inputs; no I/O except the
table this prints.

    .venv/bin/python -m bench.capacity [--json]

Every input is named in docs/capacity.md with where its value comes from (a bench figure, an AWS page, or an
assumption to replace with your own measurement).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import asdict, dataclass, replace
from typing import Final

SECONDS_PER_DAY: Final = 86_400
DAYS_PER_MONTH: Final = 30
MILLION: Final = 1_000_000
GB: Final = 1_000_000_000
# resolvers/credentials.py: refreshAfter is a fifth of the lifetime, and at least five minutes, before expiration.
REFRESH_MARGIN_MIN_SECONDS: Final = 300
REFRESH_MARGIN_FRACTION: Final = 5


@dataclass(frozen=True)
class Habits:
    """How users use an app that vends credentials."""

    dau_share: float = 0.2  # daily active users per monthly active user
    sessions_per_day: float = 2.0  # per daily active user
    session_minutes: int = 30  # how long a session keeps using AWS
    scopes_per_session: int = 2  # scopes a session vends (each refreshed on its own)
    scopes_queries_per_session: int = 1  # the `scopes` query a UI makes when it starts
    credential_seconds: int = 3600  # the scope's lifetime (at most 3600: role chaining)
    peak_to_average: float = 4.0  # the busiest second of the day against the day's average
    # Vends that ask again for a session still fresh in some container's cache (a reload, a second tab): what a
    # server-side cache can answer at all. The client provider already reuses credentials until refreshAfter.
    repeat_share: float = 0.1


@dataclass(frozen=True)
class Function:
    """The resolver Lambda and what one invocation costs it."""

    memory_gb: float = 0.25  # infra/stack.py: memory_size=256
    sts_ms: float = 30.0  # AssumeRole in-region: an assumption until StsLatency (the function's metric) says
    overhead_ms: float = 1.0  # the handler around STS: 0.2-0.5 ms (README, "Warm miss"), billed in whole ms
    # The revocation lookup (issue 18, resolvers/revocation.py): each container keeps one snapshot of the
    # revocation partition for `revocation_ttl_seconds` and reads it again (one consistent Query) at its first
    # request after that.
    revocation_ttl_seconds: float = 10.0  # VEND_REVOCATION_TTL_SECONDS' default
    revocation_ms: float = 8.0  # the Query, on the request that makes it: an assumption, like sts_ms
    revocation_read_units: float = 1.0  # a consistent Query of a partition under 4 KB (a few revocations)
    scopes_ms: float = 1.0  # the `scopes` query: no AWS call
    log_bytes_per_vend: int = 1_200  # audit line + EMF line (~930 bytes measured) + Lambda's START/END/REPORT
    log_bytes_per_scopes: int = 500


@dataclass(frozen=True)
class Prices:
    """US East (N. Virginia), USD, as docs/capacity.md cites them."""

    appsync_per_million_operations: float = 4.00
    lambda_per_million_requests: float = 0.20
    lambda_gb_second_arm64: float = 0.0000133334
    lambda_gb_second_x86: float = 0.0000166667
    logs_ingestion_per_gb: float = 0.50
    waf_per_million_requests: float = 0.60
    waf_fixed_per_month: float = 6.00  # one web ACL ($5) with one rule ($1)
    dynamodb_per_million_read_units: float = 0.125


@dataclass(frozen=True)
class Row:
    mau: int
    credential_seconds: int
    vends_per_session_scope: int
    vends_per_month: float
    appsync_operations_per_month: float
    average_vends_per_second: float
    peak_vends_per_second: float
    peak_invocations_per_second: float
    peak_concurrency: float
    containers: int
    container_cache_hit: float
    revocation_query_share: float
    peak_sts_per_second: float
    peak_sts_per_second_shared_cache: float
    peak_revocation_reads_per_second: float
    cost_per_million_vends_arm64: float
    cost_per_million_vends_x86: float
    monthly_cost_arm64: float


def refresh_interval_seconds(credential_seconds: int) -> int:
    """How long a client uses credentials before it asks again: until refreshAfter."""
    margin = max(REFRESH_MARGIN_MIN_SECONDS, credential_seconds // REFRESH_MARGIN_FRACTION)
    return credential_seconds - margin


def vends_per_session_scope(session_minutes: int, credential_seconds: int) -> int:
    """The first vend of a scope, then one more each time refreshAfter passes while the session lasts."""
    return 1 + (session_minutes * 60) // refresh_interval_seconds(credential_seconds)


def billed_ms(ms: float) -> int:
    """Lambda bills duration in whole milliseconds, rounded up."""
    return math.ceil(ms)


def revocation_queries_per_second(invocations: float, containers: int, ttl_seconds: float) -> float:
    """Queries of the revocation partition a second: each container reads it at its first request once its
    snapshot is ``ttl_seconds`` old, so one read per ``ttl + 1/r`` seconds at ``r`` requests a second each."""
    if invocations <= 0:
        return 0.0
    return invocations * containers / (invocations * ttl_seconds + containers)


def vend_cost(fn: Function, prices: Prices, hit: float, query_share: float, gb_second: float) -> float:
    """USD per vend but the revocation reads: AppSync, Lambda request and duration, logs, WAF. STS is free."""

    def billed(ms: float) -> float:
        # The share of invocations that also read the revocation partition pays its latency.
        return query_share * billed_ms(ms + fn.revocation_ms) + (1 - query_share) * billed_ms(ms)

    miss_ms = billed(fn.overhead_ms + fn.sts_ms)
    hit_ms = billed(fn.overhead_ms)
    seconds = ((1 - hit) * miss_ms + hit * hit_ms) / 1000
    return (
        prices.appsync_per_million_operations / MILLION
        + prices.lambda_per_million_requests / MILLION
        + seconds * fn.memory_gb * gb_second
        + fn.log_bytes_per_vend / GB * prices.logs_ingestion_per_gb
        + prices.waf_per_million_requests / MILLION
    )


def scopes_query_cost(fn: Function, prices: Prices, query_share: float, gb_second: float) -> float:
    ms = query_share * billed_ms(fn.scopes_ms + fn.revocation_ms) + (1 - query_share) * billed_ms(
        fn.scopes_ms
    )
    return (
        prices.appsync_per_million_operations / MILLION
        + prices.lambda_per_million_requests / MILLION
        + ms / 1000 * fn.memory_gb * gb_second
        + fn.log_bytes_per_scopes / GB * prices.logs_ingestion_per_gb
        + prices.waf_per_million_requests / MILLION
    )


def model(mau: int, habits: Habits, fn: Function, prices: Prices) -> Row:
    per_scope = vends_per_session_scope(habits.session_minutes, habits.credential_seconds)
    sessions_per_day = mau * habits.dau_share * habits.sessions_per_day
    vends_per_day = sessions_per_day * habits.scopes_per_session * per_scope
    scopes_per_day = sessions_per_day * habits.scopes_queries_per_session
    average = vends_per_day / SECONDS_PER_DAY
    average_invocations = (vends_per_day + scopes_per_day) / SECONDS_PER_DAY
    peak = average * habits.peak_to_average
    peak_scopes = scopes_per_day / SECONDS_PER_DAY * habits.peak_to_average
    # Little's law on the slower path (every vend a miss that also reads the revocation partition): the
    # concurrency the function must be allowed.
    miss_seconds = (fn.overhead_ms + fn.sts_ms + fn.revocation_ms) / 1000
    concurrency = peak * miss_seconds + peak_scopes * (fn.scopes_ms + fn.revocation_ms) / 1000
    containers = max(1, math.ceil(concurrency))
    # AppSync spreads invocations over the containers: a repeat finds its cached session in 1 of them.
    hit = habits.repeat_share / containers
    peak_queries = revocation_queries_per_second(peak + peak_scopes, containers, fn.revocation_ttl_seconds)
    # The month's reads at the average rate, over the containers that rate keeps busy.
    average_containers = max(1, math.ceil(concurrency / habits.peak_to_average))
    average_queries = revocation_queries_per_second(
        average_invocations, average_containers, fn.revocation_ttl_seconds
    )
    query_share = average_queries / average_invocations if average_invocations else 0.0
    month = DAYS_PER_MONTH
    vends_per_month = vends_per_day * month
    reads_cost = (
        average_queries
        * SECONDS_PER_DAY
        * month
        * fn.revocation_read_units
        * prices.dynamodb_per_million_read_units
        / MILLION
    )
    # Every revocation read is charged to the vends (the `scopes` queries that trigger some are left free).
    reads_per_vend = reads_cost / vends_per_month if vends_per_month else 0.0
    per_vend_arm = vend_cost(fn, prices, hit, query_share, prices.lambda_gb_second_arm64) + reads_per_vend
    per_vend_x86 = vend_cost(fn, prices, hit, query_share, prices.lambda_gb_second_x86) + reads_per_vend
    scopes_cost = scopes_query_cost(fn, prices, query_share, prices.lambda_gb_second_arm64)
    return Row(
        mau=mau,
        credential_seconds=habits.credential_seconds,
        vends_per_session_scope=per_scope,
        vends_per_month=vends_per_month,
        appsync_operations_per_month=(vends_per_day + scopes_per_day) * month,
        average_vends_per_second=average,
        peak_vends_per_second=peak,
        peak_invocations_per_second=peak + peak_scopes,
        peak_concurrency=concurrency,
        containers=containers,
        container_cache_hit=hit,
        revocation_query_share=query_share,
        peak_sts_per_second=peak * (1 - hit),
        peak_sts_per_second_shared_cache=peak * (1 - habits.repeat_share),
        peak_revocation_reads_per_second=peak_queries,
        cost_per_million_vends_arm64=per_vend_arm * MILLION,
        cost_per_million_vends_x86=per_vend_x86 * MILLION,
        monthly_cost_arm64=(
            vends_per_month * per_vend_arm + scopes_per_day * month * scopes_cost + prices.waf_fixed_per_month
        ),
    )


TIERS: Final = (10_000, 1_000_000, 10_000_000)
LIFETIMES: Final = (3600, 900)


def table(
    habits: Habits | None = None, fn: Function | None = None, prices: Prices | None = None
) -> list[Row]:
    base = habits or Habits()
    return [
        model(mau, replace(base, credential_seconds=lifetime), fn or Function(), prices or Prices())
        for lifetime in LIFETIMES
        for mau in TIERS
    ]


def _fmt(value: float, key: str) -> str:
    if "cost" in key:
        return f"{value:,.2f}"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 1:
        return f"{value:.1f}"
    return f"{value:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    rows = table()
    if args.json:
        sys.stdout.write(json.dumps([asdict(r) for r in rows], indent=2) + "\n")
        return 0
    columns = [
        ("MAU", "mau"),
        ("lifetime s", "credential_seconds"),
        ("vends/session-scope", "vends_per_session_scope"),
        ("vends/month", "vends_per_month"),
        ("AppSync ops/month", "appsync_operations_per_month"),
        ("avg vends/s", "average_vends_per_second"),
        ("peak vends/s", "peak_vends_per_second"),
        ("peak concurrency", "peak_concurrency"),
        ("container hit", "container_cache_hit"),
        ("peak STS/s", "peak_sts_per_second"),
        ("peak STS/s, shared cache", "peak_sts_per_second_shared_cache"),
        ("peak DynamoDB reads/s", "peak_revocation_reads_per_second"),
        ("$/M vends arm64", "cost_per_million_vends_arm64"),
        ("$/M vends x86", "cost_per_million_vends_x86"),
        ("$/month arm64", "monthly_cost_arm64"),
    ]
    sys.stdout.write("| " + " | ".join(c[0] for c in columns) + " |\n")
    sys.stdout.write("|" + "---|" * len(columns) + "\n")
    for row in rows:
        values = asdict(row)
        sys.stdout.write("| " + " | ".join(_fmt(float(values[key]), key) for _, key in columns) + " |\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
