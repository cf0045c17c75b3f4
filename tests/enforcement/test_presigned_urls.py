"""Presigned URLs of vended sessions against the enforcing embedded AWS, made by the AWS SDK as a client makes them:
allowed exactly where the session's policies allow the operation, valid from X-Amz-Date for X-Amz-Expires and never
after the session expires, refused in S3's own shapes when tampered with or malformed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from botocore.config import Config

from resolvers.credentials import IssuedCredentials
from tests.enforcement.conftest import World

V4: Final = Config(signature_version="s3v4")


def presign(world: World, creds: IssuedCredentials, method: str, key: str, expires: int = 900) -> str:
    s3 = world.client("s3", creds, config=V4)
    url: str = s3.generate_presigned_url(
        method, Params={"Bucket": world.bucket, "Key": key}, ExpiresIn=expires
    )
    return url


def s3_error(response: httpx.Response) -> tuple[int, str, str]:
    text = response.text
    code = text.split("<Code>", 1)[1].split("</Code>", 1)[0] if "<Code>" in text else ""
    message = text.split("<Message>", 1)[1].split("</Message>", 1)[0] if "<Message>" in text else ""
    return response.status_code, code, message


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True)) | changes
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_a_presigned_get_and_put_of_her_own_prefix_work(world: World) -> None:
    creds = world.vend("alice", "S3_OWN_PREFIX")
    key = world.key("alice")
    assert httpx.put(presign(world, creds, "put_object", key), content=b"presigned").status_code == 200
    got = httpx.get(presign(world, creds, "get_object", key))
    assert (got.status_code, got.content) == (200, b"presigned")


def test_a_presigned_url_for_another_user_s_prefix_is_s3_s_access_denied(world: World) -> None:
    creds = world.vend("alice", "S3_OWN_PREFIX")
    bob_key = world.key("bob", "hello")
    status, code, message = s3_error(httpx.get(presign(world, creds, "get_object", bob_key)))
    assert (status, code) == (403, "AccessDenied")
    assert message.endswith(
        f'on resource: "arn:aws:s3:::{world.bucket}/{bob_key}" because no session policy allows the s3:GetObject action'
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"X-Amz-Signature": "0" * 64}, (403, "SignatureDoesNotMatch")),
        ({"X-Amz-Expires": "3600"}, (403, "SignatureDoesNotMatch")),  # a longer life than was signed
        ({"X-Amz-Security-Token": "FwoGZXIvYXdzEJr-not-the-session-s"}, (400, "InvalidToken")),
        ({"X-Amz-Expires": "604801"}, (400, "AuthorizationQueryParametersError")),
        ({"X-Amz-Algorithm": "AWS4-HMAC-SHA1"}, (400, "AuthorizationQueryParametersError")),
        # Past int()'s 4300 digits: S3's answer, not a 500 from an exception.
        ({"X-Amz-Expires": "9" * 5000}, (400, "AuthorizationQueryParametersError")),
    ],
)
def test_a_tampered_or_malformed_presigned_url_is_refused(
    world: World, change: dict[str, str], expected: tuple[int, str]
) -> None:
    creds = world.vend("alice", "S3_OWN_PREFIX")
    url = presign(world, creds, "get_object", f"users/{world.user('alice').sub}/hello.txt")
    assert s3_error(httpx.get(with_query(url, **change)))[:2] == expected


def test_a_presigned_url_without_the_session_token_is_refused(world: World) -> None:
    creds = world.vend("alice", "S3_OWN_PREFIX")
    url = presign(world, creds, "get_object", f"users/{world.user('alice').sub}/hello.txt")
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "X-Amz-Security-Token"]
    assert s3_error(httpx.get(urlunsplit(parts._replace(query=urlencode(query)))))[:2] == (
        400,
        "InvalidToken",
    )


def test_a_presigned_url_stops_working_when_it_expires(world: World) -> None:
    creds = world.vend("alice", "S3_OWN_PREFIX")
    url = presign(world, creds, "get_object", f"users/{world.user('alice').sub}/hello.txt", expires=60)
    world.clock.offset = timedelta(seconds=59)
    assert httpx.get(url).status_code == 200
    world.clock.offset = timedelta(seconds=62)
    assert s3_error(httpx.get(url)) == (403, "AccessDenied", "Request has expired")


def test_a_presigned_url_dated_in_the_future_is_not_yet_valid(world: World) -> None:
    creds = world.vend("alice", "S3_OWN_PREFIX")
    url = presign(world, creds, "get_object", f"users/{world.user('alice').sub}/hello.txt")
    world.clock.offset = -timedelta(minutes=16)
    assert s3_error(httpx.get(url)) == (403, "AccessDenied", "Request is not yet valid")


def test_a_presigned_url_dies_with_its_session_whatever_its_x_amz_expires(world: World) -> None:
    creds = world.vend("alice", "S3_OWN_PREFIX", duration=900)
    url = presign(
        world, creds, "get_object", f"users/{world.user('alice').sub}/hello.txt", expires=7 * 24 * 3600
    )
    world.clock.offset = timedelta(seconds=901)
    assert s3_error(httpx.get(url))[:2] == (400, "ExpiredToken")


def test_a_request_signed_both_ways_is_refused(world: World) -> None:
    creds = world.vend("alice", "S3_OWN_PREFIX")
    key = f"users/{world.user('alice').sub}/hello.txt"
    url = presign(world, creds, "get_object", key)
    s3 = world.client("s3", creds, config=V4)
    seen: dict[str, Any] = {}

    def capture(request: Any, **_: Any) -> None:
        seen["authorization"] = request.headers["Authorization"]
        seen["date"] = request.headers["X-Amz-Date"]

    s3.meta.events.register("before-send.s3.GetObject", capture)
    s3.get_object(Bucket=world.bucket, Key=key)
    both = httpx.get(url, headers={"authorization": seen["authorization"], "x-amz-date": seen["date"]})
    assert s3_error(both)[:2] == (400, "InvalidArgument")
