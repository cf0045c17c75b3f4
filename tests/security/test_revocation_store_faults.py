"""Threat: the revocation store is slow, unreachable, throttled or garbled, and a revoked caller slips through,
or every vend hangs. Each fault is injected through the real botocore stack (signing, retries, timeouts) against a
loopback stub, and must fail closed with a typed, retryable, browser-safe envelope within a bound, audited, with
no STS call and no secret or AWS text in any log."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from resolvers.resolver import build_resolver, dispatch
from resolvers.revocation import RevocationCheck
from resolvers.revocation_store import (
    CONNECT_TIMEOUT_SECONDS,
    MAX_ATTEMPTS,
    READ_TIMEOUT_SECONDS,
    DynamoRevocationStore,
    client_config,
)
from resolvers.service import Envelope, VendService
from tests import support
from tests.security import harness, sts_stub
from tests.security.test_sts_faults import assert_no_secret_in, logs  # noqa: F401 - logs is a fixture

JSON_10 = "application/x-amz-json-1.0"
TABLE = "vend-test-revocations"
# One lookup's worst case by construction: 2 x (0.5 s + 1 s) + < 1 s of backoff; asserted with a margin.
BOUND_SECONDS = 8.0
AWS_TEXT = f"User: arn:aws:sts::{support.ACCOUNT}:assumed-role/vend-lambda/fn is not authorized"


def dynamodb_client(endpoint_url: str) -> Any:
    """The production client configuration (timeouts, bounded retries) pointed at a loopback stub."""
    return boto3.client(
        "dynamodb",
        region_name=support.REGION,
        endpoint_url=endpoint_url,
        config=client_config(),
        aws_access_key_id=sts_stub.LAMBDA_KEY_ID,
        aws_secret_access_key=sts_stub.LAMBDA_SECRET,
        aws_session_token=sts_stub.LAMBDA_TOKEN,
    )


def error_json(code: str) -> bytes:
    return json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": AWS_TEXT}).encode()


def vend_through(endpoint_url: str) -> tuple[Envelope, support.RecordingTelemetry, support.FakeIssuer]:
    store = DynamoRevocationStore(lambda: dynamodb_client(endpoint_url), TABLE)
    gate = RevocationCheck(store.fetch, ttl_seconds=10, clock=lambda: datetime.now(UTC))
    sts, telemetry = support.FakeIssuer(), support.RecordingTelemetry()
    service = VendService(
        catalog=support.catalog(),
        settings=support.settings(),
        issuer=sts,
        telemetry=telemetry,
        revocations=gate,
    )
    ev = harness.event(scope="S3_OWN_PREFIX", durationSeconds=900)
    return dispatch(build_resolver(service), ev, harness.Context(), telemetry), telemetry, sts


def assert_closed(
    envelope: Envelope, telemetry: support.RecordingTelemetry, sts: support.FakeIssuer, code: str
) -> None:
    assert set(envelope) == {"error"}, envelope
    assert envelope["error"]["type"] == code
    harness.assert_browser_safe(envelope["error"]["message"])
    assert AWS_TEXT not in json.dumps(envelope)
    assert sts.plans == [], "a vend reached STS without a revocation answer"
    (record,) = telemetry.records
    assert (record.decision, record.code, record.sub) == ("refused", code, support.SUB)
    assert "arn:" not in record.detail
    assert telemetry.failures == []


def test_the_lookup_budget_is_two_attempts_of_half_a_second_and_one_second() -> None:
    # Pinned: BOUND_SECONDS and the Lambda's timeout (infra/stack.py) are computed from them.
    assert (MAX_ATTEMPTS, CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS) == (2, 0.5, 1.0)


def test_slow_store_read_timeout_is_bounded_retried_once_and_fails_closed(
    logs: Callable[[], list[str]],  # noqa: F811 - the fixture
) -> None:
    with sts_stub.silent_stub() as stub:
        started = time.monotonic()
        envelope, telemetry, sts = vend_through(stub.url)
        elapsed = time.monotonic() - started
    assert elapsed < BOUND_SECONDS, f"{elapsed:.1f} s"
    assert stub.accepted == MAX_ATTEMPTS
    assert_closed(envelope, telemetry, sts, "UpstreamUnavailable")
    assert telemetry.records[0].detail == "revocation store: ReadTimeoutError"
    assert_no_secret_in(logs())


def test_store_behind_a_full_backlog_connect_timeout_fails_closed(
    logs: Callable[[], list[str]],  # noqa: F811 - the fixture
) -> None:
    with sts_stub.full_backlog_endpoint() as url:
        started = time.monotonic()
        envelope, telemetry, sts = vend_through(url)
        elapsed = time.monotonic() - started
    assert elapsed < BOUND_SECONDS, f"{elapsed:.1f} s"
    assert_closed(envelope, telemetry, sts, "UpstreamUnavailable")
    assert telemetry.records[0].detail == "revocation store: ConnectTimeoutError"
    assert_no_secret_in(logs())


def test_unreachable_store_fails_closed(logs: Callable[[], list[str]]) -> None:  # noqa: F811 - the fixture
    with sts_stub.refused_endpoint() as url:
        envelope, telemetry, sts = vend_through(url)
    assert_closed(envelope, telemetry, sts, "UpstreamUnavailable")
    assert telemetry.records[0].detail == "revocation store: EndpointConnectionError"
    assert_no_secret_in(logs())


@pytest.mark.parametrize(
    ("code", "status", "expected", "attempts"),
    [
        ("ProvisionedThroughputExceededException", 400, "Throttled", MAX_ATTEMPTS),
        ("ThrottlingException", 400, "Throttled", MAX_ATTEMPTS),
        ("RequestLimitExceeded", 400, "Throttled", MAX_ATTEMPTS),
        ("InternalServerError", 500, "UpstreamUnavailable", MAX_ATTEMPTS),
        ("AccessDeniedException", 400, "Internal", 1),  # the Lambda role lost its read permission
        ("ResourceNotFoundException", 400, "Internal", 1),  # the table is gone
    ],
)
def test_store_errors_fail_closed_typed_and_safe(
    code: str,
    status: int,
    expected: str,
    attempts: int,
    logs: Callable[[], list[str]],  # noqa: F811 - the fixture
) -> None:
    with sts_stub.http_stub(lambda _: (status, error_json(code)), content_type=JSON_10) as stub:
        envelope, telemetry, sts = vend_through(stub.url)
    assert stub.attempts == attempts
    assert_closed(envelope, telemetry, sts, expected)
    assert telemetry.records[0].detail == f"revocation store: {code}"
    assert_no_secret_in(logs())


def test_a_garbled_answer_fails_closed(logs: Callable[[], list[str]]) -> None:  # noqa: F811 - the fixture
    with sts_stub.http_stub(lambda _: (200, b'{"Items": [{"sk'), content_type=JSON_10) as stub:
        envelope, telemetry, sts = vend_through(stub.url)
    assert stub.attempts >= 1
    assert_closed(envelope, telemetry, sts, "UpstreamUnavailable")
    # botocore does not raise on a body that is not JSON: it answers {"message": body}. Read as an empty
    # partition, that would vend to everyone; the adapter refuses an answer without its Items.
    assert telemetry.records[0].detail == "revocation store: an answer without Items"
    assert_no_secret_in(logs())


def test_a_record_that_cannot_be_read_fails_closed_as_internal() -> None:
    answer = json.dumps({"Items": [{"sk": {"S": f"sub#{support.SUB}"}}], "Count": 1}).encode()
    with sts_stub.http_stub(lambda _: (200, answer), content_type=JSON_10) as stub:
        envelope, telemetry, sts = vend_through(stub.url)
    assert stub.attempts == 1
    assert_closed(envelope, telemetry, sts, "Internal")
    assert telemetry.records[0].detail == f"record 'sub#{support.SUB}' has no 'moment'"


def test_a_revoked_caller_read_from_the_wire_is_refused_and_the_query_is_the_one_documented() -> None:
    answer = {
        "Items": [{"sk": {"S": f"sub#{support.SUB}"}, "moment": {"N": "1764417600"}}],
        "Count": 1,
        "ScannedCount": 1,
    }
    with sts_stub.http_stub(lambda _: (200, json.dumps(answer).encode()), content_type=JSON_10) as stub:
        envelope, telemetry, sts = vend_through(stub.url)
    assert_closed(envelope, telemetry, sts, "Revoked")
    (body,) = stub.bodies
    assert json.loads(body) == {
        "TableName": TABLE,
        "KeyConditionExpression": "#pk = :pk",
        "ProjectionExpression": "#sk, #moment, #expires",
        "ExpressionAttributeNames": {"#pk": "pk", "#sk": "sk", "#moment": "moment", "#expires": "expiresAt"},
        "ExpressionAttributeValues": {":pk": {"S": "revocation"}},
        "ConsistentRead": True,
    }


def test_pages_are_followed_and_a_revocation_on_the_second_page_counts() -> None:
    pages = [
        {"Items": [], "Count": 0, "LastEvaluatedKey": {"pk": {"S": "revocation"}, "sk": {"S": "sub#0"}}},
        {"Items": [{"sk": {"S": f"sub#{support.SUB}"}, "moment": {"N": "1764417600"}}], "Count": 1},
    ]
    with sts_stub.http_stub(lambda _: (200, json.dumps(pages.pop(0)).encode()), content_type=JSON_10) as stub:
        envelope, telemetry, sts = vend_through(stub.url)
    assert stub.attempts == 2
    assert json.loads(stub.bodies[1])["ExclusiveStartKey"] == {
        "pk": {"S": "revocation"},
        "sk": {"S": "sub#0"},
    }
    assert_closed(envelope, telemetry, sts, "Revoked")


def test_a_partition_longer_than_the_page_limit_fails_closed() -> None:
    page = {"Items": [], "Count": 0, "LastEvaluatedKey": {"pk": {"S": "revocation"}, "sk": {"S": "sub#0"}}}
    with sts_stub.http_stub(lambda _: (200, json.dumps(page).encode()), content_type=JSON_10) as stub:
        envelope, telemetry, sts = vend_through(stub.url)
    assert stub.attempts == 10
    assert_closed(envelope, telemetry, sts, "UpstreamUnavailable")
    assert (
        telemetry.records[0].detail == "revocation store: the revocation partition spans more than 10 pages"
    )
