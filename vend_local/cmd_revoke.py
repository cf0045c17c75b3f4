"""`vend revoke`: cut a caller (or every session issued before a time) off, in seconds, without a deploy; and
`vend revoke --list`. Wiring and output only: the records are vend_local/revocation/records.py, the steps
runbook.py, the AWS calls aws.py.

Does I/O against a deployed stack (DynamoDB, IAM, Cognito, STS, CloudFormation; your own AWS credentials) or the
running `vend serve` (its embedded AWS). Prints what it did; never a token or a credential.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any, Final

from vend_local.iam.revocation import deny_policy, only_denies
from vend_local.local_state import StateError
from vend_local.revocation.aws import OperatorError, RevocationAws
from vend_local.revocation.records import (
    DEFAULT_HOURS,
    RevocationInputError,
    State,
    checked_hours,
    checked_reason,
    checked_subs,
    parse_issued_before,
    plan_revoke,
    state_from_items,
)
from vend_local.revocation.runbook import EFFECT, Run, apply, check_fits, render
from vend_local.revocation.target import add_common_arguments, resolve_target

ISO: Final = "%Y-%m-%dT%H:%M:%SZ"
EPILOG: Final = """\
examples:
  vend revoke --sub 11111111-2222-4333-8444-555555555555 --reason "phone stolen"        # against vend serve
  vend revoke --stack CredentialVending-prod --region eu-west-1 --sub SUB --disable --reason "account compromised"
  vend revoke --stack CredentialVending-prod --region eu-west-1 --all-issued-before now --reason "leaked build log"
  vend revoke --stack CredentialVending-prod --region eu-west-1 --list
  vend unrevoke --stack CredentialVending-prod --region eu-west-1 --sub SUB

For each --sub: the resolver refuses the caller's vends and `scopes` with Revoked (for --hours), every vend role
denies the sessions already issued to them (aws:SourceIdentity), Cognito signs them out everywhere, and --disable
disables their Cognito user too. --all-issued-before denies every session issued before the time. Each run is
idempotent, prints what it did and leaves an entry in the store's audit trail. docs/deploy.md, "Revoking".
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    add_common_arguments(parser)
    parser.add_argument(
        "--all-issued-before",
        metavar="TIME",
        help="revoke every session issued before TIME ('now' or 2026-01-31T12:00:00Z), whoever holds it",
    )
    parser.add_argument(
        "--disable",
        action="store_true",
        help="also disable the Cognito user (vend unrevoke enables them again)",
    )
    parser.add_argument(
        "--hours",
        type=int,
        default=None,
        help=(
            f"how long the resolver refuses the caller (2 to 720; default {DEFAULT_HOURS} for a new revocation; "
            "given again, it can only extend one in force)"
        ),
    )
    parser.add_argument("--list", action="store_true", help="show the revocations in force, change nothing")
    parser.add_argument("--json", action="store_true", help="with --list: as JSON")


def check_usage(args: argparse.Namespace) -> None:
    if args.list and (args.sub or args.all_issued_before or args.disable):
        raise RevocationInputError(
            "--list changes nothing: it takes no --sub, --all-issued-before or --disable"
        )
    if not args.list and not args.sub and not args.all_issued_before:
        raise RevocationInputError(
            "say what to revoke: --sub SUB (repeatable) and/or --all-issued-before TIME"
        )
    if args.json and not args.list:
        raise RevocationInputError("--json goes with --list")


def run(args: argparse.Namespace) -> int:
    try:
        check_usage(args)
        if args.list:
            target = resolve_target(args)
            sys.stdout.write(listing(target.aws(), target.description, as_json=args.json))
            return 0
        subs, reason = checked_subs(args.sub), checked_reason(args.reason)
        hours = None if args.hours is None else checked_hours(args.hours)
        target = resolve_target(args)
        aws = target.aws()
        items, now = aws.read()
        issued_before = parse_issued_before(args.all_issued_before, now) if args.all_issued_before else None
        by = aws.caller()
        change = plan_revoke(
            state_from_items(items, now),
            subs=subs,
            issued_before=issued_before,
            now=now,
            hours=hours,
            reason=reason,
            by=by,
            disable=args.disable,
        )
        check_fits(change.state, now)
    except (RevocationInputError, OperatorError, StateError) as exc:
        sys.stderr.write(f"vend revoke: {exc}\n")
        return 2

    def cognito(progress: Run) -> None:
        for sub in subs:
            user = aws.user(sub)
            if user is None:
                progress.lines.append(
                    f"cognito: no user with sub {sub} in {aws.user_pool_id}; nothing to sign out"
                )
                continue
            aws.sign_out(user)
            done = f"cognito: {user.username} ({sub}) signed out everywhere (refresh tokens revoked)"
            if args.disable and user.enabled:
                aws.disable(user)
                done += "; disabled"
            elif args.disable:
                done += "; already disabled"
            progress.lines.append(done)

    outcome = apply(
        aws,
        change,
        action="revoke",
        now=now,
        by=by,
        reason=reason,
        subs=subs,
        issued_before=issued_before,
        cognito=cognito,
    )
    sys.stdout.write(render("vend revoke", target.description, outcome, effect=EFFECT))
    return 1 if outcome.failed else 0


