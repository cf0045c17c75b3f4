"""SigV4 verification against AWS's published examples (independent of our code), and what breaks a signature."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from hashlib import sha256

import pytest

from vend_local.enforcement.aws_errors import Failure
from vend_local.enforcement.sigv4 import SignedRequest, access_key_of, parse, verify

# AWS's Signature Version 4 test suite, "get-vanilla": credentials AKIDEXAMPLE / wJalrXUt...EXAMPLEKEY.
SUITE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SUITE_AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
)
SUITE_REQUEST = SignedRequest(
    method="GET",
    host="example.amazonaws.com",
    raw_uri="/",
    headers={"host": "example.amazonaws.com", "x-amz-date": "20150830T123600Z"},
    body=b"",
)
SUITE_NOW = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)

# The S3 developer guide's "GET Object" example (header-signed, with a Range header and the empty-body hash).
S3_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
EMPTY_SHA256 = sha256(b"").hexdigest()
S3_AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
    "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
    "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
)
S3_REQUEST = SignedRequest(
    method="GET",
    host="examplebucket.s3.amazonaws.com",
    raw_uri="/test.txt",
    headers={
        "host": "examplebucket.s3.amazonaws.com",
        "range": "bytes=0-9",
        "x-amz-content-sha256": EMPTY_SHA256,
        "x-amz-date": "20130524T000000Z",
    },
    body=b"",
)
S3_NOW = datetime(2013, 5, 24, tzinfo=UTC)


def suite(
    request: SignedRequest = SUITE_REQUEST, *, now: datetime = SUITE_NOW, secret: str = SUITE_SECRET
) -> Failure | None:
    auth = parse(SUITE_AUTH)
    assert auth is not None
    return verify(request, auth, secret, now=now)


def s3(request: SignedRequest = S3_REQUEST, *, now: datetime = S3_NOW) -> Failure | None:
    auth = parse(S3_AUTH)
    assert auth is not None
    return verify(request, auth, S3_SECRET, now=now)


def test_aws_published_examples_verify() -> None:
    assert suite() is None
    assert s3() is None


def test_the_authorization_header_is_parsed_into_its_parts() -> None:
    auth = parse(S3_AUTH)
    assert auth is not None
    assert (auth.access_key_id, auth.date, auth.region, auth.service) == (
        "AKIAIOSFODNN7EXAMPLE",
        "20130524",
        "us-east-1",
        "s3",
    )
    assert auth.signed_headers == ("host", "range", "x-amz-content-sha256", "x-amz-date")
    assert access_key_of(S3_AUTH) == "AKIAIOSFODNN7EXAMPLE"
    # Any spelling that names a key is judged strictly (and then refused as malformed).
    lowered = S3_AUTH.replace("Credential=", "credential=")
    assert access_key_of(lowered) == "AKIAIOSFODNN7EXAMPLE"
    assert parse(lowered) is None
    assert access_key_of(None) is None


@pytest.mark.parametrize(
    "header",
    [
        "",
        "AWS AKIAIOSFODNN7EXAMPLE:signature",  # SigV2
        SUITE_AUTH.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512"),
        SUITE_AUTH.replace(
            "SignedHeaders=host;x-amz-date", "SignedHeaders=x-amz-date"
        ),  # host must be signed
        SUITE_AUTH.replace("/aws4_request", "/aws5_request"),
        SUITE_AUTH.replace(", Signature=5fa00f", ", Signature=5fa00f, Signature=5fa00f"),
        SUITE_AUTH.replace("Credential=AKIDEXAMPLE/20150830", "Credential=AKIDEXAMPLE/2015083"),
    ],
)
def test_a_malformed_authorization_header_is_refused(header: str) -> None:
    assert parse(header) is None


@pytest.mark.parametrize(
    "tampered",
    [
        replace(SUITE_REQUEST, method="POST"),
        replace(SUITE_REQUEST, raw_uri="/other"),
        replace(SUITE_REQUEST, raw_uri="/?a=b"),
        replace(SUITE_REQUEST, headers={**SUITE_REQUEST.headers, "host": "example.amazonaws.com.evil"}),
        replace(SUITE_REQUEST, body=b"Action=AssumeRole"),  # non-S3 services sign the body's hash
    ],
)
def test_any_change_to_a_signed_part_breaks_the_signature(tampered: SignedRequest) -> None:
    assert suite(tampered) is Failure.SIGNATURE


def test_the_wrong_secret_breaks_the_signature() -> None:
    assert suite(secret=SUITE_SECRET + "x") is Failure.SIGNATURE


def test_an_unsigned_header_may_change_but_a_missing_signed_one_fails() -> None:
    assert suite(replace(SUITE_REQUEST, headers={**SUITE_REQUEST.headers, "user-agent": "x"})) is None
    assert suite(replace(SUITE_REQUEST, headers={"x-amz-date": "20150830T123600Z"})) is Failure.SIGNATURE


def test_s3_takes_the_declared_payload_hash_but_it_must_be_the_body_s() -> None:
    assert s3(replace(S3_REQUEST, body=b"tampered")) is Failure.CONTENT_SHA256
    unsigned = replace(S3_REQUEST, headers={**S3_REQUEST.headers, "x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    assert s3(unsigned) is Failure.SIGNATURE  # the example signed the hash, not UNSIGNED-PAYLOAD


# AWS refuses a request signed more than 15 minutes away from its clock.
@pytest.mark.parametrize(
    ("offset", "refused"),
    [
        (timedelta(minutes=14, seconds=59), False),
        (timedelta(minutes=15), False),
        (timedelta(minutes=15, seconds=1), True),
        (-timedelta(minutes=15), False),
        (-timedelta(minutes=15, seconds=1), True),
    ],
)
def test_the_request_time_may_be_at_most_15_minutes_off(offset: timedelta, refused: bool) -> None:
    assert suite(now=SUITE_NOW + offset) is (Failure.SKEWED if refused else None)


@pytest.mark.parametrize("date", ["20150830T1236Z", "garbage", ""])
def test_an_unreadable_or_missing_request_time_is_malformed(date: str) -> None:
    headers = (
        {"host": "example.amazonaws.com", "x-amz-date": date} if date else {"host": "example.amazonaws.com"}
    )
    assert suite(replace(SUITE_REQUEST, headers=headers)) is Failure.MALFORMED
