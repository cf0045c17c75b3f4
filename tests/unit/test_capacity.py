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
    # 37.037 vends/s x 36 ms + 18.519 scopes/s x 1 ms.
    assert row.peak_concurrency == pytest.approx(1.351851852, rel=1e-9)
    assert row.containers == 2
    assert row.container_cache_hit == pytest.approx(0.05)
    assert row.peak_sts_per_second == pytest.approx(35.185185185, rel=1e-9)
    assert row.peak_sts_per_second_shared_cache == pytest.approx(33.333333333, rel=1e-9)
    assert row.peak_revocation_reads_per_second == pytest.approx(37.037037037, rel=1e-9)
    # $4 AppSync + $0.20 requests + 34.5 ms x 0.25 GB x $0.0000133334 x 1e6 + $0.60 logs + $0.60 WAF + $0.125 reads.
    assert row.cost_per_million_vends_arm64 == pytest.approx(5.640000575, rel=1e-9)
    assert row.cost_per_million_vends_x86 == pytest.approx(5.668750288, rel=1e-9)
    # 24e6 vends x $5.640000575e-6 + 12e6 scopes queries x $5.05333335e-6 + $6 for the web ACL and its rule.
    assert row.monthly_cost_arm64 == pytest.approx(202.000014, rel=1e-8)


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
