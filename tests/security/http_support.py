"""HTTP helpers for the abuse and load tests against `vend serve`: loopback only, every error body kept for
the secret scan. Does I/O (HTTP to 127.0.0.1, Cognito sign-in on the embedded moto)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

import httpx

from tests import support
from tests.e2e.client import VEND, aws_client
from tests.e2e.conftest import RunningServer
from vend_local.cmd_token import sign_in

HTTP_TIMEOUT_SECONDS: Final = 30.0
# A vend request body, for raw-socket tests.
VEND_BODY: Final = json.dumps({"query": VEND, "variables": {"scope": "S3_OWN_PREFIX"}}).encode()
# Every non-200 body, and every body with GraphQL errors, any test received: the session scan reads them.
ERROR_BODIES: list[str] = []
_LOCK = threading.Lock()
LOCAL_PASSWORD: Final = "Security-local-pw-1"


def assert_loopback(server: RunningServer) -> None:
    host = urlsplit(server.url).hostname
    assert host in {"127.0.0.1", "::1", "localhost"}, f"not loopback: {host}"


def keep_if_error(response: httpx.Response) -> None:
    text = response.text
    if response.status_code != 200 or '"errors"' in text:
        with _LOCK:
            ERROR_BODIES.append(text)
            support.SCANNED_TEXTS.append(text)


def post_raw(
    client: httpx.Client, server: RunningServer, content: bytes, token: str | None, **headers: str
) -> httpx.Response:
    all_headers = {"content-type": "application/json", **headers}
    if token is not None:
        all_headers["authorization"] = token
    response = client.post(server.url, content=content, headers=all_headers, timeout=HTTP_TIMEOUT_SECONDS)
    keep_if_error(response)
    return response


def post_json(client: httpx.Client, server: RunningServer, body: Any, token: str | None) -> httpx.Response:
    return post_raw(client, server, json.dumps(body).encode(), token)


def vend(
    client: httpx.Client, server: RunningServer, token: str, scope: str, duration: int | None = None
) -> httpx.Response:
    variables: dict[str, Any] = {"scope": scope}
    if duration is not None:
        variables["d"] = duration
    response = post_json(client, server, {"query": VEND, "variables": variables}, token)
    if response.status_code == 200:
        data = (response.json().get("data") or {}).get("vendCredentials")
        if data:
            with _LOCK:
                server.secrets.update({data["secretAccessKey"], data["sessionToken"]})
    return response


@dataclass(frozen=True)
class User:
    username: str
    sub: str
    groups: tuple[str, ...]
    tenant: str | None
    id_token: str


def create_user(
    server: RunningServer,
    username: str,
    groups: tuple[str, ...] = (),
    tenant: str | None = None,
    email: str | None = None,
) -> User:
    """A user in the server's own embedded pool, signed in; its tokens join the secrets to scan for."""
    state = server.state
    idp = aws_client(server, "cognito-idp")
    attributes = [{"Name": "custom:tenant_id", "Value": tenant}] if tenant else []
    if email:
        attributes.append({"Name": "email", "Value": email})
    idp.admin_create_user(
        UserPoolId=state.user_pool_id, Username=username, MessageAction="SUPPRESS", UserAttributes=attributes
    )
    idp.admin_set_user_password(
        UserPoolId=state.user_pool_id, Username=username, Password=LOCAL_PASSWORD, Permanent=True
    )
    for group in groups:
        idp.admin_add_user_to_group(UserPoolId=state.user_pool_id, Username=username, GroupName=group)
    result = sign_in(
        username=username,
        password=LOCAL_PASSWORD,
        client_id=state.app_client_id,
        region=state.region,
        endpoint_url=state.aws_endpoint,
    )
    server.secrets.update({result["IdToken"], result["AccessToken"]})
    sub = next(
        a["Value"]
        for a in idp.admin_get_user(UserPoolId=state.user_pool_id, Username=username)["UserAttributes"]
        if a["Name"] == "sub"
    )
    return User(username, sub, groups, tenant, result["IdToken"])
