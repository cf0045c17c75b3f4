"""CognitoVerifier: a table of good and bad tokens signed with a test key; the JWKS is injected."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from tests.local import helpers as h
from vend_local.jwt_verify import MAX_TOKEN_CHARS, CognitoVerifier, StaticKeys, TokenRejected


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(header: dict[str, Any], claims: dict[str, Any], signature: bytes = b"") -> str:
    return ".".join([_b64(json.dumps(header).encode()), _b64(json.dumps(claims).encode()), _b64(signature)])


def _hs256_with_public_key(claims: dict[str, Any]) -> str:
    """The classic key-confusion forgery: HMAC keyed with the RSA public key's PEM."""
    pem = h.PRIVATE_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    head = _b64(json.dumps({"alg": "HS256", "kid": h.KID, "typ": "JWT"}).encode())
    body = _b64(json.dumps(claims).encode())
    mac = hmac.new(pem, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(mac)}"


def _tampered(token: str) -> str:
    head, _, sig = token.split(".")
    return (
        f"{head}.{_b64(json.dumps(h.id_claims(sub='99999999-8888-4777-8666-555555555555')).encode())}.{sig}"
    )


@pytest.fixture
def verifier() -> CognitoVerifier:
    return CognitoVerifier(issuer=h.ISSUER, client_ids=frozenset({h.CLIENT_ID}), keys=StaticKeys(h.jwks()))


def test_an_id_token_is_accepted_with_all_its_claims(verifier: CognitoVerifier) -> None:
    claims = verifier.verify(h.sign(h.id_claims()))
    assert claims["sub"] == h.SUB
    assert claims["token_use"] == "id"
    assert claims["custom:tenant_id"] == "acme"


def test_an_access_token_is_accepted(verifier: CognitoVerifier) -> None:
    claims = verifier.verify(h.sign(h.access_claims()))
    assert claims["client_id"] == h.CLIENT_ID
    assert claims["username"] == "alice"


def test_a_token_within_the_leeway_is_accepted(verifier: CognitoVerifier) -> None:
    # Expired 5 s ago, issued 5 s in the future: both inside the 30 s leeway.
    now = int(time.time())
    verifier.verify(h.sign(h.id_claims(exp=now - 5, iat=now + 5)))


NOW = int(time.time())

REJECTED: list[tuple[str, str | None, str]] = [
    ("missing", None, "missing"),
    ("empty", "", "missing"),
    ("not a jwt", "hello", "malformed"),
    ("three garbage parts", "a.b.c", "malformed"),
    ("oversized", "a." + "b" * MAX_TOKEN_CHARS + ".c", "malformed"),
    ("expired", h.sign(h.id_claims(exp=NOW - 3600, iat=NOW - 7200)), "expired"),
    ("expired beyond leeway", h.sign(h.id_claims(exp=NOW - 120)), "expired"),
    ("issued in the future", h.sign(h.id_claims(iat=NOW + 3600)), "malformed"),
    (
        "wrong issuer",
        h.sign(h.id_claims(iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other")),
        "foreign",
    ),
    ("issuer with trailing slash", h.sign(h.id_claims(iss=h.ISSUER + "/")), "foreign"),
    ("wrong audience", h.sign(h.id_claims(aud="someotherclient")), "foreign"),
    ("audience as list", h.sign(h.id_claims(aud=[h.CLIENT_ID])), "foreign"),
    ("access token, wrong client", h.sign(h.access_claims(client_id="someotherclient")), "foreign"),
    (
        "access token with aud but no client_id",
        h.sign(h.access_claims(client_id=None, aud=h.CLIENT_ID)),
        "foreign",
    ),
    ("refresh token_use", h.sign(h.id_claims(token_use="refresh")), "foreign"),
    ("no token_use", h.sign(h.id_claims(token_use=None)), "foreign"),
    ("no exp", h.sign(h.id_claims(exp=None)), "foreign"),
    ("no iat", h.sign(h.id_claims(iat=None)), "foreign"),
    ("no sub", h.sign(h.id_claims(sub=None)), "foreign"),
    ("alg none", _unsigned({"alg": "none", "kid": h.KID}, h.id_claims()), "malformed"),
    ("alg None spelled oddly", _unsigned({"alg": "NONE", "kid": h.KID}, h.id_claims()), "malformed"),
    ("HS256 keyed with the public key", _hs256_with_public_key(h.id_claims()), "malformed"),
    ("RS512", h.sign(h.id_claims(), alg="RS512"), "malformed"),
    ("signed by another key, same kid", h.sign(h.id_claims(), key=h.OTHER_KEY), "malformed"),
    ("unknown kid", h.sign(h.id_claims(), kid="other-kid"), "malformed"),
    ("tampered payload", _tampered(h.sign(h.id_claims())), "malformed"),
    ("signature stripped", h.sign(h.id_claims()).rsplit(".", 1)[0] + ".", "malformed"),
]


@pytest.mark.parametrize(("token", "reason"), [(t, r) for _, t, r in REJECTED], ids=[c[0] for c in REJECTED])
def test_bad_tokens_are_rejected(verifier: CognitoVerifier, token: str | None, reason: str) -> None:
    with pytest.raises(TokenRejected) as caught:
        verifier.verify(token)
    assert caught.value.reason == reason


def test_a_rejection_never_repeats_the_token(verifier: CognitoVerifier) -> None:
    token = h.sign(h.id_claims(aud="someotherclient"))
    with pytest.raises(TokenRejected) as caught:
        verifier.verify(token)
    assert token not in str(caught.value)
    assert token.split(".")[1] not in repr(caught.value)
