"""The vend role ceiling (vend_local/iam/ceiling.py): expected policies written out by hand, and every widening rule."""

from __future__ import annotations

from typing import Any

import pytest

from resolvers.catalog import load_catalog, parse_catalog
from resolvers.catalog_model import Catalog
from vend_local.iam.ceiling import CeilingError, role_ceiling, role_managed_policies, role_session_tag_keys

DEPLOYMENT = {
    "bucket": "example-uploads",
    "table_arn": "arn:aws:dynamodb:eu-west-1:123456789012:table/example-items",
    "account": "123456789012",
    "region": "eu-west-1",
}


def catalog_of(*statements: dict[str, Any], **scope: Any) -> Catalog:
    spec = {
        "description": "test scope",
        "any_signed_in_user": True,
        "role": "r",
        "max_duration_seconds": 900,
        "statements": list(statements),
        **scope,
    }
    claims = {"tenant": {"claim": "custom:tenant_id", "pattern": "[a-z]+", "description": "t"}}
    return parse_catalog({"claims": claims, "scopes": {"ONE": spec}}, source="test", version="0")


def s3_statement(**extra: Any) -> dict[str, Any]:
    return {
        "sid": "S",
        "effect": "Allow",
        "actions": ["s3:ListBucket"],
        "resources": ["arn:aws:s3:::{{bucket}}"],
        **extra,
    }


def test_example_uploads_role_is_the_union_of_its_three_scopes_widened() -> None:
    # GIVEN the example catalog WHEN the uploads role's ceiling is computed THEN it is exactly this document
    document = role_ceiling(load_catalog(), "uploads", DEPLOYMENT)
    assert document == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReportsReadListReports",
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": ["arn:aws:s3:::example-uploads"],
                "Condition": {"StringLike": {"s3:prefix": ["reports/", "reports/*"]}},
            },
            {
                "Sid": "ReportsReadReadReports",
                "Effect": "Allow",
                "Action": ["s3:GetObject"],
                "Resource": ["arn:aws:s3:::example-uploads/reports/*"],
            },
            {
                "Sid": "S3OwnPrefixListOwnPrefix",
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": ["arn:aws:s3:::example-uploads"],
                "Condition": {"StringLike": {"s3:prefix": ["users/*/", "users/*/*"]}},
            },
            {
                "Sid": "S3OwnPrefixObjectsUnderOwnPrefix",
                "Effect": "Allow",
                "Action": ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
                "Resource": ["arn:aws:s3:::example-uploads/users/*/*"],
            },
            {
                "Sid": "TenantFilesListTenantPrefix",
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": ["arn:aws:s3:::example-uploads"],
                "Condition": {"StringLike": {"s3:prefix": ["tenants/*/", "tenants/*/*"]}},
            },
            {
                "Sid": "TenantFilesTenantObjects",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": ["arn:aws:s3:::example-uploads/tenants/*/*"],
            },
        ],
    }


def test_string_equals_on_a_per_caller_value_becomes_string_like_keeping_its_set_prefix() -> None:
    # StringEquals with "*" would match only a literal star: the data role would grant nothing.
    document = role_ceiling(load_catalog(), "data", DEPLOYMENT)
    assert document["Statement"] == [
        {
            "Sid": "DynamodbOwnItemsOwnItems",
            "Effect": "Allow",
            "Action": sorted(
                [
                    "dynamodb:GetItem",
                    "dynamodb:BatchGetItem",
                    "dynamodb:Query",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                ]
            ),
            "Resource": ["arn:aws:dynamodb:eu-west-1:123456789012:table/example-items"],
            # The Null guard names no caller value, so the ceiling keeps it as it is.
            "Condition": {
                "ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["*"]},
                "Null": {"dynamodb:LeadingKeys": ["false"]},
            },
        }
    ]


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("StringEqualsIfExists", {"StringLikeIfExists": {"s3:prefix": ["t/*/"]}}),
        ("ForAnyValue:StringEquals", {"ForAnyValue:StringLike": {"s3:prefix": ["t/*/"]}}),
        ("StringLike", {"StringLike": {"s3:prefix": ["t/*/"]}}),
        # Operators that cannot widen are dropped: an Allow without the condition is still a ceiling.
        ("StringNotEquals", None),
        ("StringNotLike", None),
        ("StringEqualsIgnoreCase", None),
    ],
)
def test_each_operator_widens_or_drops(operator: str, expected: dict[str, Any] | None) -> None:
    catalog = catalog_of(s3_statement(conditions={operator: {"s3:prefix": ["t/{{claim.tenant}}/"]}}))
    (statement,) = role_ceiling(catalog, "r", DEPLOYMENT)["Statement"]
    assert statement.get("Condition") == expected


