"""Threat: minting tokens the local server accepts. moto signs Cognito tokens with a private key that ships in
the moto package (kid "dummy"), which anyone can read (issue 16, point 2). The embedded Cognito signs with a key
made for each run and kept in memory; its JWKS serves that key; a token signed with moto's key is refused.
Loopback only."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest
from moto.utilities.utils import load_resource

from tests.e2e.client import claims_of, forge, tokens
from tests.e2e.conftest import RunningServer, assert_clean_stop, start_server
from tests.security import http_support

PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")


def served_jwks(server: RunningServer) -> dict[str, Any]:
    state = server.state
    response = httpx.get(f"{state.aws_endpoint}/{state.user_pool_id}/.well-known/jwks.json", timeout=30)
    assert response.status_code == 200
    jwks: dict[str, Any] = response.json()
    return jwks


def header_of(token: str) -> dict[str, Any]:
    header: dict[str, Any] = jwt.get_unverified_header(token)
    return header


def test_a_token_signed_with_motos_shipped_key_is_refused(abuse_server: RunningServer) -> None:
    # The claims of a real token, unchanged: only the key differs.
    real = tokens(abuse_server, "alice")["id"]
    forged = forge(claims_of(real))
    abuse_server.secrets.add(forged)
    with httpx.Client() as client:
        response = http_support.vend(client, abuse_server, forged, "S3_OWN_PREFIX")
        control = http_support.vend(client, abuse_server, real, "S3_OWN_PREFIX")
    assert response.status_code == 401, response.text
    assert response.json() == {
        "errors": [{"errorType": "UnauthorizedException", "message": "Unable to parse JWT token."}]
    }
    assert control.status_code == 200, control.text


def test_the_pool_jwks_is_this_runs_public_key_and_not_motos(abuse_server: RunningServer) -> None:
    shipped = load_resource("cognitoidp/resources/jwks-public.json")["keys"][0]
    (key,) = served_jwks(abuse_server)["keys"]
    assert key["kid"] != "dummy"
    assert key["n"] != shipped["n"]
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")
    assert not set(PRIVATE_MEMBERS) & set(key), "the JWKS publishes private key material"


@pytest.mark.parametrize("which", ["id", "access"])
def test_issued_tokens_carry_cognitos_header_and_verify_only_with_the_served_key(
    abuse_server: RunningServer, which: str
) -> None:
    token = tokens(abuse_server, "bob")[which]
    (key,) = served_jwks(abuse_server)["keys"]
    assert header_of(token) == {"kid": key["kid"], "alg": "RS256"}
    assert jwt.decode(token, jwt.PyJWK(key).key, algorithms=["RS256"], options={"verify_aud": False})
    shipped = jwt.PyJWK(load_resource("cognitoidp/resources/jwks-public.json")["keys"][0])
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, shipped.key, algorithms=["RS256"], options={"verify_aud": False})


def test_each_run_has_its_own_key(
    abuse_server: RunningServer, tmp_path_factory: pytest.TempPathFactory
) -> None:
    other = start_server(tmp_path_factory.mktemp("second-run"))
    try:
        (first,) = served_jwks(abuse_server)["keys"]
        (second,) = served_jwks(other)["keys"]
        # A token of one run is refused by the other.
        token = tokens(abuse_server, "alice")["id"]
        with httpx.Client() as client:
            response = http_support.vend(client, other, token, "S3_OWN_PREFIX")
    finally:
        assert_clean_stop(other)
    assert first["kid"] != second["kid"]
    assert first["n"] != second["n"]
    assert response.status_code == 401, response.text
