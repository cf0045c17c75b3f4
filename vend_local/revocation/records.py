"""The revocation store's records as the operator CLI sees them, and what a revoke or an unrevoke changes. Pure,
no I/O: the state comes in, the records to write, the records to delete and the deny policy's rules go out.

The layout is the resolver's (resolvers/revocation.py); the CLI adds what a person needs (reason, who, whether the
Cognito user was disabled) and the audit trail. Lifetimes, and why:

- a revoked caller: ``hours`` (default 24, at least 2). The resolver refuses them that long. Two hours outlive both
  the longest session (one hour) and the Cognito tokens the caller may still hold after the global sign-out (the
  stack's app client issues one-hour access and ID tokens; AppSync accepts them until they expire). After that,
  Cognito decides: a signed-out user must sign in again, a disabled one cannot.
- a lift and an issued-before time: ``LIVE_WINDOW`` past their moment, when every session they hold back is dead.
- the audit trail: no expiry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from resolvers.revocation import (
    AUDIT,
    EXPIRES_AT,
    ISSUED_BEFORE,
    LIFTED_PREFIX,
    MOMENT,
    PARTITION_KEY,
    REVOCATIONS,
    SORT_KEY,
    SUB_PREFIX,
)
from resolvers.variables import SUB
from vend_local.iam.revocation import LIVE_WINDOW, Deny, round_up

DEFAULT_HOURS: Final = 24
MIN_HOURS: Final = 2
MAX_HOURS: Final = 24 * 30
REASON_MAX: Final = 256
# An issued-before time later than now would deny every session vended until then: an outage, not a revocation.
FUTURE_SLACK: Final = timedelta(seconds=60)
_PRINTABLE: Final = re.compile(r"[^\x00-\x1f\x7f]*")
NEVER: Final = datetime.max.replace(tzinfo=UTC)


class RevocationInputError(ValueError):
    """Bad input to `vend revoke`/`unrevoke`: the message says which and why. Nothing was changed."""


@dataclass(frozen=True, slots=True)
class Revocation:
    sub: str
    revoked_at: datetime
    expires: datetime
    reason: str = ""
    by: str = ""
    # `vend revoke --disable` disabled the Cognito user: `vend unrevoke` enables them again, and only then.
    disabled: bool = False


@dataclass(frozen=True, slots=True)
class Lift:
    sub: str
    lifted_at: datetime
    expires: datetime
    by: str = ""


@dataclass(frozen=True, slots=True)
class IssuedBefore:
    moment: datetime
    expires: datetime
    reason: str = ""
    by: str = ""


@dataclass(frozen=True, slots=True)
class State:
    """The revocation partition, every record still in force."""

    revoked: Mapping[str, Revocation] = field(default_factory=dict)
    lifted: Mapping[str, Lift] = field(default_factory=dict)
    issued_before: IssuedBefore | None = None

    def rules(self) -> list[Deny]:
        """What the role-level deny must hold for this state (deny_policy drops the rules whose time is past)."""
        rules = [Deny((r.sub,), None, round_up(r.revoked_at + LIVE_WINDOW)) for r in self.revoked.values()]
        rules += [
            Deny((lift.sub,), lift.lifted_at, lift.expires)
            for lift in self.lifted.values()
            if lift.sub not in self.revoked
        ]
        if self.issued_before is not None:
            rules.append(Deny(None, self.issued_before.moment, self.issued_before.expires))
        return rules


# ---- the store's items ----------------------------------------------------------------------------------------


def _epoch(moment: datetime) -> dict[str, str]:
    return {"N": str(int(moment.timestamp()))}


def _moment(item: Mapping[str, Any], name: str) -> datetime:
    return datetime.fromtimestamp(int(item[name]["N"]), UTC)


def _text(item: Mapping[str, Any], name: str) -> str:
    value = item.get(name)
    return str(value["S"]) if isinstance(value, Mapping) and "S" in value else ""


def key_of(sort_key: str, partition: str = REVOCATIONS) -> dict[str, Any]:
    return {PARTITION_KEY: {"S": partition}, SORT_KEY: {"S": sort_key}}


def item_of(record: Revocation | Lift | IssuedBefore) -> dict[str, Any]:
    """A record in DynamoDB's attribute-value form, with the resolver's three attributes and the person's."""
    item: dict[str, Any]
    if isinstance(record, Revocation):
        item = key_of(SUB_PREFIX + record.sub) | {MOMENT: _epoch(record.revoked_at)}
        item |= {
            "reason": {"S": record.reason},
            "by": {"S": record.by},
            "disabled": {"BOOL": record.disabled},
        }
    elif isinstance(record, Lift):
        item = key_of(LIFTED_PREFIX + record.sub) | {MOMENT: _epoch(record.lifted_at), "by": {"S": record.by}}
    else:
        item = key_of(ISSUED_BEFORE) | {MOMENT: _epoch(record.moment)}
        item |= {"reason": {"S": record.reason}, "by": {"S": record.by}}
    return item | {EXPIRES_AT: _epoch(record.expires)}