def test_a_condition_without_per_caller_values_is_kept_as_written() -> None:
    catalog = catalog_of(s3_statement(conditions={"StringEquals": {"aws:RequestedRegion": ["{{region}}"]}}))
    (statement,) = role_ceiling(catalog, "r", DEPLOYMENT)["Statement"]
    assert statement["Condition"] == {"StringEquals": {"aws:RequestedRegion": ["eu-west-1"]}}


def test_arn_equals_on_a_per_caller_value_becomes_arn_like() -> None:
    condition = {"ArnEquals": {"aws:SourceArn": ["arn:aws:s3:::{{bucket}}/{{sub}}"]}}
    (statement,) = role_ceiling(catalog_of(s3_statement(conditions=condition)), "r", DEPLOYMENT)["Statement"]
    assert statement["Condition"] == {"ArnLike": {"aws:SourceArn": ["arn:aws:s3:::example-uploads/*"]}}


def test_deny_statements_stay_in_the_session_policy_only() -> None:
    deny = {
        "sid": "D",
        "effect": "Deny",
        "actions": ["s3:DeleteObject"],
        "resources": ["arn:aws:s3:::{{bucket}}/*"],
    }
    statements = role_ceiling(catalog_of(s3_statement(), deny), "r", DEPLOYMENT)["Statement"]
    assert [s["Sid"] for s in statements] == ["OneS"]


def test_two_conditions_meeting_on_one_operator_and_key_are_refused() -> None:
    conditions = {"StringLike": {"s3:prefix": ["a/*"]}, "StringEquals": {"s3:prefix": ["b/{{sub}}"]}}
    with pytest.raises(CeilingError, match=r"split the statement"):
        role_ceiling(catalog_of(s3_statement(conditions=conditions)), "r", DEPLOYMENT)


def test_a_missing_deployment_value_is_refused_by_name() -> None:
    with pytest.raises(CeilingError, match=r"\{\{bucket\}\}"):
        role_ceiling(catalog_of(s3_statement()), "r", {"region": "eu-west-1"})


def test_an_unknown_role_is_refused() -> None:
    with pytest.raises(CeilingError, match="no scope"):
        role_ceiling(load_catalog(), "nope", DEPLOYMENT)


def test_identical_grants_from_two_scopes_appear_once() -> None:
    statement = s3_statement()
    spec = {"description": "d", "any_signed_in_user": True, "role": "r", "max_duration_seconds": 900}
    catalog = parse_catalog(
        {"scopes": {"AAA": {**spec, "statements": [statement]}, "BBB": {**spec, "statements": [statement]}}},
        source="t",
        version="0",
    )
    assert [s["Sid"] for s in role_ceiling(catalog, "r", DEPLOYMENT)["Statement"]] == ["AaaS"]


def test_a_ceiling_over_the_iam_inline_limit_is_refused() -> None:
    many = [
        {**s3_statement(), "sid": f"S{i}", "resources": [f"arn:aws:s3:::{{{{bucket}}}}/{'p' * 200}{i}/*"]}
        for i in range(60)
    ]
    with pytest.raises(CeilingError, match="10240"):
        role_ceiling(catalog_of(*many), "r", DEPLOYMENT)


def test_managed_policies_are_rendered_and_tag_keys_listed() -> None:
    catalog = catalog_of(
        s3_statement(),
        managed_policy_arns=["arn:aws:iam::{{account}}:policy/extra"],
        session_tags={"tenant": "{{claim.tenant}}"},
    )
    assert role_managed_policies(catalog, "r", DEPLOYMENT) == ["arn:aws:iam::123456789012:policy/extra"]
    assert role_session_tag_keys(catalog, "r") == ["tenant"]
    assert role_session_tag_keys(load_catalog(), "data") == []
