"""`vend unrevoke`: lift a revocation, with the same care as `vend revoke`. Wiring and output only.

The caller may vend again (within the resolver's snapshot TTL); sessions issued before the lift stay denied until
they expire, so credentials taken while they were revoked do not come back to life; a Cognito user that `vend
revoke --disable` disabled is enabled again (one disabled by other means is left as it is). Does I/O as `vend
revoke` does.
"""

from __future__ import annotations

import argparse
import sys
from typing import Final

from vend_local.local_state import StateError
from vend_local.revocation.aws import OperatorError
from vend_local.revocation.records import (
    RevocationInputError,
    checked_reason,
    checked_subs,
    plan_unrevoke,
    state_from_items,
)
from vend_local.revocation.runbook import Run, apply, render
from vend_local.revocation.target import add_common_arguments, resolve_target

LIFTED: Final = (
    "in effect: the caller may vend again within the resolver's snapshot TTL (10 s by default); a Cognito user "
    "signed out by vend revoke signs in again."
)
EPILOG: Final = """\
examples:
  vend unrevoke --sub 11111111-2222-4333-8444-555555555555                          # against vend serve
  vend unrevoke --stack CredentialVending-prod --region eu-west-1 --sub SUB --reason "phone recovered"
  vend unrevoke --stack CredentialVending-prod --region eu-west-1 --issued-before  # lift --all-issued-before
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    add_common_arguments(parser)
    parser.add_argument(
        "--issued-before",
        action="store_true",
        help="lift the issued-before time of `vend revoke --all-issued-before` (older sessions work again)",
    )


def check_usage(args: argparse.Namespace) -> None:
    if not args.sub and not args.issued_before:
        raise RevocationInputError("say what to lift: --sub SUB (repeatable) and/or --issued-before")


def run(args: argparse.Namespace) -> int:
    try:
        check_usage(args)
        subs, reason = checked_subs(args.sub), checked_reason(args.reason)
        target = resolve_target(args)
        aws = target.aws()
        items, now = aws.read()
        by = aws.caller()
        change = plan_unrevoke(
            state_from_items(items, now), subs=subs, issued_before=args.issued_before, now=now, by=by
        )
    except (RevocationInputError, OperatorError, StateError) as exc:
        sys.stderr.write(f"vend unrevoke: {exc}\n")
        return 2

    def cognito(progress: Run) -> None:
        for sub in change.enable:
            user = aws.user(sub)
            if user is None:
                progress.lines.append(f"cognito: no user with sub {sub}; nothing to enable")
            elif user.enabled:
                progress.lines.append(f"cognito: {user.username} ({sub}) is already enabled")
            else:
                aws.enable(user)
                progress.lines.append(
                    f"cognito: {user.username} ({sub}) enabled again (vend revoke disabled it)"
                )

    outcome = apply(
        aws,
        change,
        action="unrevoke",
        now=now,
        by=by,
        reason=reason,
        subs=subs,
        issued_before=None,
        cognito=cognito,
    )
    sys.stdout.write(render("vend unrevoke", target.description, outcome, effect=LIFTED))
    return 1 if outcome.failed else 0
