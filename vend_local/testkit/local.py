"""Vend as a given user through the real handler of a running `vend serve`, and use the credentials with the AWS
SDK against its enforcing embedded AWS. Network I/O to that local server only.

Users are created on demand in the embedded Cognito (the seeding credentials, which moto accepts, create them,
set their groups and custom attributes, and a random local password), signed in with USER_PASSWORD_AUTH like
Amplify, and their ID or access token is sent to the GraphQL endpoint as AppSync would receive it. The vend
therefore runs the same token checks, event building, handler, catalog and STS call as `make serve`.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal

import boto3
import httpx

from vend_local.cmd_token import sign_in
from vend_local.embedded_aws import BOOTSTRAP_KEY_ID, BOOTSTRAP_SECRET
from vend_local.local_state import ServerState

Token = Literal["id", "access"]
HTTP_TIMEOUT_SECONDS: Final = 60.0
VEND_MUTATION: Final = (
    "mutation Vend($scope: Scope!, $d: Int) { vendCredentials(scope: $scope, durationSeconds: $d) "
    "{ accessKeyId secretAccessKey sessionToken expiration refreshAfter scope region } }"
)
CUSTOM_PREFIX: Final = "custom:"


class VendRefused(AssertionError):
    """The service refused the vend; ``error_type`` is its GraphQL errorType (ScopeForbidden, ClaimMissing, ...)."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(f"{error_type}: {message}")
        self.error_type = error_type


@dataclass(frozen=True)
class LocalUser:
    username: str
    sub: str
    groups: tuple[str, ...]
    claims: Mapping[str, str]
    password: str = field(repr=False)


@dataclass(frozen=True)
class Vended:
    """Credentials from ``vendCredentials``, and the AWS SDK session that uses them against the embedded AWS."""

    scope: str
    region: str
    access_key_id: str
    expiration: datetime
    endpoint_url: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)

    def session(self) -> boto3.session.Session:
        return boto3.session.Session(
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            aws_session_token=self.session_token,
            region_name=self.region,
        )

    def client(self, service: str, **kwargs: Any) -> Any:
        """An AWS SDK (boto3) client with these credentials, pointed at the embedded AWS."""
        return self.session().client(service, endpoint_url=self.endpoint_url, **kwargs)  # type: ignore[call-overload]


