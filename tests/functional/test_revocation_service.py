"""A revoked caller through the real dispatch, VendService and credential cache: refused with Revoked before any
STS call (cache hits included), audited, `scopes` too; held-back credentials never served from the cache. The
gate is the real RevocationCheck over a fake store; STS is the fake issuer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from resolvers.cache import CachingIssuer
from resolvers.resolver import build_resolver, dispatch
from resolvers.revocation import (
    REVOKED_MESSAGE,
    Entry,
    RevocationCheck,
    RevocationSet,
    store_throttled,
    store_unavailable,
)
from resolvers.service import Envelope, VendService
from tests import support
from tests.security import harness


@dataclass
class World:
    service: VendService
    sts: support.FakeIssuer
    cache: CachingIssuer
    store: support.FakeRevocationStore
    telemetry: support.RecordingTelemetry

    @property
    def now(self) -> datetime:
        return self.sts.now

    def vend(self, fixture: str = harness.ACCESS_TOKEN, scope: str = "S3_OWN_PREFIX") -> Envelope:
        ev = harness.event(fixture, scope=scope, durationSeconds=900)
        return dispatch(build_resolver(self.service), ev, harness.Context(), self.telemetry)

    def scopes(self) -> Envelope:
        ev = harness.event()
        ev["info"] = {**ev["info"], "parentTypeName": "Query", "fieldName": "scopes"}
        ev["arguments"] = {}
        return dispatch(build_resolver(self.service), ev, harness.Context(), self.telemetry)


@pytest.fixture
def world() -> World:
    sts, store, telemetry = support.FakeIssuer(), support.FakeRevocationStore(), support.RecordingTelemetry()
    # A TTL of zero: every request reads the (fake) store, so each test states the store it means.
    gate = RevocationCheck(store.fetch, ttl_seconds=0, clock=lambda: sts.now, failure_backoff_seconds=0)
    cache = CachingIssuer(
        sts,
        clock=lambda: sts.now,
        catalog_version="test",
        min_remaining_seconds=60,
        max_entries=10,
        not_before=gate.not_before,
    )
    service = VendService(
        catalog=support.catalog(),
        settings=support.settings(),
        issuer=cache,
        telemetry=telemetry,
        revocations=gate,
    )
    return World(service, sts, cache, store, telemetry)


def revoke(world: World, sub: str = support.SUB) -> None:
    world.store.answer = RevocationSet(revoked={sub: Entry(world.now, None)})


def test_a_revoked_caller_is_refused_before_sts_and_the_refusal_is_audited(world: World) -> None:
    revoke(world)
    envelope = world.vend()
    assert envelope == {"error": {"type": "Revoked", "message": REVOKED_MESSAGE}}
    harness.assert_browser_safe(envelope["error"]["message"])
    assert world.sts.plans == []
    (record,) = world.telemetry.records
    assert (record.decision, record.code, record.sub) == ("refused", "Revoked", support.SUB)
    assert record.scope == "S3_OWN_PREFIX"
    assert record.sts_latency_ms is None  # STS was never asked
    assert record.detail


def test_a_cached_set_is_never_served_to_a_revoked_caller(world: World) -> None:
    first = world.vend()
    again = world.vend()
    assert again["data"]["accessKeyId"] == first["data"]["accessKeyId"]  # a cache hit before the revocation
    assert len(world.sts.plans) == 1
    revoke(world)
    assert world.vend()["error"]["type"] == "Revoked"
    assert len(world.sts.plans) == 1
    assert [r.code for r in world.telemetry.records] == ["Granted", "Granted", "Revoked"]


def test_every_scope_and_both_token_types_of_a_revoked_caller_are_refused(world: World) -> None:
    revoke(world)
    for fixture in (harness.ACCESS_TOKEN, harness.ID_TOKEN):
        for scope in ("S3_OWN_PREFIX", "DYNAMODB_OWN_ITEMS", "NO_SUCH_SCOPE"):
            assert world.vend(fixture, scope)["error"]["type"] == "Revoked"
    assert world.sts.plans == []


def test_another_caller_is_not_affected(world: World) -> None:
    revoke(world, support.OTHER_SUB)
    assert "data" in world.vend()


def test_scopes_answers_revoked_for_a_revoked_caller_and_lists_for_others(world: World) -> None:
    assert [s["name"] for s in world.scopes()["data"]][:1] == ["S3_OWN_PREFIX"]
    revoke(world)
    assert world.scopes() == {"error": {"type": "Revoked", "message": REVOKED_MESSAGE}}


@pytest.mark.parametrize(
    ("failure", "code"),
    [
        (store_unavailable("ReadTimeoutError"), "UpstreamUnavailable"),
        (store_unavailable("EndpointConnectionError"), "UpstreamUnavailable"),
        (store_throttled("ProvisionedThroughputExceededException"), "Throttled"),
    ],
    ids=["slow", "unreachable", "throttled"],
)
def test_an_unreadable_store_refuses_every_vend_with_a_retryable_error_and_no_sts_call(
    world: World, failure: Exception, code: str
) -> None:
    world.vend()  # cached
    world.store.error = failure
    envelope = world.vend()
    assert envelope["error"]["type"] == code
    harness.assert_browser_safe(envelope["error"]["message"])
    assert len(world.sts.plans) == 1
    assert world.telemetry.records[-1].code == code
    assert world.telemetry.records[-1].detail.startswith("revocation store: ")
    assert world.scopes()["error"]["type"] == code


def test_an_unexpected_store_failure_is_internal_and_logged(world: World) -> None:
    world.store.error = RuntimeError("the table's client blew up")
    assert world.vend()["error"]["type"] == "Internal"
    assert world.scopes()["error"]["type"] == "Internal"
    assert world.telemetry.failures == ["vend failed unexpectedly", "scopes failed unexpectedly"]
    assert world.sts.plans == []


@pytest.mark.parametrize(("offset", "served"), [(-1, False), (0, True), (1, True)])
def test_cached_credentials_issued_before_an_issued_before_time_are_never_served(
    world: World, offset: int, served: bool
) -> None:
    first = world.vend()["data"]["accessKeyId"]
    issued_at = world.now  # the fake STS issues at its own now; the cutoff is placed around it
    world.sts.now += timedelta(minutes=1)
    cutoff = issued_at - timedelta(seconds=offset)
    world.store.answer = RevocationSet(issued_before=Entry(cutoff, world.now + timedelta(hours=1)))
    second = world.vend()["data"]["accessKeyId"]
    assert (second == first) is served
    assert len(world.sts.plans) == (1 if served else 2)


def test_after_a_lift_the_cache_serves_only_credentials_issued_after_it(world: World) -> None:
    before = world.vend()["data"]["accessKeyId"]
    world.sts.now += timedelta(minutes=1)
    revoke(world)
    assert world.vend()["error"]["type"] == "Revoked"
    world.sts.now += timedelta(minutes=1)
    lifted = RevocationSet(lifted={support.SUB: Entry(world.now, world.now + timedelta(hours=1))})
    world.store.answer = lifted
    after = world.vend()["data"]["accessKeyId"]
    assert after != before, "credentials issued before the lift (denied by the role) were served"
    assert world.vend()["data"]["accessKeyId"] == after  # issued after the lift: cached as usual
    assert len(world.sts.plans) == 2


def test_without_a_gate_nothing_is_looked_up() -> None:
    service, sts, _ = support.service()
    assert service.revocations is None
    ev = harness.event(scope="S3_OWN_PREFIX")
    assert "data" in dispatch(build_resolver(service), ev, harness.Context(), service.telemetry)
    assert len(sts.plans) == 1
