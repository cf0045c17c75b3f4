"""Verify a Cognito user pool JWT the way AppSync does before any resolver runs. Uses PyJWT; the only I/O is
the key source's JWKS fetch (PyJWKClient, cached), which callers inject.

Checks, in order: a compact JWS of sane size; a JOSE header with only the fields Cognito sets (``kid``, ``alg``;
``typ`` "JWT" is tolerated): ``crit``, ``b64``, ``jku``, ``jwk``, ``x5u``, ``x5c``, ``cty`` and the rest are
refused, so no header can name its own key or change how the payload is read; ``alg`` is RS256 (and only RS256
is accepted by the decoder, so ``none`` and HS256-with-the-public-key confusion are refused); ``kid`` is a short
string looked up in the pool's JWKS; the signature; ``exp`` and ``iat`` with a small leeway; ``iss`` is the pool;
``token_use`` is id or access; the ID token's ``aud`` or the access token's ``client_id`` is one of the app
clients. Every refusal is a TokenRejected whose ``reason`` picks AppSync's 401 message, whatever PyJWT raised
(its whole hierarchy, PyJWTError, is caught); the token itself never appears in an error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, Protocol
from urllib.parse import unquote_plus

import jwt

ALGORITHMS: Final = ("RS256",)
# Clock skew tolerated on exp and iat, in seconds.
LEEWAY_SECONDS: Final = 30
# Cognito tokens are 1-2 KB; a token far larger than any Cognito issues is refused before any parsing.
MAX_TOKEN_CHARS: Final = 16_384
REQUIRED_CLAIMS: Final = ("exp", "iat", "iss", "sub", "token_use")
# The JOSE header fields a Cognito user pool token carries (RFC 7515 section 4.1 lists the rest). Anything else is
# refused by name before a key is looked up: Cognito never sets them, and jku/jwk/x5u/x5c would name a key.
HEADER_FIELDS: Final = frozenset({"alg", "kid", "typ"})
HEADER_TYP: Final = "JWT"
# Cognito's key ids are short base64 strings; a longer or non-string kid is not one of the pool's.
MAX_KID_CHARS: Final = 128

Reason = Literal["missing", "malformed", "expired", "foreign"]
# A compact JWS or JWE: its header is base64url JSON, so it starts "ey" ('{"') or "ew" ('{' and a newline or
# space), and dots separate the parts. Long enough that host names and version numbers never match.
_JWT_SHAPE: Final = re.compile(r"e[wy][A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*\.")


class TokenRejected(Exception):
    """The token is not acceptable. ``reason`` is coarse on purpose; ``detail`` names the failed check."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(f"token rejected ({reason}): {detail}")
        self.reason: Reason = reason
        self.detail = detail


class SigningKeys(Protocol):
    """Where the verification key comes from: PyJWKClient satisfies this, tests inject a fixed key set."""

    def get_signing_key_from_jwt(self, token: str) -> jwt.PyJWK: ...


class StaticKeys:
    """A fixed JWKS (a dict with ``keys``), looked up by the token's ``kid``."""

    def __init__(self, jwks: Mapping[str, Any]) -> None:
        self._keys = jwt.PyJWKSet.from_dict(dict(jwks))

    def get_signing_key_from_jwt(self, token: str) -> jwt.PyJWK:
        kid = jwt.get_unverified_header(token).get("kid")
        for key in self._keys.keys:
            if key.key_id == kid:
                return key
        raise jwt.PyJWKClientError("no key in the JWKS matches the token's kid")


def jwks_client(jwks_url: str) -> SigningKeys:
    """The JWKS over HTTP(S), cached for five minutes, with a short timeout so a request never hangs."""
    return jwt.PyJWKClient(jwks_url, cache_jwk_set=True, lifespan=300, timeout=5)


@dataclass(frozen=True)
class CognitoVerifier:
    issuer: str
    client_ids: frozenset[str]
    keys: SigningKeys
    leeway_seconds: int = LEEWAY_SECONDS

    def verify(self, token: str | None) -> dict[str, Any]:
        """The verified claims, or TokenRejected."""
        if not token:
            raise TokenRejected("missing", "no token")
        if len(token) > MAX_TOKEN_CHARS or token.count(".") != 2:
            raise TokenRejected("malformed", "not a compact JWS of acceptable size")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenRejected("malformed", "header is not valid") from None
        _check_header(header)
        try:
            key = self.keys.get_signing_key_from_jwt(token)
        except jwt.PyJWKClientConnectionError:
            raise TokenRejected("malformed", "the pool's JWKS could not be fetched") from None
        except jwt.PyJWTError:
            raise TokenRejected("malformed", "no signing key for the token's kid") from None
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=list(ALGORITHMS),
                issuer=self.issuer,
                leeway=self.leeway_seconds,
                # The audience differs by token_use (aud on ID tokens, client_id on access tokens): checked below.
                options={"require": list(REQUIRED_CLAIMS), "verify_aud": False},
            )
        except jwt.ExpiredSignatureError:
            raise TokenRejected("expired", "exp is in the past") from None
        except (jwt.InvalidIssuerError, jwt.MissingRequiredClaimError) as exc:
            raise TokenRejected("foreign", type(exc).__name__) from None
        except jwt.PyJWTError as exc:
            # Bad signature, iat in the future, malformed claims, a key PyJWT cannot use: the class is enough for
            # an operator, and PyJWT's message could quote a claim.
            raise TokenRejected("malformed", type(exc).__name__) from None
        token_use = claims.get("token_use")
        if token_use == "id":  # noqa: S105 - a claim value, not a password
            client_id = claims.get("aud")
        elif token_use == "access":  # noqa: S105 - a claim value, not a password
            client_id = claims.get("client_id")
        else:
            raise TokenRejected("foreign", "token_use is neither id nor access")
        if not isinstance(client_id, str) or client_id not in self.client_ids:
            raise TokenRejected("foreign", "issued to another app client")
        if not isinstance(claims.get("sub"), str):
            raise TokenRejected("malformed", "sub is not a string")
        return claims


def _check_header(header: Mapping[str, Any]) -> None:
    """The JOSE header Cognito writes, and nothing else: a TokenRejected names the rule, never the value."""
    if not set(header) <= HEADER_FIELDS:
        raise TokenRejected("malformed", "header has a field Cognito never sets")
    if not isinstance(header.get("alg"), str) or header["alg"] not in ALGORITHMS:
        raise TokenRejected("malformed", "alg is not RS256")
    kid = header.get("kid")
    if not isinstance(kid, str) or not 0 < len(kid) <= MAX_KID_CHARS:
        raise TokenRejected("malformed", "kid is not a key id")
    if "typ" in header and header["typ"] != HEADER_TYP:
        raise TokenRejected("malformed", "typ is not JWT")


def carries_jwt(text: str) -> bool:
    """Whether ``text`` (a URL's query string, say) holds something shaped like a JWT, percent-encoded or not."""
    return bool(_JWT_SHAPE.search(text) or _JWT_SHAPE.search(unquote_plus(text)))
