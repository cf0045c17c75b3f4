"""The request context of a vended role session, and requests described in full (catalog cases, explain)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from resolvers.decision import plan_vend
from tests import support
from tests.iam_helpers import allow, doc
from vend_local.access import Question, ask
from vend_local.iam.closed_world import closed_request, named_keys
from vend_local.iam.evaluation import Prepared, evaluate_prepared, prepare
from vend_local.iam.model import Policy, Request
from vend_local.iam.session_context import SessionContext, role_session

ISSUED = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
NOW = ISSUED + timedelta(minutes=5)


def test_a_role_session_brings_its_tags_source_identity_role_and_times() -> None:
    session = role_session(
        role_arn="arn:aws:iam::123456789012:role/path/vend-uploads",
        session_name="sub-1.S3_OWN_PREFIX",
        source_identity="sub-1",
        tags=[("vend:sub", "sub-1"), ("vend:scope", "S3_OWN_PREFIX")],
        region="eu-west-1",
        issued_at=ISSUED,
        now=NOW,
        role_id="AROAEXAMPLEID",
    )
    assert session.principal == "arn:aws:sts::123456789012:assumed-role/vend-uploads/sub-1.S3_OWN_PREFIX"
    assert dict(session.context) == {
        "aws:PrincipalArn": ("arn:aws:iam::123456789012:role/path/vend-uploads",),
        "aws:PrincipalAccount": ("123456789012",),
        "aws:PrincipalType": ("AssumedRole",),
        "aws:TokenIssueTime": ("2026-03-01T12:00:00Z",),
        "aws:CurrentTime": ("2026-03-01T12:05:00Z",),
        "aws:EpochTime": ("1772366700",),
        "aws:RequestedRegion": ("eu-west-1",),
        "aws:SecureTransport": ("true",),
        "aws:PrincipalIsAWSService": ("false",),
        "aws:ViaAWSService": ("false",),
        "aws:SourceIdentity": ("sub-1",),
        "aws:PrincipalTag/vend:sub": ("sub-1",),
        "aws:PrincipalTag/vend:scope": ("S3_OWN_PREFIX",),
        "aws:userid": ("AROAEXAMPLEID:sub-1.S3_OWN_PREFIX",),
    }
    # aws:username is not present for a role session.
    assert session.known_absent == frozenset({"aws:username"})
    assert session.unknown == frozenset()


def bare_session(
    role_arn: str = "arn:aws:iam::123456789012:role/r", source_identity: str | None = None
) -> SessionContext:
    return role_session(
        role_arn=role_arn,
        session_name="s",
        source_identity=source_identity,
        tags=[],
        region="eu-west-1",
        issued_at=ISSUED,
        now=NOW,
    )


def test_without_the_role_id_aws_userid_is_unknown_not_absent() -> None:
    session = bare_session()
    assert session.unknown == frozenset({"aws:userid"})
    assert session.known_absent == frozenset({"aws:username", "aws:sourceidentity"})


def test_a_role_arn_is_required() -> None:
    with pytest.raises(ValueError, match="not an IAM role ARN"):
        bare_session("arn:aws:iam::123456789012:user/u")


def prepared(*statements: dict[str, object]) -> Prepared:
    result = prepare([Policy("p", "identity", doc(*statements))])
    assert isinstance(result, Prepared)
    return result


def test_named_keys_are_condition_keys_and_variable_keys_in_lower_case() -> None:
    keys = named_keys(
        prepared(
            allow(
                "s3:GetObject",
                "arn:aws:s3:::b/${aws:PrincipalTag/Team}/*",
                Condition={"StringLike": {"S3:Prefix": "${aws:userid}/*"}},
            ),
            allow("s3:PutObject", Condition={"Null": {"aws:TokenIssueTime": "false"}}),
        )
    )
    assert keys == frozenset({"s3:prefix", "aws:userid", "aws:principaltag/team", "aws:tokenissuetime"})


def test_a_closed_request_marks_every_other_named_key_absent_except_unknown_ones() -> None:
    session = bare_session(source_identity="u")
    policies = prepared(
        allow(
            "s3:ListBucket",
            Condition={"StringLike": {"s3:prefix": "a/*", "aws:userid": "*", "s3:delimiter": "/"}},
        )
    )
    req = closed_request("s3:ListBucket", "arn:aws:s3:::b", {"s3:prefix": ("a/x",)}, session, policies)
    assert req.known_absent == frozenset({"s3:delimiter", "aws:username"})
    assert req.principal == session.principal
    assert req.context["s3:prefix"] == ("a/x",)


def test_ask_judges_a_plan_against_its_session_policy_and_role_ceiling() -> None:
    catalog, settings = support.catalog(), support.settings()
    plan = plan_vend(support.caller(), "S3_OWN_PREFIX", None, catalog=catalog, settings=settings)
    own = Question("s3:GetObject", f"arn:aws:s3:::{support.BUCKET}/users/{support.SUB}/a")
    other = Question("s3:GetObject", f"arn:aws:s3:::{support.BUCKET}/users/{support.OTHER_SUB}/a")
    answers = [ask(plan, q, catalog=catalog, deployment=settings.deployment, now=NOW) for q in (own, other)]
    assert [a.decision.outcome for a in answers] == ["Allow", "ImplicitDeny"]
    assert [r.source for r in answers[0].decision.deciding] == [
        "vend role 'uploads' identity policy (infra ceiling)",
        "session policy",
    ]
    request = answers[0].request
    assert request is not None
    assert request.context["aws:PrincipalTag/vend:sub"] == (support.SUB,)
    assert request.context["aws:SourceIdentity"] == (support.SUB,)


def session_request(action: str, resource: str, policies: Prepared, **extra: tuple[str, ...]) -> Request:
    session = role_session(
        role_arn="arn:aws:iam::123456789012:role/vend-uploads",
        session_name=f"{support.SUB}.S3_OWN_PREFIX",
        source_identity=support.SUB,
        tags=[("vend:sub", support.SUB), ("vend:scope", "S3_OWN_PREFIX")],
        region="eu-west-1",
        issued_at=ISSUED,
        now=NOW,
    )
    return closed_request(action, resource, extra, session, policies)


OWN = f"arn:aws:s3:::b/users/{support.SUB}/a"


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        # Each key a vended session carries, in the shape docs/deploy.md and the catalog use them.
        ({"StringEquals": {"aws:PrincipalTag/vend:sub": support.SUB}}, "Allow"),
        ({"StringEquals": {"aws:PrincipalTag/vend:scope": "TENANT_FILES"}}, "ImplicitDeny"),
        ({"StringEquals": {"aws:SourceIdentity": support.SUB}}, "Allow"),
        ({"StringEquals": {"aws:SourceIdentity": support.OTHER_SUB}}, "ImplicitDeny"),
        ({"DateGreaterThan": {"aws:TokenIssueTime": "2026-03-01T11:59:59Z"}}, "Allow"),
        ({"DateGreaterThan": {"aws:TokenIssueTime": "2026-03-01T12:00:00Z"}}, "ImplicitDeny"),
        ({"DateLessThan": {"aws:CurrentTime": "2026-03-01T12:05:01Z"}}, "Allow"),
        ({"DateLessThan": {"aws:CurrentTime": "2026-03-01T12:05:00Z"}}, "ImplicitDeny"),
        ({"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}, "Allow"),
        ({"StringEquals": {"aws:RequestedRegion": "us-east-1"}}, "ImplicitDeny"),
        ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/vend-*"}}, "Allow"),
        # aws:username is not present for a role session; aws:userid is present but unknown here.
        ({"Null": {"aws:username": "true"}}, "Allow"),
        ({"StringLike": {"aws:userid": "*"}}, "NotModelled"),
    ],
)
def test_each_session_key_in_a_condition(condition: dict[str, object], expected: str) -> None:
    policies = prepared(allow("s3:GetObject", Condition=condition))
    assert evaluate_prepared(session_request("s3:GetObject", OWN, policies), policies).outcome == expected


def test_the_session_tag_as_a_policy_variable() -> None:
    policies = prepared(allow("s3:GetObject", "arn:aws:s3:::b/users/${aws:PrincipalTag/vend:sub}/*"))
    own = evaluate_prepared(session_request("s3:GetObject", OWN, policies), policies)
    other = f"arn:aws:s3:::b/users/{support.OTHER_SUB}/a"
    assert (
        own.outcome,
        evaluate_prepared(session_request("s3:GetObject", other, policies), policies).outcome,
    ) == (
        "Allow",
        "ImplicitDeny",
    )


@pytest.mark.parametrize(
    ("revocation", "expected"),
    [
        # docs/deploy.md: revoke every session issued before a time, or every session of one caller.
        ({"DateLessThan": {"aws:TokenIssueTime": "2026-03-01T12:00:01Z"}}, "ExplicitDeny"),
        ({"DateLessThan": {"aws:TokenIssueTime": "2026-03-01T12:00:00Z"}}, "Allow"),
        ({"StringEquals": {"aws:SourceIdentity": [support.OTHER_SUB, support.SUB]}}, "ExplicitDeny"),
        ({"StringEquals": {"aws:SourceIdentity": [support.OTHER_SUB]}}, "Allow"),
    ],
)
def test_the_documented_revocation_denies(revocation: dict[str, object], expected: str) -> None:
    policies = prepared(
        allow("s3:*"), {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": revocation}
    )
    assert evaluate_prepared(session_request("s3:GetObject", OWN, policies), policies).outcome == expected
