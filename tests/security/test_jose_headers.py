"""Threat: a JWT whose JOSE header is malformed or names its own key (kid of the wrong type, crit, jku, jwk, x5u,
x5c, b64...) takes the server down to a 500, or gets a key of the attacker's choosing used (issue 16, point 4).
Every header field of RFC 7515, 7516 and 7797 is tried on tokens signed with the pool's own key, so only the
header can be the reason: each gets AppSync's 401 (TokenRejected), and nothing else ever escapes the verifier.
The verifier is the real one over an injected key set; a few cases also go over HTTP to the local server."""

from __future__ import annotations

import base64
import json
from typing import Any, Final

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.e2e.client import claims_of, tokens
from tests.e2e.conftest import RunningServer
from tests.fuzzing import examples
from tests.local import helpers as h
from tests.security import http_support
from vend_local.jwt_verify import CognitoVerifier, StaticKeys, TokenRejected

BASE: Final[dict[str, Any]] = {"alg": "RS256", "kid": h.KID}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signed(header: Any, claims: Any = None, *, key: rsa.RSAPrivateKey = h.PRIVATE_KEY) -> str:
    """A compact JWS with exactly this header (no library fills anything in), signed RS256 with ``key``."""
    header_part = b64(json.dumps(header).encode()) if not isinstance(header, bytes) else b64(header)
    payload = b64(json.dumps(h.id_claims() if claims is None else claims).encode())
    signature = key.sign(f"{header_part}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{header_part}.{payload}.{b64(signature)}"


def attacker_jwk() -> dict[str, Any]:
    public: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(h.OTHER_KEY.public_key()))
    return public


@pytest.fixture
def verifier() -> CognitoVerifier:
    return CognitoVerifier(issuer=h.ISSUER, client_ids=frozenset({h.CLIENT_ID}), keys=StaticKeys(h.jwks()))


# (case, extra header fields). Every registered JOSE header parameter, with hostile values where it has a type.
HOSTILE: Final[list[tuple[str, dict[str, Any]]]] = [
    ("alg none", {"alg": "none"}),
    ("alg HS256", {"alg": "HS256"}),
    ("alg RS512", {"alg": "RS512"}),
    ("alg PS256", {"alg": "PS256"}),
    ("alg ES256", {"alg": "ES256"}),
    ("alg lower case", {"alg": "rs256"}),
    ("alg empty", {"alg": ""}),
    ("alg list", {"alg": ["RS256"]}),
    ("alg number", {"alg": 256}),
    ("alg null", {"alg": None}),
    ("alg object", {"alg": {"RS256": True}}),
    ("kid number", {"kid": 1}),
    ("kid list", {"kid": [h.KID]}),
    ("kid object", {"kid": {"kid": h.KID}}),
    ("kid null", {"kid": None}),
    ("kid true", {"kid": True}),
    ("kid empty", {"kid": ""}),
    ("kid too long", {"kid": "k" * 129}),
    ("kid unknown", {"kid": "not-a-key-of-this-pool"}),
    ("kid path", {"kid": "../../../../dev/null"}),
    ("typ at+jwt", {"typ": "at+jwt"}),
    ("typ number", {"typ": 5}),
    ("typ empty", {"typ": ""}),
    ("typ null", {"typ": None}),
    ("cty JWT", {"cty": "JWT"}),
    ("cty number", {"cty": 7}),
    ("crit exp", {"crit": ["exp"]}),
    ("crit b64", {"crit": ["b64"], "b64": False}),
    ("crit empty", {"crit": []}),
    ("crit string", {"crit": "exp"}),
    ("crit number", {"crit": 1}),
    ("b64 false", {"b64": False}),
    ("b64 true", {"b64": True}),
    ("jku", {"jku": "https://attacker.example/jwks.json"}),
    ("jwk", {"jwk": {"kty": "RSA", "n": "AQAB", "e": "AQAB"}}),
    ("x5u", {"x5u": "https://attacker.example/cert.pem"}),
    ("x5c", {"x5c": ["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"]}),
    ("x5t", {"x5t": "dGh1bWJwcmludA"}),
    ("x5t#S256", {"x5t#S256": "dGh1bWJwcmludA"}),
    ("zip", {"zip": "DEF"}),
    ("enc", {"enc": "A256GCM"}),
    ("epk", {"epk": {"kty": "EC"}}),
    ("apu", {"apu": "YQ"}),
    ("apv", {"apv": "Yg"}),
    ("iv", {"iv": "AAAA"}),
    ("tag", {"tag": "AAAA"}),
    ("p2s", {"p2s": "AAAA"}),
    ("p2c", {"p2c": 1000}),
    ("url", {"url": "https://attacker.example"}),
    ("nonce", {"nonce": "n"}),
    ("ppt", {"ppt": "shaken"}),
    ("unregistered", {"x-vend": "anything"}),
    ("empty name", {"": "x"}),
]


