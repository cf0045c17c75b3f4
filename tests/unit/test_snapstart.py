"""SnapStart hooks: the before-snapshot warm-up resolves no credential and opens no connection; each restore
re-seeds ``random`` and starts without a client or a cached credential. A real botocore session with a counting
credential provider stands in for Lambda's; nothing is sent anywhere (the warm-up's request is stubbed).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import botocore.session
import pytest
import snapshot_restore_py  # type: ignore[import-untyped]
from boto3.session import Session
from botocore.credentials import Credentials
from botocore.stub import Stubber

from resolvers.cache import CachingIssuer
from resolvers.decision import plan_vend
from resolvers.revocation import RevocationCheck, RevocationSet
from resolvers.revocation_store import DynamoRevocationStore
from resolvers.snapstart import SnapStartHooks, register
from resolvers.sts import StsIssuer, make_client, warm_up, warm_up_request
from tests import support

ROLE = support.ROLE_ARNS["uploads"]


class CountingProvider:
    """Stands in for the credential chain (in SnapStart, Lambda's container endpoint): counts every lookup."""

    def __init__(self) -> None:
        self.loads = 0

    def load_credentials(self) -> Credentials:
        self.loads += 1
        return Credentials("AKIASNAPSTARTTEST000", "snapstart-test-not-a-secret")


class World:
    def __init__(self) -> None:
        core = botocore.session.get_session()
        self.credentials = CountingProvider()
        core.register_component("credential_provider", self.credentials)
        self.sends = 0
        self.calls = 0
        core.register("before-send.sts", self._sent)
        core.register("after-call.sts.AssumeRole", self._called)
        self.session = Session(botocore_session=core)
        self.issuer = StsIssuer(lambda: make_client(support.REGION, self.session))
        self.cache = CachingIssuer(
            self.issuer,
            clock=lambda: datetime.now(UTC),
            catalog_version="v",
            min_remaining_seconds=600,
            max_entries=10,
        )
        self.hooks = SnapStartHooks(
            warm=lambda: warm_up(self.session, support.REGION, warm_up_request(ROLE)),
            issuer=self.issuer,
            cache=self.cache,
        )

    def _sent(self, **_: Any) -> None:
        self.sends += 1

    def _called(self, **_: Any) -> None:
        self.calls += 1


@pytest.fixture
def world() -> Iterator[World]:
    state = random.getstate()
    yield World()
    random.setstate(state)


def test_the_warm_up_runs_an_assume_role_through_botocore_without_credentials_or_a_connection(
    world: World,
) -> None:
    world.hooks.before_snapshot()
    # The request went through botocore's whole pipeline (validation, endpoint rules, serialisation) ...
    assert world.calls == 1
    # ... but nothing was sent, no credential was looked up, and no client was kept.
    assert world.sends == 0
    assert world.credentials.loads == 0
    assert world.issuer._client is None


def test_credentials_are_looked_up_only_after_restore_by_a_new_client(world: World) -> None:
    world.hooks.before_snapshot()
    world.hooks.after_restore()
    assert world.credentials.loads == 0
    client = world.issuer.client  # the first vend makes the client
    assert world.credentials.loads == 1
    assert client.meta.region_name == support.REGION
    # The client signs: not the warm-up's unsigned configuration.
    assert client.meta.config.signature_version is not botocore.UNSIGNED  # type: ignore[attr-defined]


def test_a_client_or_cached_credential_made_before_the_snapshot_never_enters_it(world: World) -> None:
    # Lambda runs no vend before the snapshot; if one had, its client and credentials must still go.
    before = world.issuer.client
    plan = plan_vend(
        support.caller(), "S3_OWN_PREFIX", None, catalog=support.catalog(), settings=support.settings()
    )
    with Stubber(before) as stub:
        stub.add_response(
            "assume_role",
            {
                "Credentials": {
                    "AccessKeyId": "ASIABEFORESNAPSHOT00",
                    "SecretAccessKey": "before-snapshot-not-a-secret",
                    "SessionToken": "before-snapshot-not-a-token",
                    "Expiration": datetime(2099, 1, 1, tzinfo=UTC),
                }
            },
        )
        world.cache.issue(plan)
    assert len(world.cache) == 1
    world.hooks.before_snapshot()
    assert len(world.cache) == 0
    assert world.issuer._client is None


def test_each_restore_reseeds_random_so_containers_of_one_snapshot_differ(world: World) -> None:
    world.hooks.before_snapshot()
    snapshot = random.getstate()

    def restored_container(*, hooks: bool) -> float:
        random.setstate(snapshot)
        if hooks:
            world.hooks.after_restore()
        return random.random()  # noqa: S311 - the state under test, not a secret

    # Without the hook two containers restored from one snapshot draw the same numbers: the test can fail.
    assert restored_container(hooks=False) == restored_container(hooks=False)
    assert restored_container(hooks=True) != restored_container(hooks=True)


def test_after_restore_drops_any_client_and_cached_credential(world: World) -> None:
    first = world.issuer.client
    world.hooks.after_restore()
    assert world.issuer._client is None
    assert world.issuer.client is not first


def test_hooks_register_with_the_runtimes_registry_in_its_order(world: World) -> None:
    before = list(snapshot_restore_py.get_before_snapshot())
    after = list(snapshot_restore_py.get_after_restore())
    try:
        assert register(world.hooks) is True
        assert snapshot_restore_py.get_before_snapshot()[-1] == (world.hooks.before_snapshot, (), {})
        assert snapshot_restore_py.get_after_restore()[-1] == (world.hooks.after_restore, (), {})
    finally:
        snapshot_restore_py.get_before_snapshot()[:] = before
        snapshot_restore_py.get_after_restore()[:] = after


def test_without_the_runtimes_registry_nothing_is_registered(world: World) -> None:
    def missing(name: str) -> Any:
        raise ModuleNotFoundError(name)

    assert register(world.hooks, load=missing) is False


def test_the_other_clients_and_snapshots_are_made_anew_on_both_sides(world: World) -> None:
    class Other:
        def __init__(self) -> None:
            self.resets = 0

        def reset(self) -> None:
            self.resets += 1

    store, gate = Other(), Other()
    hooks = SnapStartHooks(warm=lambda: None, issuer=world.issuer, cache=None, others=(store, gate))
    hooks.before_snapshot()
    assert (store.resets, gate.resets) == (1, 1)
    hooks.after_restore()
    assert (store.resets, gate.resets) == (2, 2)


def test_the_revocation_gate_and_store_start_anew_after_a_reset() -> None:
    fetched: list[int] = []

    def fetch() -> RevocationSet:
        fetched.append(1)
        return RevocationSet()

    gate = RevocationCheck(fetch, ttl_seconds=60, clock=lambda: datetime.now(UTC))
    gate.check(support.SUB)
    gate.check(support.SUB)
    assert len(fetched) == 1  # the snapshot serves the second
    gate.reset()
    gate.check(support.SUB)
    assert len(fetched) == 2
    made: list[object] = []

    def factory() -> Any:
        made.append(object())
        return made[-1]

    store = DynamoRevocationStore(factory, "table")
    first = store.client
    store.reset()
    assert store.client is not first
    assert len(made) == 2