def listing(aws: RevocationAws, where: str, *, as_json: bool) -> str:
    items, now = aws.read()
    state = state_from_items(items, now)
    version, current = aws.policy()
    expected = deny_policy(state.rules(), now)
    policy = {
        "arn": aws.policy_arn,
        "version": version,
        "matchesStore": live(current, now) == expected,
        "onlyDenies": only_denies(current),
    }
    if as_json:
        return json.dumps({**_as_data(state), "policy": policy, "at": now.strftime(ISO)}, indent=2) + "\n"
    return _as_text(state, policy, where, now)


def live(document: Any, now: datetime) -> Any:
    """``document`` without the statements whose aws:CurrentTime bound has passed (they deny nothing any more)."""
    if not isinstance(document, dict) or not isinstance(document.get("Statement"), list):
        return document
    kept = [s for s in document["Statement"] if not _ended(s, now)]
    return {**document, "Statement": kept}


def _ended(statement: Any, now: datetime) -> bool:
    until = (
        statement.get("Condition", {}).get("DateLessThan", {}).get("aws:CurrentTime")
        if isinstance(statement, dict)
        else None
    )
    return isinstance(until, str) and until <= now.strftime(ISO)


def _as_data(state: State) -> dict[str, Any]:
    return {
        "revoked": [
            {
                "sub": r.sub,
                "revokedAt": r.revoked_at.strftime(ISO),
                "until": r.expires.strftime(ISO),
                "disabled": r.disabled,
                "reason": r.reason,
                "by": r.by,
            }
            for r in sorted(state.revoked.values(), key=lambda r: r.revoked_at)
        ],
        "lifted": [
            {"sub": lift.sub, "liftedAt": lift.lifted_at.strftime(ISO), "until": lift.expires.strftime(ISO)}
            for lift in sorted(state.lifted.values(), key=lambda lift: lift.lifted_at)
        ],
        "issuedBefore": (
            {
                "time": state.issued_before.moment.strftime(ISO),
                "until": state.issued_before.expires.strftime(ISO),
                "reason": state.issued_before.reason,
                "by": state.issued_before.by,
            }
            if state.issued_before is not None
            else None
        ),
    }


def _as_text(state: State, policy: dict[str, Any], where: str, now: datetime) -> str:
    data = _as_data(state)
    lines = [
        f"vend revoke --list: {where}, at {now.strftime(ISO)}",
        f"revoked callers: {len(data['revoked'])}",
    ]
    for r in data["revoked"]:
        disabled = ", Cognito user disabled" if r["disabled"] else ""
        reason = f', reason "{r["reason"]}"' if r["reason"] else ""
        lines.append(
            f"  {r['sub']}  since {r['revokedAt']}  until {r['until']}{disabled}, by {r['by']}{reason}"
        )
    lines.append(f"lifted within the hour (older sessions still denied): {len(data['lifted'])}")
    lines += [f"  {lift['sub']}  lifted {lift['liftedAt']}  until {lift['until']}" for lift in data["lifted"]]
    held = data["issuedBefore"]
    lines.append(
        f"every session issued before: {held['time']} (until {held['until']}, by {held['by']})"
        if held
        else "every session issued before: (none)"
    )
    state_of_policy = (
        "matches the store" if policy["matchesStore"] else "differs from the store (the next run rewrites it)"
    )
    if not policy["onlyDenies"]:
        state_of_policy += "; it holds a statement that is not a Deny: edited by hand?"
    lines.append(f"role-level deny: {policy['arn']} {policy['version']}: {state_of_policy}")
    return "\n".join(lines) + "\n"
