"""Turn the AppSync event's identity into a verified Caller, or refuse. Pure, no I/O.

Only a Cognito user pool identity from the configured pool and app clients is accepted. AppSync has already
verified the token's signature and expiry; we re-check what it does not: the issuer (an OIDC identity also
has a ``sub``), the token use, the app client, and the shape of every value we go on to use.

Catalog claims such as ``custom:tenant_id`` are read from either token type. In an ID token Cognito writes the
user's attributes itself. In an access token Cognito writes no custom attribute; such a claim is there only
because the pool's pre token generation trigger (V2_0, resolvers/token_claims.py) copied it in, and it is trusted
for that reason alone: the token is signed by the pool (AppSync checked), the trigger copies only claim names the
catalog declares, only from the user's stored attributes (never from the client's clientMetadata), and those
attributes are read-only for every app client (infra asserts it), so only an administrator sets them. The value is
still matched against the catalog's pattern before it reaches a policy (resolvers.decision). See
docs/claims-in-access-tokens.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final, Literal

from resolvers import variables
from resolvers.catalog import GROUP_NAME
from resolvers.errors import Unauthorized

TokenUse = Literal["id", "access"]

SIGN_IN_MESSAGE: Final = "Sign in with this app's user pool to request credentials."
# Keys that only IAM and Lambda-authorizer identities carry.
_NON_COGNITO_KEYS: Final = frozenset({"accountId", "userArn", "cognitoIdentityPoolId", "resolverContext"})


@dataclass(frozen=True, slots=True)
class Caller:
    sub: str
    username: str
    groups: frozenset[str]
    token_use: TokenUse
    client_id: str
    # The verified token's claims, read-only. Values are untrusted until a ClaimVariable pattern matches.
    claims: Mapping[str, Any]


def caller_from_identity(identity: object, *, issuer: str, client_ids: frozenset[str]) -> Caller:
    if not isinstance(identity, Mapping):
        # API-key requests have identity: null.
        raise Unauthorized(SIGN_IN_MESSAGE, detail="identity is not a Cognito user pool identity")
    if _NON_COGNITO_KEYS & identity.keys():
        raise Unauthorized(SIGN_IN_MESSAGE, detail="IAM or Lambda-authorizer identity")
    claims = identity.get("claims")
    if not isinstance(claims, Mapping):
        raise Unauthorized(SIGN_IN_MESSAGE, detail="identity has no claims")
    if identity.get("issuer") != issuer or claims.get("iss") != issuer:
        raise Unauthorized(SIGN_IN_MESSAGE, detail="issuer is not the configured user pool")

    sub = identity.get("sub")
    if not isinstance(sub, str) or not variables.SUB.fullmatch(sub) or claims.get("sub") != sub:
        raise Unauthorized(SIGN_IN_MESSAGE, detail="sub is missing, malformed or differs from the token's")

    token_use = claims.get("token_use")
    # Amplify sends access tokens (client_id, no aud); an ID token names its client in aud.
    if token_use == "access":  # noqa: S105 - a claim value, not a password
        client_id = claims.get("client_id")
    elif token_use == "id":  # noqa: S105 - a claim value, not a password
        client_id = claims.get("aud")
    else:
        raise Unauthorized(SIGN_IN_MESSAGE, detail="token_use is neither id nor access")
    if not isinstance(client_id, str) or client_id not in client_ids:
        raise Unauthorized(SIGN_IN_MESSAGE, detail="token was issued to another app client")

    groups = identity.get("groups")
    if groups is None:
        groups = []
    if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        raise Unauthorized(SIGN_IN_MESSAGE, detail="groups is not a list of strings")
    username = identity.get("username")
    return Caller(
        sub=sub,
        username=username if isinstance(username, str) else "",
        # A group name we would refuse in the catalog can never match a scope, so it is dropped.
        groups=frozenset(g for g in groups if GROUP_NAME.fullmatch(g)),
        token_use=token_use,
        client_id=client_id,
        claims=MappingProxyType(dict(claims)),
    )
