"""The IAM documents of revocation (vend_local/iam/revocation.py): what the role-level deny denies, judged by the
local IAM evaluator on a vended session's request context; its size and version limits; the operator's policy.
Pure."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resolvers.settings import REVOCATION_TTL_MAX
from tests import support
from tests.fuzzing import examples
from vend_local.iam.evaluation import evaluate_policies
from vend_local.iam.model import Policy, Request
from vend_local.iam.quotas import MANAGED_POLICY_MAX, policy_characters
from vend_local.iam.revocation import (
    LIVE_WINDOW,
    Deny,
    deny_policy,
    initial_deny_policy,
    only_denies,
    operator_policy,
    resolver_read_statement,
    round_up,
    versions_to_delete,
)
from vend_local.iam.session_context import role_session
from vend_local.iam.trust import session_deny_policy

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
ROLE = f"arn:aws:iam::{support.ACCOUNT}:role/vend-prod-uploads"
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def denied(document: dict[str, object], *, sub: str | None, issued: datetime, at: datetime) -> bool:
    """Is an S3 read by a vended session of ``sub`` issued at ``issued`` refused at ``at`` by ``document``?"""
    session = role_session(
        role_arn=ROLE,
        session_name=f"{sub}.S3_OWN_PREFIX",
        source_identity=sub,
        tags=(),
        region=support.REGION,
        issued_at=issued,
        now=at,
        role_id="AROAEXAMPLEEXAMPLE",
    )
    request = Request(
        "s3:GetObject",
        "arn:aws:s3:::bucket/key",
        dict(session.context),
        frozenset(session.known_absent),
        session.principal,
    )
    decision = evaluate_policies(
        request,
        [Policy("ceiling", "identity", ALLOW_ALL), Policy("revocations", "identity", document)],
    )
    assert decision.outcome in ("Allow", "ExplicitDeny"), decision.message
    return not decision.allowed


def test_nothing_revoked_denies_only_a_session_without_a_source_identity() -> None:
    document = deny_policy([], NOW)
    assert document == initial_deny_policy()
    assert document["Statement"] == session_deny_policy(None, ())["Statement"]
    assert not denied(document, sub=support.SUB, issued=NOW, at=NOW)
    assert denied(document, sub=None, issued=NOW, at=NOW)


def test_a_revoked_caller_s_sessions_are_denied_until_the_window_ends_and_others_never() -> None:
    until = round_up(NOW + LIVE_WINDOW)
    document = deny_policy([Deny((support.SUB,), None, until)], NOW)
    for issued in (NOW - timedelta(minutes=59), NOW, NOW + timedelta(seconds=REVOCATION_TTL_MAX)):
        assert denied(document, sub=support.SUB, issued=issued, at=NOW + timedelta(minutes=1))
    assert not denied(document, sub=support.OTHER_SUB, issued=NOW, at=NOW + timedelta(minutes=1))
    # The statement expires by itself (aws:CurrentTime): past it, nothing of this revocation is left to deny.
    assert denied(document, sub=support.SUB, issued=NOW, at=until - timedelta(seconds=1))
    assert not denied(document, sub=support.SUB, issued=until, at=until)


def test_a_lift_keeps_sessions_issued_before_it_denied_and_admits_new_ones() -> None:
    lifted = NOW
    document = deny_policy([Deny((support.SUB,), lifted, round_up(lifted + LIVE_WINDOW))], NOW)
    at = NOW + timedelta(minutes=5)
    assert denied(document, sub=support.SUB, issued=lifted - timedelta(seconds=1), at=at)
    assert not denied(document, sub=support.SUB, issued=lifted, at=at)
    assert not denied(document, sub=support.OTHER_SUB, issued=lifted - timedelta(minutes=5), at=at)


def test_an_issued_before_time_denies_everyone_s_older_sessions() -> None:
    cutoff = NOW - timedelta(minutes=10)
    document = deny_policy([Deny(None, cutoff, round_up(cutoff + LIVE_WINDOW))], NOW)
    for sub in (support.SUB, support.OTHER_SUB):
        assert denied(document, sub=sub, issued=cutoff - timedelta(seconds=1), at=NOW)
        assert not denied(document, sub=sub, issued=cutoff, at=NOW)


def test_rules_of_one_window_share_a_statement_and_past_ones_are_dropped() -> None:
    until = round_up(NOW + LIVE_WINDOW)
    past = NOW - timedelta(seconds=1)
    document = deny_policy(
        [
            Deny((support.SUB,), None, until),
            Deny((support.OTHER_SUB,), None, until),
            Deny(("33333333-3333-4333-8333-333333333333",), None, past),
        ],
        NOW,
    )
    sids = [s["Sid"] for s in document["Statement"]]
    assert sids == ["RequireSourceIdentity", f"RevokedUntil{until:%Y%m%d%H%M}"]
    subs = document["Statement"][1]["Condition"]["StringEquals"]["aws:SourceIdentity"]
    assert subs == sorted([support.SUB, support.OTHER_SUB])
    # The same rules, in any order, give the same text: no needless policy version.
    again = deny_policy([Deny((support.OTHER_SUB,), None, until), Deny((support.SUB,), None, until)], NOW)
    assert json.dumps(again, sort_keys=True) == json.dumps(document, sort_keys=True)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 11, 29, 12, 0, tzinfo=UTC), datetime(2026, 11, 29, 12, 0, tzinfo=UTC)),
        (datetime(2026, 11, 29, 12, 0, 1, tzinfo=UTC), datetime(2026, 11, 29, 12, 10, tzinfo=UTC)),
        (datetime(2026, 11, 29, 12, 9, 59, tzinfo=UTC), datetime(2026, 11, 29, 12, 10, tzinfo=UTC)),
    ],
)
def test_round_up_goes_to_the_next_ten_minutes_never_down(moment: datetime, expected: datetime) -> None:
    assert round_up(moment) == expected


def test_the_live_window_outlives_the_longest_session_and_the_resolver_s_bounds() -> None:
    # One hour of session, a minute of snapshot, AppSync's 30 s, five minutes of clock skew.
    assert timedelta(seconds=3600 + 60 + 30 + 300) == LIVE_WINDOW


@given(st.sets(st.uuids(version=4).map(str), max_size=40), st.integers(0, 7))
@settings(max_examples=examples(50))
def test_every_revoked_sub_is_denied_and_no_other(subs: set[str], windows: int) -> None:
    rules = [
        Deny((s,), None, round_up(NOW + LIVE_WINDOW + timedelta(minutes=10 * (i % (windows + 1)))))
        for i, s in enumerate(sorted(subs))
    ]
    document = deny_policy(rules, NOW)
    assert only_denies(document)
    for sub in subs:
        assert denied(document, sub=sub, issued=NOW, at=NOW)
    assert not denied(document, sub="44444444-4444-4444-8444-444444444444", issued=NOW, at=NOW)


def subs_for(size: int) -> list[str]:
    return [f"{i:08d}-0000-4000-8000-000000000000" for i in range(size)]


def revoking(count: int) -> dict[str, object]:
    return deny_policy([Deny(tuple(subs_for(count)), None, round_up(NOW + LIVE_WINDOW))], NOW)


def test_about_150_callers_revoked_in_one_window_fit_the_managed_policy_limit() -> None:
    fits = max(n for n in range(1, 400) if policy_characters(revoking(n)) <= MANAGED_POLICY_MAX)
    assert 140 <= fits <= 160
    assert policy_characters(revoking(fits)) <= MANAGED_POLICY_MAX < policy_characters(revoking(fits + 1))


def test_characters_are_counted_without_white_space() -> None:
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "A", "Effect": "Deny", "Action": "*", "Resource": "*"}],
    }
    compact = '{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Deny","Action":"*","Resource":"*"}]}'
    assert policy_characters(document) == len(compact)


D = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        # limit - 1: room for one more, nothing deleted
        (
            [
                ("v1", False, D),
                ("v2", False, D + timedelta(1)),
                ("v3", False, D + timedelta(2)),
                ("v4", True, D + timedelta(3)),
            ],
            [],
        ),
        # limit: the oldest that is not the default goes
        (
            [
                ("v1", False, D),
                ("v2", False, D + timedelta(1)),
                ("v3", False, D + timedelta(2)),
                ("v4", False, D + timedelta(3)),
                ("v5", True, D + timedelta(4)),
            ],
            ["v1"],
        ),
        # the default is never deleted, even when it is the oldest
        (
            [
                ("v1", True, D),
                ("v2", False, D + timedelta(1)),
                ("v3", False, D + timedelta(2)),
                ("v4", False, D + timedelta(3)),
                ("v5", False, D + timedelta(4)),
            ],
            ["v2"],
        ),
        # limit + 1 (IAM never stores it, but a raised quota or a race might): down to four
        ([(f"v{i}", i == 6, D + timedelta(i)) for i in range(1, 7)], ["v1", "v2"]),
    ],
    ids=["four", "five", "five-default-oldest", "six"],
)
def test_versions_to_delete_keeps_room_for_one_more_of_iam_s_five(
    stored: list[tuple[str, bool, datetime]], expected: list[str]
) -> None:
    assert versions_to_delete(stored) == expected


def test_only_denies_catches_an_allow_written_by_hand() -> None:
    assert only_denies(initial_deny_policy())
    widened = {
        **initial_deny_policy(),
        "Statement": [*initial_deny_policy()["Statement"], ALLOW_ALL["Statement"][0]],
    }
    assert not only_denies(widened)
    assert not only_denies({"Statement": "nonsense"})
    assert only_denies({"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}})


# ---- who may do what ------------------------------------------------------------------------------------------

TABLE = f"arn:aws:dynamodb:{support.REGION}:{support.ACCOUNT}:table/vend-prod-revocations"
DENY_ARN = f"arn:aws:iam::{support.ACCOUNT}:policy/vend-prod-revocations"
POOL = f"arn:aws:cognito-idp:{support.REGION}:{support.ACCOUNT}:userpool/{support.POOL_ID}"
STACK = f"arn:aws:cloudformation:{support.REGION}:{support.ACCOUNT}:stack/CredentialVending-prod/*"


def operator_may(action: str, resource: str, leading_keys: tuple[str, ...] | None = None) -> bool:
    context: dict[str, tuple[str, ...]] = {}
    absent: set[str] = set()
    if leading_keys is None:
        absent.add("dynamodb:leadingkeys")
    else:
        context["dynamodb:LeadingKeys"] = leading_keys
    document = operator_policy(table_arn=TABLE, deny_policy_arn=DENY_ARN, user_pool_arn=POOL, stack_arn=STACK)
    decision = evaluate_policies(
        Request(action, resource, context, frozenset(absent)), [Policy("operator", "identity", document)]
    )
    return decision.allowed


@pytest.mark.parametrize(
    ("action", "resource", "keys"),
    [
        ("dynamodb:Query", TABLE, ("revocation",)),
        ("dynamodb:PutItem", TABLE, ("revocation",)),
        ("dynamodb:DeleteItem", TABLE, ("revocation",)),
        ("dynamodb:PutItem", TABLE, ("audit",)),
        ("iam:GetPolicy", DENY_ARN, None),
        ("iam:GetPolicyVersion", DENY_ARN, None),
        ("iam:ListPolicyVersions", DENY_ARN, None),
        ("iam:CreatePolicyVersion", DENY_ARN, None),
        ("iam:DeletePolicyVersion", DENY_ARN, None),
        ("cognito-idp:ListUsers", POOL, None),
        ("cognito-idp:AdminUserGlobalSignOut", POOL, None),
        ("cognito-idp:AdminDisableUser", POOL, None),
        ("cognito-idp:AdminEnableUser", POOL, None),
        ("cloudformation:DescribeStacks", STACK.replace("*", "abc"), None),
    ],
)
def test_the_operator_policy_allows_every_call_the_cli_makes(
    action: str, resource: str, keys: tuple[str, ...] | None
) -> None:
    assert operator_may(action, resource, keys)


@pytest.mark.parametrize(
    ("action", "resource", "keys"),
    [
        ("dynamodb:DeleteItem", TABLE, ("audit",)),  # the audit trail is append-only
        ("dynamodb:Query", TABLE, ("audit",)),
        ("dynamodb:Scan", TABLE, None),
        ("dynamodb:PutItem", TABLE, ("revocation", "audit")),
        ("dynamodb:PutItem", TABLE, None),
        ("dynamodb:DeleteTable", TABLE, None),
        ("iam:CreatePolicyVersion", f"arn:aws:iam::{support.ACCOUNT}:policy/vend-prod-session-denies", None),
        ("iam:AttachRolePolicy", f"arn:aws:iam::{support.ACCOUNT}:role/vend-prod-uploads", None),
        ("iam:SetDefaultPolicyVersion", DENY_ARN, None),
        ("cognito-idp:AdminDeleteUser", POOL, None),
        ("cognito-idp:AdminSetUserPassword", POOL, None),
        (
            "cloudformation:DescribeStacks",
            f"arn:aws:cloudformation:{support.REGION}:{support.ACCOUNT}:stack/Other/x",
            None,
        ),
    ],
)
def test_the_operator_policy_allows_nothing_else(
    action: str, resource: str, keys: tuple[str, ...] | None
) -> None:
    assert not operator_may(action, resource, keys)


def test_the_resolver_may_only_query_the_revocation_partition() -> None:
    document = {"Version": "2012-10-17", "Statement": [resolver_read_statement(TABLE)]}

    def may(action: str, keys: tuple[str, ...]) -> bool:
        request = Request(action, TABLE, {"dynamodb:LeadingKeys": keys})
        return evaluate_policies(request, [Policy("resolver", "identity", document)]).allowed

    assert may("dynamodb:Query", ("revocation",))
    assert not may("dynamodb:Query", ("audit",))
    assert not may("dynamodb:GetItem", ("revocation",))
    assert not may("dynamodb:PutItem", ("revocation",))