@pytest.mark.parametrize("extra", [e for _, e in HOSTILE], ids=[c for c, _ in HOSTILE])
def test_every_header_field_cognito_never_sets_is_a_401(
    verifier: CognitoVerifier, extra: dict[str, Any]
) -> None:
    with pytest.raises(TokenRejected) as rejected:
        verifier.verify(signed({**BASE, **extra}))
    assert rejected.value.reason == "malformed"


def test_cognitos_own_header_and_typ_jwt_are_accepted(verifier: CognitoVerifier) -> None:
    # The controls: the same signing, with the header Cognito writes (and typ JWT, which other issuers add).
    assert verifier.verify(signed(BASE))["sub"] == h.SUB
    assert verifier.verify(signed({**BASE, "typ": "JWT"}))["sub"] == h.SUB


def test_a_key_embedded_in_the_header_is_never_used(verifier: CognitoVerifier) -> None:
    # The attacker signs with their own key and ships its public half in jwk (or points jku/x5u at it).
    for extra in ({"jwk": attacker_jwk()}, {"jku": "https://attacker.example/jwks.json"}, {}):
        with pytest.raises(TokenRejected):
            verifier.verify(signed({**BASE, **extra}, key=h.OTHER_KEY))


@pytest.mark.parametrize(
    "header",
    [b"not json", b"[]", b'"RS256"', b"null", b"1", b"\xff\xfe", b'{"alg":"RS256","kid":' + b"[" * 5000],
    ids=["not-json", "array", "string", "null", "number", "not-utf8", "deep"],
)
def test_a_header_that_is_not_a_json_object_is_a_401(verifier: CognitoVerifier, header: bytes) -> None:
    with pytest.raises(TokenRejected):
        verifier.verify(signed(header))


JSON_VALUES: Final = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
HEADER_NAMES: Final = st.sampled_from(
    ["alg", "kid", "typ", "cty", "crit", "b64", "jku", "jwk", "x5u", "x5c", "x5t", "zip", "enc"]
) | st.text(max_size=8)


@settings(max_examples=examples(300), deadline=None)
@given(fields=st.dictionaries(HEADER_NAMES, JSON_VALUES, max_size=5), keep_base=st.booleans())
def test_any_header_is_accepted_only_when_it_is_cognitos_and_never_raises_anything_else(
    fields: dict[str, Any], keep_base: bool
) -> None:
    header = {**BASE, **fields} if keep_base else fields
    verifier = CognitoVerifier(
        issuer=h.ISSUER, client_ids=frozenset({h.CLIENT_ID}), keys=StaticKeys(h.jwks())
    )
    cognitos = (
        header.get("alg") == "RS256" and header.get("kid") == h.KID and header.get("typ", "JWT") == "JWT"
    )
    cognitos = cognitos and set(header) <= {"alg", "kid", "typ"}
    try:
        claims = verifier.verify(signed(header))
    except TokenRejected:
        assert not cognitos, header
    else:
        assert cognitos, header
        assert claims["sub"] == h.SUB


# ---- over HTTP: the local server answers AppSync's 401, never a 500 -------------------------------------------------


def hostile_header_token(real: str, extra: dict[str, Any]) -> str:
    """A real token's header and payload with ``extra`` merged into the header (its signature no longer fits)."""
    head, payload, signature = real.split(".")
    header = {**json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4))), **extra}
    return f"{b64(json.dumps(header).encode())}.{payload}.{signature}"


@pytest.mark.parametrize(
    "extra",
    [{"kid": 1}, {"kid": ["x"]}, {"crit": ["exp"]}, {"crit": "x"}, {"b64": False}, {"jwk": {"kty": "RSA"}}],
    ids=["kid-number", "kid-list", "crit", "crit-string", "b64", "jwk"],
)
def test_the_server_answers_a_hostile_header_with_appsyncs_401(
    abuse_server: RunningServer, extra: dict[str, Any]
) -> None:
    real = tokens(abuse_server, "alice")["id"]
    token = hostile_header_token(real, extra)
    assert claims_of(token) == claims_of(real)
    abuse_server.secrets.add(token)
    with httpx.Client() as client:
        response = http_support.vend(client, abuse_server, token, "S3_OWN_PREFIX")
    assert response.status_code == 401, response.text
    assert response.json() == {
        "errors": [{"errorType": "UnauthorizedException", "message": "Unable to parse JWT token."}]
    }
