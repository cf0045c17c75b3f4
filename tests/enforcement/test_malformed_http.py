"""Malformed HTTP at the enforcing embedded AWS: a clear 400 before any service sees it, never a 500 from an
exception in the enforcement, and nothing stored."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest

from tests.enforcement.conftest import World


def raw_put(world: World, content_length: str, body: bytes) -> bytes:
    """A PUT under alice's prefix with her vended key in a header SigV4 (a wrong signature), sent as raw bytes;
    the client stops writing after ``body`` and reads the whole answer."""
    creds = world.vend("alice", "S3_OWN_PREFIX")
    authorization = (
        f"AWS4-HMAC-SHA256 Credential={creds.access_key_id}/20261203/us-east-1/s3/aws4_request, "
        f"SignedHeaders=host, Signature={'0' * 64}"
    )
    parts = urlsplit(world.aws.endpoint_url)
    head = (
        f"PUT /{world.bucket}/{world.key('alice', 'raw')} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Authorization: {authorization}\r\nContent-Length: {content_length}\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as conn:
        conn.sendall(head.encode() + body)
        conn.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize(
    "content_length",
    [
        "abc",
        "-1",
        "1 2",
        "\u0665",  # a digit of another script: not HTTP's DIGIT
        "9" * 20,  # one digit past what is read
        "9" * 5000,  # past int()'s 4300 digits
    ],
)
def test_a_malformed_content_length_is_a_plain_400(world: World, content_length: str) -> None:
    answer = raw_put(world, content_length, b"hello")
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert answer.endswith(b"Bad Request: the Content-Length header is not a number of bytes.")
    listed = world.client("s3").list_objects_v2(Bucket=world.bucket, Prefix=world.key("alice", "raw"))
    assert listed.get("KeyCount", 0) == 0


@pytest.mark.parametrize("digits", [18, 19])
def test_a_long_well_formed_content_length_is_read_as_the_bytes_arrive(world: World, digits: int) -> None:
    # Nineteen digits are the most read; the body is read in pieces, so the declared size is never allocated:
    # the client sends five bytes and closes, and the request is judged (here: a bad signature), not a 500.
    answer = raw_put(world, "9" * digits, b"hello")
    assert not answer.startswith(b"HTTP/1.1 500"), answer[:200]
    assert answer.startswith(b"HTTP/1.1 4"), answer[:200]
