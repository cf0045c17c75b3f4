"""The steps of `vend revoke` and `vend unrevoke`, in order, each one idempotent: the store (the resolver refuses
within its snapshot's TTL), the role-level deny (live sessions), Cognito (sign-out, disable, enable), the audit
entry. I/O only through RevocationAws; every step's outcome becomes a line for the operator and the audit trail.

A step that fails stops the run: the lines say what was done and what failed, the audit entry records it (when the
store can still be written), and running the same command again completes the rest.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from resolvers.settings import REVOCATION_TTL_DEFAULT
from vend_local.iam.quotas import MANAGED_POLICY_MAX, policy_characters
from vend_local.iam.revocation import deny_policy, only_denies
from vend_local.revocation.aws import OperatorError, RevocationAws
from vend_local.revocation.records import (
    Change,
    RevocationInputError,
    State,
    audit_item,
    state_from_items,
)

# Two writers at once could each publish a document missing the other's record: publish, read the store again,
# and publish again until the two agree.
CONVERGE_ATTEMPTS: Final = 3
EFFECT: Final = (
    f"in effect: new vends and `scopes` are refused with Revoked within the resolver's snapshot TTL "
    f"({REVOCATION_TTL_DEFAULT} s by default, VEND_REVOCATION_TTL_SECONDS); sessions already issued are denied by every vend role as soon as IAM "
    "propagates the policy (usually seconds); Cognito refresh tokens are revoked now, access and ID tokens stay "
    "valid until they expire (at most 60 minutes) but every vend with them is refused."
)


@dataclass
class Run:
    """The lines of one run; ``failed`` once a step failed."""

    lines: list[str] = field(default_factory=list)
    failed: bool = False


def check_fits(state: State, now: datetime) -> None:
    """Refuse, before anything is written, a change whose deny policy IAM would refuse (6,144 characters)."""
    size = policy_characters(deny_policy(state.rules(), now))
    if size > MANAGED_POLICY_MAX:
        raise RevocationInputError(
            f"the role-level deny would be {size} characters; IAM allows {MANAGED_POLICY_MAX}. It holds the "
            "callers revoked in the last hour or so: revoke by time instead (--all-issued-before now), or wait for "
            "older revocations to age out of it. Nothing was changed."
        )


def publish_deny(aws: RevocationAws) -> str:
    """Make the deny policy say what the store says now; the line that tells what happened."""
    written: str | None = None
    note = ""
    for _ in range(CONVERGE_ATTEMPTS):
        items, now = aws.read()
        document = deny_policy(state_from_items(items, now).rules(), now)
        version, current = aws.policy()
        if current == document:
            name = aws.policy_arn.rpartition("/")[2]
            if written is None:
                return f"role-level deny: {name} {version} already says this; not rewritten"
            return f"role-level deny: {name} {written} is the default version ({_summary(document)}){note}"
        if not only_denies(current):
            # Written by hand with an Allow, which would widen every vend role: replaced, and said so.
            note = "; it held a statement that was not a Deny, now gone"
        written = aws.publish(_text(document))
    raise OperatorError("role-level deny: other writers kept changing the store; run the command again")


def _text(document: dict[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def _summary(document: dict[str, Any]) -> str:
    statements = document["Statement"][1:]
    subs = {
        s for st in statements for s in st["Condition"].get("StringEquals", {}).get("aws:SourceIdentity", [])
    }
    times = [st for st in statements if "StringEquals" not in st["Condition"]]
    return (
        f"{len(subs)} caller(s), {len(times)} issued-before time(s), {policy_characters(document)} characters"
    )


def apply(
    aws: RevocationAws,
    change: Change,
    *,
    action: str,
    now: datetime,
    by: str,
    reason: str,
    subs: Sequence[str],
    issued_before: datetime | None,
    cognito: Callable[[Run], None],
) -> Run:
    run = Run(lines=list(change.notes))
    try:
        aws.write(change)
        run.lines.append(
            f"store: {len(change.put)} record(s) written, {len(change.delete)} removed ({aws.table})"
        )
        run.lines.append(publish_deny(aws))
        cognito(run)
    except OperatorError as exc:
        run.failed = True
        run.lines.append(f"FAILED: {exc}")
    entry = f"{now:%Y-%m-%dT%H:%M:%SZ}#{secrets.token_hex(6)}"
    item = audit_item(
        action=action,
        now=now,
        request_id=entry.partition("#")[2],
        by=by,
        reason=reason,
        subs=subs,
        issued_before=issued_before,
        steps=run.lines,
    )
    try:
        aws.audit(item)
        run.lines.append(f"audit: entry {entry} by {by}")
    except OperatorError as exc:
        run.failed = True
        run.lines.append(f"FAILED to write the audit entry: {exc}")
    return run


def render(command: str, where: str, outcome: Run, *, effect: str) -> str:
    lines = [f"{command}: {where}", *(f"  {line}" for line in outcome.lines)]
    if outcome.failed:
        lines.append("  Not everything was done: run the same command again (each step is idempotent).")
    else:
        lines.append(f"  {effect}")
    return "\n".join(lines) + "\n"
