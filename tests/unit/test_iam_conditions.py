"""Every condition operator, set operator, IfExists and Null, against AWS's condition operator reference.

Each row: a condition in an Allow of an identity policy, a request context (a key in ``ABSENT`` is known to be
missing) and the outcome AWS documents. Expected outcomes are written by hand from the reference, never computed.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.iam_helpers import allow, deny, judge, policy, request
from vend_local.iam.model import Outcome

ABSENT = object()
ACTION, RESOURCE = "s3:GetObject", "arn:aws:s3:::bucket/key"


def outcome(condition: dict[str, Any], **context: Any) -> Outcome:
    """The outcome of an Allow whose only restriction is ``condition``."""
    present = {k.replace("__", ":").replace("_SLASH_", "/"): v for k, v in context.items() if v is not ABSENT}
    absent = [k.replace("__", ":").replace("_SLASH_", "/") for k, v in context.items() if v is ABSENT]
    statement = allow(ACTION, RESOURCE, Condition=condition)
    return judge(request(ACTION, RESOURCE, present, absent=absent), policy("identity", statement)).outcome


OK, NO, NM = "Allow", "ImplicitDeny", "NotModelled"


@pytest.mark.parametrize(
    ("condition", "value", "expected"),
    [
        # StringEquals: exact, case-sensitive; no wildcards.
        ({"StringEquals": {"k:k": "a"}}, "a", OK),
        ({"StringEquals": {"k:k": "a"}}, "A", NO),
        ({"StringEquals": {"k:k": "a*"}}, "abc", NO),
        ({"StringEquals": {"k:k": "a*"}}, "a*", OK),
        ({"StringEquals": {"k:k": ["x", "a"]}}, "a", OK),  # values of one key are ORed
        ({"StringEquals": {"k:k": "a"}}, ABSENT, NO),
        # StringNotEquals: none of the values; a missing key makes a negated operator true.
        ({"StringNotEquals": {"k:k": ["a", "b"]}}, "c", OK),
        ({"StringNotEquals": {"k:k": ["a", "b"]}}, "b", NO),
        ({"StringNotEquals": {"k:k": "a"}}, ABSENT, OK),
        # ...IgnoreCase.
        ({"StringEqualsIgnoreCase": {"k:k": "Admin"}}, "aDMIN", OK),
        ({"StringEqualsIgnoreCase": {"k:k": "Admin"}}, "Admins", NO),
        ({"StringNotEqualsIgnoreCase": {"k:k": "Admin"}}, "ADMIN", NO),
        ({"StringNotEqualsIgnoreCase": {"k:k": "Admin"}}, "user", OK),
        # StringLike: * any run (also empty), ? exactly one character, anywhere, case-sensitive.
        ({"StringLike": {"k:k": "home/*"}}, "home/x/y.txt", OK),
        ({"StringLike": {"k:k": "home/*"}}, "home/", OK),
        ({"StringLike": {"k:k": "home/*"}}, "Home/x", NO),
        ({"StringLike": {"k:k": "home/?"}}, "home/a", OK),
        ({"StringLike": {"k:k": "home/?"}}, "home/ab", NO),
        ({"StringLike": {"k:k": "home/?"}}, "home/", NO),
        ({"StringLike": {"k:k": "*/x"}}, "a:b/x", OK),
        ({"StringLike": {"k:k": ""}}, "", OK),
        ({"StringLike": {"k:k": "a"}}, ABSENT, NO),
        ({"StringNotLike": {"k:k": "home/*"}}, "home/x", NO),
        ({"StringNotLike": {"k:k": "home/*"}}, "other/x", OK),
        ({"StringNotLike": {"k:k": "home/*"}}, ABSENT, OK),
    ],
)
def test_string_operators(condition: dict[str, Any], value: Any, expected: str) -> None:
    assert outcome(condition, k__k=value) == expected


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        # Limits: one below, at and one above the policy value 10.
        ("NumericLessThan", "9", OK),
        ("NumericLessThan", "10", NO),
        ("NumericLessThan", "11", NO),
        ("NumericLessThanEquals", "9", OK),
        ("NumericLessThanEquals", "10", OK),
        ("NumericLessThanEquals", "11", NO),
        ("NumericGreaterThan", "9", NO),
        ("NumericGreaterThan", "10", NO),
        ("NumericGreaterThan", "11", OK),
        ("NumericGreaterThanEquals", "9", NO),
        ("NumericGreaterThanEquals", "10", OK),
        ("NumericGreaterThanEquals", "11", OK),
        ("NumericEquals", "9", NO),
        ("NumericEquals", "10", OK),
        ("NumericEquals", "10.0", OK),  # integers and decimals compare as numbers
        ("NumericEquals", "11", NO),
        ("NumericNotEquals", "10", NO),
        ("NumericNotEquals", "11", OK),
        ("NumericNotEquals", ABSENT, OK),
        ("NumericLessThan", ABSENT, NO),
        ("NumericLessThan", "9.5", OK),
        ("NumericLessThan", "-1", OK),
        ("NumericLessThan", "ten", NM),  # a request value that is not a number cannot be judged
    ],
)
def test_numeric_operators_at_the_limit(operator: str, value: Any, expected: str) -> None:
    # Policy value 10, as in the reference's s3:max-keys example (list up to 10 objects).
    assert outcome({operator: {"k:n": "10"}}, k__n=value) == expected


def test_numeric_key_with_a_dash() -> None:
    statement = allow(ACTION, RESOURCE, Condition={"NumericLessThanEquals": {"s3:max-keys": 10}})
    decision = judge(request(ACTION, RESOURCE, {"s3:max-keys": "10"}), policy("identity", statement))
    assert decision.outcome == OK


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        # One second before, at and after 2020-01-01T00:00:00Z.
        ("DateLessThan", "2019-12-31T23:59:59Z", OK),
        ("DateLessThan", "2020-01-01T00:00:00Z", NO),
        ("DateLessThan", "2020-01-01T00:00:01Z", NO),
        ("DateLessThanEquals", "2020-01-01T00:00:00Z", OK),
        ("DateLessThanEquals", "2020-01-01T00:00:01Z", NO),
        ("DateGreaterThan", "2020-01-01T00:00:00Z", NO),
        ("DateGreaterThan", "2020-01-01T00:00:01Z", OK),
        ("DateGreaterThanEquals", "2019-12-31T23:59:59Z", NO),
        ("DateGreaterThanEquals", "2020-01-01T00:00:00Z", OK),
        ("DateEquals", "2020-01-01T00:00:00Z", OK),
        ("DateEquals", "1577836800", OK),  # epoch seconds for the same instant
        ("DateEquals", "2020-01-01T01:00:00+01:00", OK),  # the same instant in another zone
        ("DateEquals", "2020-01-01", OK),  # a W3C date alone is midnight UTC
        ("DateEquals", "2020-01-01T00:00:00.000Z", OK),
        ("DateNotEquals", "2020-01-01T00:00:00Z", NO),
        ("DateNotEquals", "1577836801", OK),
        ("DateNotEquals", ABSENT, OK),
        ("DateGreaterThan", ABSENT, NO),
        ("DateLessThan", "yesterday", NM),
    ],
)
def test_date_operators_at_the_limit(operator: str, value: Any, expected: str) -> None:
    assert (
        outcome({operator: {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}, aws__CurrentTime=value) == expected
    )


def test_token_issue_time_example_from_the_reference() -> None:
    # "DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}: credentials issued after that instant.
    condition = {"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}}
    assert outcome(condition, aws__TokenIssueTime="2020-01-01T00:00:02Z") == OK
    assert outcome(condition, aws__TokenIssueTime="2020-01-01T00:00:01Z") == NO
    # Long-term credentials carry no aws:TokenIssueTime: the condition is false.
    assert outcome(condition, aws__TokenIssueTime=ABSENT) == NO


@pytest.mark.parametrize(
    ("policy_value", "value", "expected"),
    [
        ("true", "true", OK),
        ("true", "false", NO),
        ("false", "FALSE", OK),  # booleans compare without case
        (True, "true", OK),  # a JSON boolean in the policy reads as "true"
        ("true", ABSENT, NO),
        ("true", "yes", NM),
    ],
)
def test_bool(policy_value: Any, value: Any, expected: str) -> None:
    assert outcome({"Bool": {"aws:SecureTransport": policy_value}}, aws__SecureTransport=value) == expected


def test_bool_deny_example_from_the_reference() -> None:
    # BooleanExample: deny every S3 action on the bucket unless the request used SSL.
    statements = (
        allow("s3:*", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"),
        deny(
            "s3:*", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*", Condition={"Bool": {"aws:SecureTransport": "false"}}
        ),
    )
    resource = "arn:aws:s3:::DOC-EXAMPLE-BUCKET/a"
    plain = judge(
        request(ACTION, resource, {"aws:SecureTransport": "false"}), policy("identity", *statements)
    )
    secure = judge(
        request(ACTION, resource, {"aws:SecureTransport": "true"}), policy("identity", *statements)
    )
    assert (plain.outcome, secure.outcome) == ("ExplicitDeny", OK)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("QmluYXJ5VmFsdWVJbkJhc2U2NA==", OK), ("QmluYXJ5VmFsdWU=", NO), (ABSENT, NO), ("not base64!", NM)],
)
def test_binary_equals_compares_the_decoded_bytes(value: Any, expected: str) -> None:
    assert outcome({"BinaryEquals": {"k:bin": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}, k__bin=value) == expected


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        # The edges of 203.0.113.0/24 and one address either side.
        ("IpAddress", "203.0.112.255", NO),
        ("IpAddress", "203.0.113.0", OK),
        ("IpAddress", "203.0.113.255", OK),
        ("IpAddress", "203.0.114.0", NO),
        ("IpAddress", "2001:db8:1234:5678::1", OK),  # the IPv6 range of the same condition
        ("IpAddress", "2001:db8:1234:5679::1", NO),
        ("IpAddress", ABSENT, NO),
        ("IpAddress", "not-an-ip", NM),
        ("NotIpAddress", "203.0.113.7", NO),
        ("NotIpAddress", "198.51.100.7", OK),
        ("NotIpAddress", ABSENT, OK),
    ],
)
def test_ip_address_operators(operator: str, value: Any, expected: str) -> None:
    condition = {operator: {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]}}
    assert outcome(condition, aws__SourceIp=value) == expected


def test_an_ip_without_a_prefix_is_a_single_address() -> None:
    # "If you specify an IP address without the associated routing prefix, IAM uses the default prefix of /32."
    condition = {"IpAddress": {"aws:SourceIp": "203.0.113.5"}}
    assert (
        outcome(condition, aws__SourceIp="203.0.113.5"),
        outcome(condition, aws__SourceIp="203.0.113.6"),
    ) == (
        OK,
        NO,
    )


@pytest.mark.parametrize("operator", ["ArnLike", "ArnEquals"])
def test_arn_operators_match_each_of_the_six_components_separately(operator: str) -> None:
    # The reference's example: StringLike matches, an ARN operator does not, because its first '*' may only
    # cover the region component.
    pattern = "arn:aws:someservice:*:111122223333:finance/*"
    value = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
    assert outcome({"StringLike": {"aws:SourceArn": pattern}}, aws__SourceArn=value) == OK
    assert outcome({operator: {"aws:SourceArn": pattern}}, aws__SourceArn=value) == NO
    good = "arn:aws:someservice:us-east-2:111122223333:finance/reports/q1:v2"
    assert outcome({operator: {"aws:SourceArn": pattern}}, aws__SourceArn=good) == OK


@pytest.mark.parametrize("operator", ["ArnNotLike", "ArnNotEquals"])
def test_negated_arn_operators(operator: str) -> None:
    condition = {operator: {"aws:SourceArn": "arn:aws:sns:*:111122223333:topic"}}
    assert outcome(condition, aws__SourceArn="arn:aws:sns:eu-west-1:111122223333:topic") == NO
    assert outcome(condition, aws__SourceArn="arn:aws:sns:eu-west-1:111122223333:other") == OK
    assert outcome(condition, aws__SourceArn=ABSENT) == OK


@pytest.mark.parametrize(
    ("policy_value", "value", "expected"),
    [
        ("true", ABSENT, OK),  # "true": the key must be missing
        ("true", "2020-01-01T00:00:00Z", NO),
        ("false", "2020-01-01T00:00:00Z", OK),  # "false": the key must be present
        ("false", ABSENT, NO),
        (["true", "false"], ABSENT, OK),
        ("false", (), NO),  # a key with no values is missing
    ],
)
def test_null(policy_value: Any, value: Any, expected: str) -> None:
    assert outcome({"Null": {"aws:TokenIssueTime": policy_value}}, aws__TokenIssueTime=value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(ABSENT, OK), ("t2.micro", OK), ("m3.large", OK), ("m5.large", NO)],
)
def test_if_exists_example_from_the_reference(value: Any, expected: str) -> None:
    # StringLikeIfExists ec2:InstanceType t1.*, t2.*, m3.*: true where the key is missing.
    condition = {"StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}}
    assert outcome(condition, ec2__InstanceType=value) == expected


def test_a_negated_if_exists_deny_still_denies_when_the_key_is_missing() -> None:
    # "If you are using an "Effect": "Deny" element with a negated condition operator like
    # StringNotEqualsIfExists, the request is still denied even if the tag is missing."
    statements = (
        allow(ACTION, RESOURCE),
        deny(ACTION, RESOURCE, Condition={"StringNotEqualsIfExists": {"aws:ResourceTag/team": "blue"}}),
    )
    missing = judge(
        request(ACTION, RESOURCE, absent=["aws:ResourceTag/team"]), policy("identity", *statements)
    )
    blue = judge(request(ACTION, RESOURCE, {"aws:ResourceTag/team": "blue"}), policy("identity", *statements))
    assert (missing.outcome, blue.outcome) == ("ExplicitDeny", OK)


ATTRIBUTES = ["PostDateTime", "Message", "Tags"]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (("PostDateTime", "Message"), OK),  # every requested attribute is listed
        (("PostDateTime", "UserName"), NO),  # UserName is not
        (("PostDateTime",), OK),
        (ABSENT, OK),  # ForAllValues is true when the key is missing...
        ((), OK),  # ... or its values are an empty data set,
        (("",), OK),  # "for example, an empty string"
    ],
)
def test_for_all_values_example_from_the_reference(values: Any, expected: str) -> None:
    condition = {"ForAllValues:StringLike": {"dynamodb:requestedAttributes": ATTRIBUTES}}
    assert outcome(condition, dynamodb__requestedAttributes=values) == expected


@pytest.mark.parametrize(
    ("values", "denied"),
    [
        (("UserName", "Message", "PostDateTime"), True),  # PostDateTime matches
        (("UserName",), False),
        (ABSENT, False),  # ForAnyValue is false for a missing key
        (("",), False),
    ],
)
def test_for_any_value_deny_example_from_the_reference(values: Any, denied: bool) -> None:
    resource = "arn:aws:dynamodb:us-east-1:111122223333:table/Thread"
    condition = {"ForAnyValue:StringLike": {"dynamodb:requestedAttributes": ["ID", "PostDateTime"]}}
    statements = (
        allow("dynamodb:PutItem", resource),
        deny("dynamodb:PutItem", resource, Condition=condition),
    )
    context = {} if values is ABSENT else {"dynamodb:requestedAttributes": values}
    absent = ["dynamodb:requestedAttributes"] if values is ABSENT else []
    decision = judge(
        request("dynamodb:PutItem", resource, context, absent=absent), policy("identity", *statements)
    )
    assert decision.outcome == ("ExplicitDeny" if denied else OK)


@pytest.mark.parametrize(
    ("condition", "values", "expected"),
    [
        ({"ForAllValues:StringNotEquals": {"aws:TagKeys": ["secret"]}}, ("a", "b"), OK),
        ({"ForAllValues:StringNotEquals": {"aws:TagKeys": ["secret"]}}, ("a", "secret"), NO),
        ({"ForAllValues:StringNotEquals": {"aws:TagKeys": ["secret"]}}, ABSENT, OK),
        ({"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["secret"]}}, ("secret", "b"), OK),
        ({"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["secret"]}}, ("secret",), NO),
        ({"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["secret"]}}, ABSENT, NO),
        ({"ForAnyValue:StringEquals": {"aws:TagKeys": ["a"]}}, ("b", "a"), OK),
        ({"ForAllValues:StringEqualsIgnoreCase": {"aws:TagKeys": ["Team"]}}, ("TEAM", "team"), OK),
        ({"ForAllValues:NumericLessThan": {"k:n": "5"}}, ("1", "4"), OK),
        ({"ForAllValues:NumericLessThan": {"k:n": "5"}}, ("1", "5"), NO),
        ({"ForAnyValue:IpAddress": {"k:ips": "10.0.0.0/8"}}, ("192.0.2.1", "10.1.2.3"), OK),
        ({"ForAllValues:StringLikeIfExists": {"aws:TagKeys": ["a*"]}}, ABSENT, OK),
        # ForAnyValue with IfExists on a missing key: AWS documents neither reading, so it is not modelled.
        ({"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["a*"]}}, ABSENT, NM),
        ({"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["a*"]}}, ("b", "ab"), OK),
        # A multivalued key needs a set operator.
        ({"StringEquals": {"aws:TagKeys": ["a"]}}, ("a", "a"), NM),
        ({"StringEquals": {"aws:TagKeys": ["a"]}}, ("a",), OK),
    ],
)
def test_set_operators(condition: dict[str, Any], values: Any, expected: str) -> None:
    key = next(iter(next(iter(condition.values()))))
    assert outcome(condition, **{key.replace(":", "__"): values}) == expected


def test_keys_are_anded_operators_are_anded_and_keys_compare_without_case() -> None:
    condition = {
        "StringEquals": {"aws:PrincipalTag/team": "blue", "aws:RequestedRegion": "eu-west-1"},
        "Bool": {"AWS:SecureTransport": "true"},
    }
    base = {
        "aws:PrincipalTag/team": "blue",
        "aws:requestedregion": "eu-west-1",
        "aws:securetransport": "true",
    }
    statement = allow(ACTION, RESOURCE, Condition=condition)
    assert judge(request(ACTION, RESOURCE, base), policy("identity", statement)).outcome == OK
    for key, wrong in zip(base, ["red", "us-east-1", "false"], strict=True):
        broken = {**base, key: wrong}
        assert judge(request(ACTION, RESOURCE, broken), policy("identity", statement)).outcome == NO, key


def test_a_key_neither_present_nor_known_absent_is_not_modelled_and_named() -> None:
    statement = allow(ACTION, RESOURCE, Condition={"StringEquals": {"s3:ExistingObjectTag/team": "blue"}})
    decision = judge(request(ACTION, RESOURCE), policy("identity", statement))
    assert (decision.allowed, decision.outcome) == (False, NM)
    assert "s3:ExistingObjectTag/team" in decision.message


def test_an_unknown_key_in_a_statement_that_does_not_match_the_action_changes_nothing() -> None:
    statements = (
        allow(ACTION, RESOURCE),
        deny("s3:PutObject", RESOURCE, Condition={"StringEquals": {"s3:ExistingObjectTag/team": "blue"}}),
    )
    assert judge(request(ACTION, RESOURCE), policy("identity", *statements)).outcome == OK


def test_an_unknown_key_in_one_allow_does_not_matter_when_another_allow_holds() -> None:
    statements = (
        allow(ACTION, RESOURCE, Condition={"StringEquals": {"k:unknown": "x"}}),
        allow(ACTION, RESOURCE, Sid="Plain"),
    )
    decision = judge(request(ACTION, RESOURCE), policy("identity", *statements))
    assert (decision.outcome, [r.sid for r in decision.deciding]) == (OK, ["Plain"])


def test_an_unknown_key_in_a_deny_that_could_apply_is_not_modelled() -> None:
    statements = (
        allow(ACTION, RESOURCE),
        deny(ACTION, RESOURCE, Condition={"StringEquals": {"k:unknown": "x"}}),
    )
    decision = judge(request(ACTION, RESOURCE), policy("identity", *statements))
    assert (decision.allowed, decision.outcome) == (False, NM)
    assert "k:unknown" in decision.message
