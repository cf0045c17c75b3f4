"""SigV4 verification against AWS's published examples (independent of our code), and what breaks a signature."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from urllib.parse import unquote

import pytest

from vend_local.enforcement.aws_errors import MISSING_QUERY_PARAMS, Failure
from vend_local.enforcement.sigv4 import (
    QueryAuthorization,
    QueryProblem,
    SignedRequest,
    access_key_of,
    parse,
    parse_query,
    verify,
    verify_query,
)

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


# ---- presigned (query-string) SigV4 ----------------------------------------------------------------------------

# The S3 developer guide's presigned GET example ("Authenticating Requests: Using Query Parameters"), 24 hours.
PRESIGNED_QUERY = (
    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2F"
    "aws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature="
    "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
)
PRESIGNED_HOST = "examplebucket.s3.amazonaws.com"


def pairs(query: str) -> tuple[tuple[str, str], ...]:
    return tuple((unquote(k), unquote(v)) for k, _, v in (part.partition("=") for part in query.split("&")))


def presigned(
    query: str = PRESIGNED_QUERY, path: str = "/test.txt"
) -> tuple[SignedRequest, tuple[tuple[str, str], ...]]:
    request = SignedRequest("GET", PRESIGNED_HOST, f"{path}?{query}", {"host": PRESIGNED_HOST}, b"")
    return request, pairs(query)


def judge_presigned(
    query: str = PRESIGNED_QUERY, *, path: str = "/test.txt", now: datetime = S3_NOW, secret: str = S3_SECRET
) -> Failure | str | None:
    request, parsed_pairs = presigned(query, path)
    auth = parse_query(parsed_pairs)
    if isinstance(auth, QueryProblem):
        return auth.message
    return verify_query(request, parsed_pairs, auth, secret, now=now)


def test_aws_published_presigned_example_verifies() -> None:
    assert judge_presigned() is None
    auth = parse_query(pairs(PRESIGNED_QUERY))
    assert isinstance(auth, QueryAuthorization)
    assert (auth.authorization.access_key_id, auth.expires_seconds, auth.token) == (
        "AKIAIOSFODNN7EXAMPLE",
        86400,
        None,
    )


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (("test.txt", "other.txt"), "/other.txt"),  # another key
        (("X-Amz-Expires=86400", "X-Amz-Expires=86401"), "/test.txt"),  # a longer life than signed
        (
            ("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=host&response-content-type=text%2Fhtml"),
            "/test.txt",
        ),
        (("aeeed9bb", "aeeed9bc"), "/test.txt"),  # the signature itself
    ],
)
def test_any_change_to_a_presigned_url_breaks_it(change: tuple[str, str], path: str) -> None:
    assert judge_presigned(PRESIGNED_QUERY.replace(*change), path=path) == Failure.SIGNATURE


def test_the_wrong_secret_breaks_a_presigned_url() -> None:
    assert judge_presigned(secret=SUITE_SECRET) == Failure.SIGNATURE


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (timedelta(seconds=86399), None),
        (timedelta(seconds=86400), None),  # X-Amz-Expires is inclusive
        (timedelta(seconds=86401), Failure.REQUEST_EXPIRED),
        (-timedelta(minutes=15), None),  # signed ahead of our clock, within AWS's 15 minutes
        (-timedelta(minutes=15, seconds=1), Failure.NOT_YET_VALID),
    ],
)
def test_a_presigned_url_works_from_its_date_for_its_lifetime(
    offset: timedelta, expected: Failure | None
) -> None:
    assert judge_presigned(now=S3_NOW + offset) == expected


@pytest.mark.parametrize(
    ("expires", "expected"),
    [
        ("604799", Failure.SIGNATURE),  # parses (the signature is for 86400, so it then fails)
        ("604800", Failure.SIGNATURE),  # a week: the most S3 takes
        ("604801", "X-Amz-Expires must be less than a week (in seconds) that is 604800"),
        ("0", Failure.SIGNATURE),  # parses: valid for no time at all (and the signature is for 86400)
        ("-1", "X-Amz-Expires must be non-negative"),
        ("1.5", "X-Amz-Expires should be a number"),
        # Digits of another script pass str.isdecimal and int(), but are no number S3 documents.
        ("\u0668\u0666\u0664\u0660\u0660", "X-Amz-Expires should be a number"),
        # Longer than int() converts (4300 digits): still S3's answer, never an exception.
        ("9" * 5000, "X-Amz-Expires must be less than a week (in seconds) that is 604800"),
        ("-" + "9" * 5000, "X-Amz-Expires must be non-negative"),
        ("0" * 5000 + "604800", Failure.SIGNATURE),  # leading zeros: a week, parsed
        ("0" * 20 + "604801", "X-Amz-Expires must be less than a week (in seconds) that is 604800"),
    ],
)
def test_x_amz_expires_is_one_second_to_a_week(expires: str, expected: Failure | str) -> None:
    assert (
        judge_presigned(PRESIGNED_QUERY.replace("X-Amz-Expires=86400", f"X-Amz-Expires={expires}"))
        == expected
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("X-Amz-Algorithm=AWS4-HMAC-SHA256&", ""), MISSING_QUERY_PARAMS),
        (("&X-Amz-SignedHeaders=host", ""), MISSING_QUERY_PARAMS),
        (("X-Amz-Date=20130524T000000Z", "X-Amz-Date="), MISSING_QUERY_PARAMS),
        (("AWS4-HMAC-SHA256&", "AWS4-HMAC-SHA1&"), 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"'),
        (
            ("%2Fs3%2Faws4_request", "%2Fs3"),
            "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed.",
        ),
        (
            ("X-Amz-Date=20130524T000000Z", "X-Amz-Date=2013-05-24"),
            "X-Amz-Date must be in the ISO8601 Long Format",
        ),
        (
            ("X-Amz-Date=20130524T000000Z", "X-Amz-Date=20130525T000000Z"),
            "Invalid credential date. Date is not the same as X-Amz-Date.",
        ),
        (("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=range"), "X-Amz-SignedHeaders must contain host."),
        (
            ("X-Amz-Expires=86400", "X-Amz-Expires=86400&X-Amz-Expires=60"),
            "An authentication parameter appears more than once.",
        ),
    ],
)
def test_bad_query_authentication_is_named_as_s3_names_it(change: tuple[str, str], message: str) -> None:
    found = judge_presigned(PRESIGNED_QUERY.replace(*change))
    assert isinstance(found, str)
    assert found.startswith(message)


def test_the_security_token_is_read_from_the_query() -> None:
    auth = parse_query(pairs(f"{PRESIGNED_QUERY}&X-Amz-Security-Token=FwoG%2Btoken"))
    assert isinstance(auth, QueryAuthorization)
    assert auth.token == "FwoG+token"
