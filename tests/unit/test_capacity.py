"""bench/capacity.py's arithmetic against numbers worked out by hand (docs/capacity.md shows the working)."""

from __future__ import annotations

import pytest

from bench.capacity import (
    Function,
    Habits,
    Prices,
    billed_ms,
    model,
    refresh_interval_seconds,
    revocation_queries_per_second,
    table,
    vends_per_session_scope,
)


@pytest.mark.parametrize(
    ("lifetime", "interval"),
    [
        (900, 600),  # a fifth is 180 s: the five-minute floor wins
        (1499, 1199),  # a fifth is 299 s: still the floor
        (1500, 1200),  # a fifth is exactly 300 s
        (1501, 1201),  # a fifth is 300 s (whole seconds)
        (3600, 2880),  # a fifth is 720 s
    ],
)
def test_the_refresh_interval_is_the_lifetime_less_refresh_afters_margin(
    lifetime: int, interval: int
) -> None:
    assert refresh_interval_seconds(lifetime) == interval


@pytest.mark.parametrize(
    ("minutes", "lifetime", "vends"),
    [(30, 3600, 1), (47, 3600, 1), (48, 3600, 2), (49, 3600, 2), (30, 900, 4), (9, 900, 1), (10, 900, 2)],
)
def test_a_session_vends_again_each_time_refresh_after_passes(
    minutes: int, lifetime: int, vends: int
) -> None:
    assert vends_per_session_scope(minutes, lifetime) == vends


def test_duration_is_billed_in_whole_milliseconds_rounded_up() -> None:
    assert [billed_ms(x) for x in (0.2, 1.0, 35.01, 36.0)] == [1, 1, 36, 36]


def test_one_million_users_worked_by_hand() -> None:
    row = model(1_000_000, Habits(), Function(), Prices())
    # 1e6 MAU x 0.2 DAU x 2 sessions = 400,000 sessions a day; x 2 scopes x 1 vend each = 800,000 vends a day.
    assert row.vends_per_session_scope == 1
    assert row.vends_per_month == 24_000_000
    assert row.appsync_operations_per_month == 36_000_000  # plus one scopes query per session
    assert row.average_vends_per_second == pytest.approx(9.259259259, rel=1e-9)
    assert row.peak_vends_per_second == pytest.approx(37.037037037, rel=1e-9)
    # 37.037 vends/s x (1 + 30 + 8) ms + 18.519 scopes/s x (1 + 8) ms.
    assert row.peak_concurrency == pytest.approx(1.611111111, rel=1e-9)
    assert row.containers == 2
    assert row.container_cache_hit == pytest.approx(0.05)
    assert row.peak_sts_per_second == pytest.approx(35.185185185, rel=1e-9)
    assert row.peak_sts_per_second_shared_cache == pytest.approx(33.333333333, rel=1e-9)
    # 55.556 requests/s over 2 containers, a snapshot each for 10 s: 55.556 x 2 / (555.56 + 2) Queries a second.
    assert row.peak_revocation_reads_per_second == pytest.approx(0.199282, rel=1e-5)
    # On average 13.889 requests/s keep 1 container busy: 1 Query per 10 s + 1/13.889 s, 1 request in 139.889.
    assert row.revocation_query_share == pytest.approx(1 / 139.888889, rel=1e-6)
    # $4 AppSync + $0.20 requests + 29.557 ms x 0.25 GB x $0.0000133334 x 1e6 ($0.09852) + $0.60 logs + $0.60 WAF
    # + 257,347 Queries a month x $0.125 per million / 24 million vends ($0.00134).
    assert row.cost_per_million_vends_arm64 == pytest.approx(5.499865, rel=1e-6)
    assert row.cost_per_million_vends_x86 == pytest.approx(5.524496, rel=1e-6)
    # 24e6 vends x $5.499865e-6 + 12e6 scopes queries x $5.053524e-6 + $6 for the web ACL and its rule.
    assert row.monthly_cost_arm64 == pytest.approx(198.63905, rel=1e-6)


@pytest.mark.parametrize(
    ("invocations", "containers", "queries"),
    [(0.0, 1, 0.0), (0.1, 1, 0.05), (1.0, 1, 1 / 11), (100.0, 10, 1000 / 1010)],
)
def test_each_container_reads_the_revocation_partition_once_its_snapshot_is_old(
    invocations: float, containers: int, queries: float
) -> None:
    # 0.1 request/s on one container: a Query, then the first request after 10 s comes 10 s later on average:
    # one Query per 20 s. 100 requests/s on 10 containers: each reads every 10 s + 0.1 s.
    assert revocation_queries_per_second(invocations, containers, 10.0) == pytest.approx(queries)


def test_fifteen_minute_credentials_quadruple_the_vends_of_a_half_hour_session() -> None:
    hour, quarter = (
        model(10_000_000, Habits(credential_seconds=s), Function(), Prices()) for s in (3600, 900)
    )
    assert quarter.vends_per_session_scope == 4
    assert quarter.vends_per_month == 4 * hour.vends_per_month
    assert quarter.peak_vends_per_second == pytest.approx(4 * hour.peak_vends_per_second)


def test_the_table_covers_each_tier_at_each_lifetime() -> None:
    rows = table()
    assert [(r.mau, r.credential_seconds) for r in rows] == [
        (10_000, 3600),
        (1_000_000, 3600),
        (10_000_000, 3600),
        (10_000, 900),
        (1_000_000, 900),
        (10_000_000, 900),
    ]
