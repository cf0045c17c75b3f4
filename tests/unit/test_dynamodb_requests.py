"""DynamoDB request mapping: actions, resources and the fine-grained access keys (dynamodb:LeadingKeys,
dynamodb:Attributes, dynamodb:Select, ...) as the DynamoDB developer guide documents them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from vend_local.iam.dynamodb_requests import TableKeys, map_dynamodb
from vend_local.iam.http_request import HttpRequest, NotModelled, Operation
from vend_local.iam.model import Request

REGION = "eu-west-1"
ACCOUNT = "123456789012"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/items"
SCHEMAS = {
    "items": TableKeys((("pk", "HASH"), ("sk", "RANGE")), {"by-owner": (("owner", "HASH"),)}),
    "simple": TableKeys((("id", "HASH"),)),
}


def call(operation: str, body: dict[str, Any]) -> HttpRequest:
    headers = {"x-amz-target": f"DynamoDB_20120810.{operation}"}
    return HttpRequest("POST", "/", (), headers, json.dumps(body).encode())


def mapped(operation: str, body: dict[str, Any]) -> Operation:
    result = map_dynamodb(call(operation, body), region=REGION, account=ACCOUNT, tables=SCHEMAS.get)
    assert isinstance(result, Operation), result
    return result


def only(operation: str, body: dict[str, Any]) -> Request:
    (request,) = mapped(operation, body).requests
    return request


def test_get_item_asks_for_get_item_on_the_table_with_the_partition_key_as_leading_key() -> None:
    request = only("GetItem", {"TableName": "items", "Key": {"pk": {"S": "u1"}, "sk": {"S": "a"}}})
    assert (request.action, request.resource) == ("dynamodb:GetItem", TABLE)
    assert request.context["dynamodb:LeadingKeys"] == ("u1",)
    # Without a projection dynamodb:Attributes cannot be stated exactly: neither present nor absent.
    assert "dynamodb:Attributes" not in request.context
    assert "dynamodb:attributes" not in request.known_absent
    assert {
        "dynamodb:select",
        "dynamodb:returnvalues",
        "dynamodb:returnconsumedcapacity",
    } <= request.known_absent


@pytest.mark.parametrize(("kind", "value"), [("S", "u1"), ("N", "42"), ("B", "AAE=")])
def test_leading_keys_take_the_key_value_of_any_key_type(kind: str, value: str) -> None:
    request = only("GetItem", {"TableName": "simple", "Key": {"id": {kind: value}}})
    assert request.context["dynamodb:LeadingKeys"] == (value,)


def test_put_item_names_its_item_s_attributes_and_its_partition_key() -> None:
    request = only(
        "PutItem",
        {
            "TableName": "items",
            "Item": {"pk": {"S": "u1"}, "sk": {"S": "a"}, "note": {"S": "x"}},
            "ReturnValues": "ALL_OLD",
        },
    )
    assert request.action == "dynamodb:PutItem"
    assert request.context["dynamodb:LeadingKeys"] == ("u1",)
    assert request.context["dynamodb:Attributes"] == ("pk", "sk", "note")
    assert request.context["dynamodb:ReturnValues"] == ("ALL_OLD",)
    conditional = only(
        "PutItem",
        {
            "TableName": "items",
            "Item": {"pk": {"S": "u1"}},
            "ConditionExpression": "attribute_not_exists(pk)",
        },
    )
    assert "dynamodb:Attributes" not in conditional.context  # the condition's attributes would count too


def test_a_projection_gives_the_top_level_attributes_read() -> None:
    request = only(
        "GetItem",
        {
            "TableName": "items",
            "Key": {"pk": {"S": "u1"}, "sk": {"S": "a"}},
            "ProjectionExpression": "#n, address.city, tags[0]",
            "ExpressionAttributeNames": {"#n": "name"},
        },
    )
    assert request.context["dynamodb:Attributes"] == ("name", "address", "tags")
    legacy = only(
        "GetItem", {"TableName": "items", "Key": {"pk": {"S": "u1"}}, "AttributesToGet": ["a", "b"]}
    )
    assert legacy.context["dynamodb:Attributes"] == ("a", "b")


@pytest.mark.parametrize("operation", ["UpdateItem", "DeleteItem"])
def test_update_and_delete_use_the_key_s_partition(operation: str) -> None:
    request = only(operation, {"TableName": "items", "Key": {"pk": {"S": "u2"}, "sk": {"S": "a"}}})
    assert request.action == f"dynamodb:{operation}"
    assert request.context["dynamodb:LeadingKeys"] == ("u2",)
    assert "dynamodb:Attributes" not in request.context


def test_query_reads_the_partition_key_from_the_key_condition_expression() -> None:
    request = only(
        "Query",
        {
            "TableName": "items",
            "KeyConditionExpression": "#p = :v AND begins_with(sk, :s)",
            "ExpressionAttributeNames": {"#p": "pk"},
            "ExpressionAttributeValues": {":v": {"S": "u1"}, ":s": {"S": "2024"}},
            "Select": "COUNT",
        },
    )
    assert request.context["dynamodb:LeadingKeys"] == ("u1",)
    assert request.context["dynamodb:Select"] == ("COUNT",)
    legacy = only(
        "Query",
        {
            "TableName": "items",
            "KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "u3"}]}},
        },
    )
    assert legacy.context["dynamodb:LeadingKeys"] == ("u3",)


def test_query_on_an_index_asks_for_the_index_and_its_partition_key() -> None:
    request = only(
        "Query",
        {
            "TableName": "items",
            "IndexName": "by-owner",
            "KeyConditionExpression": "owner = :o",
            "ExpressionAttributeValues": {":o": {"S": "u1"}},
        },
    )
    assert request.resource == f"{TABLE}/index/by-owner"
    assert request.context["dynamodb:LeadingKeys"] == ("u1",)


@pytest.mark.parametrize(
    "body",
    [
        {
            "TableName": "items",
            "KeyConditionExpression": "sk = :v",
            "ExpressionAttributeValues": {":v": {"S": "a"}},
        },
        {"TableName": "items", "KeyConditionExpression": "pk = :missing", "ExpressionAttributeValues": {}},
        {"TableName": "items", "KeyConditionExpression": "not an expression ((("},
        {
            "TableName": "items",
            "KeyConditions": {
                "pk": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "u"}]}
            },
        },
        {
            "TableName": "unknown-table",
            "KeyConditionExpression": "pk = :v",
            "ExpressionAttributeValues": {":v": {"S": "u1"}},
        },
    ],
)
def test_a_partition_key_that_cannot_be_read_is_neither_present_nor_absent(body: dict[str, Any]) -> None:
    request = only("Query", body)
    assert "dynamodb:LeadingKeys" not in request.context
    assert "dynamodb:leadingkeys" not in request.known_absent


def test_scan_has_no_leading_keys() -> None:
    request = only("Scan", {"TableName": "items"})
    assert request.action == "dynamodb:Scan"
    assert "dynamodb:leadingkeys" in request.known_absent


def test_batch_get_asks_once_per_table_with_every_partition_key_of_that_table() -> None:
    operation = mapped(
        "BatchGetItem",
        {
            "RequestItems": {
                "items": {
                    "Keys": [
                        {"pk": {"S": "u1"}, "sk": {"S": "a"}},
                        {"pk": {"S": "u2"}, "sk": {"S": "b"}},
                        {"pk": {"S": "u1"}, "sk": {"S": "c"}},
                    ]
                },
                "simple": {"Keys": [{"id": {"S": "x"}}], "ProjectionExpression": "id"},
            }
        },
    )
    items, simple = operation.requests
    assert (items.action, items.resource) == ("dynamodb:BatchGetItem", TABLE)
    assert items.context["dynamodb:LeadingKeys"] == ("u1", "u2")
    assert simple.resource.endswith(":table/simple")
    assert simple.context["dynamodb:Attributes"] == ("id",)


def test_batch_write_asks_once_per_table_for_puts_and_deletes() -> None:
    (request,) = mapped(
        "BatchWriteItem",
        {
            "RequestItems": {
                "simple": [
                    {"PutRequest": {"Item": {"id": {"S": "a"}}}},
                    {"DeleteRequest": {"Key": {"id": {"S": "b"}}}},
                ]
            }
        },
    ).requests
    assert request.action == "dynamodb:BatchWriteItem"
    assert request.context["dynamodb:LeadingKeys"] == ("a", "b")


def test_a_table_arn_as_table_name_is_the_resource_itself() -> None:
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/simple"
    request = only("GetItem", {"TableName": arn, "Key": {"id": {"S": "x"}}})
    assert request.resource == arn
    assert request.context["dynamodb:LeadingKeys"] == ("x",)


def test_describe_and_list_tables() -> None:
    assert only("DescribeTable", {"TableName": "items"}).resource == TABLE
    listed = only("ListTables", {})
    assert (listed.action, listed.resource) == ("dynamodb:ListTables", "*")


@pytest.mark.parametrize(
    ("target", "body"),
    [
        ("DynamoDB_20120810.TransactGetItems", b"{}"),
        ("DynamoDB_20120810.ExecuteStatement", b"{}"),
        ("DynamoDB_20120810.CreateTable", b"{}"),
        ("DynamoDB_20120810.GetItem", b"not json"),
        ("DynamoDB_20120810.GetItem", b"[1]"),
        ("DynamoDB_20120810.GetItem", b"[" * 100_000),  # deeper than the decoder recurses
        ("DynamoDB_20120810.GetItem", b'{"Limit": ' + b"9" * 5000 + b"}"),  # longer than int() converts
        ("DynamoDB_20120810.GetItem", b"{}"),
        ("DynamoDBStreams_20120810.GetRecords", b"{}"),
        ("DynamoDB_20120810.BatchGetItem", b'{"RequestItems": {"items": {}}}'),
        ("DynamoDB_20120810.BatchWriteItem", b'{"RequestItems": {"items": [{"Other": {}}]}}'),
    ],
)
def test_what_has_no_mapping_is_not_modelled(target: str, body: bytes) -> None:
    request = HttpRequest("POST", "/", (), {"x-amz-target": target}, body)
    assert isinstance(map_dynamodb(request, region=REGION, account=ACCOUNT, tables=SCHEMAS.get), NotModelled)