def state_from_items(items: Iterable[Mapping[str, Any]], now: datetime) -> State:
    """The records in force at ``now`` (DynamoDB's TTL deletes expired ones only eventually)."""
    revoked: dict[str, Revocation] = {}
    lifted: dict[str, Lift] = {}
    issued_before: IssuedBefore | None = None
    for item in items:
        key = _text(item, SORT_KEY)
        # Every record this CLI writes expires; one without an expiry stays in force, as the resolver reads it.
        expires = _moment(item, EXPIRES_AT) if EXPIRES_AT in item else NEVER
        if expires <= now:
            continue
        if key.startswith(SUB_PREFIX):
            sub = key.removeprefix(SUB_PREFIX)
            disabled = bool(item.get("disabled", {}).get("BOOL", False))
            revoked[sub] = Revocation(
                sub, _moment(item, MOMENT), expires, _text(item, "reason"), _text(item, "by"), disabled
            )
        elif key.startswith(LIFTED_PREFIX):
            sub = key.removeprefix(LIFTED_PREFIX)
            lifted[sub] = Lift(sub, _moment(item, MOMENT), expires, _text(item, "by"))
        elif key == ISSUED_BEFORE:
            issued_before = IssuedBefore(
                _moment(item, MOMENT), expires, _text(item, "reason"), _text(item, "by")
            )
    return State(revoked, lifted, issued_before)


# ---- input --------------------------------------------------------------------------------------------------


def checked_subs(subs: Sequence[str]) -> tuple[str, ...]:
    bad = [s for s in subs if not SUB.fullmatch(s)]
    if bad:
        raise RevocationInputError(
            f"--sub {bad[0]!r} is not a Cognito sub (a lower-case UUID such as 11111111-2222-4333-8444-555555555555)"
        )
    return tuple(dict.fromkeys(subs))


def checked_reason(reason: str) -> str:
    if len(reason) > REASON_MAX or not _PRINTABLE.fullmatch(reason):
        raise RevocationInputError(f"--reason: at most {REASON_MAX} printable characters, on one line")
    return reason


def checked_hours(hours: int) -> int:
    if not MIN_HOURS <= hours <= MAX_HOURS:
        raise RevocationInputError(
            f"--hours {hours}: from {MIN_HOURS} (longer than any session and any Cognito token the caller may "
            f"still hold) to {MAX_HOURS}"
        )
    return hours


def parse_issued_before(text: str, now: datetime) -> datetime:
    """``now`` or an ISO-8601 UTC time (2026-01-31T12:00:00Z), not in the future."""
    if text == "now":
        return now.replace(microsecond=0)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", text):
        raise RevocationInputError(
            f"--all-issued-before {text!r}: 'now' or a UTC time such as 2026-01-31T12:00:00Z"
        )
    try:
        moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise RevocationInputError(f"--all-issued-before {text!r} is not a valid time") from None
    if moment > now + FUTURE_SLACK:
        raise RevocationInputError(
            f"--all-issued-before {text}: in the future; it would deny every session vended until then"
        )
    return moment


# ---- changes ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    """What one command does to the store, and what it says about each subject."""

    state: State  # after the change
    put: tuple[Revocation | Lift | IssuedBefore, ...] = ()
    delete: tuple[str, ...] = ()  # sort keys
    notes: tuple[str, ...] = ()
    # Cognito users to enable again (unrevoke of a revocation that disabled them).
    enable: tuple[str, ...] = ()


