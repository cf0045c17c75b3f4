"""The embedded Cognito's signing key: an RSA key made in memory for each run and never written anywhere, the
tokens it signs, and its public half as a JWKS. No I/O.

moto signs every token with a private key that ships inside the moto package (kid "dummy"), so anyone could
mint a token a moto-backed server accepts. vend_local.moto_cognito makes moto use this key instead.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from joserfc import jws
from joserfc.jwk import RSAKey

ALGORITHM: Final = "RS256"
# Cognito's user pool keys are 2048-bit RSA keys used with RS256.
KEY_BITS: Final = 2048


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private: RSAKey = field(repr=False)

    def sign(self, claims: Mapping[str, Any]) -> str:
        """A compact JWS with Cognito's header: exactly ``kid`` and ``alg``."""
        payload = json.dumps(dict(claims), separators=(",", ":")).encode()
        return jws.serialize_compact({"kid": self.kid, "alg": ALGORITHM}, payload, self.private, [ALGORITHM])

    def jwks(self) -> dict[str, Any]:
        """The public half, as the pool's ``/.well-known/jwks.json`` serves it."""
        public = self.private.as_dict(private=False)
        return {"keys": [{**public, "kid": self.kid, "alg": ALGORITHM, "use": "sig"}]}


def generate() -> SigningKey:
    """A fresh key with a fresh key id: a verifier that cached another run's JWKS finds no key for this kid and
    fetches the JWKS again, instead of failing on a signature."""
    kid = f"vend-local-{secrets.token_hex(8)}"
    private = RSAKey.generate_key(
        KEY_BITS, parameters={"kid": kid, "alg": ALGORITHM, "use": "sig"}, private=True
    )
    return SigningKey(kid=kid, private=private)
