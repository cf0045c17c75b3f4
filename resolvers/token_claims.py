"""Cognito pre token generation trigger (event V2_0): the catalog's claims into access tokens. Stdlib only, no I/O.

Deployed as the inline code of its own Lambda (infra/token_claims.py); `vend serve` runs the same ``respond`` when
its embedded Cognito mints an access token. It copies into the access token exactly the claims named in
VEND_TOKEN_CLAIMS (a JSON list infra writes from the catalog's [claims]), each only from the user's stored
attributes (request.userAttributes: the directory, never the client's clientMetadata), only when it is a string,
and never a claim Cognito reserves. Values are not judged here: the resolver matches them against the catalog.
"""

import json
import os
from typing import Any

ENV = "VEND_TOKEN_CLAIMS"
# Claims Cognito sets itself (and refuses to have overridden), or that the service reads as identity.
RESERVED = frozenset(
    [
        "acr",
        "amr",
        "at_hash",
        "aud",
        "auth_time",
        "azp",
        "client_id",
        "cognito:groups",
        "cognito:preferred_role",
        "cognito:roles",
        "cognito:username",
        "device_key",
        "event_id",
        "exp",
        "iat",
        "identities",
        "iss",
        "jti",
        "nbf",
        "nonce",
        "origin_jti",
        "scope",
        "sub",
        "token_use",
        "username",
        "version",
    ]
)


def declared_claims(raw: str) -> tuple[str, ...]:
    """VEND_TOKEN_CLAIMS as a tuple of names. A malformed setting fails the cold start: no claim is guessed."""
    names = json.loads(raw)
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise ValueError(ENV + " must be a JSON list of claim names")
    reserved = sorted(set(names) & RESERVED)
    if reserved:
        raise ValueError(ENV + " names claims Cognito reserves: " + ", ".join(reserved))
    return tuple(sorted(set(names)))


def claims_to_add(user_attributes: object, declared: tuple[str, ...]) -> dict[str, str]:
    """The declared claims the user has, with their stored values."""
    if not isinstance(user_attributes, dict):
        return {}
    return {n: user_attributes[n] for n in declared if isinstance(user_attributes.get(n), str)}


def respond(event: Any, declared: tuple[str, ...]) -> Any:
    """The V2_0 answer: the event with its response set. Any other event version is answered unchanged."""
    if not isinstance(event, dict) or event.get("version") != "2":
        return event
    request = event.get("request")
    attributes = request.get("userAttributes") if isinstance(request, dict) else None
    add = claims_to_add(attributes, declared)
    event["response"] = {
        "claimsAndScopeOverrideDetails": {"accessTokenGeneration": {"claimsToAddOrOverride": add}}
    }
    return event


def handler(event: Any, context: Any) -> Any:
    return respond(event, DECLARED)


DECLARED = declared_claims(os.environ.get(ENV, "[]"))
