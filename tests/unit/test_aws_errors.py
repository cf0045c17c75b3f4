"""The error responses, read back by botocore's own protocol parsers: what an SDK will see."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.parsers import create_parser

from vend_local.enforcement.aws_errors import (
    ErrorResponse,
    Failure,
    denial_message,
    explicit,
    implicit,
    protocol_of,
    render,
)

BOTOCORE_PROTOCOL = {"s3": "rest-xml", "json-1.0": "json", "json-1.1": "json", "query": "query"}


def parsed(protocol: str, response: ErrorResponse) -> dict[str, Any]:
    result: dict[str, Any] = create_parser(BOTOCORE_PROTOCOL[protocol]).parse(
        {
            "status_code": int(response.status.split()[0]),
            # What the HTTP layer hands botocore: case-insensitive names (lower case here).
            "headers": {k.lower(): v for k, v in response.headers},
            "body": response.body,
        },
        None,  # type: ignore[arg-type] # an error response needs no output shape
    )
    return result


@pytest.mark.parametrize(
    ("protocol", "failure", "status", "code"),
    [
        ("s3", Failure.ACCESS_DENIED, 403, "AccessDenied"),
        ("s3", Failure.EXPIRED_TOKEN, 400, "ExpiredToken"),
        ("s3", Failure.INVALID_TOKEN, 400, "InvalidToken"),
        ("s3", Failure.SIGNATURE, 403, "SignatureDoesNotMatch"),
        ("s3", Failure.SKEWED, 403, "RequestTimeTooSkewed"),
        ("s3", Failure.CONTENT_SHA256, 400, "XAmzContentSHA256Mismatch"),
        ("json-1.0", Failure.ACCESS_DENIED, 400, "AccessDeniedException"),
        ("json-1.0", Failure.EXPIRED_TOKEN, 400, "ExpiredTokenException"),
        ("json-1.0", Failure.INVALID_TOKEN, 400, "UnrecognizedClientException"),
        ("json-1.0", Failure.SIGNATURE, 400, "InvalidSignatureException"),
        ("json-1.1", Failure.ACCESS_DENIED, 400, "AccessDeniedException"),
        ("query", Failure.ACCESS_DENIED, 403, "AccessDenied"),
        ("query", Failure.EXPIRED_TOKEN, 400, "ExpiredToken"),
        ("query", Failure.INVALID_TOKEN, 403, "InvalidClientTokenId"),
        ("query", Failure.SIGNATURE, 403, "SignatureDoesNotMatch"),
    ],
)
def test_each_refusal_reaches_an_sdk_with_the_service_s_code_and_status(
    protocol: str, failure: Failure, status: int, code: str
) -> None:
    response = render(protocol, failure, message="the message", service="sts")
    assert response.status.startswith(str(status))
    result = parsed(protocol, response)
    assert result["Error"]["Code"] == code
    assert result["Error"]["Message"] == "the message"
    assert result["ResponseMetadata"]["RequestId"]


def test_standard_messages_are_aws_s_wording() -> None:
    assert (
        parsed("s3", render("s3", Failure.EXPIRED_TOKEN))["Error"]["Message"]
        == "The provided token has expired."
    )
    assert (
        parsed("json-1.0", render("json-1.0", Failure.EXPIRED_TOKEN))["Error"]["Message"]
        == "The security token included in the request is expired"
    )


def test_an_s3_head_refusal_has_no_body() -> None:
    response = render("s3", Failure.ACCESS_DENIED, head=True)
    assert response.body == b""
    assert ("Content-Length", "0") in response.headers


def test_the_message_is_escaped_in_xml() -> None:
    message = 'on resource: "arn:aws:s3:::b/<k>&"'
    assert parsed("s3", render("s3", Failure.ACCESS_DENIED, message=message))["Error"]["Message"] == message


def test_iam_access_denied_sentences() -> None:
    principal = "arn:aws:sts::123456789012:assumed-role/r/s"
    assert denial_message(
        principal,
        "dynamodb:GetItem",
        "arn:aws:dynamodb:us-east-1:123456789012:table/t",
        implicit("session", "dynamodb:GetItem"),
        quote=False,
    ) == (
        "User: arn:aws:sts::123456789012:assumed-role/r/s is not authorized to perform: dynamodb:GetItem on "
        "resource: arn:aws:dynamodb:us-east-1:123456789012:table/t because no session policy allows the "
        "dynamodb:GetItem action"
    )
    assert denial_message(
        principal, "s3:PutObject", "arn:aws:s3:::b/k", explicit("identity-based"), quote=True
    ) == (
        "User: arn:aws:sts::123456789012:assumed-role/r/s is not authorized to perform: s3:PutObject on "
        'resource: "arn:aws:s3:::b/k" with an explicit deny in an identity-based policy'
    )
    assert explicit("session") == "with an explicit deny in a session policy"


def test_protocol_by_service() -> None:
    assert protocol_of("s3", has_target=False) == "s3"
    assert protocol_of("dynamodb", has_target=True) == "json-1.0"
    assert protocol_of("sts", has_target=False) == "query"
    assert protocol_of("cognito-idp", has_target=True) == "json-1.1"
