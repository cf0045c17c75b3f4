"""HTTP and AWS helpers for the e2e tests: GraphQL calls, sign-in, tokens forged with the key moto ships."""

from __future__ import annotations

import base64
import json
from typing import Any, Final

import boto3
import httpx
import jwt
from moto.utilities.utils import load_resource

from tests import support
from tests.e2e.conftest import RunningServer
from vend_local.cmd_token import sign_in

HTTP_TIMEOUT_SECONDS: Final = 60.0
VEND: Final = (
    "mutation Vend($scope: Scope!, $d: Int) { vendCredentials(scope: $scope, durationSeconds: $d) "
    "{ accessKeyId secretAccessKey sessionToken expiration refreshAfter scope region } }"
)


def post(server: RunningServer, body: Any, token: str | None, **headers: str) -> httpx.Response:
    all_headers = {"content-type": "application/json", **headers}
    if token is not None:
        all_headers["authorization"] = token
    response = httpx.post(
        server.url, content=json.dumps(body), headers=all_headers, timeout=HTTP_TIMEOUT_SECONDS
    )
    if response.status_code != 200 or '"errors"' in response.text:
        support.SCANNED_TEXTS.append(
            response.text
        )  # error bodies reach browsers: the session scan reads them
    return response


def vend(server: RunningServer, token: str, scope: str, duration: int | None = None) -> httpx.Response:
    variables: dict[str, Any] = {"scope": scope}
    if duration is not None:
        variables["d"] = duration
    response = post(server, {"query": VEND, "variables": variables}, token)
    data = (response.json().get("data") or {}).get("vendCredentials") if response.status_code == 200 else None
    if data:
        server.secrets.update({data["secretAccessKey"], data["sessionToken"]})
    return response


def tokens(server: RunningServer, username: str) -> dict[str, str]:
    state = server.state
    login = state.user(username)
    assert login is not None
    result = sign_in(
        username=username,
        password=login.password,
        client_id=state.app_client_id,
        region=state.region,
        endpoint_url=state.aws_endpoint,
    )
    server.secrets.update({result["IdToken"], result["AccessToken"]})
    return {"id": result["IdToken"], "access": result["AccessToken"]}


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return decoded


def forge(claims: dict[str, Any], **overrides: Any) -> str:
    """Sign with the Cognito key inside the moto package (public, kid "dummy"), which anyone can read: the
    embedded Cognito signs with a key of its own, so the server must refuse these."""
    key = jwt.PyJWK(load_resource("cognitoidp/resources/jwks-private.json"), algorithm="RS256")
    merged = {**claims, **overrides}
    return jwt.encode(
        {k: v for k, v in merged.items() if v is not None},
        key.key,
        algorithm="RS256",
        headers={"kid": "dummy"},
    )


def aws_client(server: RunningServer, service: str, creds: dict[str, str] | None = None) -> Any:
    state = server.state
    session = boto3.session.Session(
        aws_access_key_id=creds["accessKeyId"] if creds else "AKIAE2ETESTBOOTSTRAP",
        aws_secret_access_key=creds["secretAccessKey"] if creds else "e2e-not-a-secret",
        aws_session_token=creds["sessionToken"] if creds else None,
        region_name=state.region,
    )
    return session.client(service, endpoint_url=state.aws_endpoint)  # type: ignore[call-overload]