def plan_revoke(
    state: State,
    *,
    subs: Sequence[str],
    issued_before: datetime | None,
    now: datetime,
    hours: int | None,
    reason: str,
    by: str,
    disable: bool,
) -> Change:
    """Revoke ``subs`` and/or every session issued before ``issued_before``. Idempotent: a caller already revoked
    stays as recorded (first time, reason and operator) unless ``hours`` extends it or ``disable`` is new."""
    revoked, lifted = dict(state.revoked), dict(state.lifted)
    put: list[Revocation | Lift | IssuedBefore] = []
    delete: list[str] = []
    notes: list[str] = []
    until = now + timedelta(hours=DEFAULT_HOURS if hours is None else hours)
    for sub in subs:
        current = revoked.get(sub)
        if current is None:
            record = Revocation(sub, now, until, reason, by, disabled=disable)
            notes.append(f"{sub}: revoked now, in force until {until:%Y-%m-%dT%H:%M:%SZ}")
        else:
            expires = current.expires if hours is None else max(current.expires, until)
            record = replace(current, expires=expires, disabled=current.disabled or disable)
            extended = " (extended)" if record.expires != current.expires else ""
            notes.append(
                f"{sub}: already revoked since {current.revoked_at:%Y-%m-%dT%H:%M:%SZ}, in force until "
                f"{record.expires:%Y-%m-%dT%H:%M:%SZ}{extended}"
            )
        if record != current:
            put.append(record)
        revoked[sub] = record
        if lifted.pop(sub, None) is not None:
            delete.append(LIFTED_PREFIX + sub)
    new_issued = state.issued_before
    if issued_before is not None:
        held = state.issued_before
        if held is not None and held.moment >= issued_before:
            notes.append(
                f"sessions issued before {held.moment:%Y-%m-%dT%H:%M:%SZ} are already revoked (a later time "
                "stays in force)"
            )
        else:
            new_issued = IssuedBefore(issued_before, round_up(issued_before + LIVE_WINDOW), reason, by)
            put.append(new_issued)
            notes.append(f"every session issued before {issued_before:%Y-%m-%dT%H:%M:%SZ}: revoked")
    return Change(State(revoked, lifted, new_issued), tuple(put), tuple(delete), tuple(notes))


def plan_unrevoke(
    state: State, *, subs: Sequence[str], issued_before: bool, now: datetime, by: str
) -> Change:
    revoked, lifted = dict(state.revoked), dict(state.lifted)
    put: list[Revocation | Lift | IssuedBefore] = []
    delete: list[str] = []
    notes: list[str] = []
    enable: list[str] = []
    for sub in subs:
        current = revoked.pop(sub, None)
        if current is None:
            notes.append(f"{sub}: not revoked; nothing to lift")
            continue
        delete.append(SUB_PREFIX + sub)
        if current.disabled:
            enable.append(sub)
        if now < current.revoked_at + LIVE_WINDOW:
            # Sessions issued before the lift may still be alive (stolen ones too): keep them denied.
            lift = Lift(sub, now, round_up(now + LIVE_WINDOW), by)
            lifted[sub] = lift
            put.append(lift)
            notes.append(f"{sub}: lifted; sessions issued before now stay denied until they expire")
        else:
            notes.append(f"{sub}: lifted")
    new_issued = state.issued_before
    if issued_before:
        if new_issued is None:
            notes.append("no issued-before time in force; nothing to lift")
        else:
            notes.append(
                f"issued-before {new_issued.moment:%Y-%m-%dT%H:%M:%SZ}: lifted; sessions issued before it work again "
                "until they expire"
            )
            delete.append(ISSUED_BEFORE)
            new_issued = None
    return Change(State(revoked, lifted, new_issued), tuple(put), tuple(delete), tuple(notes), tuple(enable))


# ---- the audit trail ----------------------------------------------------------------------------------------


def audit_item(
    *,
    action: str,
    now: datetime,
    request_id: str,
    by: str,
    reason: str,
    subs: Sequence[str],
    issued_before: datetime | None,
    steps: Sequence[str],
) -> dict[str, Any]:
    """One entry of the audit partition: what was asked, by whom, why, and every step's outcome."""
    item = key_of(f"{now:%Y-%m-%dT%H:%M:%SZ}#{request_id}", partition=AUDIT) | {
        "action": {"S": action},
        "by": {"S": by},
        "reason": {"S": reason},
        "steps": {"L": [{"S": s} for s in steps]},
    }
    if subs:
        item["subs"] = {"L": [{"S": s} for s in subs]}
    if issued_before is not None:
        item["issuedBefore"] = {"S": f"{issued_before:%Y-%m-%dT%H:%M:%SZ}"}
    return item
