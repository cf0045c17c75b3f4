"""Action and resource matching, policy variables, and policy document validation, against AWS's IAM JSON policy
element reference (Action, Resource, Version, policy variables). Expected outcomes are written by hand.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.iam_helpers import allow, deny, doc, judge, policy, request
from vend_local.iam.model import Policy, PolicyKind


def allows(statement: dict[str, Any], action: str, resource: str, **context: Any) -> bool:
    decision = judge(request(action, resource, context), policy("identity", statement))
    assert decision.outcome != "NotModelled", decision.message
    return decision.allowed


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("s3:GetObject", "s3:GetObject", True),
        ("S3:getobject", "s3:GetObject", True),  # action names are case-insensitive
        ("s3:Get*", "s3:GetObjectAcl", True),
        ("s3:Get*", "s3:PutObject", False),
        ("s3:*Object", "s3:DeleteObject", True),
        ("s3:?etObject", "s3:GetObject", True),
        ("s3:?etObject", "s3:GGetObject", False),
        ("*", "dynamodb:Query", True),
        ("s3:*", "s3express:CreateSession", False),
        ("iam:*AccessKey*", "iam:UpdateAccessKey", True),
    ],
)
def test_action_matching(pattern: str, action: str, expected: bool) -> None:
    assert allows(allow(pattern), action, "arn:aws:s3:::b/k") is expected


def test_not_action_matches_every_other_action() -> None:
    statement = {"Effect": "Allow", "NotAction": ["iam:*", "sts:*"], "Resource": "*"}
    assert allows(statement, "s3:GetObject", "arn:aws:s3:::b/k")
    assert not allows(statement, "iam:CreateUser", "arn:aws:iam::111122223333:user/x")


@pytest.mark.parametrize(
    ("pattern", "resource", "expected"),
    [
        ("arn:aws:s3:::my_corporate_bucket/*", "arn:aws:s3:::my_corporate_bucket/a/b:c.txt", True),
        ("arn:aws:s3:::my_corporate_bucket/*", "arn:aws:s3:::my_corporate_bucket", False),
        ("arn:aws:s3:::bucket", "arn:aws:s3:::Bucket", False),  # ARNs are case-sensitive
        (
            "arn:aws:iam::111122223333:user/accounting/*",
            "arn:aws:iam::111122223333:user/accounting/bob",
            True,
        ),
        ("arn:aws:iam::111122223333:user/Bob", "arn:aws:iam::111122223333:user/bob", False),
        ("arn:aws:s3:::b/users/?/*", "arn:aws:s3:::b/users/a/x", True),
        ("arn:aws:s3:::b/users/?/*", "arn:aws:s3:::b/users/ab/x", False),
        ("arn:aws:sqs:us-east-2:*:queue1", "arn:aws:sqs:us-east-2:111122223333:queue1", True),
        # '?' and a '*' inside a segment stay within it.
        ("arn:aws:sqs:us-east-?:111122223333:q", "arn:aws:sqs:us-east-:1:111122223333:q", False),
        ("arn:aws:sqs:us-*-2:111122223333:q", "arn:aws:sqs:us-east:x-2:111122223333:q", False),
        # A '*' that ends a segment may expand beyond the colon boundaries.
        ("arn:aws:sqs:*:111122223333:queue1", "arn:aws:sqs:us-east-2:111122223333:queue1", True),
        ("arn:aws:sqs:*:111122223333:queue1", "arn:aws:sqs:us-east-2:9:111122223333:queue1", True),
        ("arn:aws:sqs:us-*:111122223333:queue1", "arn:aws:sqs:us-east-2:9:111122223333:queue1", True),
        ("arn:aws:dynamodb:*:*:table/MyTable", "arn:aws:dynamodb:eu-west-1:111122223333:table/MyTable", True),
        ("arn:aws:dynamodb:*:*:table/MyTable", "arn:aws:dynamodb:eu-west-1:111122223333:table/Other", False),
        ("*", "arn:aws:dynamodb:eu-west-1:111122223333:table/Other", True),
    ],
)
def test_resource_matching(pattern: str, resource: str, expected: bool) -> None:
    assert allows(allow("s3:GetObject", pattern), "s3:GetObject", resource) is expected


def test_not_resource_matches_every_other_resource() -> None:
    statement = {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::safe/*"}
    policies = policy("identity", allow("s3:*"), statement)
    assert judge(request("s3:GetObject", "arn:aws:s3:::safe/a"), policies).outcome == "Allow"
    assert judge(request("s3:GetObject", "arn:aws:s3:::other/a"), policies).outcome == "ExplicitDeny"


def test_the_s3_home_directory_example_with_aws_username() -> None:
    # Amazon S3: allows IAM users access to their home directory (IAM policy examples).
    statements = (
        allow(
            "s3:ListBucket",
            "arn:aws:s3:::bucket-name",
            Condition={"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/*"]}},
        ),
        allow(
            "s3:*",
            [
                "arn:aws:s3:::bucket-name/home/${aws:username}",
                "arn:aws:s3:::bucket-name/home/${aws:username}/*",
            ],
        ),
    )
    david = {"aws:username": "David"}

    def outcome(action: str, resource: str, **context: str) -> str:
        return judge(request(action, resource, {**david, **context}), policy("identity", *statements)).outcome

    assert outcome("s3:ListBucket", "arn:aws:s3:::bucket-name", **{"s3:prefix": ""}) == "Allow"
    assert outcome("s3:ListBucket", "arn:aws:s3:::bucket-name", **{"s3:prefix": "home/"}) == "Allow"
    assert (
        outcome("s3:ListBucket", "arn:aws:s3:::bucket-name", **{"s3:prefix": "home/David/photos/"}) == "Allow"
    )
    assert (
        outcome("s3:ListBucket", "arn:aws:s3:::bucket-name", **{"s3:prefix": "home/Adele/"}) == "ImplicitDeny"
    )
    assert outcome("s3:GetObject", "arn:aws:s3:::bucket-name/home/David/notes.txt") == "Allow"
    assert outcome("s3:GetObject", "arn:aws:s3:::bucket-name/home/Adele/notes.txt") == "ImplicitDeny"


def test_the_dynamodb_leading_keys_example_with_a_cognito_identity() -> None:
    # Amazon DynamoDB: allows item-level access based on an Amazon Cognito ID (IAM policy examples).
    statement = allow(
        [
            "dynamodb:DeleteItem",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:Query",
            "dynamodb:UpdateItem",
        ],
        ["arn:aws:dynamodb:*:*:table/MyTable"],
        Condition={
            "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${cognito-identity.amazonaws.com:sub}"]}
        },
    )
    table = "arn:aws:dynamodb:us-east-1:111122223333:table/MyTable"
    me = "us-east-1:11111111-aaaa-bbbb-cccc-000000000000"

    def outcome(action: str, keys: tuple[str, ...] | None) -> str:
        context: dict[str, Any] = {"cognito-identity.amazonaws.com:sub": me}
        if keys is not None:
            context["dynamodb:LeadingKeys"] = keys
        absent = ["dynamodb:LeadingKeys"] if keys is None else []
        return judge(request(action, table, context, absent=absent), policy("identity", statement)).outcome

    assert outcome("dynamodb:GetItem", (me,)) == "Allow"
    assert outcome("dynamodb:Query", ("us-east-1:someone-else",)) == "ImplicitDeny"
    assert outcome("dynamodb:GetItem", (me, "us-east-1:someone-else")) == "ImplicitDeny"
    assert outcome("dynamodb:Scan", (me,)) == "ImplicitDeny"
    # The shape the new catalog lint warns about: without a Null guard, no LeadingKeys at all is allowed.
    assert outcome("dynamodb:GetItem", None) == "Allow"


@pytest.mark.parametrize(
    ("resource_pattern", "username", "resource", "expected"),
    [
        ("arn:aws:s3:::b/${aws:username}/*", "David", "arn:aws:s3:::b/David/x", "Allow"),
        ("arn:aws:s3:::b/${aws:username}/*", "David", "arn:aws:s3:::b/Adele/x", "ImplicitDeny"),
        (
            "arn:aws:s3:::b/${AWS:UserName}/*",
            "David",
            "arn:aws:s3:::b/David/x",
            "Allow",
        ),  # key case-insensitive
        ("arn:aws:s3:::b/${aws:username, 'shared'}/*", None, "arn:aws:s3:::b/shared/x", "Allow"),
        ("arn:aws:s3:::b/${aws:username, 'it''s'}/*", None, "arn:aws:s3:::b/it's/x", "Allow"),
        ("arn:aws:s3:::b/${aws:username}/*", None, "arn:aws:s3:::b//x", "ImplicitDeny"),  # no value: no match
        # ${*}, ${?} and ${$} are the literal characters, never wildcards.
        ("arn:aws:s3:::b/${*}", "David", "arn:aws:s3:::b/*", "Allow"),
        ("arn:aws:s3:::b/${*}", "David", "arn:aws:s3:::b/anything", "ImplicitDeny"),
        ("arn:aws:s3:::b/a${?}", "David", "arn:aws:s3:::b/a?", "Allow"),
        ("arn:aws:s3:::b/a${?}", "David", "arn:aws:s3:::b/ab", "ImplicitDeny"),
        ("arn:aws:s3:::b/${$}{aws:username}", "David", "arn:aws:s3:::b/${aws:username}", "Allow"),
    ],
)
def test_policy_variables_in_resources(
    resource_pattern: str, username: str | None, resource: str, expected: str
) -> None:
    context = {} if username is None else {"aws:username": username}
    absent = ["aws:username"] if username is None else []
    decision = judge(
        request("s3:GetObject", resource, context, absent=absent),
        policy("identity", allow("s3:GetObject", resource_pattern)),
    )
    assert decision.outcome == expected


def test_an_unresolvable_variable_makes_a_deny_not_apply_either() -> None:
    # "not present ... any attempt to match it fails and causes the statement to be invalid".
    statements = (
        allow("s3:GetObject"),
        deny(
            "s3:GetObject",
            "arn:aws:s3:::b/*",
            Condition={"StringNotEquals": {"s3:prefix": "${aws:username}"}},
        ),
    )
    decision = judge(
        request("s3:GetObject", "arn:aws:s3:::b/x", absent=["aws:username", "s3:prefix"]),
        policy("identity", *statements),
    )
    assert decision.outcome == "Allow"


def test_variables_are_literal_text_without_version_2012_10_17() -> None:
    statement = allow("s3:GetObject", "arn:aws:s3:::b/${aws:username}/*")
    old = Policy("old", "identity", doc(statement, version=None))
    context = {"aws:username": "David"}
    assert judge(request("s3:GetObject", "arn:aws:s3:::b/David/x", context), old).outcome == "ImplicitDeny"
    assert judge(request("s3:GetObject", "arn:aws:s3:::b/${aws:username}/x", context), old).outcome == "Allow"


@pytest.mark.parametrize(
    ("context", "absent", "expected", "named"),
    [
        ({"aws:PrincipalTag/team": ("a", "b")}, [], "NotModelled", "multivalued"),
        ({}, [], "NotModelled", "${aws:PrincipalTag/team}"),  # neither present nor known absent
        # A resolved value with a wildcard character in a wildcard position: AWS does not document it.
        ({"aws:PrincipalTag/team": "a*"}, [], "NotModelled", "wildcard"),
    ],
)
def test_variables_that_cannot_be_judged(
    context: dict[str, Any], absent: list[str], expected: str, named: str
) -> None:
    statement = allow("s3:GetObject", "arn:aws:s3:::b/${aws:PrincipalTag/team}/*")
    decision = judge(
        request("s3:GetObject", "arn:aws:s3:::b/a/x", context, absent=absent), policy("identity", statement)
    )
    assert decision.outcome == expected
    assert named in decision.message


def test_a_variable_in_string_equals_compares_literally() -> None:
    statement = allow(
        "s3:GetObject", Condition={"StringEquals": {"aws:PrincipalTag/owner": "${aws:SourceIdentity}"}}
    )
    context = {"aws:PrincipalTag/owner": "u-1", "aws:SourceIdentity": "u-1"}
    assert (
        judge(request("s3:GetObject", "arn:aws:s3:::b/k", context), policy("identity", statement)).outcome
        == "Allow"
    )
    context["aws:SourceIdentity"] = "u-2"
    assert (
        judge(request("s3:GetObject", "arn:aws:s3:::b/k", context), policy("identity", statement)).outcome
        == "ImplicitDeny"
    )


def malformed(kind: PolicyKind, document: Any) -> str:
    decision = judge(request("s3:GetObject", "arn:aws:s3:::b/k"), Policy("p", kind, document))
    assert (decision.allowed, decision.outcome) == (False, "NotModelled")
    return decision.message


@pytest.mark.parametrize(
    ("document", "named"),
    [
        ("not an object", "not a JSON object"),
        ({"Version": "2012-10-17"}, "Statement"),
        ({"Version": "2012-10-17", "Statement": []}, "Statement"),
        ({"Version": "2021-01-01", "Statement": [allow("s3:*")]}, "Version"),
        # Found by make fuzz: an unhashable Version is malformed, not a TypeError.
        ({"Version": [], "Statement": [allow("s3:*")]}, "Version"),
        ({"Version": "2012-10-17", "Statement": [allow("s3:*")], "Extra": 1}, "'Extra'"),
        (doc({"Effect": "allow", "Action": "s3:*", "Resource": "*"}), "Effect"),
        (doc({"Effect": "Allow", "Resource": "*"}), "Action or NotAction"),
        (doc({"Effect": "Allow", "Action": "s3:*", "NotAction": "s3:Get*", "Resource": "*"}), "not both"),
        (doc({"Effect": "Allow", "Action": "s3:*"}), "Resource or NotResource"),
        (doc({"Effect": "Allow", "Action": "GetObject", "Resource": "*"}), "'GetObject'"),
        (doc({"Effect": "Allow", "Action": [], "Resource": "*"}), "non-empty list"),
        (doc(allow("s3:*", "bucket/*")), "neither '*' nor an ARN"),
        (doc(allow("s3:*", "arn:aws:s3:b")), "neither '*' nor an ARN"),
        (doc(allow("s3:*", "arn:aws:s*:::b")), "service segment"),
        (doc(allow("s3:*", "arn:aws:s3:${aws:username}::b")), "before the resource part"),
        (doc(allow("s3:*", "arn:aws:s3:::b/${aws:username")), "malformed policy variable"),
        (doc(allow("s3:*", "arn:aws:s3:::b/${aws:username, default}")), "single quotes"),
        (doc(allow("s3:*", Principal="*")), "resource-based policies only"),
        (doc(allow("s3:*", Condition={"StringEqualz": {"k:k": "v"}})), "'StringEqualz'"),
        (doc(allow("s3:*", Condition={"NullIfExists": {"k:k": "true"}})), "Null takes neither"),
        (doc(allow("s3:*", Condition={"NumericEquals": {"k:k": "ten"}})), "numeric"),
        (doc(allow("s3:*", Condition={"DateEquals": {"k:k": "2020-13-01"}})), "date"),
        (doc(allow("s3:*", Condition={"Bool": {"k:k": "yes"}})), "bool"),
        (doc(allow("s3:*", Condition={"IpAddress": {"k:k": "300.0.0.0/8"}})), "ip"),
        (
            doc(allow("s3:*", Condition={"NumericEquals": {"k:k": "${aws:userid}"}})),
            "String and ARN operators",
        ),
        (doc(allow("s3:*", Condition={"StringEquals": {"k:k": []}})), "values must be"),
        (doc(allow("s3:*", Condition={"StringEquals": {"k:k": {"a": 1}}})), "values must be"),
        (doc(allow("s3:*", Condition={"StringEquals": {}})), "condition key"),
        (doc(allow("s3:*", Condition=[])), "Condition"),
    ],
)
def test_malformed_identity_policies_are_not_modelled_and_named(document: Any, named: str) -> None:
    assert named in malformed("identity", document)


def test_resource_policies_need_a_principal_and_may_omit_the_resource() -> None:
    assert "Principal or NotPrincipal" in malformed("resource", doc(allow("s3:*")))
    assert "unknown principal type" in malformed(
        "resource", doc({"Effect": "Allow", "Action": "s3:*", "Principal": {"Users": "x"}})
    )
    trust = Policy(
        "trust",
        "resource",
        doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "111122223333"}}),
    )
    decision = judge(
        request(
            "sts:AssumeRole", "arn:aws:iam::111122223333:role/r", principal="arn:aws:iam::111122223333:user/u"
        ),
        trust,
    )
    assert decision.outcome != "NotModelled"


def test_a_single_statement_object_is_accepted() -> None:
    single = Policy("p", "identity", {"Version": "2012-10-17", "Statement": allow("s3:GetObject")})
    assert judge(request("s3:GetObject", "arn:aws:s3:::b/k"), single).outcome == "Allow"
