"""Verify a Cognito user pool JWT the way AppSync does before any resolver runs. Uses PyJWT; the only I/O is
the key source's JWKS fetch (PyJWKClient, cached), which callers inject.

Checks, in order: a compact JWS of sane size; ``alg`` is RS256 (and only RS256 is accepted by the decoder, so
``none`` and HS256-with-the-public-key confusion are refused); the signature against the pool's JWKS; ``exp``
and ``iat`` with a small leeway; ``iss`` is the pool; ``token_use`` is id or access; the ID token's ``aud`` or
the access token's ``client_id`` is one of the app clients. Every refusal is a TokenRejected whose ``reason``
picks AppSync's 401 message; the token itself never appears in an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, Protocol

import jwt

ALGORITHMS: Final = ("RS256",)
# Clock skew tolerated on exp and iat, in seconds.
LEEWAY_SECONDS: Final = 30
# Cognito tokens are 1-2 KB; a token far larger than any Cognito issues is refused before any parsing.
MAX_TOKEN_CHARS: Final = 16_384
REQUIRED_CLAIMS: Final = ("exp", "iat", "iss", "sub", "token_use")

Reason = Literal["missing", "malformed", "expired", "foreign"]


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
        except jwt.DecodeError:
            raise TokenRejected("malformed", "header is not valid") from None
        if header.get("alg") not in ALGORITHMS:
            raise TokenRejected("malformed", "alg is not RS256")
        try:
            key = self.keys.get_signing_key_from_jwt(token)
        except (jwt.PyJWKClientError, jwt.DecodeError):
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
        except jwt.InvalidTokenError as exc:
            # Bad signature, iat in the future, malformed claims: the exception class is safe, its text too,
            # but the class is enough for an operator.
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
