"""Missing, garbage, tampered, alg none, moto-key-forged, other-client and foreign-pool tokens: AppSync's 401,
and the handler never runs (it writes an audit line for every call it gets).

The claim checks (expired, wrong issuer, wrong audience...) need tokens signed with the pool's key, which the
embedded Cognito makes in memory for each run and never shares: tests/local/test_jwt_verify.py checks them
with a test key.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import pytest

from tests.e2e.client import VEND, aws_client, claims_of, forge, post, tokens, vend
from tests.e2e.conftest import RunningServer


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _tampered(token: str) -> str:
    head, _, sig = token.split(".")
    claims = claims_of(token)
    claims["cognito:groups"] = ["analysts", "admins"]
    return f"{head}.{_b64(json.dumps(claims).encode())}.{sig}"


def _alg_none(token: str) -> str:
    return f"{_b64(json.dumps({'alg': 'none', 'kid': 'dummy'}).encode())}.{token.split('.')[1]}."


def _foreign_pool_token(server: RunningServer) -> str:
    """A real token from another user pool in the same moto: same signing key, other issuer."""
    idp = aws_client(server, "cognito-idp")
    pool = idp.create_user_pool(PoolName="foreign")["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="foreign", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool, Username="mallory", MessageAction="SUPPRESS")
    idp.admin_set_user_password(
        UserPoolId=pool, Username="mallory", Password="Mallory-local-1", Permanent=True
    )
    result = idp.initiate_auth(
        ClientId=client,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "mallory", "PASSWORD": "Mallory-local-1"},
    )["AuthenticationResult"]
    token: str = result["IdToken"]
    server.secrets.add(token)
    return token


def _other_client_token(server: RunningServer) -> str:
    """A real access token of the right pool, issued to another app client of that pool."""
    state = server.state
    idp = aws_client(server, "cognito-idp")
    client = idp.create_user_pool_client(
        UserPoolId=state.user_pool_id, ClientName="other-app", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    login = state.user("alice")
    assert login is not None
    result = idp.initiate_auth(
        ClientId=client,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": login.password},
    )["AuthenticationResult"]
    token: str = result["AccessToken"]
    server.secrets.add(token)
    return token


CASES: list[tuple[str, Callable[[RunningServer, dict[str, str]], str | None], str]] = [
    ("missing", lambda s, t: None, "Valid authorization header not provided."),
    ("garbage", lambda s, t: "not-a-token", "Unable to parse JWT token."),
    ("bearer prefix", lambda s, t: "Bearer " + t["id"], "Unable to parse JWT token."),
    ("tampered", lambda s, t: _tampered(t["id"]), "Unable to parse JWT token."),
    ("alg none", lambda s, t: _alg_none(t["id"]), "Unable to parse JWT token."),
    ("signed with moto's shipped key", lambda s, t: forge(claims_of(t["id"])), "Unable to parse JWT token."),
    ("other app client", lambda s, t: _other_client_token(s), "Valid authorization header not provided."),
    ("foreign pool", lambda s, t: _foreign_pool_token(s), "Valid authorization header not provided."),
]


@pytest.mark.parametrize(("make", "message"), [(m, msg) for _, m, msg in CASES], ids=[c[0] for c in CASES])
def test_bad_tokens_get_appsyncs_unauthorized_response(
    server: RunningServer, make: Callable[[RunningServer, dict[str, str]], str | None], message: str
) -> None:
    token = make(server, tokens(server, "alice"))
    if token:
        server.secrets.add(token)
    response = post(server, {"query": VEND, "variables": {"scope": "S3_OWN_PREFIX"}}, token)
    assert response.status_code == 401
    assert response.json() == {"errors": [{"errorType": "UnauthorizedException", "message": message}]}


def test_the_handler_never_runs_for_an_unauthorized_request(server: RunningServer) -> None:
    alice = tokens(server, "alice")
    bob = tokens(server, "bob")
    start = len(server.output().splitlines(keepends=True))
    for token in (None, forge(claims_of(alice["id"])), _tampered(alice["id"]), _alg_none(alice["id"])):
        if token:
            server.secrets.add(token)
        assert (
            post(server, {"query": VEND, "variables": {"scope": "S3_OWN_PREFIX"}}, token).status_code == 401
        )
    # A marker call the handler does get: bob's vend, audited with bob's sub.
    assert vend(server, bob["id"], "REPORTS_READ").status_code == 200
    bob_sub = claims_of(bob["id"])["sub"]
    server.wait_for_line(lambda line: '"vend decision"' in line and bob_sub in line, start=start)
    audits = [line for line in server.lines[start:] if '"vend decision"' in line]
    assert len(audits) == 1, audits
