"""Keys and tokens for the local-server unit tests: a test RSA key and JWTs signed with it, and the credentials a
fake handler answers with. No I/O."""

from __future__ import annotations

import json
import time
from typing import Any, Final

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

REGION: Final = "us-east-1"
POOL_ID: Final = "us-east-1_LocalTest1"
ISSUER: Final = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}"
CLIENT_ID: Final = "localtestclient0123456789"
SUB: Final = "11111111-2222-4333-8444-555555555555"
KID: Final = "test-key-1"
# What a fake handler answers a vend with: fake values of a real answer's shape.
CREDS: Final = {
    "accessKeyId": "ASIAEXAMPLEEXAMPLE00",
    "secretAccessKey": "secret-example",
    "sessionToken": "session-example",
    "expiration": "2030-01-01T00:00:00Z",
    "refreshAfter": "2030-01-01T00:00:00Z",
    "scope": "S3_OWN_PREFIX",
    "region": "us-east-1",
}

PRIVATE_KEY: Final = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY: Final = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwks() -> dict[str, Any]:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(PRIVATE_KEY.public_key()))
    return {"keys": [{**public, "kid": KID, "alg": "RS256", "use": "sig"}]}


def id_claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "sub": SUB,
        "aud": CLIENT_ID,
        "iss": ISSUER,
        "token_use": "id",
        "cognito:username": "alice",
        "cognito:groups": ["analysts"],
        "custom:tenant_id": "acme",
        "iat": now,
        "auth_time": now,
        "exp": now + 3600,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def access_claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "sub": SUB,
        "client_id": CLIENT_ID,
        "iss": ISSUER,
        "token_use": "access",
        "username": "alice",
        "scope": "aws.cognito.signin.user.admin",
        "iat": now,
        "exp": now + 3600,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def sign(claims: dict[str, Any], *, key: Any = PRIVATE_KEY, kid: str = KID, alg: str = "RS256") -> str:
    return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid})
