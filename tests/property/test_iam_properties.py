"""Hypothesis properties of the IAM evaluator: an explicit Deny always wins, a session policy never widens what
the role allows, the intersection never allows what either side alone denies, and no document or request makes
it raise or allow by default.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzzing import examples
from vend_local.iam.model import Decision, Policy, Request, evaluate

ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:*", "s3:Get*", "s3:?utObject", "*", "dynamodb:GetItem"]
RESOURCES = [
    "*",
    "arn:aws:s3:::b/*",
    "arn:aws:s3:::b/u/*",
    "arn:aws:s3:::b/u/${aws:username}/*",
    "arn:aws:s3:::b/u/${aws:PrincipalTag/team, 'shared'}/*",
    "arn:aws:s3:::c/*",
    "arn:aws:s3:::b/u/alice/x",
    "arn:aws:dynamodb:*:*:table/t",
]
CONDITIONS: list[dict[str, Any]] = [
    {"StringLike": {"s3:prefix": ["u/${aws:username}/*", "u/"]}},
    {"StringNotLike": {"s3:prefix": "private/*"}},
    {"StringEquals": {"aws:username": "alice"}},
    {"StringEqualsIfExists": {"aws:PrincipalTag/team": "blue"}},
    {"Null": {"aws:PrincipalTag/team": "true"}},
    {"Null": {"dynamodb:LeadingKeys": "false"}},
    {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["alice", "bob"]}},
    {"ForAnyValue:StringLike": {"dynamodb:LeadingKeys": "a*"}},
    {"NumericLessThanEquals": {"s3:max-keys": "10"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
    {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/vend-*"}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"StringEquals": {"k:unknown": "x"}},  # never in a request's context: not modelled when it matters
]
CONTEXT_VALUES: dict[str, list[tuple[str, ...]]] = {
    "s3:prefix": [("u/alice/",), ("private/x",), ("",), ("u/",)],
    "aws:username": [("alice",), ("bob",)],
    "aws:PrincipalTag/team": [("blue",), ("red",)],
    "dynamodb:LeadingKeys": [("alice",), ("alice", "bob"), ("carol",), ("alice", "carol")],
    "s3:max-keys": [("9",), ("10",), ("11",)],
    "aws:SecureTransport": [("true",), ("false",)],
    "aws:CurrentTime": [("2026-01-01T00:00:00Z",), ("2031-01-01T00:00:00Z",)],
    "aws:PrincipalArn": [
        ("arn:aws:iam::123456789012:role/vend-uploads",),
        ("arn:aws:iam::123456789012:role/x",),
    ],
    "aws:SourceIp": [("10.1.2.3",), ("192.0.2.1",)],
}


@st.composite
def statements(draw: st.DrawFn, effect: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"Effect": effect or draw(st.sampled_from(["Allow", "Allow", "Deny"]))}
    out["NotAction" if draw(st.integers(0, 9)) == 0 else "Action"] = draw(
        st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=3)
    )
    out["NotResource" if draw(st.integers(0, 9)) == 0 else "Resource"] = draw(
        st.lists(st.sampled_from(RESOURCES), min_size=1, max_size=3)
    )
    conditions = draw(st.lists(st.sampled_from(CONDITIONS), max_size=2))
    if conditions:
        block: dict[str, dict[str, Any]] = {}
        for condition in conditions:
            for operator, keys in condition.items():
                block.setdefault(operator, {}).update(keys)
        out["Condition"] = block
    return out


def documents(effect: str | None = None) -> st.SearchStrategy[dict[str, Any]]:
    return st.lists(statements(effect), min_size=1, max_size=4).map(
        lambda s: {"Version": "2012-10-17", "Statement": s}
    )


@st.composite
def requests(draw: st.DrawFn) -> Request:
    action = draw(st.sampled_from(["s3:GetObject", "s3:PutObject", "dynamodb:GetItem", "s3:ListBucket"]))
    resource = draw(
        st.sampled_from(
            [
                "arn:aws:s3:::b/u/alice/x",
                "arn:aws:s3:::b/u/shared/x",
                "arn:aws:s3:::c/x",
                "arn:aws:s3:::b",
                "arn:aws:dynamodb:eu-west-1:1:table/t",
            ]
        )
    )
    context: dict[str, tuple[str, ...]] = {}
    absent: set[str] = {"k:unknown"} if draw(st.booleans()) else set()
    for key, values in CONTEXT_VALUES.items():
        choice = draw(st.integers(0, len(values)))
        if choice == len(values):
            absent.add(key.lower())
        else:
            context[key] = values[choice]
    return Request(action, resource, context, frozenset(absent))


def identity(document: dict[str, Any]) -> Policy:
    return Policy("role", "identity", document)


def session(document: dict[str, Any]) -> Policy:
    return Policy("session", "session", document)


def consistent(decision: Decision) -> bool:
    return decision.allowed == (decision.outcome == "Allow")


@settings(max_examples=examples(200), deadline=None)
@given(
    role=documents(),
    sess=documents(),
    boundary=st.none() | documents(),
    req=requests(),
    where=st.integers(0, 2),
)
def test_an_explicit_deny_that_applies_always_wins(
    role: dict[str, Any], sess: dict[str, Any], boundary: dict[str, Any] | None, req: Request, where: int
) -> None:
    policies = [identity(role), session(sess)]
    if boundary is not None:
        policies.append(Policy("boundary", "boundary", boundary))
    target = policies[min(where, len(policies) - 1)]
    denied = {
        **target.document,
        "Statement": [
            *target.document["Statement"],
            {"Effect": "Deny", "Action": req.action, "Resource": req.resource},
        ],
    }
    policies[policies.index(target)] = Policy(target.source, target.kind, denied)
    decision = evaluate(req, policies)
    assert (decision.allowed, decision.outcome) == (False, "ExplicitDeny")
    assert decision.deciding


@settings(max_examples=examples(200), deadline=None)
@given(role=documents(), sess=documents(), req=requests())
def test_a_session_policy_never_widens_what_the_role_allows(
    role: dict[str, Any], sess: dict[str, Any], req: Request
) -> None:
    with_session = evaluate(req, [identity(role), session(sess)])
    role_alone = evaluate(req, [identity(role)])
    assert consistent(with_session)
    assert consistent(role_alone)
    if with_session.allowed:
        assert role_alone.allowed


@settings(max_examples=examples(200), deadline=None)
@given(role=documents(), sess=documents(), req=requests())
def test_the_intersection_never_allows_what_either_side_alone_denies(
    role: dict[str, Any], sess: dict[str, Any], req: Request
) -> None:
    both = evaluate(req, [identity(role), session(sess)])
    if not evaluate(req, [identity(role)]).allowed or not evaluate(req, [identity(sess)]).allowed:
        assert not both.allowed


@settings(max_examples=examples(200), deadline=None)
@given(role=documents(), req=requests(), extra=documents("Allow"))
def test_an_allow_added_to_the_role_never_turns_an_allow_into_a_deny(
    role: dict[str, Any], req: Request, extra: dict[str, Any]
) -> None:
    # Allows only add: with no new Deny, what was allowed stays allowed.
    before = evaluate(req, [identity(role)])
    after = evaluate(req, [identity(role), identity(extra)])
    if before.allowed:
        assert after.allowed


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
element_names = st.sampled_from(
    [
        "Version",
        "Statement",
        "Sid",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
        "Principal",
        "Id",
        "x",
    ]
)


@st.composite
def hostile_documents(draw: st.DrawFn) -> Any:
    statement = draw(
        st.dictionaries(
            element_names,
            json_values | st.sampled_from(ACTIONS + RESOURCES + CONDITIONS + ["Allow", "Deny"]),
            max_size=6,
        )
    )
    return draw(
        st.sampled_from(
            [
                {"Version": "2012-10-17", "Statement": [statement]},
                {"Version": "2012-10-17", "Statement": statement},
                statement,
            ]
        )
        | json_values
    )


@settings(max_examples=examples(200), deadline=None)
@given(
    document=hostile_documents(),
    kind=st.sampled_from(["identity", "session", "boundary", "resource"]),
    req=requests(),
)
def test_no_document_makes_it_raise_or_allow_by_default(document: Any, kind: Any, req: Request) -> None:
    decision = evaluate(req, [Policy("p", kind, document)])
    assert consistent(decision)
    assert decision.message
    if decision.outcome == "NotModelled":
        assert not decision.allowed
