"""Hypothesis properties of request mapping, for hostile clients: whatever arrives, the mappers answer an
Operation or a NotModelled (never raise), S3 resources stay inside the bucket the request names, and a
DynamoDB LeadingKeys value is always one the request itself carries."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzzing import examples
from vend_local.iam.dynamodb_requests import TableKeys, map_dynamodb
from vend_local.iam.http_request import HttpRequest, NotModelled, Operation
from vend_local.iam.s3_requests import SUBRESOURCES, map_s3
from vend_local.iam.sts_requests import map_sts

methods = st.sampled_from(["GET", "PUT", "POST", "DELETE", "HEAD", "PATCH", "OPTIONS"])
segment = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=12)
query_keys = st.one_of(st.sampled_from(sorted(SUBRESOURCES | {"prefix", "versionId", "x-id"})), segment)
queries = st.lists(st.tuples(query_keys, segment), max_size=4).map(tuple)
header_names = st.sampled_from(
    ["x-amz-copy-source", "x-amz-acl", "x-amz-tagging", "x-amz-object-lock-mode", "x-amz-target", "host"]
)
headers = st.dictionaries(header_names, segment, max_size=4)
bodies = st.one_of(st.binary(max_size=64), st.just(b"<Delete><Object><Key>k</Key></Object></Delete>"))


@settings(max_examples=examples(300))
@given(
    method=methods,
    bucket=st.from_regex(r"[a-z0-9][a-z0-9.-]{2,20}", fullmatch=True),
    rest=segment,
    query=queries,
    hdrs=headers,
    body=bodies,
)
def test_s3_mapping_never_raises_and_stays_in_the_named_bucket(
    *,
    method: str,
    bucket: str,
    rest: str,
    query: tuple[tuple[str, str], ...],
    hdrs: dict[str, str],
    body: bytes,
) -> None:
    request = HttpRequest(method, f"/{bucket}/{rest}", query, hdrs, body)
    mapped = map_s3(request)
    assert isinstance(mapped, Operation | NotModelled)
    if isinstance(mapped, Operation):
        assert mapped.requests
        # Every resource is the named bucket or an object in it; only a copy's source read (asked last) names
        # the source object instead.
        copy = mapped.name in {"CopyObject", "UploadPartCopy"}
        for question in mapped.requests[:-1] if copy else mapped.requests:
            assert question.resource == f"arn:aws:s3:::{bucket}" or question.resource.startswith(
                f"arn:aws:s3:::{bucket}/"
            )


json_values: st.SearchStrategy[Any] = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
operations = st.sampled_from(
    [
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "Other",
    ]
)
TABLES = {"t": TableKeys((("pk", "HASH"),), {"i": (("o", "HASH"),)})}


@settings(max_examples=examples(300))
@given(
    operation=operations,
    body=st.dictionaries(
        st.sampled_from(
            [
                "TableName",
                "Key",
                "Item",
                "RequestItems",
                "KeyConditionExpression",
                "ExpressionAttributeValues",
                "IndexName",
                "ProjectionExpression",
            ]
        ),
        json_values,
        max_size=5,
    ),
)
def test_dynamodb_mapping_never_raises_and_leading_keys_come_from_the_request(
    operation: str, body: dict[str, Any]
) -> None:
    raw = json.dumps(body)
    request = HttpRequest("POST", "/", (), {"x-amz-target": f"DynamoDB_20120810.{operation}"}, raw.encode())
    mapped = map_dynamodb(request, region="eu-west-1", account="123456789012", tables=TABLES.get)
    assert isinstance(mapped, Operation | NotModelled)
    if isinstance(mapped, Operation):
        for question in mapped.requests:
            for value in question.context.get("dynamodb:LeadingKeys", ()):
                assert json.dumps(value)[1:-1] in raw


@settings(max_examples=examples(200))
@given(body=st.binary(max_size=200), query=queries)
def test_sts_mapping_never_raises(body: bytes, query: tuple[tuple[str, str], ...]) -> None:
    assert isinstance(map_sts(HttpRequest("POST", "/", query, {}, body)), Operation | NotModelled)