class LocalVend:
    """A running `vend serve`: its users, its GraphQL endpoint and its enforcing embedded AWS."""

    def __init__(self, state: ServerState) -> None:
        if state.aws_endpoint is None:
            raise ValueError("the test kit needs the embedded AWS, not `vend serve --aws`")
        self.state = state
        self.endpoint_url: str = state.aws_endpoint
        self._users: dict[str, LocalUser] = {}
        self._lock = threading.Lock()

    @property
    def region(self) -> str:
        return self.state.region

    @property
    def bucket(self) -> str | None:
        return self.state.bucket

    @property
    def table_arn(self) -> str | None:
        return self.state.table_arn

    @property
    def table_name(self) -> str | None:
        return self.table_arn.rpartition("/")[2] if self.table_arn else None

    def seeding_client(self, service: str) -> Any:
        """A client with the seeding credentials: moto's full access, no enforcement (set-up and checks only)."""
        return boto3.session.Session(
            aws_access_key_id=BOOTSTRAP_KEY_ID,
            aws_secret_access_key=BOOTSTRAP_SECRET,
            region_name=self.region,
        ).client(service, endpoint_url=self.endpoint_url)  # type: ignore[call-overload]

    def user(
        self, username: str, *, groups: Sequence[str] = (), claims: Mapping[str, str] | None = None
    ) -> LocalUser:
        """The user ``username`` in the embedded Cognito, created with these groups and claims on first use.

        Claims are user attributes (``custom:tenant_id``, ``email``); a custom attribute the pool lacks is added
        to it. Asking again for the same name with other groups or claims is an error: users live as long as the
        server, which the whole test session shares.
        """
        wanted = (tuple(sorted(groups)), dict(claims or {}))
        with self._lock:
            known = self._users.get(username) or self._demo(username)
            if known is not None:
                if (tuple(sorted(known.groups)), dict(known.claims)) != wanted:
                    raise ValueError(
                        f"user {username!r} exists with other groups or claims; use another name"
                    )
                return known
            made = self._create(username, wanted[0], wanted[1])
            self._users[username] = made
            return made

    def tokens(self, user: LocalUser | str) -> dict[Token, str]:
        found = self._resolve(user)
        result = sign_in(
            username=found.username,
            password=found.password,
            client_id=self.state.app_client_id,
            region=self.region,
            endpoint_url=self.endpoint_url,
        )
        return {"id": result["IdToken"], "access": result["AccessToken"]}

    def vend(
        self,
        user: LocalUser | str,
        scope: str,
        *,
        token: Token = "id",  # noqa: S107 - which Cognito token, not a secret
        duration_seconds: int | None = None,
    ) -> Vended:
        """``vendCredentials(scope)`` as ``user``, through the GraphQL endpoint and the real handler.

        Raises ``VendRefused`` with the service's errorType when the vend is refused.
        """
        variables: dict[str, Any] = {"scope": scope}
        if duration_seconds is not None:
            variables["d"] = duration_seconds
        response = httpx.post(
            self.state.graphql_url,
            content=json.dumps({"query": VEND_MUTATION, "variables": variables}),
            headers={"content-type": "application/json", "authorization": self.tokens(user)[token]},
            timeout=HTTP_TIMEOUT_SECONDS,
        )
        body = response.json()
        errors = body.get("errors") or []
        if errors:
            raise VendRefused(str(errors[0].get("errorType")), str(errors[0].get("message")))
        data = body["data"]["vendCredentials"]
        return Vended(
            scope=data["scope"],
            region=data["region"],
            access_key_id=data["accessKeyId"],
            secret_access_key=data["secretAccessKey"],
            session_token=data["sessionToken"],
            expiration=datetime.fromisoformat(data["expiration"].replace("Z", "+00:00")),
            endpoint_url=self.endpoint_url,
        )

    def _resolve(self, user: LocalUser | str) -> LocalUser:
        if isinstance(user, LocalUser):
            return user
        return self._demo(user) or self.user(user)

    def _demo(self, username: str) -> LocalUser | None:
        """A demo user the server seeded (alice, bob, carol), with the groups and claims it gave them."""
        demo = self.state.user(username)
        if demo is None:
            return None
        claims = {"custom:tenant_id": demo.tenant} if demo.tenant else {}
        return LocalUser(demo.username, demo.sub, tuple(demo.groups), claims, demo.password)

    def _create(self, username: str, groups: tuple[str, ...], claims: Mapping[str, str]) -> LocalUser:
        idp = self.seeding_client("cognito-idp")
        pool = self.state.user_pool_id
        existing = {
            a["Name"] for a in idp.describe_user_pool(UserPoolId=pool)["UserPool"].get("SchemaAttributes", [])
        }
        missing = sorted(k for k in claims if k.startswith(CUSTOM_PREFIX) and k not in existing)
        if missing:
            idp.add_custom_attributes(
                UserPoolId=pool,
                CustomAttributes=[
                    {"Name": k.removeprefix(CUSTOM_PREFIX), "AttributeDataType": "String", "Mutable": True}
                    for k in missing
                ],
            )
        # A local-only password for the embedded Cognito, meeting any password policy.
        password = f"Kit-{secrets.token_urlsafe(12)}-1a"
        idp.admin_create_user(
            UserPoolId=pool,
            Username=username,
            UserAttributes=[{"Name": k, "Value": v} for k, v in claims.items()],
            MessageAction="SUPPRESS",
        )
        idp.admin_set_user_password(UserPoolId=pool, Username=username, Password=password, Permanent=True)
        for group in groups:
            idp.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName=group)
        attributes = idp.admin_get_user(UserPoolId=pool, Username=username)["UserAttributes"]
        sub = next(a["Value"] for a in attributes if a["Name"] == "sub")
        return LocalUser(username, sub, groups, dict(claims), password)
