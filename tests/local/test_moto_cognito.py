"""signing_key and moto_cognito in-process: a fresh key per run, Cognito's token header, and moto restored after.

moto's Cognito is hooked for the duration of one test and restored in a finally block (the hooks are
process-wide). Calls moto's backend classes directly; no network."""

from __future__ import annotations

import json
from typing import Any

import jwt
import pytest
from moto.cognitoidp import models, responses
from moto.utilities.utils import load_resource

from vend_local import moto_cognito, signing_key

PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth"}


def test_each_key_is_fresh_and_its_jwks_is_public_only() -> None:
    first, second = signing_key.generate(), signing_key.generate()
    assert first.kid != second.kid
    (one,) = first.jwks()["keys"]
    (two,) = second.jwks()["keys"]
    assert one["n"] != two["n"]
    assert not PRIVATE_MEMBERS & set(one)
    assert repr(first) == f"SigningKey(kid='{first.kid}')"


def test_a_signed_token_has_cognitos_header_and_verifies_with_the_jwks_only() -> None:
    key = signing_key.generate()
    token = key.sign({"sub": "s", "token_use": "id"})
    assert jwt.get_unverified_header(token) == {"kid": key.kid, "alg": "RS256"}
    (public,) = key.jwks()["keys"]
    assert jwt.decode(token, jwt.PyJWK(public).key, algorithms=["RS256"])["sub"] == "s"
    shipped = jwt.PyJWK(load_resource("cognitoidp/resources/jwks-public.json")["keys"][0])
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, shipped.key, algorithms=["RS256"])


def pool_with_user(read: list[str]) -> tuple[Any, str]:
    backend = models.CognitoIdpBackend("us-east-1", "123456789012")
    pool = backend.create_user_pool("p", {})
    config: dict[str, Any] = {"ClientName": "c", "ReadAttributes": read}
    client = backend.create_user_pool_client(pool.id, False, config)
    backend.admin_create_user(
        pool.id,
        "carol",
        "SUPPRESS",
        "Carol-local-1",
        [{"Name": "email", "Value": "carol@example.com"}, {"Name": "custom:tenant_id", "Value": "acme"}],
    )
    return pool, client.id


def test_hooks_sign_with_the_run_key_filter_the_id_token_and_restore_moto() -> None:
    original = (models.CognitoIdpUserPool.create_jwt, responses.CognitoIdpJsonWebKeyResponse.json_web_key)
    key = signing_key.generate()
    restore = moto_cognito.install(key)
    try:
        pool, client_id = pool_with_user(read=["email"])
        token, _ = pool.create_id_token(client_id, "carol", "origin")
        assert jwt.get_unverified_header(token) == {"kid": key.kid, "alg": "RS256"}
        (public,) = key.jwks()["keys"]
        claims = jwt.decode(token, jwt.PyJWK(public).key, algorithms=["RS256"], audience=client_id)
        assert claims["email"] == "carol@example.com"
        assert "custom:tenant_id" not in claims
        assert json.loads(responses.CognitoIdpJsonWebKeyResponse.json_web_key) == key.jwks()
    finally:
        restore()
    assert (
        models.CognitoIdpUserPool.create_jwt,
        responses.CognitoIdpJsonWebKeyResponse.json_web_key,
    ) == original


def test_a_second_embedded_aws_shares_the_first_hook_and_the_last_release_restores_moto() -> None:
    original = models.CognitoIdpUserPool.create_jwt
    first_key = signing_key.generate()
    release_first = moto_cognito.install(first_key)
    release_second = moto_cognito.install(signing_key.generate())
    try:
        # One process, one moto: the second front serves the same pools, signed with the first key.
        assert json.loads(responses.CognitoIdpJsonWebKeyResponse.json_web_key) == first_key.jwks()
        release_first()
        release_first()  # releasing twice is one release
        assert models.CognitoIdpUserPool.create_jwt is not original
    finally:
        release_second()
    assert models.CognitoIdpUserPool.create_jwt is original
