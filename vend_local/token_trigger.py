"""The deployed pre token generation trigger, run by the embedded Cognito. In-process; touches moto's pool object only.

In AWS the user pool invokes resolvers/token_claims.py (a V2_0 trigger) before it issues tokens, and the access
token gets the catalog's claims. moto has no Lambda triggers, so here the pool's token minting calls the same
``respond`` with the same V2_0 event shape (the user's stored attributes) and adds what it answers to each access
token it signs: for sign-in and for refresh alike, so `vend serve`, `vend token` and Amplify see what they would see
in AWS. ID tokens are left as moto makes them (they carry custom attributes already, as Cognito's do).
"""

from __future__ import annotations

from typing import Any, Protocol

from resolvers.token_claims import respond


class _Pool(Protocol):
    """The part of moto's CognitoIdpUserPool this module uses (moto 5.2)."""

    id: str
    region: str

    def _get_user(self, username: str) -> Any: ...

    def create_jwt(
        self,
        client_id: str,
        username: str,
        token_use: str,
        expires_in: int = ...,
        extra_data: dict[str, Any] | None = ...,
    ) -> tuple[str, int]: ...


def trigger_event(pool: _Pool, username: str, client_id: str) -> dict[str, Any]:
    """The V2_0 event Cognito would send for this user's sign-in (the fields the trigger may read)."""
    user = pool._get_user(username)
    attributes = {a["Name"]: a["Value"] for a in user.attributes}
    return {
        "version": "2",
        "triggerSource": "TokenGeneration_Authentication",
        "region": pool.region,
        "userPoolId": pool.id,
        "userName": username,
        "callerContext": {"awsSdkVersion": "vend-local", "clientId": client_id},
        "request": {
            "userAttributes": attributes,
            "groupConfiguration": {"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": None},
            "scopes": ["aws.cognito.signin.user.admin"],
        },
        "response": {"claimsAndScopeOverrideDetails": None},
    }


def access_token_claims(
    pool: _Pool, username: str, client_id: str, declared: tuple[str, ...]
) -> dict[str, str]:
    answer = respond(trigger_event(pool, username, client_id), declared)
    added: dict[str, str] = answer["response"]["claimsAndScopeOverrideDetails"]["accessTokenGeneration"][
        "claimsToAddOrOverride"
    ]
    return added


def install(pool: _Pool, declared: tuple[str, ...]) -> None:
    """From now on every access token ``pool`` signs carries what the trigger adds for its user."""
    if not callable(getattr(pool, "create_jwt", None)) or not callable(getattr(pool, "_get_user", None)):
        msg = (
            "moto's user pool no longer mints tokens through create_jwt: the token trigger cannot run locally"
        )
        raise RuntimeError(msg)  # noqa: TRY004 - moto changed, not a caller passing a wrong type
    mint = pool.create_jwt

    def create_jwt(
        client_id: str,
        username: str,
        token_use: str,
        expires_in: int = 60 * 60,
        extra_data: dict[str, Any] | None = None,
    ) -> tuple[str, int]:
        if token_use == "access":  # noqa: S105 - a token type, not a password
            extra_data = {**(extra_data or {}), **access_token_claims(pool, username, client_id, declared)}
        return mint(client_id, username, token_use, expires_in, extra_data)

    # An instance attribute: this pool only, and moto's class stays as it is for every other pool.
    setattr(pool, "create_jwt", create_jwt)  # noqa: B010 - mypy refuses assigning to a method
