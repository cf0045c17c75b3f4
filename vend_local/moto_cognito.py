"""Makes moto's Cognito behave as Cognito does where the local stand-in must be trusted, for the life of the
process: tokens are signed with the run's SigningKey and that key is the JWKS moto serves (moto's shipped key
never signs), and each app client's read and write attributes are enforced (cognito_rules). Changes moto's
in-process classes; no I/O.

Hooks, each wrapping moto's own method so that moto still does the work:
- ``CognitoIdpUserPool.create_jwt`` (every ID and access token): moto builds the claims; the ID token loses the
  attributes its app client may not read; the token is signed with the run's key, under its kid;
- ``CognitoIdpJsonWebKeyResponse.json_web_key``: the bytes moto serves at ``/<pool>/.well-known/jwks.json``;
- ``CognitoIdpBackend.update_user_attributes`` and ``sign_up``: a write the app client does not allow fails with
  Cognito's NotAuthorizedException before moto changes anything;
- ``CognitoIdpBackend.get_user``: only the attributes the app client may read.
Admin APIs (AdminUpdateUserAttributes, AdminGetUser, ...) are authorised by IAM, not by an app client, and stay
as moto has them.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable, Iterable
from typing import Any

from vend_local.cognito_rules import NO_ACCESS, UNAUTHORIZED_WRITE_MESSAGE, AttributeAccess, client_access
from vend_local.signing_key import SigningKey

Uninstall = Callable[[], None]
# moto's Cognito state is process-wide, so the hook is too: every embedded AWS of one process (a benchmark runs two
# fronts on the same moto) shares the first one's hook and key; the last release restores moto.
_installed: list[Uninstall] = []
_holders: list[object] = []


def install(key: SigningKey) -> Uninstall:
    """Hook moto's Cognito (see the module docstring); returns the function that releases this hold on it.

    A second call while hooked keeps the first hook (and its key) and only adds a holder."""
    holder = object()
    if not _installed:
        _installed.append(_hook(key))
    _holders.append(holder)

    def release() -> None:
        if holder in _holders:
            _holders.remove(holder)
            if not _holders and _installed:
                _installed.pop()()

    return release


def _hook(key: SigningKey) -> Uninstall:
    from moto.cognitoidp import exceptions, models, responses  # noqa: PLC0415 - heavy, only with an embedded AWS

    pool_class: Any = models.CognitoIdpUserPool
    backend_class: Any = models.CognitoIdpBackend
    jwks_response: Any = responses.CognitoIdpJsonWebKeyResponse
    moto_create_jwt = pool_class.create_jwt
    moto_update = backend_class.update_user_attributes
    moto_sign_up = backend_class.sign_up
    moto_get_user = backend_class.get_user

    def create_jwt(
        pool: Any, client_id: str, username: str, token_use: str, *args: Any, **kwargs: Any
    ) -> Any:
        # moto signs with json_web_key: make that the run's key too, so the package's key never signs anything.
        pool.json_web_key = key.private
        token, expires_in = moto_create_jwt(pool, client_id, username, token_use, *args, **kwargs)
        claims = _payload(token)
        if token_use == "id":  # noqa: S105 - a claim value, not a password
            user = pool._get_user(username)
            claims = _access(pool, client_id).readable_claims(
                claims, _attribute_names(user.attributes, claims)
            )
        return key.sign(claims), expires_in

    def update_user_attributes(backend: Any, access_token: str, attributes: list[dict[str, str]]) -> Any:
        found = _token_client(backend, access_token)
        if found is not None and not _access(*found).may_write(a.get("Name", "") for a in attributes):
            raise exceptions.NotAuthorizedError(UNAUTHORIZED_WRITE_MESSAGE)
        return moto_update(backend, access_token, attributes)

    def sign_up(backend: Any, client_id: str, username: str, password: str, attributes: Any) -> Any:
        pool = next((p for p in backend.user_pools.values() if client_id in p.clients), None)
        if pool is not None and not _access(pool, client_id).may_write(
            a.get("Name", "") for a in attributes or ()
        ):
            raise exceptions.NotAuthorizedError(UNAUTHORIZED_WRITE_MESSAGE)
        return moto_sign_up(backend, client_id, username, password, attributes)

    def get_user(backend: Any, access_token: str) -> Any:
        user = moto_get_user(backend, access_token)
        found = _token_client(backend, access_token)
        access = _access(*found) if found is not None else NO_ACCESS
        # A copy: moto's user keeps every attribute; this answer shows the readable ones.
        shown = copy.copy(user)
        shown.attributes = access.readable_only(user.attributes)
        return shown

    hooks: dict[tuple[Any, str], Any] = {
        (pool_class, "create_jwt"): create_jwt,
        (backend_class, "update_user_attributes"): update_user_attributes,
        (backend_class, "sign_up"): sign_up,
        (backend_class, "get_user"): get_user,
        (jwks_response, "json_web_key"): json.dumps(key.jwks()).encode(),
    }
    saved = {(owner, name): getattr(owner, name) for owner, name in hooks}
    for (owner, name), hook in hooks.items():
        setattr(owner, name, hook)

    def uninstall() -> None:
        for (owner, name), original in saved.items():
            setattr(owner, name, original)

    return uninstall


def _access(pool: Any, client_id: str) -> AttributeAccess:
    client = pool.clients.get(client_id)
    if client is None:
        return NO_ACCESS
    config = client.extended_config
    return client_access(config.get("ReadAttributes"), config.get("WriteAttributes"))


def _token_client(backend: Any, access_token: str) -> tuple[Any, str] | None:
    """The pool and app client an access token was issued to, as moto recorded it; None for an unknown token."""
    for pool in backend.user_pools.values():
        if access_token in pool.access_tokens:
            client_id, _username = pool.access_tokens[access_token]
            return pool, client_id
    return None


def _attribute_names(attributes: Iterable[dict[str, str]], claims: dict[str, Any]) -> set[str]:
    """The claims that are user attributes: the user's own, and any custom or developer attribute moto added."""
    return {a["Name"] for a in attributes} | {k for k in claims if k.startswith(("custom:", "dev:"))}


def _payload(token: str) -> dict[str, Any]:
    """The claims of a token moto just made in this process (no signature to check: it never left)."""
    part = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded
