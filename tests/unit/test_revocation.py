"""The revocation gate (resolvers/revocation.py): reading the store's records, the in-container TTL, failing
closed. Pure: the store is a fake ``fetch``, time two fake clocks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from resolvers.errors import Internal, Revoked, Throttled, UpstreamUnavailable, VendError
from resolvers.revocation import (
    FAILURE_BACKOFF_SECONDS,
    REVOKED_MESSAGE,
    Entry,
    RevocationCheck,
    RevocationSet,
    StoreFormatError,
    revocations_from_items,
    store_throttled,
    store_unavailable,
)
from tests import support

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
SUB, OTHER = support.SUB, support.OTHER_SUB


def epoch(moment: datetime) -> dict[str, str]:
    return {"N": str(int(moment.timestamp()))}


def item(key: str, moment: datetime = NOW, expires: datetime | None = None) -> dict[str, Any]:
    record: dict[str, Any] = {"sk": {"S": key}, "moment": epoch(moment)}
    if expires is not None:
        record["expiresAt"] = epoch(expires)
    return record


# ---- the records ----------------------------------------------------------------------------------------------


def test_each_record_kind_is_read_and_unknown_kinds_are_ignored() -> None:
    lifted_at, cutoff = NOW - timedelta(minutes=5), NOW - timedelta(minutes=30)
    found = revocations_from_items(
        [
            item(f"sub#{SUB}"),
            item(f"lifted#{OTHER}", lifted_at, NOW + timedelta(hours=1)),
            item("issued-before", cutoff, NOW + timedelta(hours=1)),
            item("a-kind-of-a-newer-cli"),
        ]
    )
    assert found.revoked == {SUB: Entry(NOW, None)}
    assert found.lifted == {OTHER: Entry(lifted_at, NOW + timedelta(hours=1))}
    assert found.issued_before == Entry(cutoff, NOW + timedelta(hours=1))


@pytest.mark.parametrize(
    "bad",
    [
        {"moment": {"N": "1"}},  # no sort key
        {"sk": {"N": "1"}, "moment": {"N": "1"}},  # a sort key that is not a string
        {"sk": {"S": f"sub#{SUB}"}},  # no moment
        {"sk": {"S": f"sub#{SUB}"}, "moment": {"S": "yesterday"}},
        {"sk": {"S": f"sub#{SUB}"}, "moment": {"N": "1"}, "expiresAt": {"N": "soon"}},
        {"sk": {"S": "issued-before"}, "moment": {"N": "1" + "0" * 30}},  # out of datetime's range
    ],
)
def test_a_record_of_a_known_kind_that_cannot_be_read_is_an_error_never_skipped(bad: dict[str, Any]) -> None:
    with pytest.raises(StoreFormatError):
        revocations_from_items([bad])


@pytest.mark.parametrize(("offset", "in_force"), [(-1, True), (0, False), (1, False)])
def test_a_record_is_in_force_until_its_expiry_and_not_at_it(offset: int, in_force: bool) -> None:
    # DynamoDB's TTL deletes expired items only eventually: the expiry itself decides.
    found = RevocationSet(revoked={SUB: Entry(NOW - timedelta(hours=1), NOW)})
    assert found.is_revoked(SUB, NOW + timedelta(seconds=offset)) is in_force


def test_a_revocation_without_expiry_stays_in_force_and_names_one_caller_only() -> None:
    found = RevocationSet(revoked={SUB: Entry(NOW, None)})
    assert found.is_revoked(SUB, NOW + timedelta(days=3650))
    assert not found.is_revoked(OTHER, NOW)


def test_not_before_is_the_later_of_the_issued_before_time_and_the_caller_s_lift() -> None:
    later, earlier = NOW - timedelta(minutes=1), NOW - timedelta(minutes=20)
    found = RevocationSet(
        lifted={SUB: Entry(later, NOW + timedelta(hours=1))},
        issued_before=Entry(earlier, NOW + timedelta(hours=1)),
    )
    assert found.not_before(SUB, NOW) == later
    assert found.not_before(OTHER, NOW) == earlier
    # Once both have expired, no credentials are held back.
    assert found.not_before(SUB, NOW + timedelta(hours=1)) is None
    assert RevocationSet().not_before(SUB, NOW) is None


# ---- the gate ------------------------------------------------------------------------------------------------


@dataclass
class Ticks:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


def gate(store: support.FakeRevocationStore, ticks: Ticks, ttl: float = 10) -> RevocationCheck:
    return RevocationCheck(store.fetch, ttl_seconds=ttl, clock=lambda: NOW, monotonic=ticks)


def revoked(*subs: str) -> RevocationSet:
    return RevocationSet(revoked={s: Entry(NOW, None) for s in subs})


def test_a_revoked_caller_is_refused_with_revoked_and_others_are_not() -> None:
    check = gate(support.FakeRevocationStore(revoked(SUB)), Ticks())
    with pytest.raises(Revoked) as caught:
        check.check(SUB)
    assert caught.value.message == REVOKED_MESSAGE
    assert caught.value.code == "Revoked"
    check.check(OTHER)  # no raise


@pytest.mark.parametrize(("elapsed", "refetched"), [(9.999, False), (10.0, True), (10.001, True)])
def test_the_snapshot_is_reused_for_the_ttl_and_no_longer(elapsed: float, refetched: bool) -> None:
    store, ticks = support.FakeRevocationStore(), Ticks()
    check = gate(store, ticks)
    check.check(SUB)
    store.answer = revoked(SUB)  # `vend revoke` writes the record
    ticks.now += elapsed
    if refetched:
        with pytest.raises(Revoked):
            check.check(SUB)
    else:
        check.check(SUB)
    assert store.calls == (2 if refetched else 1)


def test_a_ttl_of_zero_reads_the_store_for_every_request() -> None:
    store, ticks = support.FakeRevocationStore(), Ticks()
    check = gate(store, ticks, ttl=0)
    for _ in range(3):
        check.check(SUB)
    assert store.calls == 3


def test_the_ttl_counts_from_when_the_lookup_started_not_when_it_ended() -> None:
    store, ticks = support.FakeRevocationStore(), Ticks()

    def slow_fetch() -> RevocationSet:
        ticks.now += 4  # the lookup took 4 s
        return store.fetch()

    check = RevocationCheck(slow_fetch, ttl_seconds=10, clock=lambda: NOW, monotonic=ticks)
    check.check(SUB)  # started at 1000, ended at 1004
    ticks.now = 1009.999
    check.check(SUB)
    assert store.calls == 1
    ticks.now = 1010.0
    check.check(SUB)
    assert store.calls == 2


FAILURES: list[tuple[Callable[[], Exception], type[VendError]]] = [
    (lambda: store_unavailable("ReadTimeoutError"), UpstreamUnavailable),
    (lambda: store_unavailable("EndpointConnectionError"), UpstreamUnavailable),
    (lambda: store_throttled("ProvisionedThroughputExceededException"), Throttled),
    (lambda: StoreFormatError("record 'sub#x' has no 'moment'"), Internal),
]


@pytest.mark.parametrize(
    ("failure", "expected"), FAILURES, ids=["slow", "unreachable", "throttled", "garbled"]
)
def test_an_unreadable_store_fails_closed_for_everyone(
    failure: Callable[[], Exception], expected: type[VendError]
) -> None:
    store, ticks = support.FakeRevocationStore(error=failure()), Ticks()
    check = gate(store, ticks)
    for sub in (SUB, OTHER):  # nobody is known not to be revoked
        with pytest.raises(expected):
            check.check(sub)
        with pytest.raises(expected):
            check.not_before(sub)


def test_a_stale_snapshot_is_not_used_when_the_store_cannot_be_read() -> None:
    store, ticks = support.FakeRevocationStore(), Ticks()
    check = gate(store, ticks)
    check.check(SUB)  # a snapshot saying nobody is revoked
    store.error = store_unavailable("ReadTimeoutError")
    ticks.now += 10
    with pytest.raises(UpstreamUnavailable):
        check.check(SUB)


@pytest.mark.parametrize(("elapsed", "asked_again"), [(0.999, False), (1.0, True), (1.001, True)])
def test_a_failure_is_remembered_for_the_backoff_and_then_the_store_is_asked_again(
    elapsed: float, asked_again: bool
) -> None:
    assert FAILURE_BACKOFF_SECONDS == 1.0
    store, ticks = support.FakeRevocationStore(error=store_throttled("ThrottlingException")), Ticks()
    check = gate(store, ticks)
    with pytest.raises(Throttled):
        check.check(SUB)
    store.error = None
    ticks.now += elapsed
    if asked_again:
        check.check(SUB)
    else:
        with pytest.raises(Throttled) as caught:
            check.check(SUB)
        assert caught.value.detail == "revocation store: ThrottlingException"
    assert store.calls == (2 if asked_again else 1)


def test_an_unexpected_fetch_error_is_not_swallowed() -> None:
    # The service turns it into Internal (fail closed) and logs it; the gate must not treat it as "not revoked".
    check = gate(support.FakeRevocationStore(error=RuntimeError("boom")), Ticks())
    with pytest.raises(RuntimeError):
        check.check(SUB)


def test_not_before_reads_the_snapshot_the_check_used_without_asking_the_store_again() -> None:
    cutoff = NOW - timedelta(minutes=3)
    store = support.FakeRevocationStore(RevocationSet(issued_before=Entry(cutoff, NOW + timedelta(hours=1))))
    check = gate(store, Ticks(), ttl=0)  # even when every check reads the store
    check.check(SUB)
    assert check.not_before(SUB) == cutoff
    assert store.calls == 1


def test_not_before_without_any_snapshot_reads_the_store_and_fails_closed() -> None:
    store = support.FakeRevocationStore(error=store_unavailable("ReadTimeoutError"))
    with pytest.raises(UpstreamUnavailable):
        gate(store, Ticks()).not_before(SUB)


def test_messages_name_no_store_table_or_aws_text() -> None:
    errors: list[VendError] = [store_unavailable("x"), store_throttled("y")]
    try:
        gate(support.FakeRevocationStore(revoked(SUB)), Ticks()).check(SUB)
    except Revoked as exc:
        errors.append(exc)
    for error in errors:
        assert "revocation store" not in error.message
        assert "arn:" not in error.message
        assert "dynamodb" not in error.message.lower()
    assert all(e.detail for e in errors)
