"""What `vend revoke` and `vend unrevoke` write (vend_local/revocation/records.py): idempotent changes, the lift's
window, the issued-before time, input limits at limit-1/limit/limit+1, and the items the resolver reads. Pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from resolvers.revocation import revocations_from_items
from tests import support
from vend_local.iam.revocation import LIVE_WINDOW, deny_policy, round_up
from vend_local.revocation.records import (
    DEFAULT_HOURS,
    IssuedBefore,
    Lift,
    Revocation,
    RevocationInputError,
    State,
    audit_item,
    checked_hours,
    checked_reason,
    checked_subs,
    item_of,
    parse_issued_before,
    plan_revoke,
    plan_unrevoke,
    state_from_items,
)

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
SUB, OTHER = support.SUB, support.OTHER_SUB
OPERATOR = f"arn:aws:sts::{support.ACCOUNT}:assumed-role/oncall/jane"


def revoke(state: State, *subs: str, now: datetime = NOW, **kw: Any) -> Any:
    options: dict[str, Any] = {
        "issued_before": None,
        "hours": None,
        "reason": "",
        "by": OPERATOR,
        "disable": False,
    }
    return plan_revoke(state, subs=subs, now=now, **{**options, **kw})


def test_a_new_revocation_is_recorded_with_who_why_and_until_when() -> None:
    change = revoke(State(), SUB, reason="phone stolen", disable=True)
    (record,) = change.put
    assert record == Revocation(
        SUB, NOW, NOW + timedelta(hours=DEFAULT_HOURS), "phone stolen", OPERATOR, True
    )
    assert change.delete == ()
    assert change.state.revoked == {SUB: record}


def test_revoking_again_changes_nothing_unless_it_extends_or_disables() -> None:
    first = revoke(State(), SUB, reason="first").state
    later = NOW + timedelta(hours=1)
    again = revoke(first, SUB, now=later, reason="second")
    assert again.put == ()
    assert again.state == first
    assert "already revoked since 2026-11-29T12:00:00Z" in again.notes[0]
    extended = revoke(first, SUB, now=later, hours=48)
    (record,) = extended.put
    assert record.expires == later + timedelta(hours=48)
    assert (record.revoked_at, record.reason) == (NOW, "first")
    shorter = revoke(first, SUB, now=later, hours=2)
    assert shorter.put == ()  # --hours never shortens a revocation in force
    disabled = revoke(first, SUB, now=later, disable=True)
    assert [r.disabled for r in disabled.put] == [True]


def test_revoking_a_lifted_caller_removes_the_lift() -> None:
    lifted = State(lifted={SUB: Lift(SUB, NOW, NOW + LIVE_WINDOW)})
    change = revoke(lifted, SUB)
    assert change.delete == (f"lifted#{SUB}",)
    assert SUB not in change.state.lifted


@pytest.mark.parametrize(
    ("held", "asked", "written"),
    [
        (None, NOW, True),
        (NOW, NOW - timedelta(seconds=1), False),
        (NOW, NOW, False),
        (NOW, NOW + timedelta(seconds=1), True),
    ],
)
def test_the_issued_before_time_only_moves_later(
    held: datetime | None, asked: datetime, written: bool
) -> None:
    state = State(issued_before=IssuedBefore(held, round_up(held + LIVE_WINDOW)) if held else None)
    change = revoke(state, issued_before=asked, now=NOW + timedelta(minutes=1))
    assert bool(change.put) is written
    assert change.state.issued_before is not None
    assert change.state.issued_before.moment == max(filter(None, (held, asked)))
    if written:
        assert change.put[0].expires == round_up(asked + LIVE_WINDOW)


@pytest.mark.parametrize(("offset", "lift_kept"), [(-1, True), (0, False), (1, False)])
def test_unrevoke_keeps_older_sessions_denied_only_while_they_can_be_alive(
    offset: int, lift_kept: bool
) -> None:
    revoked_at = NOW - LIVE_WINDOW + timedelta(seconds=-offset)
    state = State(revoked={SUB: Revocation(SUB, revoked_at, NOW + timedelta(hours=3))})
    change = plan_unrevoke(state, subs=[SUB], issued_before=False, now=NOW, by=OPERATOR)
    assert change.delete == (f"sub#{SUB}",)
    assert SUB not in change.state.revoked
    if lift_kept:
        assert change.put == (Lift(SUB, NOW, round_up(NOW + LIVE_WINDOW), OPERATOR),)
    else:
        assert change.put == ()
        assert change.state.lifted == {}


def test_unrevoke_enables_only_a_user_that_revoke_disabled_and_is_idempotent() -> None:
    state = State(
        revoked={
            SUB: Revocation(SUB, NOW, NOW + timedelta(hours=24), disabled=True),
            OTHER: Revocation(OTHER, NOW, NOW + timedelta(hours=24), disabled=False),
        }
    )
    change = plan_unrevoke(state, subs=[SUB, OTHER], issued_before=False, now=NOW, by=OPERATOR)
    assert change.enable == (SUB,)
    again = plan_unrevoke(change.state, subs=[SUB, OTHER], issued_before=False, now=NOW, by=OPERATOR)
    assert (again.put, again.delete, again.enable) == ((), (), ())
    assert again.notes == (f"{SUB}: not revoked; nothing to lift", f"{OTHER}: not revoked; nothing to lift")


def test_unrevoke_of_the_issued_before_time_removes_it() -> None:
    state = State(issued_before=IssuedBefore(NOW, NOW + LIVE_WINDOW))
    change = plan_unrevoke(state, subs=[], issued_before=True, now=NOW, by=OPERATOR)
    assert change.delete == ("issued-before",)
    assert change.state.issued_before is None


def test_the_deny_rules_follow_the_state() -> None:
    state = State(
        revoked={SUB: Revocation(SUB, NOW, NOW + timedelta(hours=24))},
        lifted={OTHER: Lift(OTHER, NOW, round_up(NOW + LIVE_WINDOW))},
        issued_before=IssuedBefore(NOW - timedelta(minutes=5), round_up(NOW + LIVE_WINDOW)),
    )
    sids = [s["Sid"] for s in deny_policy(state.rules(), NOW)["Statement"]]
    assert sids == [
        "RequireSourceIdentity",
        "LiftedAt20261129120000",
        "RevokedUntil202611291310",
        "IssuedBefore20261129115500",
    ]
    # A caller revoked more than the live window ago is refused by the resolver alone: no statement is left.
    old = State(
        revoked={SUB: Revocation(SUB, NOW - LIVE_WINDOW - timedelta(minutes=10), NOW + timedelta(hours=1))}
    )
    assert [s["Sid"] for s in deny_policy(old.rules(), NOW)["Statement"]] == ["RequireSourceIdentity"]


# ---- the items ------------------------------------------------------------------------------------------------


def test_items_round_trip_and_the_resolver_reads_the_same_records() -> None:
    records: list[Revocation | Lift | IssuedBefore] = [
        Revocation(SUB, NOW, NOW + timedelta(hours=24), "why", OPERATOR, True),
        Lift(OTHER, NOW, NOW + LIVE_WINDOW, OPERATOR),
        IssuedBefore(NOW - timedelta(minutes=1), NOW + LIVE_WINDOW, "leak", OPERATOR),
    ]
    items = [item_of(r) for r in records]
    state = state_from_items(items, NOW)
    assert state.revoked == {SUB: records[0]}
    assert state.lifted == {OTHER: records[1]}
    assert state.issued_before == records[2]
    seen = revocations_from_items(items)
    assert seen.is_revoked(SUB, NOW)
    assert seen.not_before(OTHER, NOW) == NOW
    assert seen.not_before(SUB, NOW) == NOW - timedelta(minutes=1)


@pytest.mark.parametrize(("offset", "kept"), [(-1, False), (0, False), (1, True)])
def test_expired_records_are_not_in_force_even_before_the_ttl_deletes_them(offset: int, kept: bool) -> None:
    item = item_of(Revocation(SUB, NOW - timedelta(hours=2), NOW + timedelta(seconds=offset)))
    assert (SUB in state_from_items([item], NOW).revoked) is kept


def test_the_audit_entry_names_what_who_why_and_every_step() -> None:
    item = audit_item(
        action="revoke",
        now=NOW,
        request_id="abc123",
        by=OPERATOR,
        reason="phone stolen",
        subs=[SUB],
        issued_before=None,
        steps=["store: 1 record(s) written", "FAILED: cognito"],
    )
    assert item["pk"] == {"S": "audit"}
    assert item["sk"] == {"S": "2026-11-29T12:00:00Z#abc123"}
    assert item["steps"] == {"L": [{"S": "store: 1 record(s) written"}, {"S": "FAILED: cognito"}]}
    assert (item["by"], item["reason"], item["subs"]) == (
        {"S": OPERATOR},
        {"S": "phone stolen"},
        {"L": [{"S": SUB}]},
    )
    assert "expiresAt" not in item  # the trail is kept


# ---- input ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "ok"), [(1, False), (2, True), (3, True), (719, True), (720, True), (721, False)]
)
def test_hours_from_two_to_thirty_days(hours: int, ok: bool) -> None:
    if ok:
        assert checked_hours(hours) == hours
    else:
        with pytest.raises(RevocationInputError, match="--hours"):
            checked_hours(hours)


@pytest.mark.parametrize(("length", "ok"), [(255, True), (256, True), (257, False)])
def test_a_reason_is_at_most_256_characters(length: int, ok: bool) -> None:
    if ok:
        assert checked_reason("r" * length) == "r" * length
    else:
        with pytest.raises(RevocationInputError, match="--reason"):
            checked_reason("r" * length)


@pytest.mark.parametrize("reason", ["line\nbreak", "bell\x07", "esc\x1b[31m", "del\x7f"])
def test_a_reason_is_one_printable_line(reason: str) -> None:
    with pytest.raises(RevocationInputError):
        checked_reason(reason)


@pytest.mark.parametrize(
    "sub", ["alice", "abcdef01-2222-4333-8444-555555555555".upper(), SUB + " ", "*", f'{SUB}", "x']
)
def test_only_cognito_subs_are_accepted(sub: str) -> None:
    with pytest.raises(RevocationInputError, match="--sub"):
        checked_subs([sub])


def test_subs_are_deduplicated_in_order() -> None:
    assert checked_subs([OTHER, SUB, OTHER]) == (OTHER, SUB)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("now", True),
        ("2026-11-29T12:01:00Z", True),  # now + 60 s: the slack for the clocks
        ("2026-11-29T12:01:01Z", False),  # beyond it: every session vended until then would be denied
        ("2026-11-29T11:00:00Z", True),
        ("2026-11-29 11:00:00", False),
        ("2026-11-29T11:00:00+01:00", False),
        ("2026-02-30T11:00:00Z", False),
        ("yesterday", False),
    ],
)
def test_an_issued_before_time_is_now_or_a_utc_time_not_in_the_future(text: str, ok: bool) -> None:
    if ok:
        moment = parse_issued_before(text, NOW)
        assert moment <= NOW + timedelta(seconds=60)
    else:
        with pytest.raises(RevocationInputError, match="--all-issued-before"):
            parse_issued_before(text, NOW)
