"""Threat: a user writes their own authorization claim. custom:tenant_id reaches a session policy; in AWS the app
client's WriteAttributes forbid a user to set it, but moto's Cognito let any user set it over plain
UpdateUserAttributes with their own access token (issue 16, point 1). The embedded Cognito now enforces the app
client's write and read attributes as Cognito does, with Cognito's own error. Loopback only."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

from tests.e2e.client import aws_client, claims_of
from tests.e2e.conftest import RunningServer
from tests.security import http_support
from vend_local.cmd_token import sign_in

TENANT = "custom:tenant_id"
# Cognito's answer to a write the app client does not allow (AWS SDK issue reports quote it verbatim).
REFUSED = ("NotAuthorizedException", "A client attempted to write unauthorized attribute")


def new_user(server: RunningServer, tenant: str = "acme") -> http_support.User:
    name = f"sec-attr-{uuid.uuid4().hex[:10]}"
    return http_support.create_user(server, name, tenant=tenant, email=f"{name}@example.com")


def session(server: RunningServer, user: http_support.User, client_id: str | None = None) -> dict[str, str]:
    state = server.state
    result = sign_in(
        username=user.username,
        password=http_support.LOCAL_PASSWORD,
        client_id=client_id or state.app_client_id,
        region=state.region,
        endpoint_url=state.aws_endpoint,
    )
    server.secrets.update({result["IdToken"], result["AccessToken"]})
    return {"id": result["IdToken"], "access": result["AccessToken"]}


def stored(server: RunningServer, user: http_support.User) -> dict[str, str]:
    """The user's attributes as an administrator sees them (AdminGetUser: IAM, not an app client)."""
    got = aws_client(server, "cognito-idp").admin_get_user(
        UserPoolId=server.state.user_pool_id, Username=user.username
    )
    return {a["Name"]: a["Value"] for a in got["UserAttributes"]}


def refusal(error: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    details = error.value.response["Error"]
    return str(details.get("Code")), str(details.get("Message"))


def other_client(server: RunningServer, **attributes: list[str]) -> str:
    """Another app client of the same pool, with the given ReadAttributes/WriteAttributes (or Cognito's defaults)."""
    client_id: str = aws_client(server, "cognito-idp").create_user_pool_client(
        UserPoolId=server.state.user_pool_id,
        ClientName=f"sec-{uuid.uuid4().hex[:8]}",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
        **attributes,
    )["UserPoolClient"]["ClientId"]
    return client_id


@pytest.mark.parametrize(
    "attributes",
    [
        [{"Name": TENANT, "Value": "globex"}],
        # All or nothing: a writable attribute beside it is not written either.
        [{"Name": "email", "Value": "changed@example.com"}, {"Name": TENANT, "Value": "globex"}],
        [{"Name": "email_verified", "Value": "true"}],
        [{"Name": "sub", "Value": "11111111-2222-4333-8444-555555555555"}],
    ],
    ids=["tenant", "tenant-beside-email", "email_verified", "sub"],
)
def test_a_user_cannot_write_an_attribute_the_app_client_does_not_allow(
    abuse_server: RunningServer, attributes: list[dict[str, str]]
) -> None:
    user = new_user(abuse_server)
    before = stored(abuse_server, user)
    access = session(abuse_server, user)["access"]
    idp = aws_client(abuse_server, "cognito-idp")
    with pytest.raises(ClientError) as refused:
        idp.update_user_attributes(AccessToken=access, UserAttributes=attributes)
    assert refusal(refused) == REFUSED
    assert stored(abuse_server, user) == before
    # And the next ID token still carries the tenant Cognito stored.
    assert claims_of(session(abuse_server, user)["id"])[TENANT] == "acme"


def test_a_writable_attribute_is_still_written(abuse_server: RunningServer) -> None:
    user = new_user(abuse_server)
    access = session(abuse_server, user)["access"]
    aws_client(abuse_server, "cognito-idp").update_user_attributes(
        AccessToken=access, UserAttributes=[{"Name": "email", "Value": "new@example.com"}]
    )
    assert stored(abuse_server, user)["email"] == "new@example.com"


def test_sign_up_cannot_set_an_attribute_the_app_client_does_not_allow(abuse_server: RunningServer) -> None:
    state = abuse_server.state
    username = f"sec-signup-{uuid.uuid4().hex[:10]}"
    idp = aws_client(abuse_server, "cognito-idp")
    with pytest.raises(ClientError) as refused:
        idp.sign_up(
            ClientId=state.app_client_id,
            Username=username,
            Password=http_support.LOCAL_PASSWORD,
            UserAttributes=[{"Name": TENANT, "Value": "globex"}],
        )
    assert refusal(refused) == REFUSED
    with pytest.raises(ClientError) as missing:
        idp.admin_get_user(UserPoolId=state.user_pool_id, Username=username)
    assert refusal(missing)[0] == "UserNotFoundException"


def test_get_user_and_the_id_token_show_only_what_the_app_client_may_read(
    abuse_server: RunningServer,
) -> None:
    user = new_user(abuse_server)
    idp = aws_client(abuse_server, "cognito-idp")
    # The server's own app client reads the tenant: both GetUser and the ID token show it.
    seeded = session(abuse_server, user)
    assert TENANT in {a["Name"] for a in idp.get_user(AccessToken=seeded["access"])["UserAttributes"]}
    assert claims_of(seeded["id"])[TENANT] == "acme"
    # An app client that reads only email: neither shows it.
    narrow = session(abuse_server, user, other_client(abuse_server, ReadAttributes=["email"]))
    shown = {a["Name"] for a in idp.get_user(AccessToken=narrow["access"])["UserAttributes"]}
    assert shown == {"sub", "email"}
    assert TENANT not in claims_of(narrow["id"])


def test_an_app_client_without_attribute_lists_gets_cognitos_defaults(abuse_server: RunningServer) -> None:
    """Unset lists: read and write the standard attributes; custom ones neither (Cognito's API reference)."""
    user = new_user(abuse_server)
    defaults = session(abuse_server, user, other_client(abuse_server))
    idp = aws_client(abuse_server, "cognito-idp")
    with pytest.raises(ClientError) as refused:
        idp.update_user_attributes(
            AccessToken=defaults["access"], UserAttributes=[{"Name": TENANT, "Value": "globex"}]
        )
    assert refusal(refused) == REFUSED
    idp.update_user_attributes(
        AccessToken=defaults["access"], UserAttributes=[{"Name": "email", "Value": "default@example.com"}]
    )
    assert stored(abuse_server, user)["email"] == "default@example.com"
    shown = {a["Name"] for a in idp.get_user(AccessToken=defaults["access"])["UserAttributes"]}
    assert TENANT not in shown
    assert {"sub", "email"} <= shown
    assert TENANT not in claims_of(defaults["id"])
