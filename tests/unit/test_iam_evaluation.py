"""AWS's policy evaluation logic within one account, from the IAM reference's own examples and rules:
explicit deny, identity-based policies, session policies, permissions boundaries and resource-based policies
(including how the Principal decides which implicit denies still apply). Expected decisions are written by hand.
"""

from __future__ import annotations

import pytest

from tests.iam_helpers import (
    ACCOUNT,
    ROLE_ARN,
    SESSION_ARN,
    USER_ARN,
    allow,
    deny,
    judge,
    policy,
    request,
    role_session_request,
)
from vend_local.iam.model import Policy, StatementRef

CARLOS = "arn:aws:iam::123456789012:user/carlossalazar"
CARLOS_POLICY = policy(
    "identity",
    {
        "Sid": "AllowS3ListRead",
        "Effect": "Allow",
        "Action": [
            "s3:GetBucketLocation",
            "s3:GetAccountPublicAccessBlock",
            "s3:ListAccessPoints",
            "s3:ListAllMyBuckets",
        ],
        "Resource": "arn:aws:s3:::*",
    },
    {
        "Sid": "AllowS3Self",
        "Effect": "Allow",
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::carlossalazar/*", "arn:aws:s3:::carlossalazar"],
    },
    {"Sid": "DenyS3Logs", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::*log*"},
    source="carlossalazar user policy",
)
CARLOS_BUCKET_POLICY = policy(
    "resource",
    {
        "Effect": "Allow",
        "Principal": {"AWS": CARLOS},
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::carlossalazar/*", "arn:aws:s3:::carlossalazar"],
    },
    source="carlossalazar bucket policy",
)


def carlos(action: str, resource: str) -> str:
    req = request(action, resource, {"aws:PrincipalArn": CARLOS}, principal=CARLOS)
    return judge(req, CARLOS_POLICY, CARLOS_BUCKET_POLICY).outcome


def test_the_carlos_example_an_explicit_deny_overrides_both_allows() -> None:
    # "Example identity-based and resource-based policy evaluation": saving to carlossalazar-logs is denied.
    assert carlos("s3:PutObject", "arn:aws:s3:::carlossalazar-logs/f.txt") == "ExplicitDeny"


def test_the_carlos_example_saving_to_his_own_bucket_is_allowed() -> None:
    assert carlos("s3:PutObject", "arn:aws:s3:::carlossalazar/f.txt") == "Allow"
    assert carlos("s3:ListAllMyBuckets", "arn:aws:s3:::anything") == "Allow"
    assert carlos("s3:PutObject", "arn:aws:s3:::someone-else/f.txt") == "ImplicitDeny"


def test_either_the_identity_or_the_resource_policy_is_enough_within_one_account() -> None:
    # "If either ... allows the request and the other doesn't, the request is still allowed."
    req = request(
        "s3:PutObject", "arn:aws:s3:::carlossalazar/f", {"aws:PrincipalArn": CARLOS}, principal=CARLOS
    )
    only_bucket = judge(req, policy("identity", allow("ec2:*")), CARLOS_BUCKET_POLICY)
    only_identity = judge(req, CARLOS_POLICY)
    assert (only_bucket.outcome, only_identity.outcome) == ("Allow", "Allow")
    assert only_bucket.deciding == (StatementRef("carlossalazar bucket policy", 0, None),)


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("iam:GetUser", "Allow"),  # AllowGetList
        ("iam:ListRoles", "Allow"),
        ("iam:CreatePolicy", "ImplicitDeny"),  # no statement allows it
        ("iam:GetOrganizationsAccessReport", "ExplicitDeny"),  # DenyReports wins over AllowGetList
        ("iam:GenerateCredentialReport", "ExplicitDeny"),
    ],
)
def test_the_explicit_and_implicit_deny_example(action: str, expected: str) -> None:
    # "The difference between explicit and implicit denies": AllowGetList and DenyReports.
    statements = (
        {"Sid": "AllowGetList", "Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"},
        {"Sid": "DenyReports", "Effect": "Deny", "Action": "iam:*Report", "Resource": "*"},
    )
    extra = policy("identity", allow("iam:GenerateCredentialReport"), source="added later")
    decision = judge(request(action, "*"), policy("identity", *statements), extra)
    assert decision.outcome == expected
    if expected == "ExplicitDeny":
        assert [ref.sid for ref in decision.deciding] == ["DenyReports"]


S3_OBJECT = "arn:aws:s3:::productionapp/photo.jpg"
ROLE_POLICY = policy(
    "identity",
    allow(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], "arn:aws:s3:::productionapp/*"),
    source="role policy",
)


def test_a_session_policy_intersects_with_the_role_policy() -> None:
    # AssumeRole with a session policy: the session may do only what both allow.
    session = policy("session", allow("s3:GetObject", "arn:aws:s3:::productionapp/*"), source="session")
    assert judge(request("s3:GetObject", S3_OBJECT), ROLE_POLICY, session).outcome == "Allow"
    put = judge(request("s3:PutObject", S3_OBJECT), ROLE_POLICY, session)
    assert put.outcome == "ImplicitDeny"
    assert "no session policy statement allows s3:PutObject" in put.message


def test_a_session_policy_cannot_grant_more_than_the_role() -> None:
    session = policy("session", allow("s3:*"), source="session")
    assert (
        judge(request("s3:ListBucket", "arn:aws:s3:::productionapp"), ROLE_POLICY, session).outcome
        == "ImplicitDeny"
    )


def test_any_one_session_policy_is_enough_inline_or_managed() -> None:
    inline = policy("session", allow("s3:GetObject", "arn:aws:s3:::productionapp/*"), source="inline")
    managed = policy(
        "session",
        allow("s3:PutObject", "arn:aws:s3:::productionapp/*"),
        source="arn:aws:iam::111122223333:policy/m",
    )
    assert judge(request("s3:PutObject", S3_OBJECT), ROLE_POLICY, inline, managed).outcome == "Allow"
    assert (
        judge(request("s3:DeleteObject", S3_OBJECT), ROLE_POLICY, inline, managed).outcome == "ImplicitDeny"
    )


def test_a_deny_in_a_session_policy_wins() -> None:
    session = policy("session", allow("s3:*"), deny("s3:DeleteObject"), source="session")
    decision = judge(request("s3:DeleteObject", S3_OBJECT), ROLE_POLICY, session)
    assert (decision.outcome, decision.deciding) == ("ExplicitDeny", (StatementRef("session", 1, None),))


def test_the_permissions_boundary_must_allow_too() -> None:
    boundary = policy("boundary", allow("s3:GetObject"), source="boundary")
    assert judge(request("s3:GetObject", S3_OBJECT), ROLE_POLICY, boundary).outcome == "Allow"
    put = judge(request("s3:PutObject", S3_OBJECT), ROLE_POLICY, boundary)
    assert put.outcome == "ImplicitDeny"
    assert "permissions boundary" in put.message


def test_no_identity_policy_is_an_implicit_deny_and_no_policy_at_all_too() -> None:
    assert (
        judge(request("s3:GetObject", S3_OBJECT), policy("session", allow("s3:*"))).outcome == "ImplicitDeny"
    )
    assert judge(request("s3:GetObject", S3_OBJECT)).outcome == "ImplicitDeny"


def bucket_policy(principal: object, effect: str = "Allow") -> Policy:
    statement = {
        "Effect": effect,
        "Principal": principal,
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::shared/*",
    }
    return policy("resource", statement, source="bucket policy")


SHARED = "arn:aws:s3:::shared/report.csv"
NARROW_SESSION = policy("session", allow("s3:ListAllMyBuckets"), source="session")
ROLE_WITHOUT_S3 = policy("identity", allow("ec2:DescribeInstances"), source="role policy")


@pytest.mark.parametrize(
    ("principal", "session_policy", "expected"),
    [
        # Granted to the role session ARN: not limited by implicit denies in identity or session policies.
        ({"AWS": SESSION_ARN}, True, "Allow"),
        ({"AWS": SESSION_ARN}, False, "Allow"),
        # Granted to the role ARN: limited by an implicit deny in the session policy (or boundary) ...
        ({"AWS": ROLE_ARN}, True, "ImplicitDeny"),
        # ... but it stands in for the identity-based policy.
        ({"AWS": ROLE_ARN}, False, "Allow"),
        # Granted to the account: the identity-based policy must allow on its own.
        ({"AWS": ACCOUNT}, False, "ImplicitDeny"),
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, False, "ImplicitDeny"),
        # Granted to everyone: treated like the role ARN (limited by the session policy).
        ("*", True, "ImplicitDeny"),
        ({"AWS": "*"}, False, "Allow"),
        # Someone else.
        ({"AWS": "arn:aws:iam::111122223333:role/other"}, False, "ImplicitDeny"),
        ({"Service": "lambda.amazonaws.com"}, False, "ImplicitDeny"),
    ],
)
def test_resource_based_policies_and_the_principal_they_name(
    principal: object, session_policy: bool, expected: str
) -> None:
    policies = [ROLE_WITHOUT_S3, bucket_policy(principal)]
    if session_policy:
        policies.append(NARROW_SESSION)
    assert judge(role_session_request("s3:GetObject", SHARED), *policies).outcome == expected


def test_a_role_arn_grant_is_limited_by_the_permissions_boundary() -> None:
    boundary = policy("boundary", allow("ec2:*"), source="boundary")
    decision = judge(
        role_session_request("s3:GetObject", SHARED),
        ROLE_WITHOUT_S3,
        boundary,
        bucket_policy({"AWS": ROLE_ARN}),
    )
    assert decision.outcome == "ImplicitDeny"
    direct = judge(
        role_session_request("s3:GetObject", SHARED),
        ROLE_WITHOUT_S3,
        boundary,
        bucket_policy({"AWS": SESSION_ARN}),
    )
    assert direct.outcome == "Allow"


def test_an_account_grant_with_an_identity_allow_is_allowed() -> None:
    role = policy("identity", allow("s3:GetObject", "arn:aws:s3:::shared/*"), source="role policy")
    assert (
        judge(role_session_request("s3:GetObject", SHARED), role, bucket_policy({"AWS": ACCOUNT})).outcome
        == "Allow"
    )


def test_a_deny_in_a_resource_policy_wins_over_every_allow() -> None:
    role = policy("identity", allow("s3:*"), source="role policy")
    decision = judge(
        role_session_request("s3:GetObject", SHARED), role, bucket_policy({"AWS": ROLE_ARN}, "Deny")
    )
    assert decision.outcome == "ExplicitDeny"


@pytest.mark.parametrize(
    ("listed", "denied"),
    [
        # NotPrincipal with Deny: a role session escapes only if its session, its role and its account are listed.
        ([SESSION_ARN, ROLE_ARN, f"arn:aws:iam::{ACCOUNT}:root"], False),
        ([SESSION_ARN, ROLE_ARN], True),
        ([SESSION_ARN], True),
        (["arn:aws:iam::111122223333:user/other"], True),
    ],
)
def test_not_principal_with_deny(listed: list[str], denied: bool) -> None:
    statement = {
        "Effect": "Deny",
        "NotPrincipal": {"AWS": listed},
        "Action": "s3:*",
        "Resource": "arn:aws:s3:::shared/*",
    }
    role = policy("identity", allow("s3:*"), source="role policy")
    decision = judge(role_session_request("s3:GetObject", SHARED), role, policy("resource", statement))
    assert decision.outcome == ("ExplicitDeny" if denied else "Allow")


def test_a_resource_policy_cannot_be_judged_without_a_principal() -> None:
    decision = judge(request("s3:GetObject", SHARED), ROLE_WITHOUT_S3, bucket_policy({"AWS": ROLE_ARN}))
    assert decision.outcome == "NotModelled"
    assert "names no principal" in decision.message


def test_a_trust_policy_naming_the_calling_role() -> None:
    # A vend role trusts the Lambda role: a session of the Lambda role may assume it.
    trust = policy(
        "resource",
        {"Effect": "Allow", "Principal": {"AWS": ROLE_ARN}, "Action": ["sts:AssumeRole", "sts:TagSession"]},
        source="vend role trust policy",
    )
    target = f"arn:aws:iam::{ACCOUNT}:role/vend-uploads"
    assert judge(role_session_request("sts:AssumeRole", target), trust).outcome == "Allow"
    other = request("sts:AssumeRole", target, {"aws:PrincipalArn": USER_ARN}, principal=USER_ARN)
    assert judge(other, trust).outcome == "ImplicitDeny"


def test_decisions_name_the_statements_of_every_required_policy() -> None:
    role = policy("identity", {"Sid": "Role", **allow("s3:GetObject")}, source="role")
    session = policy("session", {"Sid": "Session", **allow("s3:GetObject")}, source="session")
    boundary = policy("boundary", {"Sid": "Boundary", **allow("s3:*")}, source="boundary")
    decision = judge(request("s3:GetObject", S3_OBJECT), role, session, boundary)
    assert decision.deciding == (
        StatementRef("role", 0, "Role"),
        StatementRef("boundary", 0, "Boundary"),
        StatementRef("session", 0, "Session"),
    )
    assert "statement Role of 'role'" in decision.message


def test_an_implicit_deny_names_nothing_as_deciding() -> None:
    decision = judge(request("s3:GetObject", S3_OBJECT), policy("identity", allow("ec2:*")))
    assert (decision.allowed, decision.deciding) == (False, ())
    assert "no identity-based policy statement allows s3:GetObject" in decision.message


def test_a_malformed_policy_anywhere_is_not_modelled_even_if_another_allows() -> None:
    bad = Policy("bad", "session", {"Statement": [{"Effect": "Allow"}]})
    decision = judge(request("s3:GetObject", S3_OBJECT), policy("identity", allow("s3:*")), bad)
    assert (decision.allowed, decision.outcome) == (False, "NotModelled")
    assert "'bad'" in decision.message
