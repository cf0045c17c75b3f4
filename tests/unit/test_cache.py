"""The credential cache: reuse within the margin, never across callers, bounded, single-flight, switchable."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from resolvers.cache import CachingIssuer
from resolvers.credentials import IssuedCredentials
from resolvers.decision import VendPlan, plan_vend
from resolvers.errors import ConfigError, Throttled
from tests import support

T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


@dataclass
class CountingSts:
    """Fake STS: every call issues new credentials valid for the plan's duration from the clock's now."""

    clock: Clock
    calls: int = 0
    gate: threading.Event | None = None
    fail_next: list[Exception] = field(default_factory=list)

    def issue(self, plan: VendPlan) -> IssuedCredentials:
        self.calls += 1
        if self.gate is not None:
            assert self.gate.wait(10)
        if self.fail_next:
            raise self.fail_next.pop()
        return support.fake_credentials(self.clock.now, plan.duration_seconds)


def make(
    min_remaining: int = 600, max_entries: int = 100, version: str = "v1"
) -> tuple[CachingIssuer, CountingSts, Clock]:
    clock = Clock()
    sts = CountingSts(clock)
    cache = CachingIssuer(
        sts,
        clock=clock,
        catalog_version=version,
        min_remaining_seconds=min_remaining,
        max_entries=max_entries,
    )
    return cache, sts, clock


def plan(
    sub: str = support.SUB,
    scope: str = "S3_OWN_PREFIX",
    duration: int | None = 3600,
    tenant: str | None = None,
) -> VendPlan:
    claims: dict[str, object] = {"sub": sub}
    if tenant is not None:
        claims["custom:tenant_id"] = tenant
    caller = support.caller(groups=["analysts"], **claims)
    return plan_vend(caller, scope, duration, catalog=support.catalog(), settings=support.settings())


def test_a_repeat_is_a_hit_with_the_real_expiration() -> None:
    cache, sts, clock = make()
    first = cache.issue(plan())
    clock.now = T0 + timedelta(minutes=10)
    again = cache.issue(plan())
    assert sts.calls == 1
    assert (first.cache_hit, again.cache_hit) == (False, True)
    assert again.access_key_id == first.access_key_id
    assert again.expiration == first.expiration == T0 + timedelta(seconds=3600)


@pytest.mark.parametrize(
    ("mine", "other"),
    [
        ({}, {"sub": support.OTHER_SUB}),
        ({}, {"scope": "DYNAMODB_OWN_ITEMS"}),
        ({}, {"duration": 1800}),
        ({"scope": "TENANT_FILES", "tenant": "acme"}, {"scope": "TENANT_FILES", "tenant": "globex"}),
    ],
)
def test_anything_that_changes_the_session_is_a_miss(mine: dict[str, str], other: dict[str, str]) -> None:
    cache, sts, _ = make()
    first = cache.issue(plan(**mine))  # type: ignore[arg-type]
    theirs = cache.issue(plan(**other))  # type: ignore[arg-type]
    assert sts.calls == 2
    assert theirs.access_key_id != first.access_key_id
    assert not theirs.cache_hit


def test_one_user_never_receives_another_users_credentials() -> None:
    cache, _, _ = make()
    subs = [f"{i:08x}-2222-4333-8444-555555555555" for i in range(20)]
    issued = {sub: cache.issue(plan(sub=sub)).access_key_id for sub in subs}
    for sub in subs:
        assert cache.issue(plan(sub=sub)).access_key_id == issued[sub]
    assert len(set(issued.values())) == len(subs)


def test_a_new_catalog_version_is_a_miss() -> None:
    sts_clock = Clock()
    sts = CountingSts(sts_clock)
    for version in ("v1", "v2"):
        CachingIssuer(
            sts, clock=sts_clock, catalog_version=version, min_remaining_seconds=600, max_entries=9
        ).issue(plan())
    assert sts.calls == 2


@pytest.mark.parametrize(("remaining", "hit"), [(899, False), (900, True), (901, True)])
def test_reuse_stops_at_the_configured_margin(remaining: int, hit: bool) -> None:
    cache, sts, clock = make(min_remaining=900)
    cache.issue(plan())  # expires at T0 + 3600
    clock.now = T0 + timedelta(seconds=3600 - remaining)
    assert cache.issue(plan()).cache_hit is hit
    assert sts.calls == (1 if hit else 2)


@pytest.mark.parametrize(("remaining", "hit"), [(779, False), (780, True)])
def test_reuse_never_hands_out_credentials_due_for_refresh(remaining: int, hit: bool) -> None:
    # A 3600 s credential has refreshAfter = expiry - 720 s; reuse needs 60 s more than that, whatever the margin.
    cache, _, clock = make(min_remaining=0)
    cache.issue(plan())
    clock.now = T0 + timedelta(seconds=3600 - remaining)
    assert cache.issue(plan()).cache_hit is hit


def test_the_cache_is_bounded_and_least_recently_used_goes_first() -> None:
    cache, sts, _ = make(max_entries=2)
    a, b, c = (plan(sub=f"{i:08x}-2222-4333-8444-555555555555") for i in range(3))
    cache.issue(a)
    cache.issue(b)
    cache.issue(a)  # a is now the most recent
    cache.issue(c)  # evicts b
    assert len(cache) == 2
    assert cache.issue(a).cache_hit
    assert not cache.issue(b).cache_hit
    assert sts.calls == 4


def test_concurrent_identical_requests_make_one_sts_call() -> None:
    cache, sts, _ = make()
    sts.gate = threading.Event()
    results: list[IssuedCredentials] = []
    threads = [threading.Thread(target=lambda: results.append(cache.issue(plan()))) for _ in range(16)]
    for t in threads:
        t.start()
    sts.gate.set()
    for t in threads:
        t.join(10)
    assert sts.calls == 1
    assert len(results) == 16
    assert len({r.access_key_id for r in results}) == 1
    assert sum(not r.cache_hit for r in results) == 1


def test_a_failure_is_shared_by_waiters_and_not_cached() -> None:
    cache, sts, _ = make()
    sts.fail_next.append(Throttled("slow down"))
    with pytest.raises(Throttled):
        cache.issue(plan())
    assert len(cache) == 0
    assert not cache.issue(plan()).cache_hit
    assert sts.calls == 2


def test_repr_never_shows_credentials() -> None:
    cache, _, _ = make()
    creds = cache.issue(plan())
    assert creds.secret_access_key not in repr(cache)
    assert creds.access_key_id not in repr(cache)
    assert creds.secret_access_key not in repr(creds)
    assert creds.session_token not in repr(creds)


def test_cache_settings_defaults_and_switch() -> None:
    defaults = support.settings()
    assert (defaults.cache_enabled, defaults.cache_min_remaining_seconds, defaults.cache_max_entries) == (
        True,
        600,
        1000,
    )
    assert not support.settings(VEND_CACHE_ENABLED="false").cache_enabled


@pytest.mark.parametrize(
    ("name", "value", "ok"),
    [
        ("VEND_CACHE_ENABLED", "yes", False),
        ("VEND_CACHE_MIN_REMAINING_SECONDS", "3599", True),
        ("VEND_CACHE_MIN_REMAINING_SECONDS", "3600", True),
        ("VEND_CACHE_MIN_REMAINING_SECONDS", "3601", False),
        ("VEND_CACHE_MIN_REMAINING_SECONDS", "-1", False),
        ("VEND_CACHE_MAX_ENTRIES", "0", False),
        ("VEND_CACHE_MAX_ENTRIES", "1", True),
        ("VEND_CACHE_MAX_ENTRIES", "99999", True),
        ("VEND_CACHE_MAX_ENTRIES", "100000", True),
        ("VEND_CACHE_MAX_ENTRIES", "100001", False),
    ],
)
def test_cache_settings_are_validated(name: str, value: str, ok: bool) -> None:
    if ok:
        support.settings(**{name: value})
    else:
        with pytest.raises(ConfigError, match=name):
            support.settings(**{name: value})
